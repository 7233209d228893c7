#include "xwayland_view.hpp"

#include <algorithm>

#include "log.hpp"
#include "output.hpp"
#include "seat.hpp"
#include "server.hpp"

namespace planar {
namespace {

// ICCCM 4.1.2.3, WM_NORMAL_HINTS flags: a position the user asked for
// (xterm -geometry +X+Y), and one the program chose.
constexpr uint32_t user_position = 1u << 0;
constexpr uint32_t program_position = 1u << 2;

// X11 sizes and positions are 16-bit on the wire.
int16_t x11_coordinate(int value) { return static_cast<int16_t>(std::clamp(value, -32768, 32767)); }
uint16_t x11_size(int value) { return static_cast<uint16_t>(std::clamp(value, 1, 32767)); }

} // namespace

XwaylandView::XwaylandView(Server &server, wlr_xwayland_surface *xsurface)
    : ViewBase(server), xsurface_(xsurface) {
    xsurface_->data = this;

    on_map_.connect(&xsurface_->events.map, [this](void *) { handle_map(); });
    on_unmap_.connect(&xsurface_->events.unmap, [this](void *) { handle_unmap(); });
    on_request_configure_.connect_as<wlr_xwayland_surface_configure_event>(
        &xsurface_->events.request_configure,
        [this](wlr_xwayland_surface_configure_event *e) { handle_request_configure(e); });
    on_request_move_.connect(&xsurface_->events.request_move, [this](void *) { server_.seat().begin_move(this); });
    on_request_resize_.connect_as<wlr_xwayland_resize_event>(
        &xsurface_->events.request_resize,
        [this](wlr_xwayland_resize_event *e) { server_.seat().begin_resize(this, e->edges); });
    // _NET_WM_STATE: wlroots has recorded the state asked for; a window that
    // is not mapped yet gets it when it maps.
    on_request_fullscreen_.connect(&xsurface_->events.request_fullscreen, [this](void *) {
        if (mapped_) set_fullscreen(xsurface_->fullscreen);
    });
    on_request_maximize_.connect(&xsurface_->events.request_maximize, [this](void *) {
        if (mapped_) set_maximized(xsurface_->maximized_vert && xsurface_->maximized_horz);
    });
    // _NET_ACTIVE_WINDOW from the client (a pager, or the app itself).
    on_request_activate_.connect(&xsurface_->events.request_activate, [this](void *) {
        if (mapped_) server_.focus_view(this);
    });
    on_request_minimize_.connect_as<wlr_xwayland_minimize_event>(
        &xsurface_->events.request_minimize, [this](wlr_xwayland_minimize_event *e) { set_minimized(e->minimize); });
    on_set_decorations_.connect(&xsurface_->events.set_decorations, [this](void *) { update_border(); });
    on_set_title_.connect(&xsurface_->events.set_title, [this](void *) { state_changed(); });
    on_set_class_.connect(&xsurface_->events.set_class, [this](void *) { state_changed(); });
    if (xsurface_->mapped) handle_map();
}

XwaylandView::~XwaylandView() {
    foreign_.reset();
    if (mapped_) server_.view_unmapped(this, activated_);
    server_.seat().view_gone(this);
    xsurface_->data = nullptr;
    on_surface_node_destroy_.disconnect();
}

XwaylandView *XwaylandView::from(wlr_xwayland_surface *xsurface) {
    return xsurface != nullptr ? static_cast<XwaylandView *>(xsurface->data) : nullptr;
}

wlr_box XwaylandView::geometry() const { return wlr_box{x_, y_, xsurface_->width, xsurface_->height}; }

std::string XwaylandView::app_id() const { return xsurface_->class_ != nullptr ? xsurface_->class_ : ""; }

std::string XwaylandView::title() const { return xsurface_->title != nullptr ? xsurface_->title : ""; }

void XwaylandView::configure(int x, int y, int width, int height) {
    wlr_xwayland_surface_configure(xsurface_, x11_coordinate(x), x11_coordinate(y), x11_size(width),
                                   x11_size(height));
}

void XwaylandView::move_to(int x, int y) {
    x_ = x;
    y_ = y;
    wlr_scene_node_set_position(&tree_->node, x_, y_);
    if (xsurface_->x != x_ || xsurface_->y != y_) configure(x_, y_, xsurface_->width, xsurface_->height);
    server_.seat().refresh_pointer_focus();
    state_changed(); // maybe another output now
}

void XwaylandView::resize_to(int x, int y, int width, int height) {
    x_ = x;
    y_ = y;
    wlr_scene_node_set_position(&tree_->node, x_, y_);
    configure(x_, y_, width, height);
    update_border();
    server_.seat().refresh_pointer_focus();
}

void XwaylandView::set_activated(bool activated) {
    activated_ = activated;
    // Sets the X11 input focus and _NET_ACTIVE_WINDOW (or clears them).
    wlr_xwayland_surface_activate(xsurface_, activated);
    update_border();
    state_changed();
}

void XwaylandView::tell_minimized(bool minimized) { wlr_xwayland_surface_set_minimized(xsurface_, minimized); }

void XwaylandView::raise() {
    wlr_scene_node_raise_to_top(&tree_->node);
    // X11's own stacking order follows planar's: a client that asks what is
    // on top (_NET_CLIENT_LIST_STACKING, XQueryTree) gets the truth.
    wlr_xwayland_surface_restack(xsurface_, nullptr, XCB_STACK_MODE_ABOVE);
}

View *XwaylandView::parent_view() const {
    XwaylandView *parent = from(xsurface_->parent);
    return parent != nullptr && parent->mapped() ? parent : nullptr;
}

void XwaylandView::fill(const wlr_box &area) {
    bool bordered = !(xsurface_->decorations & WLR_XWAYLAND_SURFACE_DECORATIONS_NO_BORDER);
    int inset = bordered ? Border::width : 0;
    resize_to(area.x + inset, area.y + inset, area.width - 2 * inset, area.height - 2 * inset);
}

void XwaylandView::restore_floating() {
    if (saved_.width > 0 && saved_.height > 0) resize_to(saved_.x, saved_.y, saved_.width, saved_.height);
}

void XwaylandView::set_fullscreen(bool fullscreen, wlr_output *output) {
    if (fullscreen == fullscreen_) {
        // The client's _NET_WM_STATE says what it is, whatever it asked for.
        wlr_xwayland_surface_set_fullscreen(xsurface_, fullscreen_);
        return;
    }
    if (fullscreen) {
        if (!maximized_) saved_ = geometry();
        wlr_box box = target_output_box(output);
        fullscreen_ = true;
        wlr_xwayland_surface_set_fullscreen(xsurface_, true);
        resize_to(box.x, box.y, box.width, box.height);
        // Fullscreen goes on top of the stack, focused.
        if (mapped_) server_.focus_view(this);
    } else {
        fullscreen_ = false;
        wlr_xwayland_surface_set_fullscreen(xsurface_, false);
        if (maximized_) {
            fill(target_work_area());
        } else {
            restore_floating();
        }
    }
    update_border();
    server_.update_occlusion();
    state_changed();
}

void XwaylandView::set_maximized(bool maximized) {
    if (maximized == maximized_ || fullscreen_) {
        // Fullscreen wins; the state is remembered for when it ends.
        if (fullscreen_) maximized_ = maximized;
        wlr_xwayland_surface_set_maximized(xsurface_, maximized_);
        state_changed();
        return;
    }
    maximized_ = maximized;
    wlr_xwayland_surface_set_maximized(xsurface_, maximized);
    if (maximized) {
        saved_ = geometry();
        fill(target_work_area());
    } else {
        restore_floating();
    }
    state_changed();
}

void XwaylandView::update_visibility() {
    wlr_scene_node_set_enabled(&tree_->node, mapped_ && !occluded_ && !minimized_);
}

void XwaylandView::close() {
    // WM_DELETE_WINDOW when the client takes it, else XKillClient.
    wlr_xwayland_surface_close(xsurface_);
}

void XwaylandView::output_layout_changed() {
    if (!mapped_) return;
    // Xwayland paces its Present extension on the frame callbacks.
    refresh_surface_outputs();
    wlr_box geo = geometry();
    Output *home = home_output();
    bool seen = wlr_output_layout_intersects(server_.layout(), nullptr, &geo);
    if (home == nullptr) home = server_.primary_output();
    if (home == nullptr) return; // no output at all: placed again when one comes
    wlr_box area = home->box();
    if (fullscreen_) {
        resize_to(area.x, area.y, area.width, area.height);
    } else if (maximized_) {
        fill(home->work_area());
    } else if (!seen) {
        // Its output went away: the window goes to one that remains.
        move_to(area.x + std::max(0, area.width - geo.width) / 2, area.y + std::max(0, area.height - geo.height) / 2);
    }
}

void XwaylandView::place_initially() {
    wlr_box area = target_work_area(); // of the output under the cursor: not placed yet
    placed_ = true;
    wlr_box geo{xsurface_->x, xsurface_->y, xsurface_->width, xsurface_->height};
    // Larger than the output: asked to fit, at the output's corner.
    if (geo.width > area.width || geo.height > area.height) {
        resize_to(area.x, area.y, std::min(geo.width, area.width), std::min(geo.height, area.height));
        return;
    }
    // A position the user gave (or a program gave, other than the 0,0 many
    // toolkits put there) is honoured where it is on an output.
    const wlr_xwayland_surface_size_hints *hints = xsurface_->size_hints;
    bool positioned = hints != nullptr && ((hints->flags & user_position) ||
                                           ((hints->flags & program_position) && (geo.x != 0 || geo.y != 0)));
    if (positioned && wlr_output_layout_intersects(server_.layout(), nullptr, &geo)) {
        move_to(geo.x, geo.y);
        return;
    }
    wlr_box spot = new_window_spot(area, geo.width, geo.height);
    move_to(spot.x, spot.y);
}

void XwaylandView::handle_map() {
    mapped_ = true;
    // The surface's own tree: it goes when the surface does (wlroots unmaps
    // the window first, see handle_unmap), so it is watched, not assumed.
    surface_node_ = wlr_scene_subsurface_tree_create(&tree_->node, xsurface_->surface);
    on_surface_node_destroy_.connect(&surface_node_->events.destroy, [this](void *) {
        surface_node_ = nullptr;
        on_surface_node_destroy_.disconnect();
    });
    on_commit_.connect(&xsurface_->surface->events.commit, [this](void *) { handle_commit(); });
    if (!placed_) {
        place_initially();
    } else {
        // Mapped again: where X11 has it now (it may have moved itself meanwhile).
        move_to(xsurface_->x, xsurface_->y);
    }
    // X11 hears where it is, and that it has no X11 border (wlroots sets 0):
    // the surface is then exactly the window's geometry.
    configure(x_, y_, xsurface_->width, xsurface_->height);
    // _NET_WM_STATE set before it mapped.
    if (xsurface_->maximized_vert && xsurface_->maximized_horz) set_maximized(true);
    if (xsurface_->fullscreen) set_fullscreen(true);
    update_visibility();
    update_border();
    mapped_now();
    plog::debug(plog::Scope::scene, "mapped X11 window 0x%x '%s' at %d,%d %dx%d", xsurface_->window_id,
                xsurface_->title != nullptr ? xsurface_->title : "", x_, y_, xsurface_->width, xsurface_->height);
}

void XwaylandView::handle_unmap() {
    bool was_focused = unmapped_now();
    on_commit_.disconnect();
    if (surface_node_ != nullptr) {
        on_surface_node_destroy_.disconnect();
        wlr_scene_node_destroy(surface_node_);
        surface_node_ = nullptr;
    }
    update_visibility();
    server_.view_unmapped(this, was_focused);
}

void XwaylandView::handle_commit() {
    record_committed_buffer(xsurface_->surface, buffer_info_); // keeps first_width/height
    if (buffer_info_.first_width == 0 && mapped_ && !occluded_ && xsurface_->surface->current.width > 0) {
        buffer_info_.first_width = xsurface_->surface->current.width;
        buffer_info_.first_height = xsurface_->surface->current.height;
    }
    // A fullscreen client's new size decides whether it covers its output.
    if (fullscreen_) server_.update_occlusion();
    update_border();
    server_.seat().view_committed(xsurface_->surface, &tree_->node);
}

void XwaylandView::handle_request_configure(wlr_xwayland_surface_configure_event *event) {
    if (!mapped_) {
        // Before it maps the window may be what it likes; planar places it then.
        wlr_xwayland_surface_configure(xsurface_, event->x, event->y, event->width, event->height);
        return;
    }
    if (fullscreen_ || maximized_) {
        // It stays as it is: X11 hears again where and how large it is.
        configure(x_, y_, xsurface_->width, xsurface_->height);
        return;
    }
    // A floating window moves and resizes as it asks (X11 coordinates are
    // layout coordinates).
    resize_to(event->x, event->y, event->width, event->height);
}

void XwaylandView::update_border() {
    bool wanted = !(xsurface_->decorations & WLR_XWAYLAND_SURFACE_DECORATIONS_NO_BORDER);
    border_->update(xsurface_->width, xsurface_->height, activated_, mapped_ && wanted && !fullscreen_);
}

} // namespace planar
