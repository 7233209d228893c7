// The connection and the globals the sample clients use. Missing globals are
// not fatal here: each client decides which ones it needs and fails with a
// one-line reason (require_*).
#pragma once

#include <ctime>
#include <wayland-client.h>

#include "linux-dmabuf-v1-client-protocol.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace client {

class Display {
public:
    Display(); // connects and does the initial roundtrips, or fails
    ~Display();
    Display(const Display &) = delete;
    Display &operator=(const Display &) = delete;

    // linux-dmabuf of at least `version` (4: feedback), else fail().
    void require_dmabuf(uint32_t version);
    void require_shell();

    // Flushes, then waits up to `timeout_ms` (-1: forever) for Wayland events
    // or `extra_fd` (-1: none) and dispatches what arrived. Returns true when
    // `extra_fd` is readable. A lost connection is fatal (fail()).
    bool dispatch(int extra_fd = -1, int timeout_ms = -1);
    void roundtrip();

    wl_display *display = nullptr;
    wl_registry *registry = nullptr;
    wl_compositor *compositor = nullptr;
    xdg_wm_base *wm_base = nullptr;
    zwp_linux_dmabuf_v1 *dmabuf = nullptr;
    uint32_t dmabuf_version = 0;
    zwp_linux_explicit_synchronization_v1 *explicit_sync = nullptr;
    wp_presentation *presentation = nullptr;
    clockid_t presentation_clock = CLOCK_MONOTONIC;

private:
    static const wl_registry_listener registry_listener;
    static const xdg_wm_base_listener wm_base_listener;
    static const wp_presentation_listener presentation_listener;
};

} // namespace client
