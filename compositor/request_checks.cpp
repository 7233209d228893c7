#include "request_checks.hpp"

#include <cstdarg>
#include <cstdio>
#include <string>
#include <drm_fourcc.h>
#include <wayland-server-protocol.h>

#include "format_info.hpp"
#include "request_veto.hpp"

namespace planar {
namespace {

uint32_t fourcc_of_shm(uint32_t format) {
    // wl_shm: every code is the DRM fourcc, except the first two.
    if (format == WL_SHM_FORMAT_ARGB8888) return DRM_FORMAT_ARGB8888;
    if (format == WL_SHM_FORMAT_XRGB8888) return DRM_FORMAT_XRGB8888;
    return format;
}

using Verdict = RequestVeto::Verdict;

[[gnu::format(printf, 1, 2)]] std::string format_message(const char *fmt, ...) {
    char text[256];
    va_list args;
    va_start(args, fmt);
    vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    return text;
}

// wl_shm_pool.create_buffer(id, offset, width, height, stride, format)
Verdict check_create_buffer(wl_resource *pool, const wl_argument *args) {
    int32_t width = args[2].i, stride = args[4].i;
    const render::FormatInfo *info = render::format_info(fourcc_of_shm(args[5].u));
    // A width or stride below 1 and an unknown format are libwayland's to refuse.
    if (info == nullptr || width <= 0 || stride <= 0) return Verdict::allow();
    uint64_t row = info->row_bytes(0, static_cast<uint32_t>(width));
    if (static_cast<uint64_t>(stride) >= row) return Verdict::allow();
    return Verdict::error(pool, WL_SHM_ERROR_INVALID_STRIDE,
                          format_message("stride %d is shorter than one row (%llu bytes for %d pixels)", stride,
                                         static_cast<unsigned long long>(row), width));
}

// xdg_wm_base.get_xdg_surface(id, surface)
Verdict check_get_xdg_surface(wl_resource *wm_base, const wl_argument *args) {
    auto *resource = reinterpret_cast<wl_resource *>(args[1].o);
    wlr_surface *surface = wlr_surface_from_resource(resource);
    // A surface that was an xdg_toplevel or xdg_popup before may get a new
    // xdg_surface: its role is one that extends xdg_surface.
    if (surface->role != nullptr && !wlr_surface_is_xdg_surface(surface)) {
        return Verdict::error(wm_base, XDG_WM_BASE_ERROR_ROLE,
                              format_message("wl_surface@%u already has the role %s", wl_resource_get_id(resource),
                                             surface->role->name));
    }
    // ... once the xdg_surface it had is gone: wlroots 0.15 would make a
    // second one, and the destruction of either clears the surface's link
    // to the other.
    if (wlr_surface_is_xdg_surface(surface) && wlr_xdg_surface_from_wlr_surface(surface) != nullptr) {
        return Verdict::error(wm_base, XDG_WM_BASE_ERROR_ROLE,
                              format_message("wl_surface@%u already has an xdg_surface", wl_resource_get_id(resource)));
    }
    bool attached = (surface->pending.committed & WLR_SURFACE_STATE_BUFFER) && surface->pending.buffer != nullptr;
    if (attached || wlr_surface_has_buffer(surface)) {
        return Verdict::error(wm_base, XDG_WM_BASE_ERROR_INVALID_SURFACE_STATE,
                              format_message("wl_surface@%u has a buffer %s", wl_resource_get_id(resource),
                                             attached ? "attached" : "committed"));
    }
    return Verdict::allow();
}

// xdg_surface.destroy: wlroots 0.15 logs and ignores it while a role object
// exists, leaving the object alive and its id taken.
Verdict check_xdg_surface_destroy(wl_resource *resource, const wl_argument *) {
    auto *surface = static_cast<wlr_xdg_surface *>(wl_resource_get_user_data(resource));
    if (surface == nullptr || surface->role == WLR_XDG_SURFACE_ROLE_NONE) return Verdict::allow();
    return Verdict::error(resource, XDG_SURFACE_ERROR_DEFUNCT_ROLE_OBJECT,
                          format_message("xdg_surface@%u destroyed before its %s", wl_resource_get_id(resource),
                                         surface->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL ? "xdg_toplevel" : "xdg_popup"));
}

} // namespace

void add_request_checks(RequestVeto &veto) {
    veto.add_rule("wl_shm_pool", "create_buffer", check_create_buffer);
    veto.add_rule("xdg_wm_base", "get_xdg_surface", check_get_xdg_surface);
    veto.add_rule("xdg_surface", "destroy", check_xdg_surface_destroy);
}

} // namespace planar
