// Xwayland: X11 clients. Owns wlroots' Xwayland: the X server, started lazily
// when the first X11 client connects to planar's DISPLAY (and again after it
// exits, when the next one connects), and its window manager (wlroots' xwm),
// which bridges the X11 CLIPBOARD and PRIMARY selections to the seat's. Every
// X11 window is tracked for its whole life: a managed one is an XwaylandView
// (a View like an xdg toplevel); an override-redirect one (a menu, a tooltip,
// a drag icon) is shown where X11 puts it, in a layer above all windows (and
// under the layer shell's top and overlay layers), without a border and
// without taking the keyboard focus.
#pragma once

#include <list>
#include <memory>
#include <string>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class Server;

class Xwayland {
public:
    // Null, with the reason logged once, when no Xwayland can run here (the
    // binary is missing); planar then serves Wayland clients only.
    static std::unique_ptr<Xwayland> create(Server &server);
    ~Xwayland();
    Xwayland(const Xwayland &) = delete;
    Xwayland &operator=(const Xwayland &) = delete;

    // ":N", what planar's children get as DISPLAY.
    const char *display_name() const { return xwayland_->display_name; }
    // For planar-ctl: one line per mapped override-redirect window.
    std::string describe_unmanaged() const;

private:
    struct Window;
    class Unmanaged;

    Xwayland(Server &server, wlr_xwayland *xwayland);
    void handle_new_surface(wlr_xwayland_surface *xsurface);
    void handle_ready();
    void end_window_manager();

    Server &server_;
    wlr_xwayland *xwayland_;
    // Kept for wlr_xwayland_set_cursor, which holds on to the image's pixels.
    wlr_xcursor_manager *xcursor_ = nullptr;
    // Right above the view layer: override-redirect windows.
    wlr_scene_tree *unmanaged_layer_;
    std::list<std::unique_ptr<Window>> windows_;

    wl::Listener on_new_surface_, on_ready_;
};

} // namespace planar
