#include "idle.hpp"

#include "client_pid.hpp"
#include "log.hpp"

namespace planar {

Idle::Idle(wl_display *display, wlr_seat *seat)
    : seat_(seat), idle_(wlr_idle_create(display)), inhibit_(wlr_idle_inhibit_v1_create(display)) {
    on_new_inhibitor_.connect_as<wlr_idle_inhibitor_v1>(&inhibit_->events.new_inhibitor,
                                                        [this](wlr_idle_inhibitor_v1 *inhibitor) {
        auto entry = std::make_unique<Inhibitor>();
        entry->inhibitor = inhibitor;
        entry->on_destroy.connect(&inhibitor->events.destroy, [this, inhibitor](void *) {
            inhibitors_.remove_if([inhibitor](const auto &e) { return e->inhibitor == inhibitor; });
            plog::info(plog::Scope::input, "idle inhibitor gone (%zu left)", inhibitors_.size());
            update_enabled();
        });
        inhibitors_.push_back(std::move(entry));
        plog::info(plog::Scope::input, "idle inhibited by pid %d", client_pid(inhibitor->resource));
        update_enabled();
    });
}

void Idle::notify_activity() { wlr_idle_notify_activity(idle_, seat_); }

void Idle::update_enabled() {
    // idle-inhibit-unstable-v1 ties an inhibitor to its surface being
    // visible; planar holds it for as long as it exists (a hidden video
    // player keeps the screen awake too), which errs on the side of the user
    // who asked not to be interrupted.
    wlr_idle_set_enabled(idle_, seat_, inhibitors_.empty());
}

} // namespace planar
