#include "virtual_input.hpp"

#include "client_pid.hpp"
#include "log.hpp"
#include "seat.hpp"

#include <cstdlib>
#include <memory>

namespace planar {

// wlroots 0.15 (types/wlr_virtual_keyboard_v1.c) allocates the wlr_keyboard
// of a virtual keyboard and never frees it: its keyboard_impl.destroy is
// empty, so wlr_keyboard_destroy releases the keymap and state but not the
// struct (352 bytes per wtype run). Once the virtual keyboard is gone,
// wlroots is done with it too (the free comes from an idle callback, after
// wlr_input_device_destroy has returned), and planar frees it.
class VirtualInput::KeyboardReaper {
public:
    KeyboardReaper(wl_event_loop *loop, wlr_virtual_keyboard_v1 *keyboard)
        : loop_(loop), keyboard_(keyboard->input_device.keyboard) {
        on_destroy_.connect(&keyboard->events.destroy, [this](void *) {
            wl_event_loop_add_idle(loop_, [](void *kb) { std::free(kb); }, keyboard_);
            delete this;
        });
    }

private:
    wl_event_loop *loop_;
    wlr_keyboard *keyboard_;
    wl::Listener on_destroy_;
};

VirtualInput::VirtualInput(wl_display *display, Seat &seat)
    : display_(display), seat_(seat), keyboards_(wlr_virtual_keyboard_manager_v1_create(display)),
      pointers_(wlr_virtual_pointer_manager_v1_create(display)) {
    on_new_keyboard_.connect_as<wlr_virtual_keyboard_v1>(
        &keyboards_->events.new_virtual_keyboard, [this](wlr_virtual_keyboard_v1 *keyboard) {
            // planar has one seat: a keyboard made for another one still
            // types into this one (wlroots binds it to the seat the client named).
            plog::info(plog::Scope::input, "virtual keyboard of pid %d", client_pid(keyboard->resource));
            new KeyboardReaper(wl_display_get_event_loop(display_), keyboard);
            seat_.add_input(&keyboard->input_device);
        });
    on_new_pointer_.connect_as<wlr_virtual_pointer_v1_new_pointer_event>(
        &pointers_->events.new_virtual_pointer, [this](wlr_virtual_pointer_v1_new_pointer_event *event) {
            plog::info(plog::Scope::input, "virtual pointer of pid %d", client_pid(event->new_pointer->resource));
            seat_.add_input(&event->new_pointer->input_device);
        });
}

} // namespace planar
