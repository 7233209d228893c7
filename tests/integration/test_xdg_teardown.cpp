// xdg_surfaces that go in orders wlroots 0.15 does not follow (XdgTeardown,
// RequestChecks): a dialog whose parent never mapped, a decoration of a
// toplevel that never committed, an xdg_surface destroyed before its role
// object. Each client here speaks the raw protocol; planar must answer as
// the spec says and keep serving (the fixture fails a test whose planar
// wrote a sanitizer report or did not exit cleanly).
#include "harness.hpp"
#include "raw_client.hpp"
#include "test_client.hpp"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::RawClient;
using test_client::TestClient;

// A window still maps and gets the focus: planar serves.
void expect_planar_serves(const std::string &socket) {
    TestClient client(socket);
    ASSERT_TRUE(client.map_window(100, 100, 0xff3366cc)) << client.error();
    EXPECT_TRUE(client.dispatch_until([&] { return client.activated(); }, 5s)) << "the window never got the focus";
}

// A dialog whose parent never mapped: the parent goes and the dialog maps.
// wlroots 0.15 clears a toplevel's parent only when the parent unmaps, so
// the dialog kept a pointer to the freed parent and planar read it when
// the dialog mapped (heap-use-after-free under ASan).
TEST_F(PlanarTest, DialogWhoseParentNeverMappedMapsAfterTheParentWent) {
    ASSERT_TRUE(start_headless());
    RawClient raw(planar_.socket_path());
    ASSERT_TRUE(raw.connected());
    // The parent is set while it exists and never maps, then it goes with
    // its surface.
    RawClient::Toplevel parent = raw.toplevel();
    RawClient::Toplevel dialog = raw.toplevel();
    ASSERT_TRUE(parent.toplevel != nullptr && dialog.toplevel != nullptr);
    xdg_toplevel_set_parent(dialog.toplevel, parent.toplevel);
    wl_surface_destroy(parent.surface);
    raw.gone(parent.surface);
    ASSERT_TRUE(raw.map(dialog, 64, 64));
    ASSERT_GE(wl_display_roundtrip(raw.display()), 0);
    EXPECT_FALSE(raw.protocol_error().posted());
    expect_planar_serves(planar_.socket_path());
}

// A decoration made before the toplevel's first commit, as most clients
// do, and the client gone before it committed: wlroots 0.15 never tells
// the decoration its toplevel went, and freed memory was written when the
// decoration went after it. The write is in libwayland's wl_list_remove,
// which the sanitizers here do not see: this test shows only that planar
// goes on serving; the write itself was shown gone with ASan builds of
// wlroots and libwayland (README, "Requests wlroots must not run").
TEST_F(PlanarTest, DecoratedToplevelThatNeverCommittedCanGo) {
    ASSERT_TRUE(start_headless());
    for (int i = 0; i < 20; i++) {
        RawClient raw(planar_.socket_path());
        auto *decorations = raw.bind<zxdg_decoration_manager_v1>(zxdg_decoration_manager_v1_interface, 1);
        ASSERT_NE(decorations, nullptr);
        RawClient::Toplevel t = raw.toplevel();
        ASSERT_NE(t.toplevel, nullptr);
        raw.keep(zxdg_decoration_manager_v1_get_toplevel_decoration(decorations, t.toplevel));
        if (i % 2 == 0) { // the rest goes with the connection
            wl_surface_destroy(t.surface);
            raw.gone(t.surface);
        }
        ASSERT_GE(wl_display_roundtrip(raw.display()), 0);
    }
    expect_planar_serves(planar_.socket_path());
}

// xdg_surface.destroy before its role object: defunct_role_object (wlroots
// 0.15 ignored it and kept the object).
TEST_F(PlanarTest, XdgSurfaceDestroyedBeforeItsToplevelIsDefunctRoleObject) {
    ASSERT_TRUE(start_headless());
    RawClient raw(planar_.socket_path());
    ASSERT_TRUE(raw.connected());
    RawClient::Toplevel t = raw.toplevel();
    ASSERT_NE(t.xdg, nullptr);
    xdg_surface_destroy(t.xdg);
    raw.gone(t.xdg);
    // The error is on the object the client just destroyed: libwayland-client
    // names no interface for it.
    test_client::ProtocolError error = raw.protocol_error();
    EXPECT_EQ(error.code, static_cast<uint32_t>(XDG_SURFACE_ERROR_DEFUNCT_ROLE_OBJECT)) << error.interface;
    expect_planar_serves(planar_.socket_path());
}

// A second xdg_surface for a wl_surface whose first one still exists is a
// role error (wlroots 0.15 made it, and the destruction of either cleared
// the surface's link to the other).
TEST_F(PlanarTest, SecondXdgSurfaceForOneWlSurfaceIsARoleError) {
    ASSERT_TRUE(start_headless());
    RawClient raw(planar_.socket_path());
    ASSERT_TRUE(raw.connected());
    RawClient::Toplevel t = raw.toplevel();
    ASSERT_NE(t.toplevel, nullptr);
    raw.keep(xdg_wm_base_get_xdg_surface(raw.wm_base(), t.surface));
    test_client::ProtocolError error = raw.protocol_error();
    EXPECT_EQ(error.interface, "xdg_wm_base");
    EXPECT_EQ(error.code, static_cast<uint32_t>(XDG_WM_BASE_ERROR_ROLE));
    expect_planar_serves(planar_.socket_path());
}

} // namespace
