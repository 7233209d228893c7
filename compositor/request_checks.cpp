#include "request_checks.hpp"

#include <cstring>
#include <drm_fourcc.h>
#include <wayland-server-protocol.h>

#include "format_info.hpp"
#include "log.hpp"

namespace planar {
namespace {

uint32_t fourcc_of_shm(uint32_t format) {
    // wl_shm: every code is the DRM fourcc, except the first two.
    if (format == WL_SHM_FORMAT_ARGB8888) return DRM_FORMAT_ARGB8888;
    if (format == WL_SHM_FORMAT_XRGB8888) return DRM_FORMAT_XRGB8888;
    return format;
}

// wl_shm_pool.create_buffer(id, offset, width, height, stride, format)
void check_create_buffer(wl_resource *pool, const wl_argument *args) {
    int32_t width = args[2].i, stride = args[4].i;
    const render::FormatInfo *info = render::format_info(fourcc_of_shm(args[5].u));
    // A width or stride below 1 and an unknown format are libwayland's to refuse.
    if (info == nullptr || width <= 0 || stride <= 0) return;
    uint64_t row = info->row_bytes(0, static_cast<uint32_t>(width));
    if (static_cast<uint64_t>(stride) < row) {
        wl_resource_post_error(pool, WL_SHM_ERROR_INVALID_STRIDE,
                               "stride %d is shorter than one row (%llu bytes for %d pixels)", stride,
                               static_cast<unsigned long long>(row), width);
    }
}

// xdg_wm_base.get_xdg_surface(id, surface)
void check_get_xdg_surface(wl_resource *wm_base, const wl_argument *args) {
    auto *resource = reinterpret_cast<wl_resource *>(args[1].o);
    wlr_surface *surface = wlr_surface_from_resource(resource);
    // A surface that was an xdg_toplevel or xdg_popup before may get a new
    // xdg_surface: its role is one that extends xdg_surface.
    if (surface->role != nullptr && !wlr_surface_is_xdg_surface(surface)) {
        wl_resource_post_error(wm_base, XDG_WM_BASE_ERROR_ROLE, "wl_surface@%u already has the role %s",
                               wl_resource_get_id(resource), surface->role->name);
        return;
    }
    // ... once the xdg_surface it had is gone: wlroots 0.15 would make a
    // second one, and the destruction of either clears the surface's link
    // to the other.
    if (wlr_surface_is_xdg_surface(surface) && wlr_xdg_surface_from_wlr_surface(surface) != nullptr) {
        wl_resource_post_error(wm_base, XDG_WM_BASE_ERROR_ROLE, "wl_surface@%u already has an xdg_surface",
                               wl_resource_get_id(resource));
        return;
    }
    bool attached = (surface->pending.committed & WLR_SURFACE_STATE_BUFFER) && surface->pending.buffer != nullptr;
    if (attached || wlr_surface_has_buffer(surface)) {
        wl_resource_post_error(wm_base, XDG_WM_BASE_ERROR_INVALID_SURFACE_STATE,
                               "wl_surface@%u has a buffer %s", wl_resource_get_id(resource),
                               attached ? "attached" : "committed");
    }
}

// xdg_surface.destroy: wlroots 0.15 logs and ignores it while a role object
// exists, leaving the object alive and its id taken.
void check_xdg_surface_destroy(wl_resource *resource) {
    auto *surface = static_cast<wlr_xdg_surface *>(wl_resource_get_user_data(resource));
    if (surface != nullptr && surface->role != WLR_XDG_SURFACE_ROLE_NONE) {
        wl_resource_post_error(resource, XDG_SURFACE_ERROR_DEFUNCT_ROLE_OBJECT,
                               "xdg_surface@%u destroyed before its %s", wl_resource_get_id(resource),
                               surface->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL ? "xdg_toplevel" : "xdg_popup");
    }
}

} // namespace

RequestChecks::RequestChecks(wl_display *display) {
    logger_ = wl_display_add_protocol_logger(display, &RequestChecks::check, this);
    if (logger_ == nullptr) plog::error(plog::Scope::core, "cannot add the request checks: wl_shm and xdg_wm_base go unchecked");
}

RequestChecks::~RequestChecks() {
    if (logger_ != nullptr) wl_protocol_logger_destroy(logger_);
}

void RequestChecks::check(void *, wl_protocol_logger_type type, const wl_protocol_logger_message *message) {
    if (type != WL_PROTOCOL_LOGGER_REQUEST) return;
    // libwayland's own interface for wl_shm_pool; xdg_wm_base's is wlroots'
    // generated copy, so it is known by name.
    if (message->message == &wl_shm_pool_interface.methods[WL_SHM_POOL_CREATE_BUFFER]) {
        check_create_buffer(message->resource, message->arguments);
    } else if (strcmp(message->message->name, "get_xdg_surface") == 0 &&
               strcmp(wl_resource_get_class(message->resource), "xdg_wm_base") == 0) {
        check_get_xdg_surface(message->resource, message->arguments);
    } else if (strcmp(message->message->name, "destroy") == 0 &&
               strcmp(wl_resource_get_class(message->resource), "xdg_surface") == 0) {
        check_xdg_surface_destroy(message->resource);
    }
}

} // namespace planar
