// VirtualInput: keyboards and pointers that clients create
// (zwp_virtual_keyboard_v1 for wtype and on-screen keyboards,
// zwlr_virtual_pointer_v1 for wayvnc and automation). Each becomes an input
// device of planar's seat, so its events take the same path as a real one.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class Seat;

class VirtualInput {
public:
    VirtualInput(wl_display *display, Seat &seat);
    ~VirtualInput();
    VirtualInput(const VirtualInput &) = delete;
    VirtualInput &operator=(const VirtualInput &) = delete;

private:
    class KeyboardReaper;

    wl_display *display_;
    Seat &seat_;
    wlr_virtual_keyboard_manager_v1 *keyboards_;
    wlr_virtual_pointer_manager_v1 *pointers_;
    wl_protocol_logger *logger_ = nullptr; // checks keymap requests before wlroots reads them
    wl::Listener on_new_keyboard_, on_new_pointer_;
};

} // namespace planar
