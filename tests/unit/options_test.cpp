#include <gtest/gtest.h>

#include "options.hpp"

namespace {

using planar::BackendKind;
using planar::parse_options;
using planar::RendererKind;

TEST(Options, Defaults) {
    auto r = parse_options({});
    ASSERT_TRUE(r.error.empty());
    EXPECT_EQ(r.options.backend, BackendKind::automatic);
    EXPECT_EQ(r.options.renderer, RendererKind::automatic);
    EXPECT_TRUE(r.options.outputs.empty());
    EXPECT_TRUE(r.options.command.empty());
}

TEST(Options, BackendRendererSocket) {
    auto r = parse_options({"--backend", "headless", "--renderer=pixman", "-s", "wl-test"});
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.options.backend, BackendKind::headless);
    EXPECT_EQ(r.options.renderer, RendererKind::pixman);
    EXPECT_EQ(r.options.socket, "wl-test");
}

TEST(Options, RepeatableOutputs) {
    auto r = parse_options({"--output", "1280x720@60", "--output=800x600", "-o", "1920x1080@59.94"});
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_EQ(r.options.outputs.size(), 3u);
    EXPECT_EQ(r.options.outputs[0].width, 1280);
    EXPECT_EQ(r.options.outputs[0].refresh_mhz, 60000);
    EXPECT_EQ(r.options.outputs[1].height, 600);
    EXPECT_EQ(r.options.outputs[1].refresh_mhz, 60000);
    EXPECT_EQ(r.options.outputs[2].refresh_mhz, 59940);
}

TEST(Options, CommandAfterDoubleDash) {
    auto r = parse_options({"--exit-with-client", "--", "weston-simple-shm", "--help"});
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.options.exit_with_client);
    EXPECT_EQ(r.options.command, (std::vector<std::string>{"weston-simple-shm", "--help"}));
}

TEST(Options, Errors) {
    EXPECT_EQ(parse_options({"--backend", "vulkan"}).error,
              "unknown backend 'vulkan': use auto, drm, wayland, x11 or headless");
    EXPECT_EQ(parse_options({"--renderer"}).error, "--renderer needs a value: auto, gles2 or pixman");
    EXPECT_EQ(parse_options({"--output", "1920*1080"}).error,
              "bad output mode '1920*1080': expected WIDTHxHEIGHT[@HZ], e.g. 1920x1080@60");
    EXPECT_EQ(parse_options({"--frobnicate"}).error, "unknown option '--frobnicate' (see --help)");
    EXPECT_EQ(parse_options({"--exit-with-client"}).error, "--exit-with-client needs a command after '--'");
    EXPECT_EQ(parse_options({"--"}).error, "'--' must be followed by a command");
    EXPECT_EQ(parse_options({"--socket", "/tmp/x"}).error,
              "--socket takes a name inside XDG_RUNTIME_DIR, not a path");
}

TEST(Options, OutputModeBounds) {
    EXPECT_FALSE(planar::parse_output_mode("0x600"));
    EXPECT_FALSE(planar::parse_output_mode("800x600@0"));
    EXPECT_FALSE(planar::parse_output_mode("800x600@"));
    EXPECT_FALSE(planar::parse_output_mode("99999x600"));
    EXPECT_FALSE(planar::parse_output_mode("-800x600"));
    EXPECT_TRUE(planar::parse_output_mode("3840x2160@144"));
}

TEST(Options, HelpDocumentsEveryOption) {
    std::string help = planar::usage_text();
    for (const char *option : {"--backend", "--renderer", "--output", "--socket", "--config", "--exit-with-client",
                               "--debug", "--help", "--version", "PLANAR_DEBUG", "XKB_DEFAULT_LAYOUT"}) {
        EXPECT_NE(help.find(option), std::string::npos) << option;
    }
}
TEST(Options, XwaylandIsOnUnlessTurnedOff) {
    EXPECT_TRUE(parse_options({}).options.xwayland);
    auto r = parse_options({"--no-xwayland", "--", "foot"});
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_FALSE(r.options.xwayland);
    EXPECT_NE(planar::usage_text().find("--no-xwayland"), std::string::npos);
}
} // namespace
