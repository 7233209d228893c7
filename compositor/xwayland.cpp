#include "xwayland.hpp"

#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

#include "config.hpp"
#include "inspect.hpp"
#include "log.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "xwayland_view.hpp"

namespace planar {
namespace {

// As execvp finds `program`: a path, or a name on PATH.
bool executable(const std::string &program) {
    if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
    const char *path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    for (size_t start = 0; start <= dirs.size();) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::string dir = dirs.substr(start, end - start);
        if (access(((dir.empty() ? "." : dir) + "/" + program).c_str(), X_OK) == 0) return true;
        start = end + 1;
    }
    return false;
}

} // namespace

// An override-redirect window while it is one: X11 places it (in root, that
// is layout, coordinates) and planar only shows it there.
class Xwayland::Unmanaged {
public:
    Unmanaged(Server &server, wlr_scene_tree *layer, wlr_xwayland_surface *xsurface)
        : server_(server), layer_(layer), xsurface_(xsurface) {
        on_map_.connect(&xsurface_->events.map, [this](void *) { handle_map(); });
        on_unmap_.connect(&xsurface_->events.unmap, [this](void *) { handle_unmap(); });
        on_set_geometry_.connect(&xsurface_->events.set_geometry, [this](void *) {
            if (node_ != nullptr) wlr_scene_node_set_position(node_, xsurface_->x, xsurface_->y);
            server_.seat().scene_changed();
        });
        // Not redirected to a window manager, but wlroots passes a request on
        // all the same: granted as asked.
        on_request_configure_.connect_as<wlr_xwayland_surface_configure_event>(
            &xsurface_->events.request_configure, [this](wlr_xwayland_surface_configure_event *e) {
                wlr_xwayland_surface_configure(xsurface_, e->x, e->y, e->width, e->height);
            });
        if (xsurface_->mapped) handle_map();
    }
    ~Unmanaged() { handle_unmap(); }
    Unmanaged(const Unmanaged &) = delete;
    Unmanaged &operator=(const Unmanaged &) = delete;

    bool mapped() const { return node_ != nullptr; }
    wlr_xwayland_surface *xsurface() const { return xsurface_; }

private:
    void handle_map() {
        // New ones on top: a submenu opens above its menu.
        node_ = wlr_scene_subsurface_tree_create(&layer_->node, xsurface_->surface);
        wlr_scene_node_set_position(node_, xsurface_->x, xsurface_->y);
        on_node_destroy_.connect(&node_->events.destroy, [this](void *) {
            node_ = nullptr;
            on_node_destroy_.disconnect();
        });
        server_.seat().scene_changed(); // it may have opened under the pointer
        plog::debug(plog::Scope::scene, "mapped X11 override-redirect window 0x%x at %d,%d %dx%d",
                    xsurface_->window_id, xsurface_->x, xsurface_->y, xsurface_->width, xsurface_->height);
    }

    void handle_unmap() {
        if (node_ == nullptr) return;
        on_node_destroy_.disconnect();
        wlr_scene_node_destroy(node_);
        node_ = nullptr;
        server_.seat().scene_changed();
    }

    Server &server_;
    wlr_scene_tree *layer_;
    wlr_xwayland_surface *xsurface_;
    wlr_scene_node *node_ = nullptr; // the surface's tree while mapped
    wl::Listener on_map_, on_unmap_, on_set_geometry_, on_request_configure_, on_node_destroy_;
};

// One X11 window from its creation to its destruction. It is managed or
// override-redirect, and may change from one to the other at any time
// (ConfigureNotify and MapNotify carry the flag): the shell object is
// replaced then, and the new one takes over a mapped window as it is.
struct Xwayland::Window {
    std::unique_ptr<XwaylandView> view;
    std::unique_ptr<Unmanaged> unmanaged;
    wl::Listener on_destroy, on_set_override_redirect;

    void take_kind(Server &server, wlr_scene_tree *unmanaged_layer, wlr_xwayland_surface *xsurface) {
        view.reset();
        unmanaged.reset();
        if (xsurface->override_redirect) {
            unmanaged = std::make_unique<Unmanaged>(server, unmanaged_layer, xsurface);
        } else {
            view = std::make_unique<XwaylandView>(server, xsurface);
        }
    }
};

std::unique_ptr<Xwayland> Xwayland::create(Server &server) {
    // wlroots runs $WLR_XWAYLAND when it is set (and checks only its own
    // built-in path): a missing one would fail at the first X11 client,
    // long after anyone reads the log.
    if (const char *path = std::getenv("WLR_XWAYLAND"); path != nullptr && !executable(path)) {
        plog::info(plog::Scope::client, "Xwayland: WLR_XWAYLAND=%s is not an executable; X11 clients cannot connect", path);
        return nullptr;
    }
    wlr_xwayland *xwayland = wlr_xwayland_create(server.display(), server.compositor(), /*lazy=*/true);
    if (xwayland == nullptr) {
        plog::info(plog::Scope::client,
                   "Xwayland is not available (see above; Debian package xwayland): X11 clients cannot connect");
        return nullptr;
    }
    return std::unique_ptr<Xwayland>(new Xwayland(server, xwayland));
}

Xwayland::Xwayland(Server &server, wlr_xwayland *xwayland) : server_(server), xwayland_(xwayland) {
    // Just above the windows: under the layer shell's top and overlay layers
    // (panels, a lock screen), as a window's own popups are.
    unmanaged_layer_ = wlr_scene_tree_create(&server_.scene()->node);
    wlr_scene_node_place_above(&unmanaged_layer_->node, server_.view_layer());
    on_new_surface_.connect_as<wlr_xwayland_surface>(&xwayland_->events.new_surface,
                                                     [this](wlr_xwayland_surface *s) { handle_new_surface(s); });
    on_ready_.connect(&xwayland_->events.ready, [this](void *) { handle_ready(); });
    // The X11 selections follow this seat's and set it (wl-copy and xclip
    // share one clipboard); kept across restarts of the X server.
    wlr_xwayland_set_seat(xwayland_, server_.seat().wlr());
    // The root window's cursor: what an X11 window that sets none shows.
    const Config &config = server_.config();
    xcursor_ = wlr_xcursor_manager_create(config.cursor_theme.empty() ? nullptr : config.cursor_theme.c_str(),
                                          config.cursor_size);
    if (xcursor_ != nullptr && wlr_xcursor_manager_load(xcursor_, 1)) {
        if (wlr_xcursor *cursor = wlr_xcursor_manager_get_xcursor(xcursor_, "left_ptr", 1)) {
            wlr_xcursor_image *image = cursor->images[0];
            wlr_xwayland_set_cursor(xwayland_, image->buffer, image->width * 4, image->width, image->height,
                                    image->hotspot_x, image->hotspot_y);
        }
    }
    plog::info(plog::Scope::client, "Xwayland on DISPLAY=%s (started when the first X11 client connects)",
               xwayland_->display_name);
}

Xwayland::~Xwayland() {
    end_window_manager();
    // Views leave the server's lists while it is whole.
    windows_.clear();
    on_new_surface_.disconnect();
    on_ready_.disconnect();
    // Ends the X server (its Wayland client goes) and removes the X11 sockets.
    wlr_xwayland_destroy(xwayland_);
    if (xcursor_ != nullptr) wlr_xcursor_manager_destroy(xcursor_);
    wlr_scene_node_destroy(&unmanaged_layer_->node);
}

void Xwayland::end_window_manager() {
    // wlroots 0.15's wlr_xwayland_destroy never frees its window manager
    // (struct wlr_xwm, its X11 connection, its event source, every X11
    // window it still tracks): the WM frees itself only when that connection
    // hangs up. So the connection (the WM's end of the socket pair wlroots
    // keeps in server->wm_fd[0]) is shut down here, and the event loop runs
    // until the WM's handler has seen the hang-up. Each turn is an ordinary
    // one: everything planar has is still there.
    wlr_xwayland_server *x_server = xwayland_->server;
    if (xwayland_->xwm == nullptr || x_server == nullptr || x_server->wm_fd[0] < 0) return;
    shutdown(x_server->wm_fd[0], SHUT_RDWR);
    for (int turn = 0; turn < 10 && xwayland_->xwm != nullptr; turn++) {
        wl_event_loop_dispatch(server_.event_loop(), 100);
    }
    if (xwayland_->xwm != nullptr) plog::error(plog::Scope::client, "Xwayland: the window manager did not end");
}

void Xwayland::handle_ready() {
    plog::info(plog::Scope::client, "Xwayland ready on DISPLAY=%s", xwayland_->display_name);
}

void Xwayland::handle_new_surface(wlr_xwayland_surface *xsurface) {
    auto window = std::make_unique<Window>();
    Window *w = window.get();
    windows_.push_back(std::move(window));
    w->on_destroy.connect(&xsurface->events.destroy, [this, w](void *) {
        windows_.remove_if([w](const auto &other) { return other.get() == w; });
    });
    w->on_set_override_redirect.connect(&xsurface->events.set_override_redirect, [this, w, xsurface](void *) {
        w->take_kind(server_, unmanaged_layer_, xsurface);
    });
    w->take_kind(server_, unmanaged_layer_, xsurface);
}

std::string Xwayland::describe_unmanaged() const {
    std::string out;
    for (const auto &window : windows_) {
        if (!window->unmanaged || !window->unmanaged->mapped()) continue;
        wlr_xwayland_surface *x = window->unmanaged->xsurface();
        // geometry: X11's (inside its X11 border); size: the surface's, which
        // holds the border too and is what is shown at X11's x, y.
        wlr_surface *surface = x->surface;
        char line[512];
        snprintf(line, sizeof(line), "override_redirect=0x%x pid=%d class=%s title=%s geometry=%dx%d+%d+%d size=%dx%d\n",
                 x->window_id, x->pid, quoted(x->class_).c_str(), quoted(x->title).c_str(), x->width, x->height, x->x,
                 x->y, surface != nullptr ? surface->current.width : 0, surface != nullptr ? surface->current.height : 0);
        out += line;
    }
    return out;
}

} // namespace planar
