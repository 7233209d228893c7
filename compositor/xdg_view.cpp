#include "xdg_view.hpp"

#include <algorithm>

#include "client_pid.hpp"
#include "layer_shell.hpp"
#include "log.hpp"
#include "output.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "xdg_link.hpp"

namespace planar {

XdgView::XdgView(Server &server, wlr_xdg_surface *xdg_surface)
    : ViewBase(server), xdg_(xdg_surface) {
    surface_node_ = wlr_scene_xdg_surface_create(&tree_->node, xdg_);
    XdgLink::create(xdg_, surface_node_, this); // popups and decorations find this view through it

    wlr_xdg_toplevel *toplevel = xdg_->toplevel;
    on_map_.connect(&xdg_->events.map, [this](void *) { handle_map(); });
    on_unmap_.connect(&xdg_->events.unmap, [this](void *) { handle_unmap(); });
    on_destroy_.connect(&xdg_->events.destroy, [this](void *) { delete this; });
    on_commit_.connect(&xdg_->surface->events.commit, [this](void *) { handle_commit(); });
    on_request_move_.connect(&toplevel->events.request_move,
                             [this](void *) { server_.seat().begin_move(this); });
    on_request_resize_.connect_as<wlr_xdg_toplevel_resize_event>(
        &toplevel->events.request_resize,
        [this](wlr_xdg_toplevel_resize_event *e) { server_.seat().begin_resize(this, e->edges); });
    // From here on each request is answered by a configure with the state.
    on_request_fullscreen_.connect(&toplevel->events.request_fullscreen, [this](void *) {
        set_fullscreen(xdg_->toplevel->requested.fullscreen, xdg_->toplevel->requested.fullscreen_output);
    });
    on_request_maximize_.connect(&toplevel->events.request_maximize, [this](void *) {
        set_maximized(xdg_->toplevel->requested.maximized);
    });
    on_request_minimize_.connect(&toplevel->events.request_minimize, [this](void *) { set_minimized(true); });
    on_set_title_.connect(&toplevel->events.set_title, [this](void *) { state_changed(); });
    on_set_app_id_.connect(&toplevel->events.set_app_id, [this](void *) { state_changed(); });
    apply_initial_state();
}

void XdgView::apply_initial_state() {
    // wlroots 0.15 announces a toplevel (new_surface) during its first
    // commit, after it scheduled the initial configure on an idle callback:
    // what is set here goes out in that configure. So a client that asked
    // for fullscreen or maximized before its first buffer gets the state and
    // the output's size at once, and its first frame is already right
    // (waylandsink fullscreen=true stops without a size; mpv --fs would
    // otherwise show a windowed frame first).
    wlr_xdg_toplevel_requested &requested = xdg_->toplevel->requested;
    if (requested.fullscreen) {
        set_fullscreen(true, requested.fullscreen_output);
    } else if (requested.maximized) {
        set_maximized(true);
    }
}

void XdgView::raise() { wlr_scene_node_raise_to_top(&tree_->node); }

View *XdgView::parent_view() const {
    wlr_xdg_surface *parent = xdg_->toplevel->parent;
    XdgView *view = parent != nullptr ? from_xdg_surface(parent) : nullptr;
    return view != nullptr && view->mapped() ? view : nullptr;
}

XdgView::~XdgView() {
    foreign_.reset();
    if (XdgLink *link = XdgLink::of(xdg_)) link->view_gone();
    if (mapped_) server_.view_unmapped(this, activated_);
    server_.seat().view_gone(this);
}

XdgView *XdgView::from_xdg_surface(wlr_xdg_surface *xdg_surface) {
    if (xdg_surface == nullptr || xdg_surface->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL) return nullptr;
    XdgLink *link = XdgLink::of(xdg_surface);
    return link != nullptr ? link->view() : nullptr;
}

void XdgView::unconstrain_popup(Server &server, wlr_xdg_surface *popup) {
    // Keep the popup on the output that holds its toplevel.
    wlr_xdg_surface *root = popup;
    while (root->role == WLR_XDG_SURFACE_ROLE_POPUP && root->popup->parent != nullptr) {
        if (!wlr_surface_is_xdg_surface(root->popup->parent)) {
            // A popup of a layer surface's popup: the layer surface is its root.
            server.layer_shell().unconstrain_popup(popup->popup, root->popup->parent);
            return;
        }
        wlr_xdg_surface *parent = wlr_xdg_surface_from_wlr_surface(root->popup->parent);
        if (parent == nullptr) return;
        root = parent;
    }
    XdgView *view = from_xdg_surface(root);
    if (view == nullptr) return;
    wlr_box geometry = view->geometry();
    Output *output = server.output_at(geometry.x + geometry.width / 2.0, geometry.y + geometry.height / 2.0);
    if (output == nullptr) output = server.primary_output();
    if (output == nullptr) return;
    wlr_box box = output->box();
    box.x -= geometry.x;
    box.y -= geometry.y;
    wlr_xdg_popup_unconstrain_from_box(popup->popup, &box);
}

wlr_box XdgView::geometry() const {
    wlr_box geo{};
    wlr_xdg_surface_get_geometry(xdg_, &geo);
    return wlr_box{x_, y_, geo.width, geo.height};
}

pid_t XdgView::pid() const { return client_pid(xdg_->surface->resource); }

std::string XdgView::app_id() const { return xdg_->toplevel->app_id != nullptr ? xdg_->toplevel->app_id : ""; }

std::string XdgView::title() const { return xdg_->toplevel->title != nullptr ? xdg_->toplevel->title : ""; }

void XdgView::move_to(int x, int y) {
    x_ = x;
    y_ = y;
    wlr_scene_node_set_position(&tree_->node, x_, y_);
    server_.seat().refresh_pointer_focus();
    state_changed(); // maybe another output now
}

void XdgView::place_at(int x, int y) {
    placed_ = true;
    move_to(x, y);
}

void XdgView::resize_to(int x, int y, int width, int height) {
    move_to(x, y);
    wlr_xdg_toplevel_set_size(xdg_, std::max(width, 1), std::max(height, 1));
}

void XdgView::set_activated(bool activated) {
    activated_ = activated;
    wlr_xdg_toplevel_set_activated(xdg_, activated);
    update_border();
    state_changed();
}

void XdgView::set_fullscreen(bool fullscreen, wlr_output *output) {
    if (fullscreen == fullscreen_) {
        // xdg-shell: every request is answered with a configure.
        wlr_xdg_surface_schedule_configure(xdg_);
        return;
    }
    if (fullscreen) {
        if (!maximized_) saved_ = geometry();
        wlr_box box = target_output_box(output);
        fullscreen_ = true;
        fullscreen_serial_ = wlr_xdg_toplevel_set_fullscreen(xdg_, true);
        resize_to(box.x, box.y, box.width, box.height);
        wlr_scene_node_raise_to_top(&tree_->node);
        // Fullscreen goes on top of the stack, focused.
        if (mapped_) server_.focus_view(this);
    } else {
        fullscreen_ = false;
        fullscreen_serial_ = 0;
        wlr_xdg_toplevel_set_fullscreen(xdg_, false);
        if (maximized_) {
            maximized_ = false;
            set_maximized(true);
        } else {
            restore_floating();
        }
    }
    update_border();
    server_.update_occlusion();
    state_changed();
}

void XdgView::set_maximized(bool maximized) {
    if (maximized == maximized_ || fullscreen_) {
        maximized_ = fullscreen_ ? maximized : maximized_;
        wlr_xdg_surface_schedule_configure(xdg_);
        state_changed();
        return;
    }
    maximized_ = maximized;
    wlr_xdg_toplevel_set_maximized(xdg_, maximized);
    if (maximized) {
        saved_ = geometry();
        wlr_box box = target_work_area();
        fill(box);
    } else {
        restore_floating();
    }
    state_changed();
}

void XdgView::fill(const wlr_box &area) {
    // Maximized: the window and planar's border fill the area exactly.
    int inset = server_decorated_ ? Border::width : 0;
    resize_to(area.x + inset, area.y + inset, area.width - 2 * inset, area.height - 2 * inset);
}

void XdgView::restore_floating() {
    if (saved_.width > 0 && saved_.height > 0) {
        resize_to(saved_.x, saved_.y, saved_.width, saved_.height);
        return;
    }
    // Fullscreen or maximized from its first configure: it never had a
    // floating size. The client picks one (0x0) and is placed once it commits.
    wlr_xdg_toplevel_set_size(xdg_, 0, 0);
    placed_ = false;
}

void XdgView::set_server_decorated(bool decorated) {
    server_decorated_ = decorated;
    update_border();
}

bool XdgView::awaiting_fullscreen_ack() const {
    // Only before the first frame is shown: a window already on screen keeps
    // showing its last frame while the client catches up (or hangs).
    if (buffer_info_.first_width != 0) return false;
    // Serials wrap: compare by difference.
    return fullscreen_ && fullscreen_serial_ != 0 &&
           static_cast<int32_t>(xdg_->current.configure_serial - fullscreen_serial_) < 0;
}

void XdgView::send_frame_done_while_held(const timespec *now) {
    if (!mapped_ || !awaiting_fullscreen_ack()) return;
    wlr_xdg_surface_for_each_surface(
        xdg_, [](wlr_surface *surface, int, int, void *when) {
            wlr_surface_send_frame_done(surface, static_cast<const timespec *>(when));
        },
        const_cast<timespec *>(now));
}

void XdgView::update_visibility() {
    // A client that asked for fullscreen and drew before it took the
    // fullscreen configure (mpv --fs sends set_fullscreen after its initial
    // commit and may draw for the first configure meanwhile) is not shown
    // until a frame made for fullscreen comes: what the user sees first is
    // already fullscreen.
    bool visible = mapped_ && !occluded_ && !minimized_ && !awaiting_fullscreen_ack();
    wlr_scene_node_set_enabled(&tree_->node, visible);
    if (visible && buffer_info_.first_width == 0 && xdg_->surface->current.width > 0) {
        buffer_info_.first_width = xdg_->surface->current.width;
        buffer_info_.first_height = xdg_->surface->current.height;
    }
}

void XdgView::close() { wlr_xdg_toplevel_send_close(xdg_); }

void XdgView::output_layout_changed() {
    if (!mapped_) return;
    refresh_surface_outputs();
    wlr_box geo = geometry();
    Output *home = home_output();
    bool seen = wlr_output_layout_intersects(server_.layout(), nullptr, &geo);
    if (home == nullptr && !seen) {
        // Its output went away (disabled, unplugged, moved): the window goes to
        // an output that remains, so that no window is ever out of reach.
        home = server_.primary_output();
        if (home == nullptr) return; // no output at all: placed again when one comes
        wlr_box area = home->box();
        if (!fullscreen_ && !maximized_) {
            move_to(area.x + std::max(0, area.width - geo.width) / 2, area.y + std::max(0, area.height - geo.height) / 2);
            return;
        }
    }
    if (home == nullptr) home = server_.primary_output();
    if (home == nullptr) return;
    // A fullscreen or maximized window follows its output's new size.
    wlr_box box = home->box();
    if (fullscreen_) {
        resize_to(box.x, box.y, box.width, box.height);
    } else if (maximized_) {
        // ... and a maximized one its work area (panels come and go).
        wlr_box area = home->work_area();
        fill(area);
    }
}

void XdgView::place_initially() {
    placed_ = true;
    if (fullscreen_ || maximized_) return;
    wlr_box area = target_work_area();
    wlr_box geo = geometry();
    // Larger than the output: asked to fit, placed at the output's corner
    // until the smaller buffer comes.
    if (geo.width > area.width || geo.height > area.height) {
        resize_to(area.x, area.y, std::min(geo.width, area.width), std::min(geo.height, area.height));
        return;
    }
    wlr_box spot = new_window_spot(area, geo.width, geo.height);
    move_to(spot.x, spot.y);
}

void XdgView::handle_map() {
    mapped_ = true;
    if (!placed_) place_initially();
    update_visibility();
    mapped_now();
    plog::debug(plog::Scope::scene, "mapped toplevel '%s' at %d,%d",
                xdg_->toplevel->app_id ? xdg_->toplevel->app_id : "", x_, y_);
}

void XdgView::handle_unmap() {
    bool was_focused = unmapped_now();
    wlr_scene_node_set_enabled(&tree_->node, false);
    server_.view_unmapped(this, was_focused);
}

void XdgView::handle_commit() {
    record_committed_buffer(xdg_->surface, buffer_info_); // keeps first_width/height
    keep_surface_in_place();
    update_visibility();
    // A held commit damages nothing on screen, so no output frame would come
    // to answer its frame callback (send_frame_done_while_held).
    if (mapped_ && awaiting_fullscreen_ack()) {
        for (Output *output : server_.outputs()) wlr_output_schedule_frame(output->wlr());
    }
    if (mapped_ && !placed_ && !fullscreen_ && !maximized_) place_initially();
    apply_y_invert();
    // A fullscreen client's new size decides whether it covers its output.
    if (fullscreen_ && mapped_) server_.update_occlusion();
    // wlr_scene's xdg node already offsets the surface by the window
    // geometry, so (x_, y_) is the window's top-left; only the border follows.
    update_border();
    // The scene has this commit now (its listeners come before this one).
    server_.seat().view_committed(xdg_->surface, &tree_->node);
}

void XdgView::keep_surface_in_place() {
    // xdg-shell: a client that never set its window geometry has the bounds
    // of its surface and subsurfaces as geometry, which grow whenever a
    // subsurface reaches further left or up. planar places windows by their
    // geometry, so the window follows by as much: the main surface stays
    // where it was on screen instead of jumping (a geometry the client sets
    // itself keeps its top-left where it is).
    wlr_box geo{};
    wlr_xdg_surface_get_geometry(xdg_, &geo);
    bool implicit = xdg_->current.geometry.width == 0;
    if (implicit && implicit_geometry_ && placed_ && !fullscreen_ && !maximized_ &&
        (geo.x != geometry_origin_x_ || geo.y != geometry_origin_y_)) {
        move_to(x_ + geo.x - geometry_origin_x_, y_ + geo.y - geometry_origin_y_);
    }
    implicit_geometry_ = implicit;
    geometry_origin_x_ = geo.x;
    geometry_origin_y_ = geo.y;
}

void XdgView::apply_y_invert() {
    // linux-dmabuf y_invert: the buffer's first row is the bottom of the
    // image. The CPU importer hands pixman the rows bottom-up; the GPU path
    // samples the EGLImage as stored, and wlroots 0.15 has no per-texture
    // flip, so the surface's buffer transform gets a vertical flip
    // (FLIPPED_180) composed onto the client's own. The scene then draws it
    // upright, and scan-out refuses it (the transform no longer matches the
    // output's): a KMS plane here cannot reflect in y.
    wlr_surface *surface = xdg_->surface;
    if (surface->current.committed & WLR_SURFACE_STATE_TRANSFORM) client_transform_ = surface->current.transform;
    bool flip = buffer_info_.type == "dmabuf" && buffer_info_.y_invert && buffer_info_.importer == "egl";
    wl_output_transform wanted =
        flip ? wlr_output_transform_compose(client_transform_, WL_OUTPUT_TRANSFORM_FLIPPED_180) : client_transform_;
    surface->current.transform = wanted;
    if (flip) {
        // wlr_scene damaged this commit through the transform it saw before
        // ours: redraw the whole surface instead (toggling a node damages it).
        wlr_scene_node_set_enabled(surface_node_, false);
        wlr_scene_node_set_enabled(surface_node_, true);
    }
}

void XdgView::update_border() {
    wlr_box geo = geometry();
    border_->update(geo.width, geo.height, activated_, server_decorated_ && !fullscreen_);
}

Decoration::Decoration(wlr_xdg_toplevel_decoration_v1 *decoration) : decoration_(decoration) {
    on_request_mode_.connect(&decoration_->events.request_mode, [this](void *) { apply(); });
    on_destroy_.connect(&decoration_->events.destroy, [this](void *) {
        if (XdgView *view = XdgView::from_xdg_surface(decoration_->surface)) view->set_server_decorated(false);
        delete this;
    });
    apply();
}

void Decoration::apply() {
    bool client_side = decoration_->requested_mode == WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE;
    wlr_xdg_toplevel_decoration_v1_set_mode(decoration_, client_side ? WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE
                                                                     : WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
    if (XdgView *view = XdgView::from_xdg_surface(decoration_->surface)) view->set_server_decorated(!client_side);
}

} // namespace planar
