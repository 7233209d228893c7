// LayerShell: zwlr_layer_shell_v1 (wlroots 0.15's protocol object, planar's
// layout). Panels, wallpapers, launchers, notifications and lock screens
// live on four layers per output: background and bottom under the windows,
// top and overlay above them. planar places each surface by its anchors,
// size and margins, and takes the exclusive zones of the anchored ones out
// of the output's work area, where windows are placed and maximized. A
// fullscreen window hides the background, bottom and top layers of its
// output; the overlay layer stays above it.
#pragma once

#include <list>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class LayerSurface;
class Output;
class Server;

class LayerShell {
public:
    // Creates the layers' scene trees around `view_layer`.
    LayerShell(Server &server, wlr_scene_node *view_layer);
    LayerShell(const LayerShell &) = delete;
    LayerShell &operator=(const LayerShell &) = delete;
    ~LayerShell();

    // Lays out every surface of `output` and updates its work area.
    void arrange(Output *output);
    void arrange_all();
    // The mapped surface on the top or overlay layer that asked for the
    // keyboard exclusively (the topmost one), or null.
    wlr_surface *exclusive_keyboard() const;
    // The layer surface `surface` belongs to (its main surface or a
    // subsurface), if it may take the keyboard (exclusive or on_demand).
    wlr_surface *focusable_layer_surface(wlr_surface *surface) const;
    // A fullscreen window covers `output` (or no longer does): the layers
    // under the overlay are hidden there. Returns whether a surface of the
    // overlay layer is visible on it.
    bool set_covered(Output *output, bool covered);
    wlr_scene_tree *tree(uint32_t layer) const { return trees_[layer]; }
    // Keeps `popup`, whose chain of parents ends at `layer_surface`, on
    // that surface's output.
    void unconstrain_popup(wlr_xdg_popup *popup, wlr_surface *layer_surface);
    Server &server() { return server_; }

    void surface_gone(LayerSurface *surface);
    // A surface that asked for the keyboard exclusively mapped or went.
    void keyboard_interactivity_changed();
    void output_gone(Output *output);

private:
    void handle_new_surface(wlr_layer_surface_v1 *surface);

    Server &server_;
    wlr_layer_shell_v1 *shell_;
    wlr_scene_tree *trees_[4] = {};
    std::list<LayerSurface *> surfaces_;
    wl::Listener on_new_surface_;
};

} // namespace planar
