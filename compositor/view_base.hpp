// ViewBase: what every window planar manages has alike, whatever its shell:
// its scene tree (a child of Server::view_layer(), carrying the View as node
// data) with planar's border, its window state (mapped, focused, fullscreen,
// maximized, minimized, hidden under a fullscreen window), the floating
// geometry it returns to, its taskbar handle, and the window policy that
// does not depend on the shell: which output it belongs to, where a new
// window goes, how a maximized one follows its work area. XdgView and
// XwaylandView add what their protocol says.
#pragma once

#include <memory>

#include "border.hpp"
#include "foreign_toplevel.hpp"
#include "view.hpp"
#include "wlr.hpp"

namespace planar {

class Server;

class ViewBase : public View {
public:
    uint32_t id() const override { return id_; }
    bool mapped() const override { return mapped_; }
    bool focused() const override { return activated_; }
    bool fullscreen() const override { return fullscreen_; }
    bool maximized() const override { return maximized_; }
    bool minimized() const override { return minimized_; }
    wlr_foreign_toplevel_handle_v1 *foreign_handle() const override { return foreign_ ? foreign_->handle() : nullptr; }
    const BufferInfo &buffer_info() const override { return buffer_info_; }

    void raise_and_activate() override;
    void set_minimized(bool minimized) override;
    void set_occluded(bool occluded) override;
    void work_area_changed(Output *output) override;

protected:
    // The tree starts hidden; it is shown once the window maps.
    explicit ViewBase(Server &server);
    ~ViewBase() override;

    // Shows or hides the tree for the window's state.
    virtual void update_visibility() = 0;
    // Maximized into `area` (a work area, layout coordinates): the window and
    // its border fill it exactly.
    virtual void fill(const wlr_box &area) = 0;
    // The shell's own word for minimized, where it has one.
    virtual void tell_minimized(bool) {}

    // Taskbars hear of a change of state, name or output.
    void state_changed() {
        if (foreign_) foreign_->update();
    }
    // The output under the window's centre, or null.
    Output *home_output() const;
    // The output a fullscreen or maximized window goes to: `preferred` when it
    // is usable, else the one it is on (or under the cursor before placement).
    Output *target_output(wlr_output *preferred = nullptr) const;
    wlr_box target_output_box(wlr_output *preferred = nullptr) const;
    // Its work area: where it is placed and maximized (panels excluded).
    wlr_box target_work_area() const;
    // Where a new window of `width` x `height` goes in `area`: centred over
    // the window it is transient for (a dialog), else the spot least covered
    // by the other windows.
    wlr_box new_window_spot(const wlr_box &area, int width, int height) const;
    // wlroots 0.15's scene works out which output a surface is on (the one
    // whose frames send its frame callbacks and presentation feedback) only
    // when its node moves or its size changes, never when a scene output is
    // destroyed: a window whose output was turned off would wait for frame
    // callbacks forever. A move by one pixel and back makes it recompute
    // against the outputs that remain (the damage of both moves is the
    // window's own area).
    void refresh_surface_outputs();
    // The window is mapped: a taskbar handle, and it takes the focus (in
    // front of the stack, the others deactivated).
    void mapped_now();
    // The window is unmapped: its state as a mapped window goes. Returns
    // whether it had the focus.
    bool unmapped_now();

    Server &server_;
    wlr_scene_tree *tree_;
    std::unique_ptr<Border> border_;
    uint32_t id_;
    int x_ = 0, y_ = 0;
    bool mapped_ = false;
    bool placed_ = false;
    bool activated_ = false;
    bool fullscreen_ = false;
    bool maximized_ = false;
    bool occluded_ = false;
    bool minimized_ = false;
    std::unique_ptr<ForeignToplevel> foreign_; // while mapped
    wlr_box saved_{}; // floating geometry to return to from fullscreen or maximized
    BufferInfo buffer_info_;
};

} // namespace planar
