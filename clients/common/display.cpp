#include "display.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>

#include "options.hpp"

namespace client {

const wl_registry_listener Display::registry_listener = {
    .global =
        [](void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
            auto *d = static_cast<Display *>(data);
            auto bind = [&](const wl_interface *iface, uint32_t max) {
                return wl_registry_bind(registry, name, iface, std::min(version, max));
            };
            if (strcmp(interface, wl_compositor_interface.name) == 0) {
                d->compositor = static_cast<wl_compositor *>(bind(&wl_compositor_interface, 4));
            } else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
                d->wm_base = static_cast<xdg_wm_base *>(bind(&xdg_wm_base_interface, 2));
                xdg_wm_base_add_listener(d->wm_base, &wm_base_listener, d);
            } else if (strcmp(interface, zwp_linux_dmabuf_v1_interface.name) == 0) {
                // v4 is the feedback version these clients are written for; v5
                // only adds a rule (one modifier per buffer) they already keep.
                d->dmabuf_version = std::min(version, 4u);
                d->dmabuf = static_cast<zwp_linux_dmabuf_v1 *>(bind(&zwp_linux_dmabuf_v1_interface, 4));
            } else if (strcmp(interface, zwp_linux_explicit_synchronization_v1_interface.name) == 0) {
                d->explicit_sync = static_cast<zwp_linux_explicit_synchronization_v1 *>(
                    bind(&zwp_linux_explicit_synchronization_v1_interface, 2));
            } else if (strcmp(interface, wp_presentation_interface.name) == 0) {
                d->presentation = static_cast<wp_presentation *>(bind(&wp_presentation_interface, 1));
                wp_presentation_add_listener(d->presentation, &presentation_listener, d);
            }
        },
    .global_remove = [](void *, wl_registry *, uint32_t) {},
};

const xdg_wm_base_listener Display::wm_base_listener = {
    .ping = [](void *, xdg_wm_base *base, uint32_t serial) { xdg_wm_base_pong(base, serial); },
};

const wp_presentation_listener Display::presentation_listener = {
    .clock_id = [](void *data, wp_presentation *,
                   uint32_t clock) { static_cast<Display *>(data)->presentation_clock = clockid_t(clock); },
};

Display::Display() {
    display = wl_display_connect(nullptr);
    if (display == nullptr) fail("cannot connect to a Wayland compositor (WAYLAND_DISPLAY unset or no socket)");
    registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, this);
    roundtrip(); // globals
    roundtrip(); // their first events (presentation clock)
}

Display::~Display() {
    if (presentation) wp_presentation_destroy(presentation);
    if (explicit_sync) zwp_linux_explicit_synchronization_v1_destroy(explicit_sync);
    if (dmabuf) zwp_linux_dmabuf_v1_destroy(dmabuf);
    if (wm_base) xdg_wm_base_destroy(wm_base);
    if (compositor) wl_compositor_destroy(compositor);
    wl_registry_destroy(registry);
    wl_display_flush(display);
    wl_display_disconnect(display);
}

void Display::require_dmabuf(uint32_t version) {
    if (dmabuf == nullptr) fail("the compositor offers no zwp_linux_dmabuf_v1 (linux-dmabuf) global");
    if (dmabuf_version < version)
        fail("the compositor offers zwp_linux_dmabuf_v1 version %u; version %u (feedback) is needed",
             dmabuf_version, version);
}

void Display::require_shell() {
    if (compositor == nullptr) fail("the compositor offers no wl_compositor global");
    if (wm_base == nullptr) fail("the compositor offers no xdg_wm_base global");
}

void Display::roundtrip() {
    if (wl_display_roundtrip(display) < 0) fail("lost the Wayland connection: %s", strerror(errno));
}

bool Display::dispatch(int extra_fd, int timeout_ms) {
    // The prepare_read dance keeps events queued by another read path (the
    // roundtrips above) from being left undispatched before we sleep.
    while (wl_display_prepare_read(display) != 0) {
        if (wl_display_dispatch_pending(display) < 0) fail("lost the Wayland connection: %s", strerror(errno));
    }
    if (wl_display_flush(display) < 0 && errno != EAGAIN) {
        wl_display_cancel_read(display);
        fail("lost the Wayland connection: %s", strerror(errno));
    }
    pollfd fds[2] = {{wl_display_get_fd(display), POLLIN, 0}, {extra_fd, POLLIN, 0}};
    int n = poll(fds, extra_fd >= 0 ? 2 : 1, timeout_ms);
    if (n < 0 && errno != EINTR) {
        wl_display_cancel_read(display);
        fail("poll: %s", strerror(errno));
    }
    if (n > 0 && (fds[0].revents & POLLIN)) {
        if (wl_display_read_events(display) < 0) fail("lost the Wayland connection: %s", strerror(errno));
    } else {
        wl_display_cancel_read(display);
    }
    if (n > 0 && (fds[0].revents & (POLLERR | POLLHUP)) && !(fds[0].revents & POLLIN))
        fail("the compositor closed the connection");
    if (wl_display_dispatch_pending(display) < 0) {
        int err = wl_display_get_error(display);
        uint32_t code = 0;
        const wl_interface *iface = nullptr;
        if (err == EPROTO) {
            code = wl_display_get_protocol_error(display, &iface, nullptr);
            fail("protocol error %u on %s", code, iface ? iface->name : "?");
        }
        fail("lost the Wayland connection: %s", strerror(err));
    }
    return extra_fd >= 0 && n > 0 && (fds[1].revents & (POLLIN | POLLERR));
}

} // namespace client
