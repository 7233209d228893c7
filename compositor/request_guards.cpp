#include "request_guards.hpp"

#include <cstdio>
#include <string>

#include "request.hpp"
#include "xdg-decoration-unstable-v1-protocol.h"

namespace planar {
namespace {

using Verdict = RequestVeto::Verdict;

template <typename... Args>
std::string format_message(const char *fmt, Args... args) {
    char text[256];
    snprintf(text, sizeof text, fmt, args...);
    return text;
}

void ignore_mode(wl_client *, wl_resource *, uint32_t) {}
void ignore_unset_mode(wl_client *, wl_resource *) {}
const struct zxdg_toplevel_decoration_v1_interface inert_decoration = {
    .destroy = proto::destroy_request,
    .set_mode = ignore_mode,
    .unset_mode = ignore_unset_mode,
};

// Every xdg_toplevel request but destroy.
Verdict check_toplevel_request(wl_resource *toplevel, const wl_argument *) {
    if (wl_resource_get_user_data(toplevel) != nullptr) return Verdict::allow();
    return Verdict::ignore("the toplevel is inert: its wl_surface is gone");
}

// zxdg_decoration_manager_v1.get_toplevel_decoration(id, toplevel)
Verdict check_get_toplevel_decoration(wl_resource *manager, const wl_argument *args) {
    auto *toplevel = reinterpret_cast<wl_resource *>(args[1].o);
    if (wl_resource_get_user_data(toplevel) != nullptr) return Verdict::allow();
    wl_resource *decoration = proto::create_resource(wl_resource_get_client(manager), &zxdg_toplevel_decoration_v1_interface,
                                                     wl_resource_get_version(manager), args[0].n);
    if (decoration != nullptr) wl_resource_set_implementation(decoration, &inert_decoration, nullptr, nullptr);
    return Verdict::ignore(format_message("xdg_toplevel@%u is inert: so is its decoration", wl_resource_get_id(toplevel)));
}

// xdg_surface.get_popup(id, parent, positioner)
Verdict check_get_popup(wl_resource *resource, const wl_argument *args) {
    auto *surface = static_cast<wlr_xdg_surface *>(wl_resource_get_user_data(resource));
    auto *parent_resource = reinterpret_cast<wl_resource *>(args[1].o);
    // An inert or constructed xdg_surface makes no popup in wlroots; a null
    // parent is layer-shell's to give.
    if (surface == nullptr || surface->role != WLR_XDG_SURFACE_ROLE_NONE || parent_resource == nullptr) {
        return Verdict::allow();
    }
    auto *parent = static_cast<wlr_xdg_surface *>(wl_resource_get_user_data(parent_resource));
    // An inert parent gives a popup without a parent (wlroots 0.15's own choice).
    if (parent == nullptr) return Verdict::allow();
    const uint32_t code = XDG_WM_BASE_ERROR_INVALID_POPUP_PARENT;
    if (parent == surface) {
        return Verdict::error(surface->client->resource, code,
                              format_message("xdg_surface@%u cannot be its own popup's parent", wl_resource_get_id(resource)));
    }
    // The asking xdg_surface has no role, and the parent must have one: so
    // no parent chain can lead back to it (a cycle needs a roleless parent).
    if (parent->role == WLR_XDG_SURFACE_ROLE_NONE) {
        return Verdict::error(surface->client->resource, code,
                              format_message("parent xdg_surface@%u has no role", wl_resource_get_id(parent_resource)));
    }
    return Verdict::allow();
}

// xdg_popup.grab(seat, serial)
Verdict check_popup_grab(wl_resource *resource, const wl_argument *) {
    auto *surface = static_cast<wlr_xdg_surface *>(wl_resource_get_user_data(resource));
    // A mapped popup is wlroots' to refuse (invalid_grab).
    if (surface == nullptr || surface->popup->committed || surface->popup->seat == nullptr) return Verdict::allow();
    return Verdict::ignore("the popup grabs already");
}

// wl_subsurface.place_above(sibling), place_below(sibling)
Verdict check_place(wl_resource *resource, const wl_argument *) {
    auto *subsurface = static_cast<wlr_subsurface *>(wl_resource_get_user_data(resource));
    if (subsurface == nullptr || subsurface->parent != nullptr) return Verdict::allow();
    return Verdict::ignore("its parent wl_surface is gone");
}

} // namespace

RequestGuards::RequestGuards(RequestVeto &veto) : veto_(veto) {
    for (int i = 0; i < xdg_toplevel_interface.method_count; i++) {
        std::string request = xdg_toplevel_interface.methods[i].name;
        if (request != "destroy") veto_.add_rule("xdg_toplevel", request, check_toplevel_request);
    }
    veto_.add_rule("zxdg_decoration_manager_v1", "get_toplevel_decoration", check_get_toplevel_decoration);
    veto_.add_rule("xdg_surface", "get_popup", check_get_popup);
    veto_.add_rule("xdg_popup", "grab", check_popup_grab);
    veto_.add_rule("zwlr_layer_surface_v1", "get_popup", [this](wl_resource *resource, const wl_argument *args) {
        return check_layer_get_popup(resource, reinterpret_cast<wl_resource *>(args[0].o));
    });
    veto_.add_rule("wl_subsurface", "place_above", check_place);
    veto_.add_rule("wl_subsurface", "place_below", check_place);
}

// zwlr_layer_surface_v1.get_popup(popup)
RequestVeto::Verdict RequestGuards::check_layer_get_popup(wl_resource *layer_resource, wl_resource *popup_resource) {
    auto *layer = static_cast<wlr_layer_surface_v1 *>(wl_resource_get_user_data(layer_resource));
    if (layer == nullptr) return Verdict::allow(); // wlroots ignores an inert layer surface
    auto *popup = static_cast<wlr_xdg_surface *>(wl_resource_get_user_data(popup_resource));
    if (popup == nullptr) return Verdict::ignore("the xdg_popup is inert");
    if (popup->popup->parent != nullptr) return Verdict::ignore("the xdg_popup has a parent already");
    watch_popups_of(layer);
    return Verdict::allow();
}

void RequestGuards::watch_popups_of(wlr_layer_surface_v1 *layer) {
    auto [it, inserted] = layer_destroy_.try_emplace(layer, nullptr);
    if (!inserted) return;
    it->second = std::make_unique<wl::Listener>();
    // Emitted before the layer surface is freed, on every way it goes.
    it->second->connect(&layer->events.destroy, [this, layer](void *) {
        // What wlroots does on unmap; one that was mapped has none left.
        while (!wl_list_empty(&layer->popups)) {
            wlr_xdg_popup *popup = wl_container_of(layer->popups.next, popup, link);
            wlr_xdg_popup_destroy(popup->base); // unlinks it
        }
        layer_destroy_.erase(layer); // this listener with it
    });
}

} // namespace planar
