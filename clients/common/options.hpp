// Command-line options every sample client shares (--frames, --fullscreen,
// --size) plus the client's own, and the one-line fatal exit all of them use
// so that a missing global or device never ends in a crash or an assertion.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace client {

struct Options {
    int width = 320, height = 240;
    bool size_given = false;
    bool fullscreen = false;
    int frames = 0; // 0: until the window is closed or the client is killed
};

struct ExtraOption {
    const char *name;   // without the leading "--"
    const char *arg;    // metavariable for --help; nullptr: a flag
    const char *help;
    std::function<bool(const char *value)> set; // false: invalid value
};

// Parses argv; prints usage and exits on --help or a bad option.
Options parse_options(int argc, char **argv, const char *program, const char *summary,
                      const std::vector<ExtraOption> &extra);

// SIGINT or SIGTERM arrived: clients finish like at --frames N (statistics,
// status 0). parse_options installs the handler.
bool stop_requested();

// The name the messages below start with ("planar-heap").
const char *program_name();

// "planar-heap: REASON" on stderr, exit status 1.
[[noreturn]] void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// "planar-heap: MESSAGE" on stdout, flushed (tests read it while we run).
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

bool parse_size(const char *text, int *width, int *height);
// "RRGGBB" or "#RRGGBB" or "0xRRGGBB".
bool parse_colour(const char *text, uint32_t *rgb);

} // namespace client
