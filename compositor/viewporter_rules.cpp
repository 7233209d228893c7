#include "protocol_rules.hpp"

#include <cstring>
#include <utility>

#include "viewporter-protocol.h"

namespace planar {

// One wp_viewport that wlroots made, as long as its resource lives; its
// surface's commits are checked until the surface goes.
class ProtocolRules::Viewport {
public:
    Viewport(wl_resource *resource, wlr_surface *surface) : resource_(resource), surface_(surface) {
        on_commit_.connect(&surface->events.commit, [this](void *) { check(); });
        on_surface_destroy_.connect(&surface->events.destroy, [this](void *) {
            on_commit_.disconnect();
            on_surface_destroy_.disconnect();
            surface_ = nullptr;
        });
        wl_resource_add_destroy_listener(resource, on_resource_destroy_.prepare([this](void *) { delete this; }));
    }

private:
    // viewporter.xml, wp_viewport: "if the source rectangle is partially or
    // completely outside of the non-NULL wl_buffer, then the out_of_buffer
    // protocol error is raised when the surface state is applied", the
    // rectangle being in buffer coordinates after buffer_transform and
    // buffer_scale.
    void check() {
        const wlr_surface_state &state = surface_->current;
        if (!state.viewport.has_src || state.buffer_width == 0) return; // no rectangle, or a NULL buffer
        int width = state.buffer_width, height = state.buffer_height;
        if (state.transform & WL_OUTPUT_TRANSFORM_90) std::swap(width, height);
        const double surface_width = static_cast<double>(width) / state.scale;
        const double surface_height = static_cast<double>(height) / state.scale;
        const wlr_fbox &src = state.viewport.src;
        if (src.x + src.width <= surface_width && src.y + src.height <= surface_height) return;
        wl_resource_post_error(resource_, WP_VIEWPORT_ERROR_OUT_OF_BUFFER,
                               "source rectangle %gx%g at %g,%g is outside the buffer (%gx%g after transform and scale)",
                               src.width, src.height, src.x, src.y, surface_width, surface_height);
    }

    wl_resource *resource_;
    wlr_surface *surface_;
    wl::Listener on_commit_, on_surface_destroy_, on_resource_destroy_;
};

void ProtocolRules::add_viewporter_rules() {
    // wp_viewporter.get_viewport(id, surface): wlroots keeps its viewport
    // private, so planar meets the resource as wlroots creates it.
    veto_.add_preparation("wp_viewporter", "get_viewport", [this](wl_resource *resource, const wl_argument *args) {
        wl_client *client = wl_resource_get_client(resource);
        watch_resources_of(client);
        making_ = {client, args[0].n, reinterpret_cast<wl_resource *>(args[1].o)};
    });
}

void ProtocolRules::watch_resources_of(wl_client *client) {
    auto [it, inserted] = watches_.try_emplace(client, nullptr);
    if (!inserted) return;
    it->second = std::make_unique<Watch>();
    wl_client_add_resource_created_listener(
        client, it->second->created.prepare([this](void *data) { resource_created(static_cast<wl_resource *>(data)); }));
    wl_client_add_destroy_listener(client, it->second->destroyed.prepare([this, client](void *) {
        watches_.erase(client); // its listeners with it
    }));
}

void ProtocolRules::resource_created(wl_resource *resource) {
    if (making_.client == nullptr || wl_resource_get_client(resource) != making_.client ||
        wl_resource_get_id(resource) != making_.id || strcmp(wl_resource_get_class(resource), "wp_viewport") != 0) {
        return;
    }
    wlr_surface *surface = wlr_surface_from_resource(making_.surface);
    making_ = {};
    new Viewport(resource, surface); // deletes itself with its resource
}

} // namespace planar
