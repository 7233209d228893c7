#include "layer_layout.hpp"

#include <algorithm>

namespace planar {

namespace {

constexpr uint32_t top = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP, bottom = ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM,
                   left = ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT, right = ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;

// One axis: start and length of the surface within [area_start, area_start + area_len).
void place_axis(bool at_start, bool at_end, uint32_t wanted, int32_t margin_start, int32_t margin_end, int area_start,
                int area_len, int *start, int *len) {
    if (wanted == 0) {
        // Stretched between both edges (the protocol allows a zero size
        // only with both anchors; wlroots refuses it otherwise).
        *len = std::max(0, area_len - margin_start - margin_end);
        *start = area_start + margin_start;
        return;
    }
    *len = static_cast<int>(wanted);
    if (at_start && !at_end) {
        *start = area_start + margin_start;
    } else if (at_end && !at_start) {
        *start = area_start + area_len - *len - margin_end;
    } else {
        // Both anchors or none: centred (margins do not apply).
        *start = area_start + (area_len - *len) / 2;
    }
}

} // namespace

wlr_box place_layer_surface(const LayerRequest &request, const wlr_box &output, wlr_box *work_area) {
    const wlr_box bounds = request.exclusive_zone == -1 ? output : *work_area;
    const uint32_t a = request.anchor;
    wlr_box box{};
    place_axis(a & left, a & right, request.width, request.margin_left, request.margin_right, bounds.x, bounds.width,
               &box.x, &box.width);
    place_axis(a & top, a & bottom, request.height, request.margin_top, request.margin_bottom, bounds.y,
               bounds.height, &box.y, &box.height);

    if (request.exclusive_zone <= 0) return box;
    // The zone belongs to one edge: anchored to that edge alone, or to it
    // and both edges perpendicular to it (a panel across the output).
    const int32_t zone = request.exclusive_zone;
    if (a == top || a == (top | left | right)) {
        int taken = std::min(work_area->height, zone + request.margin_top);
        work_area->y += taken;
        work_area->height -= taken;
    } else if (a == bottom || a == (bottom | left | right)) {
        work_area->height -= std::min(work_area->height, zone + request.margin_bottom);
    } else if (a == left || a == (left | top | bottom)) {
        int taken = std::min(work_area->width, zone + request.margin_left);
        work_area->x += taken;
        work_area->width -= taken;
    } else if (a == right || a == (right | top | bottom)) {
        work_area->width -= std::min(work_area->width, zone + request.margin_right);
    }
    return box;
}

} // namespace planar
