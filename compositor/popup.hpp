// Popup: an xdg_popup planar shows (its scene node lives in its parent's
// tree, see XdgLink). It tells the seat when it maps and unmaps, because
// xdg-shell gives the topmost grabbing popup the keyboard focus, and wlroots
// 0.15's popup grab only keeps focus where it was.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class Seat;

class Popup {
public:
    // Lives as long as `popup`'s xdg_surface.
    Popup(Seat &seat, wlr_xdg_surface *popup);
    Popup(const Popup &) = delete;
    Popup &operator=(const Popup &) = delete;

private:
    ~Popup() = default;

    wl::Listener on_map_, on_unmap_, on_destroy_;
};

} // namespace planar
