#include "options.hpp"

#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace client {

namespace {
const char *program = "planar-client";
volatile sig_atomic_t stop_flag = 0;

[[noreturn]] void usage(const char *summary, const std::vector<ExtraOption> &extra, int status) {
    FILE *out = status == 0 ? stdout : stderr;
    fprintf(out, "Usage: %s [OPTIONS]\n%s\n\nOptions:\n", program, summary);
    fprintf(out, "  --frames N         exit after N frames (default: run until closed)\n");
    fprintf(out, "  --fullscreen       ask for a fullscreen window\n");
    fprintf(out, "  --size WxH         buffer size (default 320x240)\n");
    for (const auto &e : extra) {
        std::string left = std::string("--") + e.name + (e.arg ? std::string(" ") + e.arg : "");
        fprintf(out, "  %-18s %s\n", left.c_str(), e.help);
    }
    fprintf(out, "  --help             this text\n");
    exit(status);
}
} // namespace

const char *program_name() { return program; }

bool stop_requested() { return stop_flag != 0; }

void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", program);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("%s: ", program);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    va_end(ap);
}

bool parse_size(const char *text, int *width, int *height) {
    int w = 0, h = 0;
    char tail = 0;
    if (sscanf(text, "%dx%d%c", &w, &h, &tail) != 2 || w <= 0 || h <= 0 || w > 16384 || h > 16384) return false;
    *width = w;
    *height = h;
    return true;
}

bool parse_colour(const char *text, uint32_t *rgb) {
    if (text[0] == '#') text++;
    else if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text += 2;
    if (strlen(text) != 6) return false;
    char *end = nullptr;
    unsigned long v = strtoul(text, &end, 16);
    if (*end != 0) return false;
    *rgb = static_cast<uint32_t>(v);
    return true;
}

Options parse_options(int argc, char **argv, const char *name, const char *summary,
                      const std::vector<ExtraOption> &extra) {
    program = name;
    // No SA_RESTART: the signal must interrupt poll() so the loop sees it.
    struct sigaction sa {};
    sa.sa_handler = [](int) { stop_flag = 1; };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    Options opt;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        std::string value;
        bool has_inline = false;
        if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_inline = true;
        }
        auto take = [&]() -> const char * {
            if (has_inline) return value.c_str();
            if (i + 1 >= argc) fail("option %s needs a value (see --help)", arg.c_str());
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") usage(summary, extra, 0);
        if (arg == "--fullscreen") {
            opt.fullscreen = true;
        } else if (arg == "--frames") {
            const char *v = take();
            char *end = nullptr;
            long n = strtol(v, &end, 10);
            if (*end != 0 || n < 0 || n > 100000000) fail("--frames: '%s' is not a frame count", v);
            opt.frames = static_cast<int>(n);
        } else if (arg == "--size") {
            const char *v = take();
            if (!parse_size(v, &opt.width, &opt.height)) fail("--size: '%s' is not WxH", v);
            opt.size_given = true;
        } else {
            const ExtraOption *found = nullptr;
            for (const auto &e : extra)
                if (arg == std::string("--") + e.name) found = &e;
            if (found == nullptr) {
                fprintf(stderr, "%s: unknown option '%s'\n", program, argv[i]);
                usage(summary, extra, 2);
            }
            const char *v = found->arg ? take() : nullptr;
            if (!found->set(v)) fail("--%s: invalid value '%s'", found->name, v ? v : "");
        }
    }
    return opt;
}

} // namespace client
