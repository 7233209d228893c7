// Windows and outputs as real clients and tools use them: a client killed
// with its objects alive, outputs turned off and on under shown windows.
// Each case once crashed planar (issue 18); the sanitizer scan of the
// harness turns any use after free into a failure even where it would not
// crash.
#include <random>

#include "harness.hpp"
#include "test_client.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::TestClient;
using test_client::WindowOptions;

constexpr uint32_t window_colour = 0xff3366cc;

// A second client proves planar still serves: it maps and gets a frame.
void expect_planar_serves(harness::Compositor &planar) {
    ASSERT_TRUE(planar.running()) << "planar died";
    TestClient probe(planar.socket_path());
    ASSERT_TRUE(probe.map_window(64, 64, 0xff00ff00)) << probe.error();
    EXPECT_GE(probe.run_frame_loop(200ms, false), 1) << probe.error();
}

// alacritty on SIGTERM: wlroots destroys the xdg_surface (and with it the
// View) before the decoration, whose destroy handler then looked the View up
// through the xdg_surface's data.
TEST_F(PlanarTest, KilledClientWithADecorationLeavesPlanarServing) {
    ASSERT_TRUE(start_headless());
    using Mode = WindowOptions::Decoration;
    for (Mode mode : {Mode::no_preference, Mode::client_side, Mode::server_side}) {
        for (bool fullscreen : {false, true}) {
            SCOPED_TRACE("decoration mode " + std::to_string(static_cast<int>(mode)) +
                         (fullscreen ? ", fullscreen" : ", windowed"));
            TestClient client(planar_.socket_path());
            WindowOptions options;
            options.decoration = mode;
            options.fullscreen = fullscreen;
            ASSERT_TRUE(client.map_window(320, 240, window_colour, options)) << client.error();
            ASSERT_TRUE(client.roundtrip()) << client.error();
            client.abandon();
            expect_planar_serves(planar_);
        }
    }
}

// alacritty's own exit: its toplevel goes before its decoration.
TEST_F(PlanarTest, ToplevelDestroyedBeforeItsDecorationLeavesPlanarServing) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    WindowOptions options;
    options.decoration = WindowOptions::Decoration::server_side;
    ASSERT_TRUE(client.map_window(320, 240, window_colour, options)) << client.error();
    ASSERT_TRUE(client.roundtrip()) << client.error();
    client.destroy_toplevel_before_decoration();
    client.roundtrip(); // a protocol error (orphaned) would be fair; a crash is not
    expect_planar_serves(planar_);
}

// A client that dies before its first buffer, and one that dies with a
// popup-less toplevel mid-configure: nothing of either may outlive it.
TEST_F(PlanarTest, ClientKilledBeforeMappingLeavesPlanarServing) {
    ASSERT_TRUE(start_headless());
    for (int i = 0; i < 3; i++) {
        TestClient client(planar_.socket_path());
        ASSERT_TRUE(client.roundtrip()) << client.error();
        client.abandon();
    }
    expect_planar_serves(planar_);
}

// xdg-shell lets a popup be created without a parent (layer-shell names it
// later); committed without one, wlroots 0.15 posts not_constructed but
// still announces the popup, and planar looked its parent up through a
// null surface.
TEST_F(PlanarTest, PopupCommittedWithoutAParentIsAnErrorAndPlanarServes) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(64, 64, window_colour)) << client.error();
    ASSERT_TRUE(client.commit_parentless_popup());
    EXPECT_FALSE(client.roundtrip());
    // xdg_surface.error.not_constructed
    EXPECT_EQ(client.error().rfind("protocol error 1 on xdg_surface", 0), 0u) << client.error();
    expect_planar_serves(planar_);
}

class OutputChangeTest : public PlanarTest {
protected:
    bool start_two_outputs() {
        return planar_.start({"--backend", "headless", "--renderer", "pixman", "--output", "640x480@60", "--output",
                              "800x600@60"});
    }
    void randr(const std::vector<std::string> &args) {
        std::vector<std::string> argv = {"wlr-randr"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto result = planar_.run(argv, 20s);
        EXPECT_EQ(result.status, 0) << result.describe();
    }
    // Every window's centre (from planar-ctl) lies on an enabled output.
    void expect_windows_on_an_output() {
        std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
        auto outputs = planar_.run({ctl, "outputs"});
        auto surfaces = planar_.run({ctl, "surfaces"});
        ASSERT_EQ(outputs.status, 0) << outputs.describe();
        ASSERT_EQ(surfaces.status, 0) << surfaces.describe();
        struct Box {
            int x, y, w, h;
        };
        std::vector<Box> enabled;
        for (size_t line = 0; (line = outputs.out.find("output=", line)) != std::string::npos; line++) {
            Box box{};
            int on = 0;
            float hz = 0;
            char name[64] = {};
            if (sscanf(outputs.out.c_str() + line, "output=%63s mode=%dx%d@%f position=%d,%d enabled=%d", name, &box.w,
                       &box.h, &hz, &box.x, &box.y, &on) == 7 &&
                on) {
                enabled.push_back(box);
            }
        }
        ASSERT_FALSE(enabled.empty()) << outputs.out;
        int windows = 0;
        for (size_t at = 0; (at = surfaces.out.find("geometry=", at)) != std::string::npos; at++) {
            int w = 0, h = 0, x = 0, y = 0;
            ASSERT_EQ(sscanf(surfaces.out.c_str() + at, "geometry=%dx%d+%d+%d", &w, &h, &x, &y), 4) << surfaces.out;
            windows++;
            // planar-ctl gives the mode's size; a scaled or rotated output
            // covers less or other layout space, so accept the centre on any
            // enabled output's mode-sized box or its rotated box.
            bool inside = false;
            for (const Box &o : enabled) {
                for (auto [ow, oh] : {std::pair{o.w, o.h}, std::pair{o.h, o.w}}) {
                    inside |= x + w / 2 >= o.x && x + w / 2 < o.x + ow && y + h / 2 >= o.y && y + h / 2 < o.y + oh;
                }
            }
            EXPECT_TRUE(inside) << "window " << w << "x" << h << "+" << x << "+" << y << " on no enabled output:\n"
                                << outputs.out;
        }
        EXPECT_GE(windows, 1) << surfaces.out;
    }
};

// wlr-randr --off under a shown window: the output's frame timer fired after
// wlroots had freed its scene output.
TEST_F(OutputChangeTest, OutputsTurnedOffAndOnUnderShownWindows) {
    if (!harness::on_path("wlr-randr")) GTEST_SKIP() << "wlr-randr not installed (package wlr-randr)";
    ASSERT_TRUE(start_two_outputs());
    TestClient left(planar_.socket_path()), right(planar_.socket_path());
    ASSERT_TRUE(left.map_window(200, 150, window_colour)) << left.error();
    ASSERT_TRUE(right.map_window(200, 150, 0xffcc6633)) << right.error();
    for (int round = 0; round < 3; round++) {
        for (const char *name : {"HEADLESS-2", "HEADLESS-1"}) {
            SCOPED_TRACE(std::string(name) + " round " + std::to_string(round));
            randr({"--output", name, "--off"});
            // Frames keep coming while an output is off: the clients draw on.
            EXPECT_GE(left.run_frame_loop(150ms, false), 1) << left.error();
            EXPECT_GE(right.run_frame_loop(150ms, false), 1) << right.error();
            expect_windows_on_an_output();
            randr({"--output", name, "--on"});
            EXPECT_GE(left.run_frame_loop(100ms, false), 1) << left.error();
            ASSERT_TRUE(planar_.running());
        }
    }
    randr({"--output", "HEADLESS-2", "--custom-mode", "640x480", "--pos", "0,600"});
    randr({"--output", "HEADLESS-1", "--transform", "90", "--scale", "2"});
    EXPECT_GE(left.run_frame_loop(100ms, false), 1) << left.error();
    expect_windows_on_an_output();
    expect_planar_serves(planar_);
}

// What kanshi or a person with wlr-randr does over a day, 100 changes in a
// random (seeded, so reproducible) order: off, on, mode, scale, transform,
// position, with a window shown on each output and both drawing throughout.
TEST_F(OutputChangeTest, HundredRandomOutputChangesUnderShownWindows) {
    if (!harness::on_path("wlr-randr")) GTEST_SKIP() << "wlr-randr not installed (package wlr-randr)";
    ASSERT_TRUE(start_two_outputs());
    TestClient left(planar_.socket_path()), right(planar_.socket_path());
    ASSERT_TRUE(left.map_window(200, 150, window_colour)) << left.error();
    ASSERT_TRUE(right.map_window(160, 120, 0xffcc6633)) << right.error();
    std::mt19937 random(0x6f757470);
    const char *names[] = {"HEADLESS-1", "HEADLESS-2"};
    bool on[] = {true, true};
    const char *modes[] = {"640x480", "800x600", "1024x768"};
    const char *scales[] = {"1", "1.5", "2"};
    const char *transforms[] = {"normal", "90", "180", "270", "flipped", "flipped-90"};
    for (int change = 0; change < 100; change++) {
        int which = static_cast<int>(random() % 2);
        std::vector<std::string> args = {"--output", names[which]};
        switch (random() % 5) {
        case 0: // off, unless it is the last output on
            if (on[which] && on[1 - which]) {
                args.push_back("--off");
                on[which] = false;
            } else {
                args.push_back("--on");
                on[which] = true;
            }
            break;
        case 1:
            args.insert(args.end(), {"--custom-mode", modes[random() % 3]});
            break;
        case 2:
            args.insert(args.end(), {"--scale", scales[random() % 3]});
            break;
        case 3:
            args.insert(args.end(), {"--transform", transforms[random() % 6]});
            break;
        default:
            args.insert(args.end(), {"--pos", std::to_string(random() % 2000) + "," + std::to_string(random() % 1200)});
            break;
        }
        if (!on[which] && args[2] != "--off") continue; // changes of an output that is off: nothing to see
        std::string what;
        for (const auto &a : args) what += a + " ";
        SCOPED_TRACE("change " + std::to_string(change) + ": wlr-randr " + what);
        randr(args);
        ASSERT_TRUE(planar_.running()) << "planar died";
        int frames = left.run_frame_loop(50ms, false) + right.run_frame_loop(50ms, false);
        if (frames < 1) {
            std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
            ADD_FAILURE() << "no frame callback after the change\n"
                          << planar_.run({ctl, "outputs"}).out << planar_.run({ctl, "surfaces"}).out;
        }
        expect_windows_on_an_output();
        if (HasFatalFailure()) return;
    }
    expect_planar_serves(planar_);
}

// A fullscreen window whose output goes away is fullscreen on the one left.
TEST_F(OutputChangeTest, FullscreenWindowFollowsToTheRemainingOutput) {
    if (!harness::on_path("wlr-randr")) GTEST_SKIP() << "wlr-randr not installed (package wlr-randr)";
    ASSERT_TRUE(start_two_outputs());
    TestClient client(planar_.socket_path());
    WindowOptions options;
    options.fullscreen = true;
    ASSERT_TRUE(client.map_window(100, 100, window_colour, options)) << client.error();
    ASSERT_TRUE(client.roundtrip());
    randr({"--output", "HEADLESS-1", "--off"});
    ASSERT_TRUE(client.dispatch_until(
        [&] {
            const auto &c = client.configures().back();
            return c.fullscreen && c.width == 800 && c.height == 600;
        },
        5s))
        << "last configure " << client.configures().back().width << "x" << client.configures().back().height;
    expect_planar_serves(planar_);
}

} // namespace

namespace {

// xdg-shell's activated state, as both clients see it on the wire.
TEST_F(PlanarTest, OfTwoWindowsExactlyOneIsActivated) {
    ASSERT_TRUE(start_headless());
    TestClient first(planar_.socket_path()), second(planar_.socket_path());
    ASSERT_TRUE(first.map_window(200, 150, window_colour)) << first.error();
    ASSERT_TRUE(first.dispatch_until([&] { return first.activated(); }, 5s)) << first.error();
    ASSERT_TRUE(second.map_window(200, 150, 0xffcc6633)) << second.error();
    ASSERT_TRUE(second.dispatch_until([&] { return second.activated(); }, 5s)) << second.error();
    // The first one is told it lost the state.
    EXPECT_TRUE(first.dispatch_until([&] { return !first.activated(); }, 5s))
        << "the older window was never deactivated";
    EXPECT_TRUE(second.activated());
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    auto surfaces = planar_.run({ctl, "surfaces"});
    size_t focused = 0;
    for (size_t at = 0; (at = surfaces.out.find("focused=1", at)) != std::string::npos; at++) focused++;
    EXPECT_EQ(focused, 1u) << surfaces.out;
}

TEST_F(PlanarTest, FullscreenAskedBeforeTheFirstCommitIsInTheInitialConfigure) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    WindowOptions options;
    options.fullscreen = true;
    ASSERT_TRUE(client.map_window(100, 100, window_colour, options)) << client.error();
    const auto &first = client.configures().front();
    EXPECT_TRUE(first.fullscreen);
    EXPECT_EQ(first.width, 1280);
    EXPECT_EQ(first.height, 720);
    // The first buffer already had the output's size: planar-ctl shows it fullscreen.
    ASSERT_TRUE(client.roundtrip());
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    auto surfaces = planar_.run({ctl, "surfaces"});
    EXPECT_NE(surfaces.out.find("geometry=1280x720+0+0 focused=1 fullscreen=1"), std::string::npos) << surfaces.out;
}

// A client that asks for fullscreen only after its initial configure and
// commits a buffer before the fullscreen configure comes is not shown until
// it draws for that configure, but its frame callback still comes: it
// draws again only on frame callbacks (weston-simple-dmabuf-feedback), and
// without one it would never appear.
TEST_F(PlanarTest, FullscreenAskedAfterTheFirstConfigureStillGetsFrameCallbacks) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    WindowOptions options;
    options.fullscreen_after_first_configure = true;
    ASSERT_TRUE(client.map_window(1280, 720, window_colour, options)) << client.error();
    // It takes the fullscreen configure late: two frames drawn before it.
    client.set_auto_ack(false);
    ASSERT_TRUE(client.dispatch_until([&] { return client.frames_done() >= 1; }, 5s))
        << "the held window never got its frame callback, so it would never draw again";
    ASSERT_TRUE(client.dispatch_until([&] { return client.configure_count() >= 2; }, 5s))
        << "no configure answered set_fullscreen";
    EXPECT_TRUE(client.configures().back().fullscreen);
    // A held commit changes nothing on screen, so once the output is idle
    // nothing else would make a frame; its frame callback comes anyway.
    client.dispatch_until([] { return false; }, 300ms);
    client.commit(true, false);
    ASSERT_TRUE(client.dispatch_until([&] { return client.frames_done() >= 2; }, 5s))
        << "the frame callback of a commit made while held never came";
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    EXPECT_NE(planar_.run({ctl, "surfaces"}).out.find("first_buffer=0x0"), std::string::npos)
        << "shown before it drew for the fullscreen configure";
    // Its next frame answers the fullscreen configure: now it is shown.
    client.ack_configures();
    client.commit(true, false);
    ASSERT_TRUE(client.dispatch_until([&] { return client.frames_done() >= 3; }, 5s));
    auto surfaces = planar_.run({ctl, "surfaces"});
    EXPECT_NE(surfaces.out.find("geometry=1280x720+0+0 focused=1 fullscreen=1"), std::string::npos) << surfaces.out;
    EXPECT_NE(surfaces.out.find("first_buffer=1280x720"), std::string::npos) << surfaces.out;
}

TEST_F(PlanarTest, MaximizedAskedBeforeTheFirstCommitIsInTheInitialConfigure) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    WindowOptions options;
    options.maximized = true;
    ASSERT_TRUE(client.map_window(100, 100, window_colour, options)) << client.error();
    const auto &first = client.configures().front();
    EXPECT_TRUE(first.maximized);
    EXPECT_EQ(first.width, 1280);
    EXPECT_EQ(first.height, 720);
}

// zxdg_decoration: a client that draws its own decorations keeps them.
TEST_F(PlanarTest, DecorationModeFollowsTheClientsPreference) {
    ASSERT_TRUE(start_headless());
    using Mode = WindowOptions::Decoration;
    const std::pair<Mode, uint32_t> cases[] = {
        {Mode::client_side, 1}, // ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE
        {Mode::server_side, 2}, // ..._SERVER_SIDE
        {Mode::no_preference, 2},
    };
    for (auto [mode, expected] : cases) {
        TestClient client(planar_.socket_path());
        WindowOptions options;
        options.decoration = mode;
        ASSERT_TRUE(client.map_window(120, 90, window_colour, options)) << client.error();
        ASSERT_TRUE(client.roundtrip());
        EXPECT_EQ(client.decoration_mode(), expected) << "asked for " << static_cast<int>(mode);
    }
}

TEST_F(PlanarTest, WindowLargerThanTheOutputIsAskedToFit) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(2000, 1500, window_colour)) << client.error();
    ASSERT_TRUE(client.dispatch_until(
        [&] {
            const auto &c = client.configures().back();
            return c.width > 0 && c.width <= 1280 && c.height > 0 && c.height <= 720;
        },
        5s))
        << "last configure " << client.configures().back().width << "x" << client.configures().back().height;
}

} // namespace
