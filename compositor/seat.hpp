// Seat: the wl_seat and everything a person uses through it: keyboards (xkb
// keymap from the config or XKB_DEFAULT_*), the cursor (xcursor theme),
// click-to-focus, interactive move/resize (Super+drag or the client's
// request), selections and the compositor's key bindings.
#pragma once

#include <list>
#include <memory>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class Keyboard;
class Output;
class Server;
class View;

class Seat {
public:
    explicit Seat(Server &server);
    ~Seat();
    Seat(const Seat &) = delete;
    Seat &operator=(const Seat &) = delete;

    wlr_seat *wlr() const { return seat_; }
    void add_input(wlr_input_device *device);
    void focus_surface(wlr_surface *surface);
    Output *output_under_cursor();

    void begin_move(View *view);
    void begin_resize(View *view, uint32_t edges);
    void view_gone(View *view);
    void keyboard_gone(Keyboard *keyboard);
    // Super+Return, Super+Q, ...: true when the key was a binding.
    bool handle_binding(uint32_t modifiers, xkb_keysym_t sym);

private:
    enum class Grab { none, move, resize };

    void update_capabilities();
    void handle_motion(uint32_t time_msec);
    void handle_button(wlr_event_pointer_button *event);
    void process_grab();

    Server &server_;
    wlr_seat *seat_;
    wlr_cursor *cursor_;
    wlr_xcursor_manager *xcursor_;
    std::list<std::unique_ptr<Keyboard>> keyboards_;
    bool has_pointer_ = false;

    Grab grab_ = Grab::none;
    View *grab_view_ = nullptr;
    double grab_cursor_x_ = 0, grab_cursor_y_ = 0;
    wlr_box grab_geometry_{};
    uint32_t grab_edges_ = 0;

    wl::Listener on_motion_, on_motion_absolute_, on_button_, on_axis_, on_frame_;
    wl::Listener on_request_cursor_, on_request_selection_, on_request_primary_selection_;
};

} // namespace planar
