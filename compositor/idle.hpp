// Idle: the idle protocol swayidle uses in Debian 12 (org_kde_kwin_idle, via
// wlr_idle) and zwp_idle_inhibit_manager_v1. Every input event on the seat
// is activity; while any client holds an inhibitor (a video player), idle
// timeouts do not fire.
#pragma once

#include <list>
#include <memory>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class RequestVeto;

class Idle {
public:
    // Adds to `veto` the rules that mend wlroots' idle timeout requests.
    Idle(wl_display *display, wlr_seat *seat, RequestVeto &veto);
    Idle(const Idle &) = delete;
    Idle &operator=(const Idle &) = delete;

    // A person did something: idle timers start over.
    void notify_activity();
    size_t inhibitors() const { return inhibitors_.size(); }

private:
    struct Inhibitor {
        wlr_idle_inhibitor_v1 *inhibitor;
        wl::Listener on_destroy;
    };
    void update_enabled();

    wlr_seat *seat_;
    wlr_idle *idle_;
    wlr_idle_inhibit_manager_v1 *inhibit_;
    std::list<std::unique_ptr<Inhibitor>> inhibitors_;
    wl::Listener on_new_inhibitor_;
};

} // namespace planar
