// What Debian's own Wayland clients see of planar: the globals wayland-info
// lists, and weston's shm demos running without an error.
#include <regex>
#include <sstream>

#include "harness.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;

// Lines a client prints when the compositor sent it a protocol error or
// failed it some other way.
bool mentions_error(const std::string &text) {
    static const std::regex error_pattern("error|protocol|assert|abort", std::regex::icase);
    return std::regex_search(text, error_pattern);
}

TEST_F(PlanarTest, WaylandInfoListsEveryGlobal) {
    if (!harness::on_path("wayland-info")) GTEST_SKIP() << "wayland-info not installed (package wayland-utils)";
    ASSERT_TRUE(start_headless());
    auto result = planar_.run({"wayland-info"});
    ASSERT_EQ(result.status, 0) << result.describe();
    for (const char *global :
         {"wl_compositor", "wl_subcompositor", "wl_shm", "xdg_wm_base", "zxdg_decoration_manager_v1", "wl_seat",
          "wl_data_device_manager", "zwp_primary_selection_device_manager_v1", "wp_presentation", "wp_viewporter",
          "zxdg_output_manager_v1", "zwlr_screencopy_manager_v1", "zwlr_output_manager_v1", "wl_output"}) {
        // wayland-info prints each global as: interface: 'NAME', version: ...
        EXPECT_NE(result.out.find("interface: '" + std::string(global) + "'"), std::string::npos)
            << global << " is not advertised\n"
            << result.out;
    }
}

TEST_F(PlanarTest, WestonSimpleShmRunsWithoutError) {
    if (!harness::on_path("weston-simple-shm")) GTEST_SKIP() << "weston-simple-shm not installed (package weston)";
    ASSERT_TRUE(start_headless());
    // Interrupted after 3 s, it exits through its SIGINT handler: 124 from timeout(1).
    auto result = planar_.run({"timeout", "-s", "INT", "3", "weston-simple-shm"}, 20s);
    EXPECT_TRUE(result.status == 124 || result.status == 0) << result.describe();
    EXPECT_FALSE(mentions_error(result.out + result.err)) << result.describe();
    EXPECT_TRUE(planar_.running());
}

TEST_F(PlanarTest, WestonPresentationShmGetsPresentedFeedback) {
    if (!harness::on_path("weston-presentation-shm")) {
        GTEST_SKIP() << "weston-presentation-shm not installed (package weston)";
    }
    ASSERT_TRUE(start_headless());
    auto result = planar_.run({"timeout", "-s", "INT", "3", "weston-presentation-shm", "-f"}, 20s);
    EXPECT_TRUE(result.status == 124 || result.status == 0) << result.describe();
    EXPECT_FALSE(mentions_error(result.err)) << result.describe();
    // presentation-shm prints one line per `presented` event, ending in the
    // flags ([s___]: VSYNC) and the MSC; `discarded` prints "discarded".
    static const std::regex presented_line(R"(\[([s_][c_][h_][z_])\], seq (\d+))");
    int presented = 0, vsync = 0;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (!std::regex_search(line, m, presented_line)) continue;
        presented++;
        if (m[1].str()[0] == 's') vsync++;
    }
    // 3 s at 60 Hz is ~180; a loaded machine may lose many frames, not all.
    EXPECT_GE(presented, 60) << result.describe();
    EXPECT_EQ(vsync, presented) << "every presentation on the headless clock is vsynced\n" << result.describe();
}

} // namespace
