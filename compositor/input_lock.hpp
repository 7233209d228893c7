// InputLock: zwlr_input_inhibit_manager_v1, which swaylock (Debian 12) uses
// to lock the session: while a client holds the inhibitor, only that
// client's surfaces receive input and keyboard focus, and planar's key
// bindings are off except for switching virtual terminals.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class InputLock {
public:
    explicit InputLock(wl_display *display);
    InputLock(const InputLock &) = delete;
    InputLock &operator=(const InputLock &) = delete;

    bool active() const { return manager_->active_client != nullptr; }
    // Whether `surface` may receive input now (true for null: "nothing").
    bool allows(wlr_surface *surface) const;
    // Called with true when the lock begins, false when it ends.
    void on_change(std::function<void(bool)> callback) { on_change_cb_ = std::move(callback); }

private:
    wlr_input_inhibit_manager *manager_;
    std::function<void(bool)> on_change_cb_;
    wl::Listener on_activate_, on_deactivate_;
};

} // namespace planar
