#include "virtual_input.hpp"

#include "client_pid.hpp"
#include "log.hpp"
#include "seat.hpp"

namespace planar {

VirtualInput::VirtualInput(wl_display *display, Seat &seat)
    : seat_(seat), keyboards_(wlr_virtual_keyboard_manager_v1_create(display)),
      pointers_(wlr_virtual_pointer_manager_v1_create(display)) {
    on_new_keyboard_.connect_as<wlr_virtual_keyboard_v1>(
        &keyboards_->events.new_virtual_keyboard, [this](wlr_virtual_keyboard_v1 *keyboard) {
            // planar has one seat: a keyboard made for another one still
            // types into this one (wlroots binds it to the seat the client named).
            plog::info(plog::Scope::input, "virtual keyboard of pid %d", client_pid(keyboard->resource));
            seat_.add_input(&keyboard->input_device);
        });
    on_new_pointer_.connect_as<wlr_virtual_pointer_v1_new_pointer_event>(
        &pointers_->events.new_virtual_pointer, [this](wlr_virtual_pointer_v1_new_pointer_event *event) {
            plog::info(plog::Scope::input, "virtual pointer of pid %d", client_pid(event->new_pointer->resource));
            seat_.add_input(&event->new_pointer->input_device);
        });
}

} // namespace planar
