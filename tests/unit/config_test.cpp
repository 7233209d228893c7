#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "config.hpp"

namespace {

using planar::parse_config;

TEST(Config, EmptyTextGivesDefaults) {
    auto result = parse_config("", "planar.ini");
    EXPECT_TRUE(result.error.empty());
    EXPECT_EQ(result.config.terminal, "weston-terminal");
    EXPECT_EQ(result.config.keyboard.repeat_rate, 25);
    EXPECT_EQ(result.config.cursor_size, 24);
}

TEST(Config, ReadsEveryDocumentedKey) {
    auto result = parse_config(R"(
# comment
[general]
terminal = foot --server
background = #102030
scanout_feedback_hold_ms = 500
[keyboard]
rules = evdev
model = pc105
layout = de,us
variant = nodeadkeys
options = grp:alt_shift_toggle
repeat_rate = 40
repeat_delay = 250
[cursor]
theme = Adwaita
size = 32
)", "planar.ini");
    ASSERT_TRUE(result.error.empty()) << result.error;
    const auto &c = result.config;
    EXPECT_EQ(c.terminal, "foot --server");
    EXPECT_EQ(c.background, 0x102030u);
    EXPECT_EQ(c.scanout_feedback_hold_ms, 500);
    EXPECT_EQ(c.keyboard.rules, "evdev");
    EXPECT_EQ(c.keyboard.model, "pc105");
    EXPECT_EQ(c.keyboard.layout, "de,us");
    EXPECT_EQ(c.keyboard.variant, "nodeadkeys");
    EXPECT_EQ(c.keyboard.options, "grp:alt_shift_toggle");
    EXPECT_EQ(c.keyboard.repeat_rate, 40);
    EXPECT_EQ(c.keyboard.repeat_delay, 250);
    EXPECT_EQ(c.cursor_theme, "Adwaita");
    EXPECT_EQ(c.cursor_size, 32);
}

TEST(Config, UnknownKeyNamesLineAndKeepsDefaults) {
    auto result = parse_config("[keyboard]\nlayout = fr\n\n[general]\nterminl = xterm\n", "my.ini");
    EXPECT_EQ(result.error, "my.ini:5: unknown key 'terminl' in [general]; using defaults");
    // Nothing of a broken file is applied, not even the valid lines before the error.
    EXPECT_EQ(result.config.keyboard.layout, "");
    EXPECT_EQ(result.config.terminal, "weston-terminal");
}

TEST(Config, UnknownSectionIsAnError) {
    auto result = parse_config("[outputs]\nfoo = 1\n", "p.ini");
    EXPECT_EQ(result.error, "p.ini:2: unknown section [outputs]; using defaults");
}

TEST(Config, BadValuesAreErrorsWithLineNumbers) {
    EXPECT_EQ(parse_config("[keyboard]\nrepeat_rate = fast\n", "p").error,
              "p:2: repeat_rate must be 0-1000; using defaults");
    EXPECT_EQ(parse_config("[cursor]\nsize = 4\n", "p").error, "p:2: cursor size must be 8-512; using defaults");
    EXPECT_EQ(parse_config("[general]\nscanout_feedback_hold_ms = -1\n", "p").error,
              "p:2: scanout_feedback_hold_ms must be 0-60000; using defaults");
    EXPECT_EQ(parse_config("[general]\nbackground = blue\n", "p").error,
              "p:2: background must be a color like #303040; using defaults");
}

TEST(Config, SyntaxErrorReportsLine) {
    auto result = parse_config("[general]\nterminal = foot\nthis line has no equals sign\n", "p");
    EXPECT_EQ(result.error, "p:3: syntax error; using defaults");
}

TEST(Config, MissingDefaultFileIsNotAnError) {
    setenv("XDG_CONFIG_HOME", "/nonexistent-planar-test", 1);
    auto result = planar::load_config("");
    EXPECT_TRUE(result.error.empty());
    EXPECT_EQ(planar::default_config_path(), "/nonexistent-planar-test/planar/planar.ini");
}

TEST(Config, MissingExplicitFileIsAnError) {
    auto result = planar::load_config("/nonexistent-planar-test/x.ini");
    EXPECT_NE(result.error.find("/nonexistent-planar-test/x.ini: cannot open"), std::string::npos);
}

TEST(Config, LoadsFromFile) {
    char path[] = "/tmp/planar-config-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    std::ofstream(path) << "[general]\nterminal = xterm\n";
    auto result = planar::load_config(path);
    unlink(path);
    EXPECT_TRUE(result.error.empty());
    EXPECT_EQ(result.config.terminal, "xterm");
}

TEST(Config, XwaylandKey) {
    EXPECT_TRUE(parse_config("", "p").config.xwayland);
    for (const char *off : {"false", "no", "off", "0"}) {
        auto result = parse_config(std::string("[general]\nxwayland = ") + off + "\n", "p");
        ASSERT_TRUE(result.error.empty()) << result.error;
        EXPECT_FALSE(result.config.xwayland) << off;
    }
    EXPECT_TRUE(parse_config("[general]\nxwayland = yes\n", "p").config.xwayland);
    EXPECT_EQ(parse_config("[general]\nxwayland = maybe\n", "p").error,
              "p:2: xwayland must be true or false; using defaults");
}
} // namespace
