// Seat: the wl_seat and everything a person uses through it: keyboards (xkb
// keymap from the config or XKB_DEFAULT_*), the cursor (xcursor theme),
// touchscreens, click-to-focus, interactive move/resize (Super+drag or the
// client's request), selections and the compositor's key bindings. Pointer
// focus follows the scene: a window that maps, moves, resizes or goes away
// under a still pointer gets (or loses) it without the pointer moving.
#pragma once

#include <list>
#include <memory>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class DragAndDrop;
class Keyboard;
class PointerConstraints;
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
    // The scene changed under the cursor and is up to date (a window moved
    // or committed): pointer focus and position are worked out now, so that
    // a client hears of it before the reply to its next request.
    void refresh_pointer_focus();
    // A window committed (`tree`: its scene tree, `root`: its surface):
    // refresh_pointer_focus, unless the commit cannot have changed what is
    // under the pointer (the pointer is neither on that window's surfaces
    // nor over its tree now). A full scene walk on every commit costs
    // O(windows^2) per frame when every window redraws.
    void view_committed(wlr_surface *root, wlr_scene_node *tree);
    // Something under the cursor may change once the current request is done
    // (a surface going away, a restack): refresh_pointer_focus when idle.
    void scene_changed();
    // A client surface is going away: touch points on it end.
    void surface_destroyed(wlr_surface *surface);
    // xdg-shell: "the top most grabbing popup will always have keyboard
    // focus"; when it goes, the focus goes back to the grabbing popup under
    // it, else to the focused window.
    void popup_mapped(wlr_xdg_popup *popup);
    void popup_unmapped(wlr_xdg_popup *popup);
    // A layer surface that asked for the keyboard mapped, unmapped or
    // changed its keyboard interactivity: the keyboard goes to the topmost
    // exclusive one, or back to the focused window.
    void layer_focus_changed();
    // The input inhibitor (a lock screen) began or ended.
    void input_lock_changed();
    // Input happened: idle timers start over.
    void activity();
    // Super+Return, Super+Q, ...: true when the key was a binding.
    bool handle_binding(uint32_t modifiers, xkb_keysym_t sym);

private:
    enum class Grab { none, move, resize };
    struct TouchDevice;

    void update_capabilities();
    void handle_motion(uint32_t time_msec);
    void handle_button(wlr_event_pointer_button *event);
    void process_grab();
    static void handle_refresh_idle(void *data);
    void handle_touch_down(wlr_event_touch_down *event);
    void handle_touch_motion(wlr_event_touch_motion *event);
    // Keyboard focus to `surface` (or none) past any grab: a popup grab
    // swallows the ordinary enter.
    void keyboard_enter(wlr_surface *surface);
    // Where the keyboard belongs when nothing asks for it: the exclusive
    // layer surface, else the focused window.
    wlr_surface *default_keyboard_focus();
    // Layout position of a shown surface's top-left; false when it is not shown.
    bool surface_origin(wlr_surface *surface, double *lx, double *ly) const;

    Server &server_;
    wlr_seat *seat_;
    wlr_cursor *cursor_;
    wlr_xcursor_manager *xcursor_;
    std::list<std::unique_ptr<Keyboard>> keyboards_;
    std::list<std::unique_ptr<TouchDevice>> touch_devices_;
    std::unique_ptr<PointerConstraints> constraints_;
    std::unique_ptr<DragAndDrop> drag_;
    bool has_pointer_ = false;
    wl_event_source *refresh_idle_ = nullptr;

    Grab grab_ = Grab::none;
    View *grab_view_ = nullptr;
    double grab_cursor_x_ = 0, grab_cursor_y_ = 0;
    wlr_box grab_geometry_{};
    uint32_t grab_edges_ = 0;

    wl::Listener on_motion_, on_motion_absolute_, on_button_, on_axis_, on_frame_;
    wl::Listener on_touch_down_, on_touch_up_, on_touch_motion_, on_touch_cancel_, on_touch_frame_;
    wl::Listener on_new_surface_;
    wl::Listener on_request_cursor_, on_request_selection_, on_request_primary_selection_;
};

} // namespace planar
