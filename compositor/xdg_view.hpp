// XdgView: one xdg toplevel and the scene tree that shows it (its surfaces and,
// when server-side decorated, a border). Window policy: floating, placed on
// the output under the cursor, fullscreen and maximize honoured.
#pragma once

#include <memory>

#include "listener.hpp"
#include "view_base.hpp"
#include "wlr.hpp"

namespace planar {

class Output;
class Server;

class XdgView final : public ViewBase {
public:
    XdgView(Server &server, wlr_xdg_surface *xdg_surface);
    ~XdgView() override;

    static XdgView *from_xdg_surface(wlr_xdg_surface *xdg_surface);
    static void unconstrain_popup(Server &server, wlr_xdg_surface *popup);

    wlr_surface *surface() const override { return xdg_->surface; }
    wlr_xdg_surface *xdg() const { return xdg_; }
    int x() const { return x_; }
    int y() const { return y_; }
    wlr_box geometry() const override;
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
    void raise() override;
    // The mapped view of this toplevel's parent (xdg_toplevel.set_parent), or null.
    View *parent_view() const override;
    void set_fullscreen(bool fullscreen, wlr_output *output = nullptr) override;
    void set_maximized(bool maximized) override;
    void set_server_decorated(bool decorated);
    // While the window is held back for a fullscreen configure (see
    // update_visibility), its frame callbacks still come once per output
    // frame: a client that draws only on them would otherwise never draw the
    // frame that ends the wait.
    void send_frame_done_while_held(const timespec *now) override;
    void close() override;
    void output_layout_changed() override;

private:
    void handle_map();
    void handle_unmap();
    void handle_commit();
    void keep_surface_in_place();
    void place_initially();
    // The first commit: states asked for before it go into the initial configure.
    void apply_initial_state();
    // Shows the window when it is mapped, not hidden by a fullscreen view, and
    // not waiting for the client to take a fullscreen configure.
    void update_visibility() override;
    bool awaiting_fullscreen_ack() const;
    void fill(const wlr_box &area) override;
    // Back from fullscreen/maximized to the floating geometry it had.
    void restore_floating();
    void update_border();
    void apply_y_invert();

    wlr_xdg_surface *xdg_;
    wlr_scene_node *surface_node_;
    bool server_decorated_ = false;
    // The serial of the configure that made the window fullscreen; until the
    // client acks it, its frames are of the size it had (not shown).
    uint32_t fullscreen_serial_ = 0;
    // The window geometry's offset in the surface at the last commit, and
    // whether it was the surface's bounds (no set_window_geometry).
    int geometry_origin_x_ = 0, geometry_origin_y_ = 0;
    bool implicit_geometry_ = false;
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
