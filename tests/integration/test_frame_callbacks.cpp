// What planar sends with frame callbacks: a client drawing on frame
// callbacks hears wl_buffer.release for the buffer its commit replaced in
// the same message as that commit's `done` (ReleaseBatch), and a client
// that asked for no callback gets its buffers back at once. What arrives
// together is read together: TestClient counts its reads.
#include <cstring>
#include <string>
#include <thread>

#include "harness.hpp"
#include "raw_client.hpp"
#include "test_client.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::CommitEvents;
using test_client::RawClient;
using test_client::TestClient;

constexpr uint32_t colour = 0xff2060a0;

// Most, not all: a machine loaded past a frame's budget (CI under ASan)
// may let a commit miss its frame now and then.
void expect_most(int together, int counted, const std::string &what) {
    EXPECT_GE(counted, 30) << "too few frames to judge";
    EXPECT_GE(together * 10, counted * 8) << what << ": " << together << " of " << counted << " frames";
}

// The buffer a commit replaced is released with that commit's frame
// callback, not at once: one wake-up of the client per frame, not two.
TEST_F(PlanarTest, TheBufferACommitReplacedIsReleasedWithItsFrameCallback) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, colour)) << client.error();
    client.run_frame_loop(1s, false);
    ASSERT_TRUE(client.roundtrip()) << client.error();

    int counted = 0, together = 0;
    for (const CommitEvents &commit : client.commits()) {
        if (commit.done_read < 0 || commit.replaced_release_read < 0) continue;
        counted++;
        if (commit.replaced_release_read == commit.done_read) together++;
    }
    expect_most(together, counted, "release arrived with done");
}

// A client that asked for no frame callback may be waiting for the buffer
// itself: it gets it back as soon as planar is done with it.
TEST_F(PlanarTest, WithoutAFrameCallbackTheReplacedBufferIsReleasedAtOnce) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, colour)) << client.error();
    ASSERT_TRUE(client.roundtrip()) << client.error();
    for (int i = 0; i < 5; i++) {
        SCOPED_TRACE("commit " + std::to_string(i));
        client.commit(false, false);
        // Planar answers a wl_display.sync sent after the commit after
        // everything that commit made it send (and a vblank falls inside
        // that millisecond once in sixteen, not five times running).
        ASSERT_TRUE(client.roundtrip()) << client.error();
        EXPECT_GE(client.commits().back().replaced_release_read, 0) << "the replaced buffer was not released by the roundtrip";
    }
}

// A surface no output shows (here one without a role) has its frame
// callbacks answered by nobody; the buffers its commits replace still come
// back (ReleaseBatch's bound), though no output draws a frame.
TEST_F(PlanarTest, ASurfaceNoOutputShowsStillGetsItsBuffersBack) {
    ASSERT_TRUE(start_headless());
    // Past the output's first frame, after which nothing changes on it: no
    // frame of it answers callbacks, and whatever comes back here came back
    // by the bound.
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    for (int i = 0; i < 100 && planar_.run({ctl, "outputs"}).out.find(" commits=0") != std::string::npos; i++) {
        std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(100ms);
    RawClient client(planar_.socket_path());
    ASSERT_TRUE(client.connected());
    wl_surface *surface = client.surface();
    wl_buffer *first = client.shm_buffer(64, 64);
    wl_buffer *second = client.shm_buffer(64, 64);
    ASSERT_NE(surface, nullptr);
    ASSERT_NE(first, nullptr);
    ASSERT_NE(second, nullptr);
    bool released = false;
    static const wl_buffer_listener listener = {.release = [](void *data, wl_buffer *) { *static_cast<bool *>(data) = true; }};
    wl_buffer_add_listener(first, &listener, &released);
    wl_surface_attach(surface, first, 0, 0);
    wl_surface_damage_buffer(surface, 0, 0, 64, 64);
    wl_surface_commit(surface);
    ASSERT_TRUE(client.roundtrip());

    bool answered = false;
    static const wl_callback_listener done = {.done = [](void *data, wl_callback *, uint32_t) { *static_cast<bool *>(data) = true; }};
    wl_callback_add_listener(client.keep(wl_surface_frame(surface)), &done, &answered);
    wl_surface_attach(surface, second, 0, 0);
    wl_surface_damage_buffer(surface, 0, 0, 64, 64);
    wl_surface_commit(surface);
    EXPECT_TRUE(client.dispatch_until([&] { return released; }, 5s)) << "the replaced buffer never came back";
    EXPECT_FALSE(answered) << "an output answered the callback: the test proves nothing";
}

} // namespace
