// Pixels: what a client drew must be on screen, checked by capture. Headless
// through grim (wlr-screencopy), nested in planar and nested in Xvfb.
#include <csignal>
#include <filesystem>
#include <sstream>

#include "harness.hpp"
#include "image.hpp"
#include "test_client.hpp"

namespace {

using namespace std::chrono_literals;
using harness::Compositor;
using harness::PlanarTest;
using image::ColourBox;
using image::Image;

constexpr uint32_t window_rgb = 0x3366cc;

std::string describe(const ColourBox &box) {
    std::ostringstream s;
    s << box.count << " pixels of the colour, box " << box.width() << "x" << box.height() << " at " << box.min_x << ","
      << box.min_y;
    return s.str();
}

// grim's capture of `planar`'s outputs, or nullopt with a test failure.
std::optional<Image> grim_capture(Compositor &planar, const std::string &name) {
    std::string file = planar.path(name);
    auto result = planar.run({"grim", "-t", "ppm", file}, 20s);
    if (result.status != 0) {
        ADD_FAILURE() << "grim failed: " << result.describe();
        return std::nullopt;
    }
    std::string error;
    auto img = image::read_ppm(file, &error);
    if (!img) ADD_FAILURE() << error;
    return img;
}

// Captures until `rgb` covers at least `min_pixels` (the client and the nested
// compositor need a few frames to get there), at most for `timeout`.
ColourBox capture_until_shown(const std::function<std::optional<Image>()> &capture, uint32_t rgb, long min_pixels,
                              std::chrono::milliseconds timeout, Image *last = nullptr) {
    auto deadline = harness::Clock::now() + timeout;
    ColourBox box;
    do {
        auto img = capture();
        if (!img) break;
        box = image::find_colour(*img, rgb);
        if (last != nullptr) *last = *img;
        if (box.count >= min_pixels) break;
    } while (harness::Clock::now() < deadline);
    return box;
}

TEST_F(PlanarTest, GrimCapturesTheClientsPixels) {
    if (!harness::on_path("grim")) GTEST_SKIP() << "grim not installed";
    ASSERT_TRUE(start_headless());
    test_client::TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, 0xff000000 | window_rgb)) << client.error();
    // Shown once its content is presented; then capture.
    int feedback = client.commit(false, true);
    ASSERT_TRUE(client.dispatch_until(
        [&] { return client.feedback()[feedback].state == test_client::Feedback::State::presented; }, 10s))
        << client.error();

    auto img = grim_capture(planar_, "shot.ppm");
    ASSERT_TRUE(img);
    ASSERT_EQ(img->width, 1280);
    ASSERT_EQ(img->height, 720);
    // planar centres a new window on the output; no decoration was asked for.
    EXPECT_EQ(img->at(640, 360), window_rgb);
    ColourBox box = image::find_colour(*img, window_rgb);
    EXPECT_EQ(box.count, 320 * 240) << describe(box);
    EXPECT_EQ(box.width(), 320) << describe(box);
    EXPECT_EQ(box.height(), 240) << describe(box);
    EXPECT_EQ(box.min_x, (1280 - 320) / 2) << describe(box);
    EXPECT_EQ(box.min_y, (720 - 240) / 2) << describe(box);
}

TEST_F(PlanarTest, NestedPlanarShowsItsClientInTheOuterScreenshot) {
    if (!harness::on_path("grim")) GTEST_SKIP() << "grim not installed";
    ASSERT_TRUE(start_headless());
    std::string planar_exe = harness::program_from_env("PLANAR_EXE");
    std::string solid_window = harness::program_from_env("PLANAR_SOLID_WINDOW_EXE");
    ASSERT_FALSE(planar_exe.empty() || solid_window.empty());
    // The inner planar is a client of the outer one (WAYLAND_DISPLAY is the
    // outer socket) and runs solid_window on its own socket.
    harness::Process inner = planar_.spawn(
        "inner-planar", {planar_exe, "--backend", "wayland", "--renderer", "pixman", "--output", "640x480", "--socket",
                         "inner", "--", solid_window, "--colour", "0x3366cc", "--size", "200x150"});
    Image last;
    ColourBox box = capture_until_shown([&] { return grim_capture(planar_, "outer.ppm"); }, window_rgb, 200 * 150,
                                        20s, &last);
    EXPECT_TRUE(inner.running()) << "the nested planar exited";
    EXPECT_EQ(box.count, 200 * 150) << describe(box);
    EXPECT_EQ(box.width(), 200) << describe(box);
    EXPECT_EQ(box.height(), 150) << describe(box);
    EXPECT_EQ(inner.terminate(), 0) << "the nested planar did not exit cleanly on SIGTERM";
}

TEST_F(PlanarTest, PlanarUnderXvfbShowsItsClient) {
    for (const char *tool : {"Xvfb", "xwd"}) {
        if (!harness::on_path(tool)) GTEST_SKIP() << tool << " not installed (packages xvfb, x11-apps)";
    }
    // A free display number: no socket and no lock file. Xvfb itself refuses
    // a number taken meanwhile; the socket wait below then fails loudly.
    int number = 90;
    auto taken = [](int n) {
        return std::filesystem::exists("/tmp/.X11-unix/X" + std::to_string(n)) ||
               std::filesystem::exists("/tmp/.X" + std::to_string(n) + "-lock");
    };
    while (number < 200 && taken(number)) number++;
    const std::string display = ":" + std::to_string(number);
    harness::Process xvfb =
        planar_.spawn("xvfb", {"Xvfb", display, "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-noreset"});
    const std::string x_socket = "/tmp/.X11-unix/X" + std::to_string(number);
    ASSERT_TRUE(harness::wait_for([&] { return std::filesystem::exists(x_socket) || !xvfb.running(); }, 20s));
    ASSERT_TRUE(xvfb.running()) << "Xvfb " << display << " exited";

    std::string solid_window = harness::program_from_env("PLANAR_SOLID_WINDOW_EXE");
    ASSERT_TRUE(planar_.start({"--backend", "x11", "--renderer", "pixman", "--output", "640x480", "--", solid_window,
                               "--colour", "0x3366cc", "--size", "200x150"},
                              true, {{"DISPLAY", display}}));
    // xwd reads the X root window: what Xvfb shows, planar's window included.
    auto capture = [&]() -> std::optional<Image> {
        std::string file = planar_.path("root.xwd");
        auto result = planar_.run({"xwd", "-root", "-silent", "-display", display, "-out", file}, 20s,
                                  {{"DISPLAY", display}});
        if (result.status != 0) {
            ADD_FAILURE() << "xwd failed: " << result.describe();
            return std::nullopt;
        }
        std::string error;
        auto img = image::read_xwd(file, &error);
        if (!img) ADD_FAILURE() << error;
        return img;
    };
    ColourBox box = capture_until_shown(capture, window_rgb, 200 * 150, 20s);
    EXPECT_EQ(box.count, 200 * 150) << describe(box);
    EXPECT_EQ(box.width(), 200) << describe(box);
    EXPECT_EQ(box.height(), 150) << describe(box);
    EXPECT_EQ(planar_.stop(), 0);
    xvfb.terminate();
}

} // namespace

// Issue 16: a fullscreen window whose buffer fills the headless output is
// that output's frame as it is (ZERO_COPY, nothing composited), and a
// capture still gets its pixels: the frame a capture waits for is composited.
TEST_F(PlanarTest, HeadlessPassesAFullscreenBufferThroughAndGrimStillSeesIt) {
    if (!harness::on_path("grim")) GTEST_SKIP() << "grim not installed";
    ASSERT_TRUE(start_headless());
    test_client::TestClient client(planar_.socket_path());
    test_client::WindowOptions options;
    options.fullscreen = true;
    ASSERT_TRUE(client.map_window(100, 100, 0xff000000 | window_rgb, options)) << client.error();
    ASSERT_EQ(client.buffer_width(), 1280);
    constexpr uint32_t zero_copy = 0x8; // WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY
    int frames_with_zero_copy = 0;
    for (int i = 0; i < 5; i++) {
        int feedback = client.commit(true, true);
        ASSERT_TRUE(client.dispatch_until(
            [&] { return client.feedback()[feedback].state != test_client::Feedback::State::pending; }, 10s))
            << client.error();
        if (client.feedback()[feedback].flags & zero_copy) frames_with_zero_copy++;
    }
    // The first frame may still be composited (it maps the window).
    EXPECT_GE(frames_with_zero_copy, 4);
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    EXPECT_NE(planar_.run({ctl, "outputs"}).out.find("direct_scanout=1"), std::string::npos);

    auto img = grim_capture(planar_, "fullscreen.ppm");
    ASSERT_TRUE(img);
    ColourBox box = image::find_colour(*img, window_rgb);
    EXPECT_EQ(box.count, 1280 * 720) << describe(box);

    // And back to passing through after the capture.
    int feedback = client.commit(true, true);
    ASSERT_TRUE(client.dispatch_until(
        [&] { return client.feedback()[feedback].state != test_client::Feedback::State::pending; }, 10s));
    feedback = client.commit(true, true);
    ASSERT_TRUE(client.dispatch_until(
        [&] { return client.feedback()[feedback].state != test_client::Feedback::State::pending; }, 10s));
    EXPECT_TRUE(client.feedback()[feedback].flags & zero_copy);
}

// A window that does not fill the output is composited: no ZERO_COPY.
TEST_F(PlanarTest, HeadlessCompositesAWindowedBuffer) {
    ASSERT_TRUE(start_headless());
    test_client::TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, 0xff000000 | window_rgb)) << client.error();
    for (int i = 0; i < 3; i++) {
        int feedback = client.commit(true, true);
        ASSERT_TRUE(client.dispatch_until(
            [&] { return client.feedback()[feedback].state != test_client::Feedback::State::pending; }, 10s));
        EXPECT_FALSE(client.feedback()[feedback].flags & 0x8u);
    }
}
