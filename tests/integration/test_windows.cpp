// Windows and outputs as real clients and tools use them: a client killed
// with its objects alive, outputs turned off and on under shown windows.
// Each case once crashed planar (issue 18); the sanitizer scan of the
// harness turns any use after free into a failure even where it would not
// crash.
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
    // The window's geometry (from planar-ctl) lies on an enabled output.
    void expect_window_on_an_output() {
        std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
        auto outputs = planar_.run({ctl, "outputs"});
        auto surfaces = planar_.run({ctl, "surfaces"});
        ASSERT_EQ(outputs.status, 0) << outputs.describe();
        ASSERT_EQ(surfaces.status, 0) << surfaces.describe();
        int w = 0, h = 0, x = 0, y = 0;
        size_t at = surfaces.out.find("geometry=");
        ASSERT_NE(at, std::string::npos) << surfaces.out;
        ASSERT_EQ(sscanf(surfaces.out.c_str() + at, "geometry=%dx%d+%d+%d", &w, &h, &x, &y), 4) << surfaces.out;
        bool inside = false;
        size_t line = 0;
        while ((line = outputs.out.find("output=", line)) != std::string::npos) {
            int ow = 0, oh = 0, ox = 0, oy = 0, enabled = 0;
            float hz = 0;
            char name[64] = {};
            if (sscanf(outputs.out.c_str() + line, "output=%63s mode=%dx%d@%f position=%d,%d enabled=%d", name, &ow,
                       &oh, &hz, &ox, &oy, &enabled) == 7 &&
                enabled && x + w / 2 >= ox && x + w / 2 < ox + ow && y + h / 2 >= oy && y + h / 2 < oy + oh) {
                inside = true;
            }
            line++;
        }
        EXPECT_TRUE(inside) << "window " << w << "x" << h << "+" << x << "+" << y << " on no enabled output:\n"
                            << outputs.out;
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
            expect_window_on_an_output();
            randr({"--output", name, "--on"});
            EXPECT_GE(left.run_frame_loop(100ms, false), 1) << left.error();
            ASSERT_TRUE(planar_.running());
        }
    }
    randr({"--output", "HEADLESS-2", "--custom-mode", "640x480", "--pos", "0,600"});
    randr({"--output", "HEADLESS-1", "--transform", "90", "--scale", "2"});
    EXPECT_GE(left.run_frame_loop(100ms, false), 1) << left.error();
    expect_window_on_an_output();
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
