// Region: a pixman_region32_t that frees itself, for code that keeps
// regions in containers (pixman's own API needs init/fini by hand).
#pragma once

#include <cstdint>
#include <pixman.h>

namespace render {

class Region {
public:
    Region() { pixman_region32_init(&r_); }
    Region(int x, int y, int width, int height) {
        pixman_region32_init_rect(&r_, x, y, static_cast<unsigned>(width), static_cast<unsigned>(height));
    }
    Region(const Region &other) {
        pixman_region32_init(&r_);
        pixman_region32_copy(&r_, &other.r_);
    }
    Region &operator=(const Region &other) {
        if (this != &other) pixman_region32_copy(&r_, &other.r_);
        return *this;
    }
    ~Region() { pixman_region32_fini(&r_); }

    pixman_region32_t *get() { return &r_; }
    const pixman_region32_t *get() const { return &r_; }
    bool empty() const { return !pixman_region32_not_empty(const_cast<pixman_region32_t *>(&r_)); }
    // Pixels covered (the rectangles of a region never overlap).
    uint64_t area() const {
        int count = 0;
        const pixman_box32_t *boxes = pixman_region32_rectangles(const_cast<pixman_region32_t *>(&r_), &count);
        uint64_t sum = 0;
        for (int i = 0; i < count; i++) {
            sum += static_cast<uint64_t>(boxes[i].x2 - boxes[i].x1) * static_cast<uint64_t>(boxes[i].y2 - boxes[i].y1);
        }
        return sum;
    }

private:
    pixman_region32_t r_;
};

} // namespace render
