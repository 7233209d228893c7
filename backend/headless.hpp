// planar's headless backend: outputs without a display whose frame clock is
// exact. wlroots 0.15's headless output re-arms its timer after the frame
// handler returns (period = render time + 16 ms) and emits its present event
// before the commit it belongs to, so presentation feedback never says
// `presented`. Here each output has a virtual vblank on CLOCK_MONOTONIC at
// absolute deadlines (epoch + n * period); a committed frame is presented at
// the first vblank after its commit, with seq = n and the true refresh.
//
// The output composites everything: it has no planes, so it refuses client
// buffers for direct scan-out and presentation never claims ZERO_COPY.
//
// Input devices without hardware (a keyboard, a pointer, a touchscreen) let a
// test drive planar's real seat: whoever holds the device emits the events
// libinput would on its signals (tests/wlcs does), and they travel the same
// path (wlr_cursor, Seat, wlr_seat) as a user's.
#pragma once

#include <cstdint>

struct wl_display;
struct wlr_backend;
struct wlr_input_device;
struct wlr_output;

namespace backend {

struct OutputMode {
    int width = 1920;
    int height = 1080;
    int refresh_mhz = 60000;
};

wlr_backend *headless_create(wl_display *display);
bool is_headless(wlr_backend *backend);
// Adds an output; when the backend is started it is announced at once.
wlr_output *headless_add_output(wlr_backend *backend, const OutputMode &mode);
// Period of an output's frame clock in nanoseconds (for tests and logs).
int64_t headless_refresh_ns(wlr_output *output);

enum class InputKind { keyboard, pointer, touch };
// Adds an input device; announced on new_input at once when the backend is
// started, else when it starts. It lives until wlr_input_device_destroy or
// the backend's destruction.
wlr_input_device *headless_add_input(wlr_backend *backend, InputKind kind, const char *name);

} // namespace backend
