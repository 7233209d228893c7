#include "placement.hpp"

#include <algorithm>

namespace planar {

wlr_box least_covered_spot(const wlr_box &area, int width, int height, const std::vector<wlr_box> &others) {
    const int margin = 32;
    int free_x = std::max(0, area.width - width), free_y = std::max(0, area.height - height);
    auto along = [margin](int free, int step) {
        if (step == 1) return free / 2;
        return step == 0 ? std::min(margin, free / 2) : std::max(free - margin, free / 2);
    };
    long best_overlap = -1;
    wlr_box best{area.x + free_x / 2, area.y + free_y / 2, width, height};
    const int order[9][2] = {{1, 1}, {0, 0}, {2, 0}, {0, 2}, {2, 2}, {1, 0}, {1, 2}, {0, 1}, {2, 1}};
    for (const auto &step : order) {
        wlr_box candidate{area.x + along(free_x, step[0]), area.y + along(free_y, step[1]), width, height};
        long overlap = 0;
        for (const wlr_box &other : others) {
            wlr_box intersection{};
            if (wlr_box_intersection(&intersection, &candidate, &other)) {
                overlap += static_cast<long>(intersection.width) * intersection.height;
            }
        }
        if (best_overlap < 0 || overlap < best_overlap) {
            best_overlap = overlap;
            best = candidate;
        }
        if (overlap == 0) break;
    }
    return best;
}

wlr_box clamp_into(const wlr_box &box, const wlr_box &area) {
    wlr_box out = box;
    out.x = std::clamp(box.x, area.x, std::max(area.x, area.x + area.width - box.width));
    out.y = std::clamp(box.y, area.y, std::max(area.y, area.y + area.height - box.height));
    return out;
}

} // namespace planar
