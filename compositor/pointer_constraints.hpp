// PointerConstraints: zwp_relative_pointer_manager_v1 and
// zwp_pointer_constraints_v1 (wlroots 0.15's protocol objects, planar's
// policy). Games and 3D viewers get the pointer's raw motion, and a surface
// with a constraint holds the pointer while it has pointer focus: locked,
// the cursor stays where it is; confined, it stays inside the region.
#pragma once

#include <functional>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class PointerConstraints {
public:
    // `surface_origin`: where a shown surface's top-left is in layout
    // coordinates (false when it is not shown).
    using SurfaceOrigin = std::function<bool(wlr_surface *, double *, double *)>;
    PointerConstraints(wl_display *display, wlr_seat *seat, wlr_cursor *cursor, SurfaceOrigin surface_origin);
    PointerConstraints(const PointerConstraints &) = delete;
    PointerConstraints &operator=(const PointerConstraints &) = delete;
    ~PointerConstraints();

    // A relative motion from a pointer device: sent to relative-pointer
    // clients, then reduced to what the active constraint allows.
    void relative_motion(uint32_t time_msec, double *dx, double *dy, double dx_unaccel, double dy_unaccel);
    // An absolute motion to layout (x, y): false when the active
    // constraint does not let the cursor go there.
    bool allows(double x, double y) const;

private:
    void focus_changed();
    void activate(wlr_pointer_constraint_v1 *constraint);
    // Whether layout (x, y) is inside the active constraint's region.
    bool inside_region(double x, double y) const;

    wlr_seat *seat_;
    wlr_cursor *cursor_;
    SurfaceOrigin surface_origin_;
    wlr_relative_pointer_manager_v1 *relative_;
    wlr_pointer_constraints_v1 *constraints_;
    wlr_pointer_constraint_v1 *active_ = nullptr;
    wl::Listener on_new_constraint_, on_focus_change_, on_keyboard_focus_change_, on_active_destroy_;
};

} // namespace planar
