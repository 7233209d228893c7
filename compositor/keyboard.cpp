#include "keyboard.hpp"

#include "config.hpp"
#include "log.hpp"
#include "seat.hpp"

namespace planar {

xkb_keymap *compile_keymap(const KeyboardConfig &config) {
    xkb_context *context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
    if (context == nullptr) return nullptr;
    auto or_null = [](const std::string &s) { return s.empty() ? nullptr : s.c_str(); };
    xkb_rule_names names{};
    names.rules = or_null(config.rules);
    names.model = or_null(config.model);
    names.layout = or_null(config.layout);
    names.variant = or_null(config.variant);
    names.options = or_null(config.options);
    xkb_keymap *keymap = xkb_keymap_new_from_names(context, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
    xkb_context_unref(context);
    return keymap;
}

Keyboard::Keyboard(Seat &seat, wlr_input_device *device, const KeyboardConfig &config)
    : seat_(seat), device_(device) {
    // A virtual keyboard (wtype) brings its own keymap, often with keysyms
    // planar's layout lacks; it is used as the client sent it.
    bool own_keymap = wlr_input_device_get_virtual_keyboard(device) != nullptr;
    xkb_keymap *keymap = own_keymap ? nullptr : compile_keymap(config);
    if (keymap == nullptr && !own_keymap) {
        plog::error(plog::Scope::input, "keyboard layout '%s' (variant '%s') does not compile; using the default",
                    config.layout.c_str(), config.variant.c_str());
        keymap = compile_keymap(KeyboardConfig{});
    }
    if (keymap != nullptr) {
        wlr_keyboard_set_keymap(device_->keyboard, keymap);
        xkb_keymap_unref(keymap);
    }
    wlr_keyboard_set_repeat_info(device_->keyboard, config.repeat_rate, config.repeat_delay);

    on_key_.connect_as<wlr_event_keyboard_key>(&device_->keyboard->events.key,
                                               [this](wlr_event_keyboard_key *e) { handle_key(e); });
    on_modifiers_.connect(&device_->keyboard->events.modifiers, [this](void *) {
        wlr_seat_set_keyboard(seat_.wlr(), device_);
        wlr_seat_keyboard_notify_modifiers(seat_.wlr(), &device_->keyboard->modifiers);
    });
    on_destroy_.connect(&device_->events.destroy, [this](void *) { seat_.keyboard_gone(this); });
}

void Keyboard::handle_key(wlr_event_keyboard_key *event) {
    seat_.activity();
    // libinput keycodes are evdev codes; xkb's are offset by 8.
    uint32_t keycode = event->keycode + 8;
    const xkb_keysym_t *syms = nullptr;
    int count = xkb_state_key_get_syms(device_->keyboard->xkb_state, keycode, &syms);
    uint32_t modifiers = wlr_keyboard_get_modifiers(device_->keyboard);
    bool handled = false;
    if (event->state == WL_KEYBOARD_KEY_STATE_PRESSED) {
        for (int i = 0; i < count && !handled; i++) {
            handled = seat_.handle_binding(modifiers, syms[i]);
        }
    }
    if (!handled) {
        wlr_seat_set_keyboard(seat_.wlr(), device_);
        wlr_seat_keyboard_notify_key(seat_.wlr(), event->time_msec, event->keycode, event->state);
    }
}

} // namespace planar
