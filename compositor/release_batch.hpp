// ReleaseBatch: a wl_shm buffer that a commit replaces is released
// (wl_buffer.release) together with that commit's frame callback, in one
// message to the client, instead of at once.
//
// wlroots 0.15 drops its hold on the buffer a commit replaces while it runs
// that commit, so a client drawing on frame callbacks heard
// wl_buffer.release right after its commit and `done` after the next render:
// two wake-ups of the client and two sendmsg calls of planar per frame for
// one piece of news. A client that asked for a frame callback draws nothing
// before `done`, so its old buffer is of no use to it before then. planar
// holds one more lock on that buffer until an output next answers frame
// callbacks (Output::render_frame, after each render): the release then
// leaves in the same flush as `done`.
//
// Only wl_shm buffers, and only for commits that carry a frame callback:
// dma-bufs have their own release (KMS out-fences, explicit sync release
// points), and a client that asked for no callback may be waiting for the
// buffer itself. Whatever is held is released at the latest `bound` after
// the first hold, so that a surface no output shows (no callback is ever
// answered for it) or an output that stopped rendering cannot keep a
// client's buffers.
#pragma once

#include <chrono>
#include <vector>

#include "wlr.hpp"

namespace planar {

class RequestVeto;

class ReleaseBatch {
public:
    static constexpr std::chrono::milliseconds bound{50};

    // Adds its preparation to `veto`, which must outlive it or go first.
    ReleaseBatch(wl_event_loop *loop, RequestVeto &veto);
    ~ReleaseBatch(); // releases what it holds
    ReleaseBatch(const ReleaseBatch &) = delete;
    ReleaseBatch &operator=(const ReleaseBatch &) = delete;

    // Releases every held buffer (each is sent wl_buffer.release if nothing
    // else holds it).
    void release_all();

private:
    void hold(wlr_surface *surface);
    void hold_buffer(wlr_buffer *buffer);
    static int handle_bound(void *data);

    std::vector<wlr_buffer *> held_;
    wl_event_source *bound_timer_ = nullptr;
};

} // namespace planar
