// Where a layer surface goes on its output, as a pure function of what it
// asked for (zwlr_layer_surface_v1's anchor, size, margin, exclusive zone)
// and the space left by the surfaces laid out before it. Output-local
// coordinates.
#pragma once

#include <cstdint>

#include "wlr.hpp"

namespace planar {

struct LayerRequest {
    uint32_t anchor = 0; // ZWLR_LAYER_SURFACE_V1_ANCHOR_* bits
    int32_t exclusive_zone = 0;
    int32_t margin_top = 0, margin_right = 0, margin_bottom = 0, margin_left = 0;
    uint32_t width = 0, height = 0; // 0: stretched between two opposite anchors
};

// The surface's box. It is placed within `*work_area` (or the whole output
// for an exclusive zone of -1), and a positive exclusive zone on one edge
// takes its zone and that edge's margin out of `*work_area`.
wlr_box place_layer_surface(const LayerRequest &request, const wlr_box &output, wlr_box *work_area);

} // namespace planar
