// Layer surface placement (compositor/layer_layout): anchors, margins,
// stretching and the exclusive zones taken out of the work area, on a
// 1000x800 output.
#include <gtest/gtest.h>

#include "layer_layout.hpp"

namespace {

using planar::LayerRequest;
using planar::place_layer_surface;

constexpr uint32_t top = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP, bottom = ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM,
                   left = ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT, right = ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
const wlr_box output{0, 0, 1000, 800};

testing::AssertionResult is_box(const wlr_box &b, int x, int y, int width, int height) {
    if (b.x == x && b.y == y && b.width == width && b.height == height) return testing::AssertionSuccess();
    return testing::AssertionFailure() << b.width << "x" << b.height << "+" << b.x << "+" << b.y;
}

TEST(LayerLayout, NoAnchorIsCentred) {
    wlr_box work = output;
    LayerRequest r;
    r.width = 200;
    r.height = 100;
    r.margin_left = 50; // margins apply to anchored edges only
    EXPECT_TRUE(is_box(place_layer_surface(r, output, &work), 400, 350, 200, 100));
    EXPECT_TRUE(is_box(work, 0, 0, 1000, 800));
}

TEST(LayerLayout, PanelAcrossTheTopTakesItsZoneAndMargin) {
    wlr_box work = output;
    LayerRequest r{top | left | right, 30, 5, 0, 0, 0, 0, 30};
    EXPECT_TRUE(is_box(place_layer_surface(r, output, &work), 0, 5, 1000, 30));
    EXPECT_TRUE(is_box(work, 0, 35, 1000, 765));
}

TEST(LayerLayout, CornerAnchorsUseTheirMargins) {
    wlr_box work = output;
    LayerRequest r{bottom | right, 0, 0, 7, 9, 0, 100, 40};
    EXPECT_TRUE(is_box(place_layer_surface(r, output, &work), 893, 751, 100, 40));
    EXPECT_TRUE(is_box(work, 0, 0, 1000, 800)); // no zone
}

TEST(LayerLayout, ZeroSizeStretchesBetweenOppositeAnchors) {
    wlr_box work = output;
    LayerRequest r{top | bottom | left | right, 0, 10, 20, 30, 40, 0, 0};
    EXPECT_TRUE(is_box(place_layer_surface(r, output, &work), 40, 10, 940, 760));
}

TEST(LayerLayout, SecondPanelGoesInsideTheFirstOnesZone) {
    wlr_box work = output;
    LayerRequest first{left | top | bottom, 60, 0, 0, 0, 0, 60, 0};
    EXPECT_TRUE(is_box(place_layer_surface(first, output, &work), 0, 0, 60, 800));
    LayerRequest second{top | left | right, 20, 0, 0, 0, 0, 0, 20};
    EXPECT_TRUE(is_box(place_layer_surface(second, output, &work), 60, 0, 940, 20));
    EXPECT_TRUE(is_box(work, 60, 20, 940, 780));
}

TEST(LayerLayout, ExclusiveZoneMinusOneIgnoresOtherZones) {
    wlr_box work{0, 40, 1000, 760};
    LayerRequest wallpaper{top | bottom | left | right, -1, 0, 0, 0, 0, 0, 0};
    EXPECT_TRUE(is_box(place_layer_surface(wallpaper, output, &work), 0, 0, 1000, 800));
    EXPECT_TRUE(is_box(work, 0, 40, 1000, 760));
}

TEST(LayerLayout, ZoneOnAnEdgeItIsNotAnchoredToAloneIsIgnored) {
    // Anchored to top and bottom only: no single edge owns the zone.
    wlr_box work = output;
    LayerRequest r{top | bottom, 50, 0, 0, 0, 0, 100, 0};
    place_layer_surface(r, output, &work);
    EXPECT_TRUE(is_box(work, 0, 0, 1000, 800));
}

TEST(LayerLayout, RightAndBottomZonesShrinkTheFarSide) {
    wlr_box work = output;
    LayerRequest dock{right, 80, 0, 4, 0, 0, 80, 300};
    EXPECT_TRUE(is_box(place_layer_surface(dock, output, &work), 916, 250, 80, 300));
    EXPECT_TRUE(is_box(work, 0, 0, 916, 800));
    LayerRequest bar{bottom | left | right, 25, 0, 0, 3, 0, 0, 25};
    EXPECT_TRUE(is_box(place_layer_surface(bar, output, &work), 0, 772, 916, 25));
    EXPECT_TRUE(is_box(work, 0, 0, 916, 772));
}

} // namespace
