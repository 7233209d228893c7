// VirtualInput: keyboards and pointers that clients create
// (zwp_virtual_keyboard_v1 for wtype and on-screen keyboards,
// zwlr_virtual_pointer_v1 for wayvnc and automation). Each becomes an input
// device of planar's seat, so its events take the same path as a real one.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class RequestVeto;
class Seat;

class VirtualInput {
public:
    // Adds to `veto` the keymap guard (virtual_input.cpp).
    VirtualInput(wl_display *display, Seat &seat, RequestVeto &veto);
    VirtualInput(const VirtualInput &) = delete;
    VirtualInput &operator=(const VirtualInput &) = delete;

private:
    class KeyboardReaper;

    wl_display *display_;
    Seat &seat_;
    wlr_virtual_keyboard_manager_v1 *keyboards_;
    wlr_virtual_pointer_manager_v1 *pointers_;
    wl::Listener on_new_keyboard_, on_new_pointer_;
};

} // namespace planar
