#include "layer_shell.hpp"

#include <vector>

#include "client_pid.hpp"
#include "layer_layout.hpp"
#include "log.hpp"
#include "output.hpp"
#include "popup.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "xdg_link.hpp"

namespace planar {

namespace {

// zwlr_layer_surface_v1.set_size: a zero size needs anchors on both edges of
// that dimension (wlroots 0.15 does not check it). Posts invalid_size.
bool size_is_valid(wlr_layer_surface_v1 *layer) {
    const auto &s = layer->current;
    const uint32_t h = ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT | ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
    const uint32_t v = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP | ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
    if ((s.desired_width == 0 && (s.anchor & h) != h) || (s.desired_height == 0 && (s.anchor & v) != v)) {
        wl_resource_post_error(layer->resource, ZWLR_LAYER_SURFACE_V1_ERROR_INVALID_SIZE,
                               "a zero width or height needs anchors on both of its edges");
        return false;
    }
    return true;
}

} // namespace

// One zwlr_layer_surface_v1: its scene tree (the surface, its subsurfaces
// and popups) on its layer's tree, placed in layout coordinates.
class LayerSurface {
public:
    LayerSurface(LayerShell &shell, wlr_layer_surface_v1 *layer) : shell_(shell), layer_(layer) {
        current_layer_ = layer->current.layer;
        tree_ = wlr_scene_tree_create(&shell_.tree(current_layer_)->node);
        wlr_scene_subsurface_tree_create(&tree_->node, layer->surface);
        wlr_scene_node_set_enabled(&tree_->node, false);
        layer->data = this;
        on_map_.connect(&layer->events.map, [this](void *) { handle_map(); });
        on_unmap_.connect(&layer->events.unmap, [this](void *) { handle_unmap(); });
        on_commit_.connect(&layer->surface->events.commit, [this](void *) { handle_commit(); });
        on_new_popup_.connect_as<wlr_xdg_popup>(&layer->events.new_popup,
                                                [this](wlr_xdg_popup *popup) { handle_new_popup(popup); });
        on_destroy_.connect(&layer->events.destroy, [this](void *) {
            shell_.surface_gone(this);
            delete this;
        });
    }
    LayerSurface(const LayerSurface &) = delete;
    LayerSurface &operator=(const LayerSurface &) = delete;

    wlr_layer_surface_v1 *layer() const { return layer_; }
    Output *output() const { return layer_->output != nullptr ? static_cast<Output *>(layer_->output->data) : nullptr; }
    bool mapped() const { return layer_->mapped; }
    uint32_t layer_index() const { return current_layer_; }
    bool visible() const { return mapped() && !hidden_; }

    // `box` in layout coordinates: moves the surface there and, when its
    // size is new to the client, configures it.
    void place(const wlr_box &box) {
        x_ = box.x;
        y_ = box.y;
        wlr_scene_node_set_position(&tree_->node, box.x, box.y);
        if (!configured_ || box.width != configured_width_ || box.height != configured_height_) {
            configured_ = true;
            configured_width_ = box.width;
            configured_height_ = box.height;
            wlr_layer_surface_v1_configure(layer_, static_cast<uint32_t>(box.width), static_cast<uint32_t>(box.height));
        }
    }
    void set_hidden(bool hidden) {
        hidden_ = hidden;
        update_enabled();
    }
    // Keeps a popup of this surface on its output.
    void unconstrain(wlr_xdg_popup *popup) {
        Output *out = output();
        if (out == nullptr) return;
        wlr_box box = out->box();
        box.x -= x_;
        box.y -= y_;
        wlr_xdg_popup_unconstrain_from_box(popup, &box);
    }

private:
    void update_enabled() { wlr_scene_node_set_enabled(&tree_->node, mapped() && !hidden_); }

    void handle_map() {
        update_enabled();
        plog::info(plog::Scope::client, "layer surface '%s' of pid %d mapped on layer %u", layer_->namespace_,
                   client_pid(layer_->resource), current_layer_);
        if (Output *out = output()) shell_.arrange(out);
        shell_.keyboard_interactivity_changed();
        // A launcher or menu on the top layers that may take the keyboard
        // gets it when it appears, as a new window does.
        if (layer_->current.keyboard_interactive == ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_ON_DEMAND &&
            current_layer_ >= ZWLR_LAYER_SHELL_V1_LAYER_TOP) {
            shell_.server().seat().focus_surface(layer_->surface);
        }
    }
    void handle_unmap() {
        update_enabled();
        // A surface unmapped by a null buffer is configured anew before it
        // may map again (wlroots forgets its configures on unmap).
        configured_ = false;
        if (Output *out = output()) shell_.arrange(out);
        shell_.keyboard_interactivity_changed();
    }
    void handle_commit() {
        const wlr_layer_surface_v1_state &state = layer_->current;
        if ((state.committed & (WLR_LAYER_SURFACE_V1_STATE_DESIRED_SIZE | WLR_LAYER_SURFACE_V1_STATE_ANCHOR)) &&
            !size_is_valid(layer_)) {
            return;
        }
        if (state.layer != current_layer_) {
            current_layer_ = state.layer;
            wlr_scene_node_reparent(&tree_->node, &shell_.tree(current_layer_)->node);
        }
        // What decides placement changed, or the client waits for a
        // configure (its first commit after an unmap): lay out again.
        bool placement = state.committed != 0;
        if (placement || !configured_) {
            if (Output *out = output()) shell_.arrange(out);
        }
        if (state.committed & WLR_LAYER_SURFACE_V1_STATE_KEYBOARD_INTERACTIVITY) {
            shell_.keyboard_interactivity_changed();
        }
    }
    void handle_new_popup(wlr_xdg_popup *popup) {
        wlr_scene_node *node = wlr_scene_xdg_surface_create(&tree_->node, popup->base);
        XdgLink::create(popup->base, node, nullptr);
        new Popup(shell_.server().seat(), popup->base);
        unconstrain(popup);
    }

    LayerShell &shell_;
    wlr_layer_surface_v1 *layer_;
    wlr_scene_tree *tree_;
    uint32_t current_layer_;
    int x_ = 0, y_ = 0;
    bool hidden_ = false;
    bool configured_ = false;
    int configured_width_ = 0, configured_height_ = 0;
    wl::Listener on_map_, on_unmap_, on_commit_, on_new_popup_, on_destroy_;
};

LayerShell::LayerShell(Server &server, wlr_scene_node *view_layer)
    : server_(server), shell_(wlr_layer_shell_v1_create(server.display())) {
    for (auto &tree : trees_) tree = wlr_scene_tree_create(view_layer->parent);
    // Bottom to top: background, bottom, the windows, top, overlay.
    wlr_scene_node_place_below(&trees_[ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM]->node, view_layer);
    wlr_scene_node_place_below(&trees_[ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND]->node,
                               &trees_[ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM]->node);
    wlr_scene_node_raise_to_top(&trees_[ZWLR_LAYER_SHELL_V1_LAYER_TOP]->node);
    wlr_scene_node_raise_to_top(&trees_[ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY]->node);
    on_new_surface_.connect_as<wlr_layer_surface_v1>(&shell_->events.new_surface,
                                                     [this](wlr_layer_surface_v1 *s) { handle_new_surface(s); });
}

LayerShell::~LayerShell() {
    // The display's destruction destroys the surfaces (and with them their
    // LayerSurface) first; nothing may be left here.
    on_new_surface_.disconnect();
}

void LayerShell::handle_new_surface(wlr_layer_surface_v1 *layer) {
    // A surface that named no output goes to the one under the cursor.
    if (layer->output == nullptr) {
        Output *output = server_.seat().output_under_cursor();
        if (output == nullptr || !output->usable()) output = server_.primary_output();
        if (output == nullptr) {
            plog::info(plog::Scope::client, "layer surface '%s' closed: no output to show it on", layer->namespace_);
            wlr_layer_surface_v1_destroy(layer);
            return;
        }
        layer->output = output->wlr();
    }
    if (!size_is_valid(layer)) return;
    auto *surface = new LayerSurface(*this, layer);
    surfaces_.push_back(surface);
    arrange(static_cast<Output *>(layer->output->data));
}

void LayerShell::surface_gone(LayerSurface *surface) {
    surfaces_.remove(surface);
    Output *output = surface->output();
    if (output != nullptr) arrange(output);
    keyboard_interactivity_changed();
}

void LayerShell::arrange(Output *output) {
    if (output == nullptr) return;
    const wlr_box box = output->box();
    const wlr_box full{0, 0, box.width, box.height};
    wlr_box work = full;
    // zwlr_layer_surface_v1: surfaces with an exclusive zone claim their
    // edge first, from the top layer down; the rest fit into what is left.
    for (bool exclusive : {true, false}) {
        for (int layer = ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY; layer >= 0; layer--) {
            for (LayerSurface *surface : surfaces_) {
                wlr_layer_surface_v1 *l = surface->layer();
                if (surface->output() != output || surface->layer_index() != static_cast<uint32_t>(layer)) continue;
                if ((l->current.exclusive_zone > 0) != exclusive) continue;
                const auto &s = l->current;
                LayerRequest request{s.anchor, s.exclusive_zone, static_cast<int32_t>(s.margin.top),
                                     static_cast<int32_t>(s.margin.right), static_cast<int32_t>(s.margin.bottom),
                                     static_cast<int32_t>(s.margin.left), s.desired_width, s.desired_height};
                // An unmapped surface is placed (and configured) but claims
                // no zone until it maps.
                wlr_box scratch = work;
                wlr_box placed = place_layer_surface(request, full, surface->mapped() ? &work : &scratch);
                placed.x += box.x;
                placed.y += box.y;
                surface->place(placed);
            }
        }
    }
    wlr_box area{box.x + work.x, box.y + work.y, work.width, work.height};
    wlr_box before = output->work_area();
    output->set_work_area(area);
    // Panels came, went or changed: maximized windows follow.
    if (before.x != area.x || before.y != area.y || before.width != area.width || before.height != area.height) {
        server_.work_area_changed(output);
    }
}

void LayerShell::unconstrain_popup(wlr_xdg_popup *popup, wlr_surface *layer_surface) {
    if (!wlr_surface_is_layer_surface(layer_surface)) return;
    wlr_layer_surface_v1 *layer = wlr_layer_surface_v1_from_wlr_surface(layer_surface);
    if (layer == nullptr || layer->data == nullptr) return;
    static_cast<LayerSurface *>(layer->data)->unconstrain(popup);
}

void LayerShell::arrange_all() {
    for (Output *output : server_.outputs()) arrange(output);
}

wlr_surface *LayerShell::exclusive_keyboard() const {
    const LayerSurface *best = nullptr;
    for (const LayerSurface *surface : surfaces_) {
        const wlr_layer_surface_v1 *l = surface->layer();
        if (!surface->mapped() || surface->layer_index() < ZWLR_LAYER_SHELL_V1_LAYER_TOP) continue;
        if (l->current.keyboard_interactive != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE) continue;
        // The later one on the higher layer is on top.
        if (best == nullptr || surface->layer_index() >= best->layer_index()) best = surface;
    }
    return best != nullptr ? best->layer()->surface : nullptr;
}

wlr_surface *LayerShell::focusable_layer_surface(wlr_surface *surface) const {
    if (surface == nullptr) return nullptr;
    wlr_surface *root = wlr_surface_get_root_surface(surface);
    if (!wlr_surface_is_layer_surface(root)) return nullptr;
    wlr_layer_surface_v1 *layer = wlr_layer_surface_v1_from_wlr_surface(root);
    if (layer == nullptr || !layer->mapped) return nullptr;
    return layer->current.keyboard_interactive != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE ? root : nullptr;
}

bool LayerShell::set_covered(Output *output, bool covered) {
    bool overlay_visible = false;
    for (LayerSurface *surface : surfaces_) {
        if (surface->output() != output) continue;
        bool overlay = surface->layer_index() == ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY;
        surface->set_hidden(covered && !overlay);
        if (overlay && surface->visible()) overlay_visible = true;
    }
    return overlay_visible;
}

void LayerShell::keyboard_interactivity_changed() { server_.seat().layer_focus_changed(); }

void LayerShell::output_gone(Output *output) {
    // zwlr_layer_surface_v1.closed: the surface will not be shown again.
    std::vector<wlr_layer_surface_v1 *> closing;
    for (LayerSurface *surface : surfaces_) {
        if (surface->output() == output) closing.push_back(surface->layer());
    }
    for (wlr_layer_surface_v1 *layer : closing) wlr_layer_surface_v1_destroy(layer);
}

} // namespace planar
