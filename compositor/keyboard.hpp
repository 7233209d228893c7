// Keyboard: one keyboard device of the seat, with planar's keymap and repeat
// settings; keys go to the compositor's bindings first, then to the client.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

struct KeyboardConfig;
class Seat;

class Keyboard {
public:
    Keyboard(Seat &seat, wlr_input_device *device, const KeyboardConfig &config);
    Keyboard(const Keyboard &) = delete;
    Keyboard &operator=(const Keyboard &) = delete;

    wlr_input_device *device() const { return device_; }

private:
    void handle_key(wlr_event_keyboard_key *event);

    Seat &seat_;
    wlr_input_device *device_;
    wl::Listener on_key_, on_modifiers_, on_destroy_;
};

// Builds the keymap from the config, falling back to XKB_DEFAULT_* (xkbcommon
// reads those itself for empty names). Null when the names do not compile.
xkb_keymap *compile_keymap(const KeyboardConfig &config);

} // namespace planar
