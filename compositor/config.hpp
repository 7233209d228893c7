// planar.ini: what a person can configure without rebuilding. Parsed with
// libinih; any error keeps every default and reports the line number, so a
// broken file never keeps planar from starting.
#pragma once

#include <optional>
#include <string>

namespace planar {

struct KeyboardConfig {
    // Empty fields fall back to XKB_DEFAULT_* and then to xkbcommon's defaults.
    std::string rules, model, layout, variant, options;
    int repeat_rate = 25;   // keys per second
    int repeat_delay = 600; // milliseconds
};

struct Config {
    std::string terminal = "weston-terminal";
    KeyboardConfig keyboard;
    std::string cursor_theme; // empty: XCURSOR_THEME or the default theme
    int cursor_size = 24;
    uint32_t background = 0x303040; // 0xRRGGBB behind all windows
    // How long a surface's scanout verdict must hold before its
    // linux-dmabuf feedback changes (issue 13's hysteresis).
    int scanout_feedback_hold_ms = 2000;
    // X11 clients through Xwayland, started on demand (--no-xwayland wins).
    bool xwayland = true;
};

struct ConfigResult {
    Config config;
    std::string error; // "planar.ini:7: unknown key 'foo' in [general]"; empty when fine
};

// Parses the text of a planar.ini; `origin` names it in errors.
ConfigResult parse_config(const std::string &text, const std::string &origin);
// Reads `path` (or the default location when empty). A missing default file is
// not an error; a missing explicit one is.
ConfigResult load_config(const std::string &path);
std::string default_config_path();

} // namespace planar
