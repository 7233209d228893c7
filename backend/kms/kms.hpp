// planar's atomic KMS backend (issue 12): a wlr_backend whose outputs are
// the connectors of atomic KMS devices opened through wlroots' session. One
// atomic request per output commit carries everything: mode, the primary
// plane (planar's composition or a client buffer), the overlay planes
// planar's assignment chose, the primary's IN_FENCE_FD and the CRTC's
// OUT_FENCE_PTR. Page-flip events become presentation events with the
// flip's timestamp and sequence.
//
// The compositor describes the overlays of the next commit with
// set_next_frame() before wlr_output_test/commit; the state applies to every
// later commit until replaced (atomic state is incremental, so an overlay
// stays lit until a frame says otherwise).
#pragma once

#include <cstdint>
#include <sys/types.h>
#include <string>
#include <vector>

#include "plane_assignment.hpp"
#include "unique_fd.hpp"

struct wl_display;
struct wlr_backend;
struct wlr_buffer;
struct wlr_output;
struct wlr_session;

namespace kms {

// Creates the backend on the session's GPUs that do atomic KMS; null with
// `why_not` set when none does (the caller then uses wlroots' DRM backend).
wlr_backend *backend_create(wl_display *display, wlr_session *session, std::string &why_not);
bool is_kms_output(wlr_output *output);
// The KMS device (st_rdev of its node) of a KMS output, 0 otherwise.
dev_t device_of(wlr_output *output);

struct OverlayLayer {
    uint32_t plane = 0;
    wlr_buffer *buffer = nullptr; // the client's buffer (locked by the backend while on screen)
    Rect dst;                     // output coordinates
    int src_x = 0, src_y = 0, src_width = 0, src_height = 0; // buffer pixels
    bool operator==(const OverlayLayer &) const = default;
};

struct NextFrame {
    std::vector<OverlayLayer> overlays;
    int primary_in_fence = -1; // borrowed sync_file for the primary plane's buffer, -1: none
    bool want_out_fence = false;
};

// The overlays and fences of the output's next commits (see above).
void set_next_frame(wlr_output *output, NextFrame frame);
// Whether the device takes `frame` on top of the primary plane's current
// buffer (an atomic TEST_ONLY commit).
bool test_overlays(wlr_output *output, const NextFrame &frame);
// The out fence of the last commit, when asked for and given.
UniqueFd take_out_fence(wlr_output *output);
// The hardware cursor moved or changed since the last commit (which must
// then happen even when nothing else changed).
bool cursor_changed(wlr_output *output);
// A commit now would be refused for a reason other than its content: a page
// flip still pending, or the session paused (another VT has the display).
bool busy(wlr_output *output);
// Whether the primary plane takes an IN_FENCE_FD.
bool takes_in_fence(wlr_output *output);
// The primary and overlay planes of the output, bottom to top (empty when
// the output is not a KMS output, planes are off (PLANAR_KMS_PLANES=0), or
// the session is paused: nothing can be tested then).
std::vector<Plane> planes_of(wlr_output *output);

// What each plane of the output shows now (for planar-ctl).
struct PlaneState {
    uint32_t id = 0;
    Plane::Type type = Plane::Type::overlay;
    wlr_buffer *buffer = nullptr; // null: off
    bool composition = false;     // planar's own buffer (not a client's)
    uint32_t format = 0;
    uint64_t modifier = 0;
    bool in_fence = false; // the last commit gave it an IN_FENCE_FD
};
std::vector<PlaneState> plane_states(wlr_output *output);

} // namespace kms
