#include "input_lock.hpp"

#include "log.hpp"

namespace planar {

InputLock::InputLock(wl_display *display) : manager_(wlr_input_inhibit_manager_create(display)) {
    on_activate_.connect(&manager_->events.activate, [this](void *) {
        plog::info(plog::Scope::input, "input locked to one client (input inhibitor)");
        if (on_change_cb_) on_change_cb_(true);
    });
    on_deactivate_.connect(&manager_->events.deactivate, [this](void *) {
        plog::info(plog::Scope::input, "input lock released");
        if (on_change_cb_) on_change_cb_(false);
    });
}

bool InputLock::allows(wlr_surface *surface) const {
    if (surface == nullptr || !active()) return true;
    return wl_resource_get_client(surface->resource) == manager_->active_client;
}

} // namespace planar
