// The scanout feedback verdict and its hysteresis, on a fake clock.
#include <gtest/gtest.h>

#include "scanout_verdict.hpp"

namespace {

using namespace std::chrono_literals;
using planar::VerdictHysteresis;
using Clock = VerdictHysteresis::Clock;

TEST(ScanoutVerdict, OnAPlaneOrRefusedForItsFormatWantsTheScanoutTranche) {
    EXPECT_TRUE(planar::wants_scanout_tranche(35, "none"));
    EXPECT_TRUE(planar::wants_scanout_tranche(0, "format"));
    for (const char *reason : {"overlap", "no-plane-left", "scaling", "y_invert", "not-dmabuf", "capture",
                               "planes-off", "no-planes", "test-failed", "not-shown"}) {
        EXPECT_FALSE(planar::wants_scanout_tranche(0, reason)) << reason;
    }
}

TEST(ScanoutVerdict, ANewVerdictIsSentOnceItHeldForTwoSeconds) {
    VerdictHysteresis h;
    Clock::time_point t0{};
    EXPECT_FALSE(h.observe(true, t0));
    EXPECT_FALSE(h.observe(true, t0 + 1999ms));
    EXPECT_FALSE(h.sent());
    EXPECT_TRUE(h.observe(true, t0 + 2000ms));
    EXPECT_TRUE(h.sent());
    // Held: nothing more to send.
    EXPECT_FALSE(h.observe(true, t0 + 5000ms));
    // Back to composited for good: withdrawn two seconds later.
    EXPECT_FALSE(h.observe(false, t0 + 6000ms));
    EXPECT_FALSE(h.observe(false, t0 + 7999ms));
    EXPECT_TRUE(h.observe(false, t0 + 8000ms));
    EXPECT_FALSE(h.sent());
}

TEST(ScanoutVerdict, TheInitialVerdictOfNoScanoutIsNeverSent) {
    VerdictHysteresis h;
    Clock::time_point t0{};
    for (int i = 0; i < 100; i++) EXPECT_FALSE(h.observe(false, t0 + i * 100ms));
}

TEST(ScanoutVerdict, AWindowMovedBackAndForthEveryHalfSecondChangesNothing) {
    // Ten seconds of frames at 60 Hz; the verdict flips every 0.5 s.
    VerdictHysteresis h;
    Clock::time_point t0{};
    int changes = 0;
    for (int frame = 0; frame < 600; frame++) {
        auto now = t0 + frame * 16667us;
        bool capable = (now - t0) / 500ms % 2 == 0;
        if (h.observe(capable, now)) changes++;
    }
    EXPECT_EQ(changes, 0);
}

TEST(ScanoutVerdict, AFlickerResetsTheWait) {
    VerdictHysteresis h;
    Clock::time_point t0{};
    EXPECT_FALSE(h.observe(true, t0));
    EXPECT_FALSE(h.observe(false, t0 + 1500ms)); // one frame the other way
    EXPECT_FALSE(h.observe(true, t0 + 1517ms));
    EXPECT_FALSE(h.observe(true, t0 + 3000ms)); // 1.48 s since the flicker
    EXPECT_TRUE(h.observe(true, t0 + 3517ms));
}

TEST(ScanoutVerdict, TheHoldTimeIsConfigurable) {
    VerdictHysteresis h(500ms);
    Clock::time_point t0{};
    EXPECT_FALSE(h.observe(true, t0));
    EXPECT_TRUE(h.observe(true, t0 + 500ms));
}

} // namespace
