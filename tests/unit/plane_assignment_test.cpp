// Plane assignment (backend/kms/plane_assignment) against a fake atomic
// tester: overlaps, format mismatch, more candidates than planes, scaling,
// y_invert, fences, stacking order with and without zpos, a device that
// refuses a layout, and the cache of test results.
#include <drm_fourcc.h>
#include <functional>
#include <gtest/gtest.h>

#include "kms/plane_assignment.hpp"

namespace {

using kms::Assignment;
using kms::Frame;
using kms::Layer;
using kms::Plane;
using kms::Reason;

constexpr kms::FormatModifier xr24{DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR};
constexpr kms::FormatModifier ar24{DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR};
constexpr kms::FormatModifier nv12{DRM_FORMAT_NV12, DRM_FORMAT_MOD_LINEAR};
constexpr kms::Rect screen{0, 0, 1024, 768};

// Takes every assignment unless `refuse` says otherwise; counts the tests.
class FakeTester : public kms::PlaneTester {
public:
    std::function<bool(const Assignment &)> refuse = [](const Assignment &) { return false; };
    int tests = 0;
    bool test(const Assignment &assignment) override {
        tests++;
        return !refuse(assignment);
    }
};

// vkms: a primary, overlays without zpos (ids in creation order), a cursor.
std::vector<Plane> vkms_planes(int overlays) {
    std::vector<Plane> planes;
    planes.push_back({31, Plane::Type::primary, std::nullopt, {xr24, ar24}});
    for (int i = 0; i < overlays; i++) planes.push_back({uint32_t(40 + i), Plane::Type::overlay, std::nullopt, {xr24, ar24}});
    planes.push_back({90, Plane::Type::cursor, std::nullopt, {ar24}});
    return planes;
}

Layer window(uint32_t surface, kms::Rect dst, kms::FormatModifier buffer = xr24) {
    Layer layer;
    layer.surface = surface;
    layer.buffer = buffer;
    layer.dst = dst;
    layer.src_width = dst.width;
    layer.src_height = dst.height;
    return layer;
}

uint32_t plane_of(const Assignment &a, uint32_t surface) {
    for (const auto &p : a.layers) {
        if (p.surface == surface) return p.plane;
    }
    return ~0u;
}

Reason reason_of(const Assignment &a, uint32_t surface) {
    for (const auto &p : a.layers) {
        if (p.surface == surface) return p.reason;
    }
    return Reason::none;
}

TEST(PlaneAssignment, ThreeWindowsSideBySideEachGetAnOverlay) {
    Frame frame{screen, {window(1, {0, 0, 300, 200}), window(2, {320, 0, 300, 200}, ar24), window(3, {640, 0, 300, 200})}};
    FakeTester tester;
    Assignment a = kms::assign_planes(frame, vkms_planes(8), tester);
    EXPECT_EQ(plane_of(a, 1), 47u); // the topmost window on the topmost overlay
    EXPECT_EQ(plane_of(a, 2), 46u);
    EXPECT_EQ(plane_of(a, 3), 45u);
    EXPECT_TRUE(a.composition); // the background
    EXPECT_EQ(tester.tests, 3);
}

TEST(PlaneAssignment, OverlappingWindowsKeepTheirStackingOrderWithoutZpos) {
    // 2 over 1: the upper window's plane must be above the lower one's.
    Frame frame{screen, {window(2, {100, 100, 300, 200}), window(1, {0, 0, 300, 200})}};
    FakeTester tester;
    Assignment a = kms::assign_planes(frame, vkms_planes(2), tester);
    ASSERT_NE(plane_of(a, 1), 0u);
    ASSERT_NE(plane_of(a, 2), 0u);
    EXPECT_GT(plane_of(a, 2), plane_of(a, 1)); // vkms stacks by creation order (id)
}

TEST(PlaneAssignment, ZposOrdersPlanesWhereTheDriverHasIt) {
    // Plane ids in the opposite order of their zpos.
    std::vector<Plane> planes = {{10, Plane::Type::primary, 0, {xr24}},
                                 {20, Plane::Type::overlay, 5, {xr24}},
                                 {30, Plane::Type::overlay, 3, {xr24}}};
    Frame frame{screen, {window(2, {100, 100, 300, 200}), window(1, {0, 0, 300, 200})}};
    FakeTester tester;
    Assignment a = kms::assign_planes(frame, planes, tester);
    EXPECT_EQ(plane_of(a, 2), 20u); // zpos 5, the higher
    EXPECT_EQ(plane_of(a, 1), 30u);
}

TEST(PlaneAssignment, FormatNoPlaneTakesIsComposited) {
    Frame frame{screen, {window(1, {0, 0, 320, 240}, nv12)}};
    FakeTester tester;
    Assignment a = kms::assign_planes(frame, vkms_planes(8), tester);
    EXPECT_EQ(plane_of(a, 1), 0u);
    EXPECT_EQ(reason_of(a, 1), Reason::format);
    EXPECT_EQ(tester.tests, 0); // refused before any test commit
}

TEST(PlaneAssignment, MoreCandidatesThanPlanes) {
    Frame frame{screen,
                {window(1, {0, 0, 100, 100}), window(2, {200, 0, 100, 100}), window(3, {400, 0, 100, 100})}};
    FakeTester tester;
    Assignment a = kms::assign_planes(frame, vkms_planes(2), tester);
    EXPECT_NE(plane_of(a, 1), 0u);
    EXPECT_NE(plane_of(a, 2), 0u);
    EXPECT_EQ(plane_of(a, 3), 0u);
    EXPECT_EQ(reason_of(a, 3), Reason::no_plane);
    EXPECT_TRUE(a.composition);
}

TEST(PlaneAssignment, AWindowUnderACompositedOneStaysComposited) {
    // 1 is NV12 (composited); 2 below it overlaps it: it must be composited
    // too, or the overlay would show above the window that covers it.
    Frame frame{screen, {window(1, {0, 0, 300, 200}, nv12), window(2, {100, 100, 300, 200}), window(3, {700, 500, 100, 100})}};
    FakeTester tester;
    Assignment a = kms::assign_planes(frame, vkms_planes(8), tester);
    EXPECT_EQ(reason_of(a, 1), Reason::format);
    EXPECT_EQ(plane_of(a, 2), 0u);
    EXPECT_EQ(reason_of(a, 2), Reason::covered);
    EXPECT_NE(plane_of(a, 3), 0u); // not under anything composited
}

TEST(PlaneAssignment, ScalingRefusedWherePlanesDoNotScale) {
    Layer scaled = window(1, {0, 0, 640, 480});
    scaled.src_width = 320;
    scaled.src_height = 240;
    Frame frame{screen, {scaled}};
    FakeTester tester;
    Assignment a = kms::assign_planes(frame, vkms_planes(2), tester);
    EXPECT_EQ(reason_of(a, 1), Reason::scaling);
    std::vector<Plane> scaling = vkms_planes(2);
    for (Plane &p : scaling) p.scales = true;
    EXPECT_NE(plane_of(kms::assign_planes(frame, scaling, tester), 1), 0u);
}

TEST(PlaneAssignment, YInvertNeedsAReflectingPlane) {
    Layer inverted = window(1, screen);
    inverted.y_invert = true;
    Frame frame{screen, {inverted}};
    FakeTester tester;
    Assignment a = kms::assign_planes(frame, vkms_planes(2), tester);
    EXPECT_EQ(plane_of(a, 1), 0u);
    EXPECT_EQ(reason_of(a, 1), Reason::y_invert);
}

TEST(PlaneAssignment, AnUnsignalledFenceGoesToAPlaneOnlyWhenAlone) {
    Layer fenced = window(1, {0, 0, 300, 200});
    fenced.fence_unsignalled = true;
    FakeTester tester;
    Frame shared{screen, {fenced, window(2, {400, 0, 300, 200})}};
    Assignment a = kms::assign_planes(shared, vkms_planes(8), tester);
    EXPECT_EQ(reason_of(a, 1), Reason::fence); // it would hold window 2's flips
    EXPECT_NE(plane_of(a, 2), 0u);
    Frame alone{screen, {fenced}};
    EXPECT_NE(plane_of(kms::assign_planes(alone, vkms_planes(8), tester), 1), 0u);
}

TEST(PlaneAssignment, FullscreenGoesOnThePrimaryWithoutComposition) {
    Frame frame{screen, {window(1, screen)}};
    FakeTester tester;
    Assignment a = kms::assign_planes(frame, vkms_planes(8), tester);
    EXPECT_EQ(plane_of(a, 1), 31u);
    EXPECT_FALSE(a.composition);
}

TEST(PlaneAssignment, ARefusedLayoutFallsBackAndIsNotTestedAgain) {
    Frame frame{screen, {window(1, {0, 0, 300, 200}), window(2, {400, 0, 300, 200})}};
    FakeTester tester;
    // The device refuses window 1 on overlay 43 (as a bandwidth limit would).
    tester.refuse = [](const Assignment &a) { return plane_of(a, 1) == 43; };
    kms::TestCache cache;
    Assignment a = kms::assign_planes(frame, vkms_planes(4), tester, &cache);
    EXPECT_EQ(plane_of(a, 1), 42u); // the next overlay down
    EXPECT_NE(plane_of(a, 2), 0u);
    EXPECT_LT(plane_of(a, 2), 42u);
    int first = tester.tests;
    // The same layout next frame: every answer comes from the cache.
    Assignment again = kms::assign_planes(frame, vkms_planes(4), tester, &cache);
    EXPECT_EQ(tester.tests, first);
    EXPECT_EQ(plane_of(again, 1), 42u);
    // A window moved: a new layout is tested.
    frame.layers[1].dst.x = 500;
    kms::assign_planes(frame, vkms_planes(4), tester, &cache);
    EXPECT_GT(tester.tests, first);
}

TEST(PlaneAssignment, ADeviceThatRefusesEverythingCompositesAll) {
    Frame frame{screen, {window(1, {0, 0, 300, 200}), window(2, screen)}};
    FakeTester tester;
    tester.refuse = [](const Assignment &) { return true; };
    Assignment a = kms::assign_planes(frame, vkms_planes(2), tester);
    EXPECT_EQ(plane_of(a, 1), 0u);
    EXPECT_EQ(reason_of(a, 1), Reason::test_failed);
    EXPECT_EQ(plane_of(a, 2), 0u);
    EXPECT_TRUE(a.composition);
}

TEST(PlaneAssignment, ShmIsNeverOnAPlane) {
    Layer shm = window(1, {0, 0, 100, 100});
    shm.dmabuf = false;
    Frame frame{screen, {shm}};
    FakeTester tester;
    EXPECT_EQ(reason_of(kms::assign_planes(frame, vkms_planes(2), tester), 1), Reason::not_dmabuf);
}

} // namespace
