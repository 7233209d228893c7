// XdgView: one xdg toplevel and the scene tree that shows it (its surfaces and,
// when server-side decorated, a border). Window policy: floating, placed on
// the output under the cursor, fullscreen and maximize honoured.
#pragma once

#include <memory>

#include "border.hpp"
#include "foreign_toplevel.hpp"
#include "listener.hpp"
#include "view.hpp"
#include "wlr.hpp"

namespace planar {

class Output;
class Server;

class XdgView final : public View {
public:
    XdgView(Server &server, wlr_xdg_surface *xdg_surface);
    ~XdgView() override;

    static XdgView *from_xdg_surface(wlr_xdg_surface *xdg_surface);
    static void unconstrain_popup(Server &server, wlr_xdg_surface *popup);

    uint32_t id() const override { return id_; }
    wlr_surface *surface() const override { return xdg_->surface; }
    wlr_xdg_surface *xdg() const { return xdg_; }
    bool mapped() const override { return mapped_; }
    bool focused() const override { return activated_; }
    bool fullscreen() const override { return fullscreen_; }
    bool maximized() const override { return maximized_; }
    bool minimized() const override { return minimized_; }
    wlr_foreign_toplevel_handle_v1 *foreign_handle() const override { return foreign_ ? foreign_->handle() : nullptr; }
    int x() const { return x_; }
    int y() const { return y_; }
    wlr_box geometry() const override;
    const BufferInfo &buffer_info() const override { return buffer_info_; }
    pid_t pid() const override;
    std::string app_id() const override;
    std::string title() const override;
    const char *shell() const override { return "xdg"; }

    void move_to(int x, int y) override;
    // Puts the window's top-left at x, y, where planar's own placement (when
    // it maps or first gets a size) leaves it: a test harness's exact spot.
    void place_at(int x, int y);
    void resize_to(int x, int y, int width, int height) override;
    void set_activated(bool activated) override;
    void raise_and_activate() override;
    void raise() override;
    // The mapped view of this toplevel's parent (xdg_toplevel.set_parent), or null.
    View *parent_view() const override;
    void set_fullscreen(bool fullscreen, wlr_output *output = nullptr) override;
    void set_maximized(bool maximized) override;
    void set_server_decorated(bool decorated);
    void set_minimized(bool minimized) override;
    void set_occluded(bool occluded) override;
    // While the window is held back for a fullscreen configure (see
    // update_visibility), its frame callbacks still come once per output
    // frame: a client that draws only on them would otherwise never draw the
    // frame that ends the wait.
    void send_frame_done_while_held(const timespec *now) override;
    void close() override;
    void output_layout_changed() override;
    void work_area_changed(Output *output) override;

private:
    void handle_map();
    void handle_unmap();
    void handle_commit();
    void keep_surface_in_place();
    void place_initially();
    // The first commit: states asked for before it go into the initial configure.
    void apply_initial_state();
    void refresh_surface_outputs();
    // Shows the window when it is mapped, not hidden by a fullscreen view, and
    // not waiting for the client to take a fullscreen configure.
    void update_visibility();
    bool awaiting_fullscreen_ack() const;
    // Maximized into `area` (a work area, layout coordinates).
    void fill(const wlr_box &area);
    // Back from fullscreen/maximized to the floating geometry it had.
    void restore_floating();
    void update_border();
    void apply_y_invert();
    // Taskbars hear of a change of state, name or output.
    void state_changed() {
        if (foreign_) foreign_->update();
    }
    // The output a fullscreen or maximized window goes to: `preferred` when it
    // is usable, else the one it is on (or under the cursor before placement).
    Output *target_output(wlr_output *preferred) const;
    wlr_box target_output_box(wlr_output *preferred = nullptr) const;
    // Its work area: where it is placed and maximized (panels excluded).
    wlr_box target_work_area() const;

    Server &server_;
    wlr_xdg_surface *xdg_;
    wlr_scene_tree *tree_;
    wlr_scene_node *surface_node_;
    std::unique_ptr<Border> border_;
    uint32_t id_;
    int x_ = 0, y_ = 0;
    bool mapped_ = false;
    bool placed_ = false;
    bool activated_ = false;
    bool fullscreen_ = false;
    bool maximized_ = false;
    bool server_decorated_ = false;
    bool occluded_ = false;
    bool minimized_ = false;
    std::unique_ptr<ForeignToplevel> foreign_;
    // The serial of the configure that made the window fullscreen; until the
    // client acks it, its frames are of the size it had (not shown).
    uint32_t fullscreen_serial_ = 0;
    wlr_box saved_{}; // floating geometry to return to from fullscreen/maximized
    // The window geometry's offset in the surface at the last commit, and
    // whether it was the surface's bounds (no set_window_geometry).
    int geometry_origin_x_ = 0, geometry_origin_y_ = 0;
    bool implicit_geometry_ = false;
    BufferInfo buffer_info_;
    // The buffer transform the client asked for; planar composes a vertical
    // flip onto it for y_invert dma-bufs on the GPU path (see apply_y_invert).
    wl_output_transform client_transform_ = WL_OUTPUT_TRANSFORM_NORMAL;

    wl::Listener on_map_, on_unmap_, on_destroy_, on_commit_;
    wl::Listener on_request_move_, on_request_resize_, on_request_fullscreen_, on_request_maximize_;
    wl::Listener on_set_title_, on_set_app_id_, on_request_minimize_;
};

// zxdg_toplevel_decoration_v1: a client that prefers to draw its own
// decorations gets client-side mode; one that asks for server-side or says
// nothing gets planar's border. The view is told either way.
class Decoration {
public:
    explicit Decoration(wlr_xdg_toplevel_decoration_v1 *decoration);

private:
    void apply();
    wlr_xdg_toplevel_decoration_v1 *decoration_;
    wl::Listener on_request_mode_, on_destroy_;
};

} // namespace planar
