#include "xdg_teardown.hpp"

#include <cstring>
#include <vector>

#include "log.hpp"

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

XdgTeardown::XdgTeardown(wl_display *display, wlr_xdg_shell *shell) : shell_(shell) {
    logger_ = wl_display_add_protocol_logger(display, &XdgTeardown::check, this);
    if (logger_ == nullptr) plog::error(plog::Scope::core, "cannot watch xdg_surface destruction");
    wl_display_add_client_created_listener(display, on_client_created_.prepare([this](void *data) {
        auto *client = static_cast<wl_client *>(data);
        auto &listener = client_destroy_[client];
        listener = std::make_unique<wl::Listener>();
        wl_client_add_destroy_listener(client, listener->prepare([this, client](void *) { client_going(client); }));
    }));
}

XdgTeardown::~XdgTeardown() {
    if (logger_ != nullptr) wl_protocol_logger_destroy(logger_);
}

void XdgTeardown::check(void *data, wl_protocol_logger_type type, const wl_protocol_logger_message *message) {
    if (type != WL_PROTOCOL_LOGGER_REQUEST) return;
    auto *self = static_cast<XdgTeardown *>(data);
    const char *iface = wl_resource_get_class(message->resource);
    const char *request = message->message->name;
    if (strcmp(request, "destroy") != 0) return;
    wlr_xdg_surface *going = nullptr;
    if (strcmp(iface, "wl_surface") == 0) {
        wlr_surface *surface = wlr_surface_from_resource(message->resource);
        if (wlr_surface_is_xdg_surface(surface)) going = wlr_xdg_surface_from_wlr_surface(surface);
    } else if (strcmp(iface, "xdg_surface") == 0) {
        // wlroots refuses it while a role object exists (RequestChecks says
        // so to the client): then nothing goes.
        auto *surface = static_cast<wlr_xdg_surface *>(wl_resource_get_user_data(message->resource));
        if (surface != nullptr && surface->role == WLR_XDG_SURFACE_ROLE_NONE) going = surface;
    }
    if (going != nullptr) self->going(going);
}

void XdgTeardown::going(wlr_xdg_surface *surface) {
    wl_client *client = wl_resource_get_client(surface->resource);
    for (wlr_xdg_surface *other : surfaces_of(shell_, client)) {
        if (other->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL && other->toplevel->parent == surface) {
            wlr_xdg_toplevel_set_parent(other, nullptr);
        }
    }
    if (!surface->added) wl::emit_safe(&surface->events.destroy, surface);
}

void XdgTeardown::client_going(wl_client *client) {
    std::vector<wlr_xdg_surface *> surfaces = surfaces_of(shell_, client);
    // Parents first, so that no child is left pointing at a freed one.
    for (wlr_xdg_surface *surface : surfaces) {
        if (surface->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL && surface->toplevel->parent != nullptr) {
            wlr_xdg_toplevel_set_parent(surface, nullptr);
        }
    }
    for (wlr_xdg_surface *surface : surfaces) {
        if (!surface->added) wl::emit_safe(&surface->events.destroy, surface);
    }
    client_destroy_.erase(client);
}

} // namespace planar
