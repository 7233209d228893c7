// Placement: where a new floating window opens, for every shell alike. Pure
// functions of boxes, so the policy is tested without a compositor.
#pragma once

#include <vector>

#include "wlr.hpp"

namespace planar {

// The spot for a `width` x `height` window on `area` (the output it opens
// on): the centre first, then the corners and edge middles (32 px in from the
// edges); the first spot that overlaps the `others` (the mapped windows)
// least wins, so a new window never hides completely behind, or completely
// hides, another. A window larger than `area` goes to its top-left.
wlr_box least_covered_spot(const wlr_box &area, int width, int height, const std::vector<wlr_box> &others);

// `box` moved (not resized) so that as much of it as fits lies inside `area`.
wlr_box clamp_into(const wlr_box &box, const wlr_box &area);

} // namespace planar
