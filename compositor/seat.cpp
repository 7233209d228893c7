#include "seat.hpp"

#include <algorithm>
#include <ctime>
#include <linux/input-event-codes.h>
#include <vector>

#include "config.hpp"
#include "drag.hpp"
#include "idle.hpp"
#include "input_lock.hpp"
#include "keyboard.hpp"
#include "layer_shell.hpp"
#include "launcher.hpp"
#include "log.hpp"
#include "output.hpp"
#include "pointer_constraints.hpp"
#include "server.hpp"
#include "view.hpp"

namespace planar {
namespace {

// Event time for what planar itself originates (wl_pointer and wl_touch
// times are milliseconds on CLOCK_MONOTONIC, as libinput's).
uint32_t now_msec() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint32_t>(now.tv_sec * 1000 + now.tv_nsec / 1'000'000);
}

// One client surface: its commits (a new size or input region, a map or
// unmap) and its end may change what is under the cursor. A toplevel's own
// commits refresh the pointer at once (XdgView::handle_commit); these come
// first among the surface's listeners, before the scene has seen the commit,
// so they wait for the idle loop. A commit that only brings new pixels (a
// video frame, an animation) changes nothing under the cursor and asks for
// nothing: with every window redrawing each frame, each commit's walk of the
// whole scene cost planar time that grew with the square of the windows.
class SurfaceWatch {
public:
    SurfaceWatch(Seat &seat, wlr_surface *surface) : seat_(seat) {
        on_commit_.connect(&surface->events.commit, [this, surface](void *) {
            if (may_move_things_under_cursor(surface)) seat_.scene_changed();
        });
        on_destroy_.connect(&surface->events.destroy, [this, surface](void *) {
            seat_.surface_destroyed(surface);
            seat_.scene_changed();
            delete this;
        });
    }

private:
    bool may_move_things_under_cursor(wlr_surface *surface) {
        const wlr_surface_state &now = surface->current;
        constexpr uint32_t pixels_only = WLR_SURFACE_STATE_BUFFER | WLR_SURFACE_STATE_SURFACE_DAMAGE |
                                         WLR_SURFACE_STATE_BUFFER_DAMAGE | WLR_SURFACE_STATE_OPAQUE_REGION |
                                         WLR_SURFACE_STATE_FRAME_CALLBACK_LIST;
        bool has_buffer = wlr_surface_has_buffer(surface);
        // Subsurfaces move with their parent's commits, whatever its fields say.
        bool moved = (now.committed & ~pixels_only) != 0 || now.width != width_ || now.height != height_ ||
                     now.dx != 0 || now.dy != 0 || has_buffer != had_buffer_ ||
                     !wl_list_empty(&now.subsurfaces_below) || !wl_list_empty(&now.subsurfaces_above);
        width_ = now.width;
        height_ = now.height;
        had_buffer_ = has_buffer;
        return moved;
    }

    Seat &seat_;
    wl::Listener on_commit_, on_destroy_;
    int width_ = -1, height_ = -1; // nothing committed yet
    bool had_buffer_ = false;
};

} // namespace

struct Seat::TouchDevice {
    wlr_input_device *device;
    wl::Listener on_destroy;
};

Seat::Seat(Server &server) : server_(server) {
    seat_ = wlr_seat_create(server_.display(), "seat0");
    cursor_ = wlr_cursor_create();
    wlr_cursor_attach_output_layout(cursor_, server_.layout());
    const Config &config = server_.config();
    const char *theme = config.cursor_theme.empty() ? nullptr : config.cursor_theme.c_str();
    xcursor_ = wlr_xcursor_manager_create(theme, config.cursor_size);
    wlr_xcursor_manager_load(xcursor_, 1);

    constraints_ = std::make_unique<PointerConstraints>(
        server_.display(), seat_, cursor_,
        [this](wlr_surface *surface, double *x, double *y) { return surface_origin(surface, x, y); });
    on_motion_.connect_as<wlr_event_pointer_motion>(&cursor_->events.motion, [this](wlr_event_pointer_motion *e) {
        double dx = e->delta_x, dy = e->delta_y;
        constraints_->relative_motion(e->time_msec, &dx, &dy, e->unaccel_dx, e->unaccel_dy);
        wlr_cursor_move(cursor_, e->device, dx, dy);
        handle_motion(e->time_msec);
    });
    on_motion_absolute_.connect_as<wlr_event_pointer_motion_absolute>(
        &cursor_->events.motion_absolute, [this](wlr_event_pointer_motion_absolute *e) {
            // A tablet or a VNC pointer: a constraint may keep the cursor
            // where it is (an absolute device has no relative motion).
            double lx = 0, ly = 0;
            wlr_cursor_absolute_to_layout_coords(cursor_, e->device, e->x, e->y, &lx, &ly);
            if (constraints_->allows(lx, ly)) wlr_cursor_warp_absolute(cursor_, e->device, e->x, e->y);
            handle_motion(e->time_msec);
        });
    on_button_.connect_as<wlr_event_pointer_button>(&cursor_->events.button,
                                                    [this](wlr_event_pointer_button *e) { handle_button(e); });
    on_axis_.connect_as<wlr_event_pointer_axis>(&cursor_->events.axis, [this](wlr_event_pointer_axis *e) {
        activity();
        wlr_seat_pointer_notify_axis(seat_, e->time_msec, e->orientation, e->delta, e->delta_discrete, e->source);
    });
    on_frame_.connect(&cursor_->events.frame, [this](void *) { wlr_seat_pointer_notify_frame(seat_); });

    on_touch_down_.connect_as<wlr_event_touch_down>(&cursor_->events.touch_down,
                                                    [this](wlr_event_touch_down *e) { handle_touch_down(e); });
    on_touch_motion_.connect_as<wlr_event_touch_motion>(&cursor_->events.touch_motion,
                                                        [this](wlr_event_touch_motion *e) { handle_touch_motion(e); });
    on_touch_up_.connect_as<wlr_event_touch_up>(&cursor_->events.touch_up, [this](wlr_event_touch_up *e) {
        wlr_seat_touch_notify_up(seat_, e->time_msec, e->touch_id);
    });
    on_touch_cancel_.connect_as<wlr_event_touch_cancel>(&cursor_->events.touch_cancel, [this](wlr_event_touch_cancel *e) {
        wlr_touch_point *point = wlr_seat_touch_get_point(seat_, e->touch_id);
        if (point != nullptr && point->surface != nullptr) wlr_seat_touch_notify_cancel(seat_, point->surface);
    });
    on_touch_frame_.connect(&cursor_->events.touch_frame, [this](void *) { wlr_seat_touch_notify_frame(seat_); });
    on_new_surface_.connect_as<wlr_surface>(&server_.compositor()->events.new_surface,
                                            [this](wlr_surface *surface) { new SurfaceWatch(*this, surface); });

    on_request_cursor_.connect_as<wlr_seat_pointer_request_set_cursor_event>(
        &seat_->events.request_set_cursor, [this](wlr_seat_pointer_request_set_cursor_event *e) {
            // Only the client with pointer focus may set the cursor image.
            if (e->seat_client == seat_->pointer_state.focused_client) {
                wlr_cursor_set_surface(cursor_, e->surface, e->hotspot_x, e->hotspot_y);
            }
        });
    on_request_selection_.connect_as<wlr_seat_request_set_selection_event>(
        &seat_->events.request_set_selection,
        [this](wlr_seat_request_set_selection_event *e) { wlr_seat_set_selection(seat_, e->source, e->serial); });
    on_request_primary_selection_.connect_as<wlr_seat_request_set_primary_selection_event>(
        &seat_->events.request_set_primary_selection, [this](wlr_seat_request_set_primary_selection_event *e) {
            wlr_seat_set_primary_selection(seat_, e->source, e->serial);
        });
    drag_ = std::make_unique<DragAndDrop>(seat_, server_.drag_icon_layer());
    update_capabilities();
}

Seat::~Seat() {
    if (refresh_idle_ != nullptr) wl_event_source_remove(refresh_idle_);
    constraints_.reset(); // it listens to the seat and the cursor
    keyboards_.clear();
    touch_devices_.clear();
    // The cursor's signals die with it: leave them before it is freed.
    for (wl::Listener *l : {&on_motion_, &on_motion_absolute_, &on_button_, &on_axis_, &on_frame_, &on_touch_down_,
                            &on_touch_up_, &on_touch_motion_, &on_touch_cancel_, &on_touch_frame_}) {
        l->disconnect();
    }
    wlr_xcursor_manager_destroy(xcursor_);
    wlr_cursor_destroy(cursor_);
    // Before the display: wlroots 0.15 frees the xdg-shell on the display's
    // destroy before the seat, whose popup grab (left by any menu) then
    // unlinks itself from the freed shell.
    for (wl::Listener *l : {&on_request_cursor_, &on_request_selection_, &on_request_primary_selection_}) {
        l->disconnect();
    }
    drag_.reset(); // it listens to the seat too
    wlr_seat_destroy(seat_);
}

void Seat::add_input(wlr_input_device *device) {
    switch (device->type) {
    case WLR_INPUT_DEVICE_KEYBOARD:
        keyboards_.push_back(std::make_unique<Keyboard>(*this, device, server_.config().keyboard));
        // A virtual keyboard has no keymap until its client sends one, and
        // wlroots 0.15 would send every client a keymap event without an fd
        // (a marshalling error that disconnects them): it becomes the seat's
        // keyboard with its first key instead (Keyboard::handle_key).
        if (device->keyboard->keymap != nullptr) wlr_seat_set_keyboard(seat_, device);
        break;
    case WLR_INPUT_DEVICE_TOUCH: {
        wlr_cursor_attach_input_device(cursor_, device);
        auto touch = std::make_unique<TouchDevice>();
        touch->device = device;
        touch->on_destroy.connect(&device->events.destroy, [this, device](void *) {
            touch_devices_.remove_if([device](const auto &t) { return t->device == device; });
            update_capabilities();
        });
        touch_devices_.push_back(std::move(touch));
        break;
    }
    case WLR_INPUT_DEVICE_POINTER:
    case WLR_INPUT_DEVICE_TABLET_TOOL:
        wlr_cursor_attach_input_device(cursor_, device);
        has_pointer_ = true;
        break;
    default:
        break;
    }
    plog::debug(plog::Scope::input, "new input device '%s' (type %d)", device->name, device->type);
    update_capabilities();
}

void Seat::keyboard_gone(Keyboard *keyboard) {
    wlr_input_device *gone = keyboard->device();
    keyboards_.remove_if([keyboard](const auto &k) { return k.get() == keyboard; });
    // The seat's keyboard is going (wtype ends): another one with a keymap
    // takes its place, so that clients binding wl_keyboard later still get
    // a keymap and keys are not lost between the two.
    if (seat_->keyboard_state.keyboard == gone->keyboard) {
        wlr_input_device *next = nullptr;
        for (const auto &k : keyboards_) {
            if (k->device()->keyboard->keymap != nullptr) next = k->device();
        }
        wlr_seat_set_keyboard(seat_, next);
    }
    update_capabilities();
}

void Seat::update_capabilities() {
    uint32_t caps = WL_SEAT_CAPABILITY_POINTER; // the cursor exists even without a mouse
    if (!keyboards_.empty()) caps |= WL_SEAT_CAPABILITY_KEYBOARD;
    if (!touch_devices_.empty()) caps |= WL_SEAT_CAPABILITY_TOUCH;
    // wlroots 0.15 sends the event even when nothing changed, and a client
    // may take each one as a new capability (wlcs 1.5's binds another
    // wl_pointer and then sees every enter twice): only a change is news.
    if (caps != seat_->capabilities) wlr_seat_set_capabilities(seat_, caps);
}

void Seat::focus_surface(wlr_surface *surface) {
    // A lock screen's client alone may have the keyboard, and a layer
    // surface holding it exclusively (a launcher, a lock surface) keeps it
    // while it is mapped.
    if (!server_.input_lock().allows(surface)) return;
    wlr_surface *exclusive = server_.layer_shell().exclusive_keyboard();
    if (exclusive != nullptr && surface != exclusive) return;
    if (surface == nullptr) {
        wlr_seat_keyboard_notify_clear_focus(seat_);
        return;
    }
    if (seat_->keyboard_state.focused_surface == surface) return;
    if (wlr_keyboard *keyboard = wlr_seat_get_keyboard(seat_)) {
        wlr_seat_keyboard_notify_enter(seat_, surface, keyboard->keycodes, keyboard->num_keycodes,
                                       &keyboard->modifiers);
    } else {
        wlr_seat_keyboard_notify_enter(seat_, surface, nullptr, 0, nullptr);
    }
}

Output *Seat::output_under_cursor() { return server_.output_at(cursor_->x, cursor_->y); }

void Seat::handle_motion(uint32_t time_msec) {
    activity();
    if (grab_ != Grab::none) {
        process_grab();
        return;
    }
    drag_->moved(cursor_->x, cursor_->y);
    // wl_pointer: while a button pressed over a surface is held, that surface
    // keeps the pointer wherever it goes (an implicit grab: a drag off a
    // scrollbar or a selection still reaches its client). A drag-and-drop
    // instead enters whatever is under the cursor (wlroots' drag grab turns
    // the enter into wl_data_device.enter).
    wlr_surface *held = seat_->pointer_state.focused_surface;
    double ox = 0, oy = 0;
    if (held != nullptr && seat_->pointer_state.button_count > 0 && !drag_->active() &&
        surface_origin(held, &ox, &oy)) {
        wlr_seat_pointer_notify_motion(seat_, time_msec, cursor_->x - ox, cursor_->y - oy);
        return;
    }
    wlr_surface *surface = nullptr;
    double sx = 0, sy = 0;
    View *view = server_.view_at(cursor_->x, cursor_->y, &surface, &sx, &sy);
    if (view == nullptr && surface == nullptr) {
        wlr_xcursor_manager_set_cursor_image(xcursor_, "left_ptr", cursor_);
    }
    if (surface != nullptr) {
        wlr_seat_pointer_notify_enter(seat_, surface, sx, sy);
        wlr_seat_pointer_notify_motion(seat_, time_msec, sx, sy);
    } else {
        wlr_seat_pointer_clear_focus(seat_);
    }
}

void Seat::handle_button(wlr_event_pointer_button *event) {
    activity();
    if (event->state == WLR_BUTTON_RELEASED && grab_ != Grab::none) {
        grab_ = Grab::none;
        grab_view_ = nullptr;
        wlr_xcursor_manager_set_cursor_image(xcursor_, "left_ptr", cursor_);
        handle_motion(event->time_msec);
        return;
    }
    wlr_surface *surface = nullptr;
    double sx = 0, sy = 0;
    View *view = server_.view_at(cursor_->x, cursor_->y, &surface, &sx, &sy);
    // A click on a layer surface that takes the keyboard (on demand) focuses it.
    if (event->state == WLR_BUTTON_PRESSED && view == nullptr) {
        if (wlr_surface *layer = server_.layer_shell().focusable_layer_surface(surface)) focus_surface(layer);
    }
    if (event->state == WLR_BUTTON_PRESSED && view != nullptr) {
        server_.focus_view(view); // click to focus
        wlr_keyboard *keyboard = wlr_seat_get_keyboard(seat_);
        bool super = keyboard != nullptr && (wlr_keyboard_get_modifiers(keyboard) & WLR_MODIFIER_LOGO);
        if (super && event->button == BTN_LEFT) {
            begin_move(view);
            return;
        }
        if (super && event->button == BTN_RIGHT) {
            begin_resize(view, WLR_EDGE_RIGHT | WLR_EDGE_BOTTOM);
            return;
        }
    }
    wlr_seat_pointer_notify_button(seat_, event->time_msec, event->button, event->state);
    // The last button up ends the implicit grab: the surface under the
    // pointer now (maybe another one) gets it.
    if (event->state == WLR_BUTTON_RELEASED && seat_->pointer_state.button_count == 0) refresh_pointer_focus();
}

void Seat::scene_changed() {
    if (refresh_idle_ == nullptr) refresh_idle_ = wl_event_loop_add_idle(server_.event_loop(), handle_refresh_idle, this);
}

void Seat::handle_refresh_idle(void *data) {
    auto *seat = static_cast<Seat *>(data);
    seat->refresh_idle_ = nullptr;
    seat->refresh_pointer_focus();
}

void Seat::view_committed(wlr_surface *root, wlr_scene_node *tree) {
    wlr_surface *focus = seat_->pointer_state.focused_surface;
    bool pointer_on_it = focus != nullptr && wlr_surface_get_root_surface(focus) == root;
    if (!pointer_on_it && tree->parent != nullptr) {
        int px = 0, py = 0;
        wlr_scene_node_coords(tree->parent, &px, &py);
        double sx = 0, sy = 0;
        pointer_on_it = wlr_scene_node_at(tree, cursor_->x - px, cursor_->y - py, &sx, &sy) != nullptr;
    }
    if (pointer_on_it) refresh_pointer_focus();
}

void Seat::refresh_pointer_focus() {
    // A grab (planar's move/resize, a held button) decides the focus itself.
    if (grab_ != Grab::none || seat_->pointer_state.button_count > 0) return;
    wlr_surface *surface = nullptr;
    double sx = 0, sy = 0;
    server_.view_at(cursor_->x, cursor_->y, &surface, &sx, &sy);
    wlr_seat_pointer_state &state = seat_->pointer_state;
    if (surface == nullptr) {
        if (state.focused_surface != nullptr) {
            wlr_seat_pointer_notify_clear_focus(seat_);
            // No client's image any more: planar's own, where a pointer
            // device exists to show it (a seat without one shows no cursor,
            // and its cursor plane stays empty).
            if (has_pointer_) wlr_xcursor_manager_set_cursor_image(xcursor_, "left_ptr", cursor_);
        }
        return;
    }
    if (surface != state.focused_surface) {
        wlr_seat_pointer_notify_enter(seat_, surface, sx, sy);
    } else if (sx != state.sx || sy != state.sy) {
        // The surface moved under the pointer: the client learns where it is now.
        wlr_seat_pointer_notify_motion(seat_, now_msec(), sx, sy);
    } else {
        return;
    }
    wlr_seat_pointer_notify_frame(seat_);
}

bool Seat::surface_origin(wlr_surface *surface, double *lx, double *ly) const {
    struct Search {
        wlr_surface *surface;
        int x = 0, y = 0;
        bool found = false;
    } search{surface};
    wlr_scene_node_for_each_surface(
        &server_.scene()->node,
        [](wlr_surface *s, int x, int y, void *data) {
            auto *search = static_cast<Search *>(data);
            if (s != search->surface || search->found) return;
            search->x = x;
            search->y = y;
            search->found = true;
        },
        &search);
    *lx = search.x;
    *ly = search.y;
    return search.found;
}

void Seat::surface_destroyed(wlr_surface *surface) {
    // wl_touch: a point whose surface is gone would otherwise never see its
    // up (wlroots 0.15 only forgets the surface). This runs before wlroots'
    // own listener, which was added when the point went down.
    std::vector<int32_t> ended;
    wlr_touch_point *point = nullptr;
    wl_list_for_each(point, &seat_->touch_state.touch_points, link) {
        if (point->surface == surface) ended.push_back(point->touch_id);
    }
    if (ended.empty()) return;
    for (int32_t id : ended) wlr_seat_touch_notify_up(seat_, now_msec(), id);
    wlr_seat_touch_notify_frame(seat_);
}

void Seat::keyboard_enter(wlr_surface *surface) {
    if (surface == nullptr) {
        wlr_seat_keyboard_clear_focus(seat_);
        return;
    }
    if (wlr_keyboard *keyboard = wlr_seat_get_keyboard(seat_)) {
        wlr_seat_keyboard_enter(seat_, surface, keyboard->keycodes, keyboard->num_keycodes, &keyboard->modifiers);
    } else {
        wlr_seat_keyboard_enter(seat_, surface, nullptr, 0, nullptr);
    }
}

wlr_surface *Seat::default_keyboard_focus() {
    if (wlr_surface *exclusive = server_.layer_shell().exclusive_keyboard()) return exclusive;
    View *view = server_.focused_view();
    wlr_surface *surface = view != nullptr ? view->surface() : nullptr;
    return server_.input_lock().allows(surface) ? surface : nullptr;
}

void Seat::layer_focus_changed() {
    wlr_surface *focused = seat_->keyboard_state.focused_surface;
    wlr_surface *exclusive = server_.layer_shell().exclusive_keyboard();
    if (exclusive != nullptr) {
        if (focused != exclusive && server_.input_lock().allows(exclusive)) keyboard_enter(exclusive);
        return;
    }
    // A layer surface that had the keyboard (on demand or exclusive) may
    // have lost its claim: the focused window gets it back.
    if (focused != nullptr && wlr_surface_is_layer_surface(focused) &&
        server_.layer_shell().focusable_layer_surface(focused) == nullptr) {
        keyboard_enter(default_keyboard_focus());
    }
}

void Seat::input_lock_changed() {
    // Locked: whatever is not the lock client's loses pointer and keyboard.
    // Unlocked: the keyboard goes back where it belongs.
    wlr_surface *focused = seat_->keyboard_state.focused_surface;
    if (server_.input_lock().active()) {
        if (!server_.input_lock().allows(focused)) wlr_seat_keyboard_clear_focus(seat_);
        if (!server_.input_lock().allows(seat_->pointer_state.focused_surface)) wlr_seat_pointer_clear_focus(seat_);
    } else {
        keyboard_enter(default_keyboard_focus());
    }
    refresh_pointer_focus();
}

void Seat::activity() { server_.idle().notify_activity(); }

void Seat::popup_mapped(wlr_xdg_popup *popup) {
    if (popup->seat == seat_) keyboard_enter(popup->base->surface); // it grabbed this seat
}

void Seat::popup_unmapped(wlr_xdg_popup *popup) {
    if (seat_->keyboard_state.focused_surface != popup->base->surface) return;
    for (wlr_surface *parent = popup->parent; parent != nullptr && wlr_surface_is_xdg_surface(parent);) {
        wlr_xdg_surface *xdg = wlr_xdg_surface_from_wlr_surface(parent);
        if (xdg == nullptr || xdg->role != WLR_XDG_SURFACE_ROLE_POPUP) break;
        if (xdg->mapped && xdg->popup->seat == seat_) {
            keyboard_enter(parent);
            return;
        }
        parent = xdg->popup->parent;
    }
    keyboard_enter(default_keyboard_focus());
}

void Seat::handle_touch_down(wlr_event_touch_down *event) {
    activity();
    double lx = 0, ly = 0;
    wlr_cursor_absolute_to_layout_coords(cursor_, event->device, event->x, event->y, &lx, &ly);
    wlr_surface *surface = nullptr;
    double sx = 0, sy = 0;
    View *view = server_.view_at(lx, ly, &surface, &sx, &sy);
    if (view != nullptr) server_.focus_view(view); // a tap focuses, as a click does
    if (wlr_surface *layer = view == nullptr ? server_.layer_shell().focusable_layer_surface(surface) : nullptr) {
        focus_surface(layer);
    }
    if (surface != nullptr) wlr_seat_touch_notify_down(seat_, surface, event->time_msec, event->touch_id, sx, sy);
}

void Seat::handle_touch_motion(wlr_event_touch_motion *event) {
    // wl_touch: a touch point belongs to the surface it went down on until it
    // goes up, wherever it moves.
    wlr_touch_point *point = wlr_seat_touch_get_point(seat_, event->touch_id);
    double ox = 0, oy = 0;
    if (point == nullptr || point->surface == nullptr || !surface_origin(point->surface, &ox, &oy)) return;
    double lx = 0, ly = 0;
    wlr_cursor_absolute_to_layout_coords(cursor_, event->device, event->x, event->y, &lx, &ly);
    drag_->moved(lx, ly);
    wlr_seat_touch_notify_motion(seat_, event->time_msec, event->touch_id, lx - ox, ly - oy);
}

void Seat::begin_move(View *view) {
    if (view == nullptr || !view->mapped() || view->fullscreen()) return;
    grab_ = Grab::move;
    grab_view_ = view;
    grab_cursor_x_ = cursor_->x;
    grab_cursor_y_ = cursor_->y;
    grab_geometry_ = view->geometry();
    wlr_seat_pointer_clear_focus(seat_);
    wlr_xcursor_manager_set_cursor_image(xcursor_, "grabbing", cursor_);
}

void Seat::begin_resize(View *view, uint32_t edges) {
    if (view == nullptr || !view->mapped() || view->fullscreen()) return;
    grab_ = Grab::resize;
    grab_view_ = view;
    grab_cursor_x_ = cursor_->x;
    grab_cursor_y_ = cursor_->y;
    grab_geometry_ = view->geometry();
    grab_edges_ = edges;
    wlr_seat_pointer_clear_focus(seat_);
    wlr_xcursor_manager_set_cursor_image(xcursor_, "se-resize", cursor_);
}

void Seat::process_grab() {
    if (grab_view_ == nullptr) return;
    int dx = static_cast<int>(cursor_->x - grab_cursor_x_);
    int dy = static_cast<int>(cursor_->y - grab_cursor_y_);
    wlr_box g = grab_geometry_;
    if (grab_ == Grab::move) {
        grab_view_->move_to(g.x + dx, g.y + dy);
        return;
    }
    int left = g.x, top = g.y, right = g.x + g.width, bottom = g.y + g.height;
    if (grab_edges_ & WLR_EDGE_LEFT) left = std::min(left + dx, right - 1);
    if (grab_edges_ & WLR_EDGE_RIGHT) right = std::max(right + dx, left + 1);
    if (grab_edges_ & WLR_EDGE_TOP) top = std::min(top + dy, bottom - 1);
    if (grab_edges_ & WLR_EDGE_BOTTOM) bottom = std::max(bottom + dy, top + 1);
    grab_view_->resize_to(left, top, right - left, bottom - top);
}

void Seat::view_gone(View *view) {
    if (grab_view_ == view) {
        grab_ = Grab::none;
        grab_view_ = nullptr;
    }
}

bool Seat::handle_binding(uint32_t modifiers, xkb_keysym_t sym) {
    const uint32_t ctrl_alt = WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT;
    if (sym >= XKB_KEY_XF86Switch_VT_1 && sym <= XKB_KEY_XF86Switch_VT_12) {
        if (wlr_session *session = wlr_backend_get_session(server_.backend())) {
            wlr_session_change_vt(session, sym - XKB_KEY_XF86Switch_VT_1 + 1);
        }
        return true;
    }
    // Locked: no binding may start, close or quit anything behind the lock.
    if (server_.input_lock().active()) return false;
    if (sym == XKB_KEY_Terminate_Server ||
        ((modifiers & ctrl_alt) == ctrl_alt && sym == XKB_KEY_BackSpace)) {
        plog::info(plog::Scope::input, "Ctrl+Alt+BackSpace: quitting");
        server_.terminate(0);
        return true;
    }
    if (!(modifiers & WLR_MODIFIER_LOGO)) return false;
    switch (sym) {
    case XKB_KEY_Return:
        server_.launcher().spawn_shell(server_.config().terminal);
        return true;
    case XKB_KEY_q:
    case XKB_KEY_Q:
        if (View *view = server_.focused_view()) view->close();
        return true;
    case XKB_KEY_f:
    case XKB_KEY_F:
        if (View *view = server_.focused_view()) view->set_fullscreen(!view->fullscreen());
        return true;
    default:
        return false;
    }
}

} // namespace planar
