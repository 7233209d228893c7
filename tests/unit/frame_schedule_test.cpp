#include <gtest/gtest.h>

#include "frame_schedule.hpp"

namespace {

using planar::FrameSchedule;

constexpr int64_t ms = 1'000'000;
constexpr int64_t period = 16'666'667;

TEST(FrameSchedule, RendersAtOnceWithoutPhase) {
    FrameSchedule s;
    EXPECT_EQ(s.render_start(1000 * ms), 1000 * ms);
    s.rendered(2 * ms);
    EXPECT_EQ(s.render_start(1000 * ms), 1000 * ms) << "no presentation seen yet";
}

TEST(FrameSchedule, RendersAtOnceWithoutHistory) {
    FrameSchedule s;
    s.presented(1000 * ms, period);
    EXPECT_EQ(s.render_start(1001 * ms), 1001 * ms) << "no render time measured yet";
}

TEST(FrameSchedule, StartsLateEnoughToMakeTheNextVblank) {
    FrameSchedule s;
    int64_t vblank = 1000 * ms;
    s.presented(vblank, period);
    for (int i = 0; i < 10; i++) s.rendered(3 * ms);
    int64_t start = s.render_start(vblank + ms / 10);
    EXPECT_EQ(start, vblank + period - 3 * ms - FrameSchedule::margin_ns);
}

TEST(FrameSchedule, SkipsToTheVblankAfterWhenTooLate) {
    FrameSchedule s;
    int64_t vblank = 1000 * ms;
    s.presented(vblank, period);
    for (int i = 0; i < 10; i++) s.rendered(3 * ms);
    // 14 ms after the vblank there is no time left for 3 ms + margin.
    int64_t now = vblank + 14 * ms;
    EXPECT_EQ(s.render_start(now), vblank + 2 * period - 3 * ms - FrameSchedule::margin_ns);
}

TEST(FrameSchedule, FollowsThePhaseAcrossIdlePeriods) {
    FrameSchedule s;
    int64_t vblank = 1000 * ms;
    s.presented(vblank, period);
    s.rendered(1 * ms);
    int64_t now = vblank + 100 * period + 2 * ms; // long idle, then damage
    int64_t start = s.render_start(now);
    EXPECT_EQ(start, vblank + 101 * period - 1 * ms - FrameSchedule::margin_ns);
    EXPECT_GE(start, now);
}

TEST(FrameSchedule, OneSlowFrameDoesNotDominate) {
    FrameSchedule s;
    for (int i = 0; i < 59; i++) s.rendered(2 * ms);
    s.rendered(50 * ms); // preempted once
    EXPECT_EQ(s.predicted_render_ns(), 2 * ms + FrameSchedule::margin_ns);
}

TEST(FrameSchedule, RenderSlowerThanRefreshRendersAtOnce) {
    FrameSchedule s;
    s.presented(1000 * ms, period);
    for (int i = 0; i < 10; i++) s.rendered(20 * ms);
    EXPECT_EQ(s.render_start(1001 * ms), 1001 * ms);
}

TEST(FrameSchedule, PhaseResetRendersAtOnce) {
    FrameSchedule s;
    s.presented(1000 * ms, period);
    s.rendered(2 * ms);
    s.reset_phase();
    EXPECT_EQ(s.render_start(1001 * ms), 1001 * ms);
}
} // namespace
