#include "options.hpp"

#include <cmath>
#include <cstdlib>

namespace planar {
namespace {

std::optional<BackendKind> parse_backend(const std::string &name) {
    if (name == "auto") return BackendKind::automatic;
    if (name == "drm") return BackendKind::drm;
    if (name == "wayland") return BackendKind::wayland;
    if (name == "x11") return BackendKind::x11;
    if (name == "headless") return BackendKind::headless;
    return std::nullopt;
}

std::optional<RendererKind> parse_renderer(const std::string &name) {
    if (name == "auto") return RendererKind::automatic;
    if (name == "gles2") return RendererKind::gles2;
    if (name == "pixman") return RendererKind::pixman;
    return std::nullopt;
}

bool parse_positive_int(const std::string &text, int &out) {
    if (text.empty() || text.size() > 6) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    out = std::atoi(text.c_str());
    return out > 0;
}

} // namespace

const char *backend_name(BackendKind kind) {
    switch (kind) {
    case BackendKind::automatic: return "auto";
    case BackendKind::drm: return "drm";
    case BackendKind::wayland: return "wayland";
    case BackendKind::x11: return "x11";
    case BackendKind::headless: return "headless";
    }
    return "?";
}

const char *renderer_name(RendererKind kind) {
    switch (kind) {
    case RendererKind::automatic: return "auto";
    case RendererKind::gles2: return "gles2";
    case RendererKind::pixman: return "pixman";
    }
    return "?";
}

std::optional<backend::OutputMode> parse_output_mode(const std::string &text) {
    size_t x = text.find('x');
    if (x == std::string::npos) return std::nullopt;
    size_t at = text.find('@', x);
    backend::OutputMode mode;
    if (!parse_positive_int(text.substr(0, x), mode.width)) return std::nullopt;
    std::string height = at == std::string::npos ? text.substr(x + 1) : text.substr(x + 1, at - x - 1);
    if (!parse_positive_int(height, mode.height)) return std::nullopt;
    if (mode.width > 16384 || mode.height > 16384) return std::nullopt;
    if (at != std::string::npos) {
        std::string hz = text.substr(at + 1);
        char *end = nullptr;
        double rate = std::strtod(hz.c_str(), &end);
        if (hz.empty() || *end != '\0' || !(rate >= 1.0 && rate <= 1000.0)) return std::nullopt;
        mode.refresh_mhz = static_cast<int>(std::lround(rate * 1000.0));
    }
    return mode;
}

ParsedOptions parse_options(const std::vector<std::string> &args) {
    ParsedOptions result;
    Options &o = result.options;
    if (const char *kms = getenv("PLANAR_KMS"); kms != nullptr && std::string(kms) == "wlroots") o.kms = KmsKind::wlroots;
    auto fail = [&](std::string message) {
        result.error = std::move(message);
        return result;
    };
    for (size_t i = 0; i < args.size(); i++) {
        const std::string &arg = args[i];
        // "--name=value" and "--name value" are both accepted.
        std::string name = arg, inline_value;
        bool has_inline = false;
        if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
            name = arg.substr(0, arg.find('='));
            inline_value = arg.substr(arg.find('=') + 1);
            has_inline = true;
        }
        auto value = [&](std::string &out) {
            if (has_inline) {
                out = inline_value;
                return true;
            }
            if (i + 1 >= args.size()) return false;
            out = args[++i];
            return true;
        };
        std::string v;
        if (name == "--") {
            o.command.assign(args.begin() + static_cast<long>(i) + 1, args.end());
            if (o.command.empty()) return fail("'--' must be followed by a command");
            break;
        } else if (name == "-h" || name == "--help") {
            o.help = true;
        } else if (name == "-v" || name == "--version") {
            o.version = true;
        } else if (name == "-d" || name == "--debug") {
            o.debug = true;
        } else if (name == "--exit-with-client") {
            o.exit_with_client = true;
        } else if (name == "--no-xwayland") {
            o.xwayland = false;
        } else if (name == "-b" || name == "--backend") {
            if (!value(v)) return fail("--backend needs a value: auto, drm, wayland, x11 or headless");
            auto kind = parse_backend(v);
            if (!kind) return fail("unknown backend '" + v + "': use auto, drm, wayland, x11 or headless");
            o.backend = *kind;
        } else if (name == "-r" || name == "--renderer") {
            if (!value(v)) return fail("--renderer needs a value: auto, gles2 or pixman");
            auto kind = parse_renderer(v);
            if (!kind) return fail("unknown renderer '" + v + "': use auto, gles2 or pixman");
            o.renderer = *kind;
        } else if (name == "--kms") {
            if (!value(v) || (v != "planar" && v != "wlroots")) return fail("--kms needs a value: planar or wlroots");
            o.kms = v == "planar" ? KmsKind::planar : KmsKind::wlroots;
        } else if (name == "-o" || name == "--output") {
            if (!value(v)) return fail("--output needs a value such as 1920x1080@60");
            auto mode = parse_output_mode(v);
            if (!mode) return fail("bad output mode '" + v + "': expected WIDTHxHEIGHT[@HZ], e.g. 1920x1080@60");
            o.outputs.push_back(*mode);
        } else if (name == "-s" || name == "--socket") {
            if (!value(v) || v.empty()) return fail("--socket needs a name, e.g. wayland-planar");
            if (v.find('/') != std::string::npos) return fail("--socket takes a name inside XDG_RUNTIME_DIR, not a path");
            o.socket = v;
        } else if (name == "-c" || name == "--config") {
            if (!value(v) || v.empty()) return fail("--config needs a file path");
            o.config_path = v;
        } else {
            return fail("unknown option '" + arg + "' (see --help)");
        }
    }
    if (o.exit_with_client && o.command.empty()) {
        return fail("--exit-with-client needs a command after '--'");
    }
    return result;
}

std::string usage_text() {
    return R"(Usage: planar [OPTIONS] [-- COMMAND [ARGS...]]

A Wayland compositor built around zero-copy dma-buf display.

Options:
  -b, --backend NAME     auto (default), drm, wayland, x11 or headless.
                         auto: wayland when WAYLAND_DISPLAY is set, x11 when
                         DISPLAY is set, drm on a virtual terminal, headless
                         otherwise.
  -r, --renderer NAME    auto (default), gles2 or pixman. auto uses gles2 on a
                         GPU and falls back to pixman; gles2 given explicitly
                         also accepts a software (llvmpipe) EGL.
      --kms NAME         drm backend: planar (default) drives atomic KMS itself
                         (overlay planes, fences in the commit); wlroots uses
                         wlroots' DRM backend (primary plane only). A device
                         without atomic KMS gets wlroots' on its own.
  -o, --output WxH[@HZ]  an output of this mode; repeatable. headless: one
                         output per option (default one 1920x1080@60);
                         wayland/x11: one window per option.
  -s, --socket NAME      Wayland socket name in XDG_RUNTIME_DIR (default: the
                         first free wayland-N).
  -c, --config FILE      configuration file (default:
                         $XDG_CONFIG_HOME/planar/planar.ini).
      --exit-with-client end planar when the COMMAND exits, with its status.
      --no-xwayland      no X11 clients. By default Xwayland starts when the
                         first X11 client connects, and DISPLAY is set for
                         the clients planar starts.
  -d, --debug            debug logging for every scope.
  -h, --help             this text.
  -v, --version          print the version.

  -- COMMAND [ARGS...]   run COMMAND once the socket is ready, with
                         WAYLAND_DISPLAY (and DISPLAY) set.

Environment:
  PLANAR_DEBUG=scope,... debug logging for some scopes: core, dmabuf, sync,
                         kms, scene, input, output, config, client, all.
  PLANAR_KMS=wlroots     as --kms wlroots.
  PLANAR_KMS_PLANES=0    planar's KMS: no overlay planes (composition only).
  XKB_DEFAULT_LAYOUT, XKB_DEFAULT_VARIANT, XKB_DEFAULT_MODEL,
  XKB_DEFAULT_OPTIONS, XKB_DEFAULT_RULES
                         keyboard layout when the config file sets none.

Key bindings:
  Super+Return           start the configured terminal
  Super+Q                close the focused window
  Super+F                toggle fullscreen of the focused window
  Super+left drag        move a window;  Super+right drag  resize it
  Ctrl+Alt+BackSpace     quit planar
)";
}

} // namespace planar
