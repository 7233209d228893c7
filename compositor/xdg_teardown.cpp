#include "xdg_teardown.hpp"

#include <vector>

#include "request_veto.hpp"

namespace planar {
namespace {

// Every xdg_surface of `client`, through each xdg_wm_base it bound.
std::vector<wlr_xdg_surface *> surfaces_of(wlr_xdg_shell *shell, wl_client *client) {
    std::vector<wlr_xdg_surface *> found;
    wlr_xdg_client *xdg_client = nullptr;
    wl_list_for_each(xdg_client, &shell->clients, link) {
        if (xdg_client->client != client) continue;
        wlr_xdg_surface *surface = nullptr;
        wl_list_for_each(surface, &xdg_client->surfaces, link) found.push_back(surface);
    }
    return found;
}

} // namespace

XdgTeardown::XdgTeardown(wlr_xdg_shell *shell, RequestVeto &veto) : shell_(shell) {
    auto watch_it = [this](wl_resource *xdg_surface, const wl_argument *) { watch(xdg_surface); };
    veto.add_preparation("xdg_surface", "get_toplevel", watch_it);
    veto.add_preparation("xdg_surface", "get_popup", watch_it);
}

void XdgTeardown::watch(wl_resource *xdg_surface) {
    auto *surface = static_cast<wlr_xdg_surface *>(wl_resource_get_user_data(xdg_surface));
    if (surface == nullptr) return; // inert: freed already
    auto [it, inserted] = watches_.try_emplace(xdg_surface, nullptr);
    if (!inserted) return; // a role again, or a second role request
    it->second = std::make_unique<Watch>();
    Watch &w = *it->second;
    auto gone = [this, xdg_surface](void *) { going(xdg_surface); };
    wl_resource_add_destroy_listener(xdg_surface, w.on_xdg_surface_destroy.prepare(gone));
    wl_resource_add_destroy_listener(surface->surface->resource, w.on_surface_destroy.prepare(gone));
    wl_resource_add_destroy_listener(surface->client->resource, w.on_wm_base_destroy.prepare(gone));
}

void XdgTeardown::going(wl_resource *xdg_surface) {
    auto *surface = static_cast<wlr_xdg_surface *>(wl_resource_get_user_data(xdg_surface));
    watches_.erase(xdg_surface); // the listener that called, with the others
    if (surface == nullptr) return;
    wl_client *client = wl_resource_get_client(xdg_surface);
    for (wlr_xdg_surface *other : surfaces_of(shell_, client)) {
        if (other->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL && other->toplevel->parent == surface) {
            wlr_xdg_toplevel_set_parent(other, nullptr);
        }
    }
    if (!surface->added) wl::emit_safe(&surface->events.destroy, surface);
}

} // namespace planar
