#include <gtest/gtest.h>

#include "placement.hpp"

namespace {

using planar::clamp_into;
using planar::least_covered_spot;

bool same(const wlr_box &a, const wlr_box &b) {
    return a.x == b.x && a.y == b.y && a.width == b.width && a.height == b.height;
}

TEST(Placement, FirstWindowIsCentred) {
    wlr_box spot = least_covered_spot({0, 0, 1280, 720}, 400, 300, {});
    EXPECT_TRUE(same(spot, {440, 210, 400, 300}));
}

TEST(Placement, OutputOffsetIsKept) {
    wlr_box spot = least_covered_spot({1280, 0, 1920, 1080}, 200, 100, {});
    EXPECT_TRUE(same(spot, {1280 + 860, 490, 200, 100}));
}

TEST(Placement, SecondWindowAvoidsTheFirst) {
    // The centre is taken: the top-left corner (32 px in) is free.
    wlr_box spot = least_covered_spot({0, 0, 1280, 720}, 400, 300, {{440, 210, 400, 300}});
    EXPECT_TRUE(same(spot, {32, 32, 400, 300}));
}

TEST(Placement, LeastOverlapWinsWhenNothingIsFree) {
    // A window covering all but the bottom-right corner.
    std::vector<wlr_box> others{{0, 0, 1280, 400}, {0, 400, 800, 320}};
    wlr_box spot = least_covered_spot({0, 0, 1280, 720}, 400, 300, others);
    EXPECT_TRUE(same(spot, {848, 388, 400, 300})) << spot.x << "," << spot.y;
}

TEST(Placement, LargerThanTheAreaGoesToItsCorner) {
    wlr_box spot = least_covered_spot({100, 50, 640, 480}, 1000, 1000, {});
    EXPECT_EQ(spot.x, 100);
    EXPECT_EQ(spot.y, 50);
}

TEST(Placement, ClampIntoKeepsTheBoxOnTheArea) {
    EXPECT_TRUE(same(clamp_into({-50, 700, 200, 100}, {0, 0, 1280, 720}), {0, 620, 200, 100}));
    EXPECT_TRUE(same(clamp_into({10, 10, 200, 100}, {0, 0, 1280, 720}), {10, 10, 200, 100}));
    // Too large: its top-left stays on the area.
    EXPECT_TRUE(same(clamp_into({-10, -10, 2000, 100}, {0, 0, 1280, 720}), {0, 0, 2000, 100}));
}

} // namespace
