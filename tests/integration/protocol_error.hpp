// What a test client sees after the compositor posted a fatal error: the
// interface and the code, or {"", UINT32_MAX} when the connection is fine.
#pragma once

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>
#include <wayland-client-core.h>

namespace harness {

inline std::pair<std::string, uint32_t> protocol_error(wl_display *display) {
    wl_display_roundtrip(display);
    if (wl_display_get_error(display) != EPROTO) return {"", UINT32_MAX};
    const wl_interface *interface = nullptr;
    uint32_t code = wl_display_get_protocol_error(display, &interface, nullptr);
    return {interface != nullptr ? interface->name : "", code};
}

} // namespace harness
