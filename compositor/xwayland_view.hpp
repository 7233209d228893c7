// XwaylandView: one managed X11 window (not override-redirect) and the scene
// tree that shows it, with planar's border. Managed like an xdg toplevel:
// placed in the work area of the output under the cursor, click to focus (the
// X11 input focus and _NET_ACTIVE_WINDOW follow planar's one activated
// window), raised in X11's stacking order too, moved and resized by request
// or with Super+drag, fullscreen and maximized (_NET_WM_STATE), closed with
// WM_DELETE_WINDOW. X11 knows the
// window at its layout position: root coordinates are layout coordinates, so
// the menus it opens (override-redirect, see Xwayland) land where they should.
#pragma once

#include <memory>

#include "listener.hpp"
#include "view_base.hpp"
#include "wlr.hpp"

namespace planar {

class Output;
class Server;

// Owned by Xwayland, which ends it when the X11 window goes or becomes
// override-redirect.
class XwaylandView final : public ViewBase {
public:
    // `xsurface` may be mapped already (it was override-redirect until now).
    XwaylandView(Server &server, wlr_xwayland_surface *xsurface);
    ~XwaylandView() override;

    // The view of a managed X11 window, or null.
    static XwaylandView *from(wlr_xwayland_surface *xsurface);

    wlr_surface *surface() const override { return xsurface_->surface; }
    wlr_box geometry() const override;
    pid_t pid() const override { return xsurface_->pid; }
    std::string app_id() const override;
    std::string title() const override;
    const char *shell() const override { return "xwayland"; }

    void move_to(int x, int y) override;
    void resize_to(int x, int y, int width, int height) override;
    void set_activated(bool activated) override;
    void raise() override;
    // The mapped view of its WM_TRANSIENT_FOR window, or null.
    View *parent_view() const override;
    void set_fullscreen(bool fullscreen, wlr_output *output = nullptr) override;
    void set_maximized(bool maximized) override;
    // Never held back: X11 has no configure to wait for.
    void send_frame_done_while_held(const timespec *) override {}
    void close() override;
    void output_layout_changed() override;

private:
    void handle_map();
    void handle_unmap();
    void handle_commit();
    void handle_request_configure(wlr_xwayland_surface_configure_event *event);
    // Tells X11 where the window is and how large it should be.
    void configure(int x, int y, int width, int height);
    void place_initially();
    void fill(const wlr_box &area) override;
    // Iconified in X11's terms (WM_STATE, _NET_WM_STATE_HIDDEN) as well.
    void tell_minimized(bool minimized) override;
    // Back from fullscreen or maximized to the floating geometry it had.
    void restore_floating();
    void update_visibility() override;
    void update_border();

    wlr_xwayland_surface *xsurface_;
    wlr_scene_node *surface_node_ = nullptr; // while mapped

    wl::Listener on_map_, on_unmap_, on_commit_, on_surface_node_destroy_;
    wl::Listener on_request_configure_, on_request_move_, on_request_resize_, on_request_fullscreen_,
        on_request_maximize_, on_request_minimize_, on_request_activate_, on_set_decorations_, on_set_title_,
        on_set_class_;
};

} // namespace planar
