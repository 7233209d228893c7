#include "pointer_constraints.hpp"

#include <algorithm>
#include <cmath>

namespace planar {

PointerConstraints::PointerConstraints(wl_display *display, wlr_seat *seat, wlr_cursor *cursor,
                                       SurfaceOrigin surface_origin)
    : seat_(seat), cursor_(cursor), surface_origin_(std::move(surface_origin)), relative_(wlr_relative_pointer_manager_v1_create(display)),
      constraints_(wlr_pointer_constraints_v1_create(display)) {
    on_new_constraint_.connect_as<wlr_pointer_constraint_v1>(
        &constraints_->events.new_constraint, [this](wlr_pointer_constraint_v1 *constraint) {
            (void)constraint;
            focus_changed(); // it may apply to the focused surface at once
        });
    on_focus_change_.connect(&seat_->pointer_state.events.focus_change, [this](void *) { focus_changed(); });
    on_keyboard_focus_change_.connect(&seat_->keyboard_state.events.focus_change,
                                      [this](void *) { focus_changed(); });
}

PointerConstraints::~PointerConstraints() { on_active_destroy_.disconnect(); }

void PointerConstraints::focus_changed() {
    // A constraint holds while its surface has both the keyboard (the user
    // chose that window) and the pointer (it is where the pointer is).
    wlr_surface *surface = seat_->keyboard_state.focused_surface;
    wlr_pointer_constraint_v1 *constraint = nullptr;
    if (surface != nullptr && surface == seat_->pointer_state.focused_surface) {
        constraint = wlr_pointer_constraints_v1_constraint_for_surface(constraints_, surface, seat_);
    }
    activate(constraint);
}

void PointerConstraints::activate(wlr_pointer_constraint_v1 *constraint) {
    if (constraint == active_) return;
    if (active_ != nullptr) wlr_pointer_constraint_v1_send_deactivated(active_);
    active_ = constraint;
    on_active_destroy_.disconnect();
    if (active_ == nullptr) return;
    on_active_destroy_.connect(&active_->events.destroy, [this](void *) {
        active_ = nullptr;
        on_active_destroy_.disconnect();
    });
    wlr_pointer_constraint_v1_send_activated(active_);
}

bool PointerConstraints::inside_region(double x, double y) const {
    // The region (the constraint's, within the surface's input region) is
    // in surface coordinates.
    double ox = 0, oy = 0;
    if (!surface_origin_(active_->surface, &ox, &oy)) return false;
    return pixman_region32_contains_point(&active_->region, static_cast<int>(std::floor(x - ox)),
                                          static_cast<int>(std::floor(y - oy)), nullptr);
}

void PointerConstraints::relative_motion(uint32_t time_msec, double *dx, double *dy, double dx_unaccel,
                                         double dy_unaccel) {
    wlr_relative_pointer_manager_v1_send_relative_motion(relative_, seat_, static_cast<uint64_t>(time_msec) * 1000,
                                                         *dx, *dy, dx_unaccel, dy_unaccel);
    if (active_ == nullptr) return;
    if (active_->type == WLR_POINTER_CONSTRAINT_V1_LOCKED) {
        *dx = *dy = 0;
        return;
    }
    // Confined: the cursor stops at the edge of the region's rectangle it
    // is in (a region of one rectangle, the usual case, is exact).
    double ox = 0, oy = 0;
    if (!surface_origin_(active_->surface, &ox, &oy)) return;
    const double x = cursor_->x, y = cursor_->y;
    pixman_box32_t box{};
    if (!pixman_region32_contains_point(&active_->region, static_cast<int>(std::floor(x - ox)),
                                        static_cast<int>(std::floor(y - oy)), &box)) {
        *dx = *dy = 0; // outside already (the region changed): wait until it comes back in
        return;
    }
    double to_x = std::clamp(x + *dx, ox + box.x1, ox + box.x2 - 1);
    double to_y = std::clamp(y + *dy, oy + box.y1, oy + box.y2 - 1);
    *dx = to_x - x;
    *dy = to_y - y;
}

bool PointerConstraints::allows(double x, double y) const {
    if (active_ == nullptr) return true;
    if (active_->type == WLR_POINTER_CONSTRAINT_V1_LOCKED) return false;
    return inside_region(x, y);
}

} // namespace planar
