#include "config.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <ini.h>
#include <sstream>

namespace planar {
namespace {

struct ParseState {
    Config config;
    std::string error; // first problem found; inih reports its line
};

bool parse_int(const char *text, int min, int max, int &out) {
    char *end = nullptr;
    errno = 0;
    long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max) return false;
    out = static_cast<int>(value);
    return true;
}

bool parse_bool(const char *text, bool &out) {
    std::string value = text;
    if (value == "true" || value == "yes" || value == "on" || value == "1") {
        out = true;
        return true;
    }
    if (value == "false" || value == "no" || value == "off" || value == "0") {
        out = false;
        return true;
    }
    return false;
}

bool parse_color(const char *text, uint32_t &out) {
    if (text[0] == '#') text++;
    if (std::strlen(text) != 6) return false;
    char *end = nullptr;
    unsigned long value = std::strtoul(text, &end, 16);
    if (*end != '\0') return false;
    out = static_cast<uint32_t>(value);
    return true;
}

// inih handler: returns 0 on an error so that ini_parse reports the line.
int handle_entry(void *user, const char *section, const char *name, const char *value) {
    auto *state = static_cast<ParseState *>(user);
    Config &c = state->config;
    std::string s = section, n = name;
    auto bad = [&](const std::string &why) {
        if (state->error.empty()) state->error = why;
        return 0;
    };
    if (s == "general") {
        if (n == "terminal") { c.terminal = value; return 1; }
        if (n == "background") {
            return parse_color(value, c.background) ? 1 : bad("background must be a color like #303040");
        }
        if (n == "scanout_feedback_hold_ms") {
            return parse_int(value, 0, 60000, c.scanout_feedback_hold_ms) ? 1
                                                                          : bad("scanout_feedback_hold_ms must be 0-60000");
        }
        if (n == "xwayland") return parse_bool(value, c.xwayland) ? 1 : bad("xwayland must be true or false");
    } else if (s == "keyboard") {
        if (n == "rules") { c.keyboard.rules = value; return 1; }
        if (n == "model") { c.keyboard.model = value; return 1; }
        if (n == "layout") { c.keyboard.layout = value; return 1; }
        if (n == "variant") { c.keyboard.variant = value; return 1; }
        if (n == "options") { c.keyboard.options = value; return 1; }
        if (n == "repeat_rate") {
            return parse_int(value, 0, 1000, c.keyboard.repeat_rate) ? 1 : bad("repeat_rate must be 0-1000");
        }
        if (n == "repeat_delay") {
            return parse_int(value, 0, 10000, c.keyboard.repeat_delay) ? 1 : bad("repeat_delay must be 0-10000");
        }
    } else if (s == "cursor") {
        if (n == "theme") { c.cursor_theme = value; return 1; }
        if (n == "size") {
            return parse_int(value, 8, 512, c.cursor_size) ? 1 : bad("cursor size must be 8-512");
        }
    } else {
        return bad("unknown section [" + s + "]");
    }
    return bad("unknown key '" + n + "' in [" + s + "]");
}

} // namespace

std::string default_config_path() {
    const char *xdg = std::getenv("XDG_CONFIG_HOME");
    if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/planar/planar.ini";
    const char *home = std::getenv("HOME");
    return std::string(home != nullptr ? home : "") + "/.config/planar/planar.ini";
}

ConfigResult parse_config(const std::string &text, const std::string &origin) {
    ParseState state;
    int line = ini_parse_string(text.c_str(), handle_entry, &state);
    ConfigResult result;
    if (line == 0) {
        result.config = state.config;
        return result;
    }
    // Any error: keep every default rather than half of the file.
    std::string why = state.error.empty() ? "syntax error" : state.error;
    result.error = origin + ":" + std::to_string(line) + ": " + why + "; using defaults";
    return result;
}

ConfigResult load_config(const std::string &path) {
    bool explicit_path = !path.empty();
    std::string file = explicit_path ? path : default_config_path();
    std::ifstream in(file);
    if (!in) {
        ConfigResult result;
        if (explicit_path) {
            result.error = file + ": cannot open: " + std::strerror(errno) + "; using defaults";
        }
        return result;
    }
    std::stringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), file);
}

} // namespace planar
