#include "idle.hpp"

#include "client_pid.hpp"
#include "log.hpp"
#include "request_veto.hpp"

namespace planar {
namespace {

// org_kde_kwin_idle_timeout, where wlroots 0.15's own handlers go wrong.
// Its `release` frees the timer but not the object, though the request is
// a destructor: the client reuses the id and is disconnected for it, and a
// `simulate_user_activity` sent before that reuse reads the freed timer
// through a null pointer (SEGV, found by fuzz-wayland_stream). The timer
// also goes when the seat does, leaving the object behind with no timer.
void destroy_timeout_object(wl_client *, wl_resource *resource) { wl_resource_destroy(resource); }
void ignore_activity_without_timer(wl_client *, wl_resource *) {}

void free_timer_with_object(wl_resource *resource) {
    if (auto *timer = static_cast<wlr_idle_timeout *>(wl_resource_get_user_data(resource))) {
        wlr_idle_timeout_destroy(timer); // clears the object's user data
    }
}

// org_kde_kwin_idle_timeout's requests in order: release, simulate_user_activity.
using RequestHandler = void (*)(wl_client *, wl_resource *);
const RequestHandler kTimeoutHandlers[] = {destroy_timeout_object, ignore_activity_without_timer};

// Before `release` runs, the object gets planar's handlers for good:
// release destroys the object, and the timer goes with it.
void give_planar_handlers(wl_resource *timeout, const wl_argument *) {
    wl_resource_set_implementation(timeout, kTimeoutHandlers, wl_resource_get_user_data(timeout), free_timer_with_object);
}

// A live timer's activity stays wlroots' own.
RequestVeto::Verdict check_activity(wl_resource *timeout, const wl_argument *) {
    if (wl_resource_get_user_data(timeout) != nullptr) return RequestVeto::Verdict::allow();
    return RequestVeto::Verdict::ignore("the idle timeout has no timer (its seat is gone)");
}

} // namespace

Idle::Idle(wl_display *display, wlr_seat *seat, RequestVeto &veto)
    : seat_(seat), idle_(wlr_idle_create(display)), inhibit_(wlr_idle_inhibit_v1_create(display)) {
    veto.add_preparation("org_kde_kwin_idle_timeout", "release", give_planar_handlers);
    veto.add_rule("org_kde_kwin_idle_timeout", "simulate_user_activity", check_activity);
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
