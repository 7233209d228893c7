// An xdg_toplevel as our own client sees it: configure sequence, frame
// callbacks paced by the 60 Hz headless clock, and presentation feedback.
#include "harness.hpp"
#include "presentation-time-client-protocol.h"
#include "test_client.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::Feedback;
using test_client::TestClient;

constexpr uint32_t window_colour = 0xff3366cc;
constexpr uint32_t refresh_60hz_ns = 16'666'666; // 1e9 / 60, truncated

TEST_F(PlanarTest, ToplevelMapsAndIsActivated) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.connected()) << client.error();
    ASSERT_TRUE(client.map_window(320, 240, window_colour)) << client.error();
    EXPECT_GE(client.configure_count(), 1);
    // Mapping focuses the window: a second configure carries `activated`.
    EXPECT_TRUE(client.dispatch_until([&] { return client.activated(); }, 10s))
        << "no configure with the activated state; " << client.configure_count() << " configures, " << client.error();
    EXPECT_GE(client.configure_count(), 2);
    EXPECT_TRUE(client.connected()) << client.error();
}

// Closing the focused window gives the focus to the one under it (the
// unmapped view was marked unfocused before planar asked whether it had the
// focus, so nothing got it).
TEST_F(PlanarTest, ClosingTheFocusedWindowActivatesTheNextOne) {
    ASSERT_TRUE(start_headless());
    TestClient below(planar_.socket_path());
    ASSERT_TRUE(below.map_window(320, 240, window_colour)) << below.error();
    {
        TestClient above(planar_.socket_path());
        ASSERT_TRUE(above.map_window(200, 100, 0xff00ff00)) << above.error();
        ASSERT_TRUE(above.dispatch_until([&] { return above.activated(); }, 10s)) << above.error();
        ASSERT_TRUE(below.dispatch_until([&] { return !below.activated(); }, 10s)) << below.error();
    } // `above` disconnects: its window goes
    EXPECT_TRUE(below.dispatch_until([&] { return below.activated(); }, 10s))
        << "the remaining window never got the activated state back";
}

TEST_F(PlanarTest, FrameCallbacksFollowTheOutputRate) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, window_colour)) << client.error();
    int frames = client.run_frame_loop(2s, false);
    ASSERT_TRUE(client.connected()) << client.error();
    // 60 Hz for 2 s is 120 frames; the bounds only catch a clock that is
    // off by a factor (unthrottled, or every other vblank), not noise.
    EXPECT_GE(frames, 60) << "frame callbacks per second: " << frames / 2.0;
    EXPECT_LE(frames, 150) << "frame callbacks per second: " << frames / 2.0;
}

TEST_F(PlanarTest, PresentationFeedbackIsVsyncedAtTheOutputRefresh) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, window_colour)) << client.error();
    client.run_frame_loop(1s, true);
    // Let the last commits' feedback arrive.
    ASSERT_TRUE(client.dispatch_until(
        [&] {
            for (const Feedback &f : client.feedback()) {
                if (f.state == Feedback::State::pending) return false;
            }
            return true;
        },
        5s))
        << client.error();
    EXPECT_EQ(client.presentation_clock(), static_cast<uint32_t>(CLOCK_MONOTONIC));

    int presented = 0;
    uint64_t last_seq = 0;
    uint64_t last_time = 0;
    for (size_t i = 0; i < client.feedback().size(); i++) {
        const Feedback &f = client.feedback()[i];
        if (f.state != Feedback::State::presented) continue;
        SCOPED_TRACE("feedback #" + std::to_string(i));
        EXPECT_TRUE(f.flags & WP_PRESENTATION_FEEDBACK_KIND_VSYNC) << "flags " << f.flags;
        EXPECT_NEAR(f.refresh_ns, refresh_60hz_ns, 1);
        if (presented > 0) {
            EXPECT_GT(f.seq, last_seq);
            EXPECT_GT(f.time_ns, last_time);
            // The timestamp is the vblank the seq names: the two move together.
            EXPECT_NEAR(double(f.time_ns - last_time), double(f.seq - last_seq) * refresh_60hz_ns,
                        double(f.seq - last_seq) + 1);
        }
        last_seq = f.seq;
        last_time = f.time_ns;
        presented++;
    }
    // One second at 60 Hz, one commit per frame callback.
    EXPECT_GE(presented, 30);
}

TEST_F(PlanarTest, CommitReplacedBeforeDisplayIsDiscarded) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, window_colour)) << client.error();
    ASSERT_TRUE(client.roundtrip()) << client.error();
    // Two commits in one flush: the compositor handles both before its next
    // frame, so the first content is never shown.
    int first = client.commit(false, true);
    int second = client.commit(false, true);
    ASSERT_GE(first, 0) << "no wp_presentation";
    ASSERT_TRUE(client.dispatch_until(
        [&] {
            return client.feedback()[first].state != Feedback::State::pending &&
                   client.feedback()[second].state != Feedback::State::pending;
        },
        5s))
        << client.error();
    EXPECT_EQ(client.feedback()[first].state, Feedback::State::discarded);
    EXPECT_EQ(client.feedback()[second].state, Feedback::State::presented);
}

} // namespace
