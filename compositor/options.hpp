// Command-line options of the planar binary: parsed once in main, validated
// here so that a typo is a clear message, never a half-started compositor.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "headless.hpp"

namespace planar {

enum class BackendKind { automatic, drm, wayland, x11, headless };
enum class RendererKind { automatic, gles2, pixman };
// Who drives KMS on the drm backend: planar's own atomic code, or wlroots' DRM backend.
enum class KmsKind { planar, wlroots };

struct Options {
    BackendKind backend = BackendKind::automatic;
    RendererKind renderer = RendererKind::automatic;
    KmsKind kms = KmsKind::planar;              // --kms, or PLANAR_KMS
    std::vector<backend::OutputMode> outputs; // --output WxH[@Hz], repeatable
    std::string socket;                       // --socket NAME; empty: wayland-N
    std::string config_path;                  // --config FILE
    std::vector<std::string> command;         // after "--"
    bool exit_with_client = false;
    bool xwayland = true; // --no-xwayland: no X11 clients, no DISPLAY
    bool debug = false;
    bool help = false;
    bool version = false;
};

struct ParsedOptions {
    Options options;
    std::string error; // non-empty: print it and exit 2
};

ParsedOptions parse_options(const std::vector<std::string> &args);
// "1280x720@60", "1920x1080@59.94" or "800x600" (60 Hz).
std::optional<backend::OutputMode> parse_output_mode(const std::string &text);
std::string usage_text();

const char *backend_name(BackendKind kind);
const char *renderer_name(RendererKind kind);

} // namespace planar
