// Requests wlroots 0.15.1 must not run as sent (compositor/request_guards.hpp):
// a hostile client sends each (hostile_client), the test asserts what that
// client sees, then that planar still serves an ordinary window. A crash of
// planar shows as `broken ...`, a sanitizer report in its log fails the test.
#include <string>

#include "harness.hpp"
#include "test_client.hpp"
#include "xdg-shell-client-protocol.h"

namespace {

using namespace std::chrono_literals;
using test_client::TestClient;

const std::string ok = "ok\n";
const std::string invalid_popup_parent =
    "error xdg_wm_base " + std::to_string(XDG_WM_BASE_ERROR_INVALID_POPUP_PARENT) + "\n";

class HostileClientTest : public harness::PlanarTest {
protected:
    void SetUp() override { ASSERT_TRUE(start_headless()); }

    // What the client printed; its exit status is checked here. It leaves
    // its objects for planar to destroy with the connection: no leak check.
    std::string run(const std::string &scenario) {
        auto result = planar_.run({harness::program_from_env("PLANAR_HOSTILE_CLIENT_EXE"), scenario}, 20s,
                                  {{"ASAN_OPTIONS", "detect_leaks=0"}});
        EXPECT_EQ(result.status, 0) << result.describe();
        return result.out;
    }

    // After the hostile client: another one maps a window and gets a frame.
    void expect_planar_serves() {
        ASSERT_TRUE(planar_.running()) << "planar exited";
        TestClient client(planar_.socket_path());
        ASSERT_TRUE(client.map_window(200, 100, 0xff3366cc)) << client.error();
        int frames = client.frames_done();
        client.commit(true, false);
        EXPECT_TRUE(client.dispatch_until([&] { return client.frames_done() > frames; }, 5s)) << client.error();
    }
};

TEST_F(HostileClientTest, InertToplevelRequestsAreIgnored) {
    EXPECT_EQ(run("toplevel-inert"), ok);
    expect_planar_serves();
}

TEST_F(HostileClientTest, DecorationOfInertToplevelIsInert) {
    EXPECT_EQ(run("decoration-inert"), ok);
    expect_planar_serves();
}

TEST_F(HostileClientTest, PopupOwnParentIsInvalidPopupParent) {
    EXPECT_EQ(run("popup-self-parent"), invalid_popup_parent);
    expect_planar_serves();
}

TEST_F(HostileClientTest, PopupParentCycleIsInvalidPopupParent) {
    EXPECT_EQ(run("popup-cycle"), invalid_popup_parent);
    expect_planar_serves();
}

// The window mapped afterwards takes the focus, which ends popup grabs:
// planar walks wlroots' grab list, where a freed popup stayed before.
TEST_F(HostileClientTest, SecondPopupGrabIsIgnored) {
    EXPECT_EQ(run("popup-grab-twice"), ok);
    expect_planar_serves();
}

TEST_F(HostileClientTest, LayerSurfaceIgnoresInertPopup) {
    EXPECT_EQ(run("layer-popup-inert"), ok);
    expect_planar_serves();
}

TEST_F(HostileClientTest, OrphanSubsurfaceRestackIsIgnored) {
    EXPECT_EQ(run("subsurface-orphan"), ok);
    expect_planar_serves();
}

TEST_F(HostileClientTest, LayerSurfaceIgnoresPopupWithParent) {
    EXPECT_EQ(run("layer-popup-parented"), ok);
    expect_planar_serves();
}

TEST_F(HostileClientTest, PopupWithRolelessParentIsInvalidPopupParent) {
    EXPECT_EQ(run("popup-roleless-parent"), invalid_popup_parent);
    expect_planar_serves();
}

// Its popups are dismissed as on unmap. Going with the client, nothing is
// left for the client to see: ASan builds of wlroots and libwayland see
// the write into freed memory (/tmp/wlraudit's ASANWLR run), not this test.
TEST_F(HostileClientTest, UnmappedLayerSurfaceDismissesItsPopups) {
    EXPECT_EQ(run("layer-destroyed-unmapped"), "popup_done\n" + ok);
    EXPECT_EQ(run("layer-surface-destroyed-unmapped"), "popup_done\n" + ok);
    EXPECT_EQ(run("layer-disconnect-unmapped"), ok);
    expect_planar_serves();
}

// wlroots maps a virtual keyboard's keymap at the size the client gives;
// planar hands it its own copy (virtual_input.cpp), so a file shorter than
// that is read as the keymap it holds followed by zeros, and it works.
TEST_F(HostileClientTest, KeymapShorterThanItsSizeIsReadFromPlanarsCopy) {
    EXPECT_EQ(run("keymap-short"), ok);
    expect_planar_serves();
}

} // namespace
