#include "seat.hpp"

#include <algorithm>
#include <linux/input-event-codes.h>

#include "config.hpp"
#include "keyboard.hpp"
#include "launcher.hpp"
#include "log.hpp"
#include "output.hpp"
#include "server.hpp"
#include "view.hpp"

namespace planar {

Seat::Seat(Server &server) : server_(server) {
    seat_ = wlr_seat_create(server_.display(), "seat0");
    cursor_ = wlr_cursor_create();
    wlr_cursor_attach_output_layout(cursor_, server_.layout());
    const Config &config = server_.config();
    const char *theme = config.cursor_theme.empty() ? nullptr : config.cursor_theme.c_str();
    xcursor_ = wlr_xcursor_manager_create(theme, config.cursor_size);
    wlr_xcursor_manager_load(xcursor_, 1);

    on_motion_.connect_as<wlr_event_pointer_motion>(&cursor_->events.motion, [this](wlr_event_pointer_motion *e) {
        wlr_cursor_move(cursor_, e->device, e->delta_x, e->delta_y);
        handle_motion(e->time_msec);
    });
    on_motion_absolute_.connect_as<wlr_event_pointer_motion_absolute>(
        &cursor_->events.motion_absolute, [this](wlr_event_pointer_motion_absolute *e) {
            wlr_cursor_warp_absolute(cursor_, e->device, e->x, e->y);
            handle_motion(e->time_msec);
        });
    on_button_.connect_as<wlr_event_pointer_button>(&cursor_->events.button,
                                                    [this](wlr_event_pointer_button *e) { handle_button(e); });
    on_axis_.connect_as<wlr_event_pointer_axis>(&cursor_->events.axis, [this](wlr_event_pointer_axis *e) {
        wlr_seat_pointer_notify_axis(seat_, e->time_msec, e->orientation, e->delta, e->delta_discrete, e->source);
    });
    on_frame_.connect(&cursor_->events.frame, [this](void *) { wlr_seat_pointer_notify_frame(seat_); });

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
    update_capabilities();
}

Seat::~Seat() {
    keyboards_.clear();
    // The cursor's signals die with it: leave them before it is freed.
    for (wl::Listener *l : {&on_motion_, &on_motion_absolute_, &on_button_, &on_axis_, &on_frame_}) l->disconnect();
    wlr_xcursor_manager_destroy(xcursor_);
    wlr_cursor_destroy(cursor_);
    // The wl_seat global goes with the display.
}

void Seat::add_input(wlr_input_device *device) {
    switch (device->type) {
    case WLR_INPUT_DEVICE_KEYBOARD:
        keyboards_.push_back(std::make_unique<Keyboard>(*this, device, server_.config().keyboard));
        wlr_seat_set_keyboard(seat_, device);
        break;
    case WLR_INPUT_DEVICE_POINTER:
    case WLR_INPUT_DEVICE_TOUCH:
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
    keyboards_.remove_if([keyboard](const auto &k) { return k.get() == keyboard; });
    update_capabilities();
}

void Seat::update_capabilities() {
    uint32_t caps = WL_SEAT_CAPABILITY_POINTER; // the cursor exists even without a mouse
    if (!keyboards_.empty()) caps |= WL_SEAT_CAPABILITY_KEYBOARD;
    wlr_seat_set_capabilities(seat_, caps);
}

void Seat::focus_surface(wlr_surface *surface) {
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
    if (grab_ != Grab::none) {
        process_grab();
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
