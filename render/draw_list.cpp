#include "draw_list.hpp"

namespace render {

uint64_t DrawList::replay(const std::function<void(const Draw &, const Region &seen)> &draw) {
    // Top to bottom: what the opaque draws above a draw replace.
    std::vector<Region> seen(draws_.size());
    Region covered;
    uint64_t hidden = 0;
    for (size_t i = draws_.size(); i-- > 0;) {
        const Draw &d = draws_[i];
        pixman_region32_subtract(seen[i].get(), const_cast<pixman_region32_t *>(d.reach.get()), covered.get());
        hidden += d.reach.area() - seen[i].area();
        if (d.opaque) pixman_region32_union(covered.get(), covered.get(), const_cast<pixman_region32_t *>(d.reach.get()));
    }
    for (size_t i = 0; i < draws_.size(); i++) {
        if (!seen[i].empty()) draw(draws_[i], seen[i]);
    }
    draws_.clear();
    return hidden;
}

} // namespace render
