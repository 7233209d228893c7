// Inspection: what a person (or a test) can ask a running planar about its
// surfaces, so that "is my buffer really a LINEAR XR24 dma-buf, imported
// once?" has an answer without a debugger. Served over the IPC socket
// (ipc.hpp) and printed by planar-ctl.
#pragma once

#include <cstdint>
#include <string>

#include "wlr.hpp"

namespace planar {

class Server;

// What the last committed buffer of a surface was.
struct BufferInfo {
    std::string type = "none"; // none, shm, dmabuf, other
    uint32_t format = 0;       // DRM fourcc
    uint64_t modifier = 0;     // dmabuf only
    int width = 0, height = 0;
    int planes = 0;
    std::string importer; // dmabuf: cpu, egl, or egl-converted (YUV the GPU here cannot sample)
    unsigned imports = 0; // dmabuf: times the importer imported it
    bool y_invert = false;
    uint64_t commits = 0; // buffers committed to this surface so far
    // The surface size (after wp_viewporter) of the first frame shown: whether a
    // client that asked for fullscreen drew its first visible frame at the
    // output's size (0x0 before one was shown). Set by the View.
    int first_width = 0, first_height = 0;
};

// Reads the buffer a surface just committed (call from its commit handler).
void record_committed_buffer(wlr_surface *surface, BufferInfo &info);

// DRM format and modifier names as libdrm spells them ("XR24", "LINEAR").
std::string format_name(uint32_t format);
std::string modifier_name(uint64_t modifier);

// `text` in double quotes, with quotes and backslashes escaped and newlines
// as spaces: a value with spaces (a title) keeps a line parseable.
std::string quoted(const char *text);

// One line per mapped window, key=value pairs, topmost first; then one per
// X11 override-redirect window (a menu).
std::string describe_surfaces(Server &server);
std::string describe_outputs(Server &server);
// Moves the window of surface id `surface` to x, y; says "ok" or why not.
std::string move_surface(Server &server, uint32_t surface, int x, int y);

} // namespace planar
