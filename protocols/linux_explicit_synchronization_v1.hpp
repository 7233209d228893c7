// planar's zwp_linux_explicit_synchronization_v1 (version 2): per-surface
// synchronization objects with sync_file acquire fences and buffer release
// objects. Owns the global, the surface synchronization objects (one per
// wl_surface at most) and the release objects.
//
// Acquire (DESIGN.md step 4): at commit, a fence that has not signalled
// holds the commit through the surface's CommitGate until the fd polls
// readable on the event loop, unless the surface is on a KMS plane that
// takes the fence itself (the plane policy): the commit then goes through
// with its fence kept for the plane (CommitGate::pass_to_plane). Release (step 6): a release object follows the
// wlr_buffer of its commit and answers when planar stops holding that buffer
// (its `release` signal: composited, once the frame that read it is done; on
// a plane, once the next flip replaced it): `fenced_release` when a
// CompletionFences gives a fence, `immediate_release` otherwise.
// Commit-time errors are posted from a CommitHook, before wlroots caches.
#pragma once

#include <unordered_map>

#include "commit_gate.hpp"
#include "commit_hook.hpp"
#include "fence.hpp"
#include "wlr.hpp"

namespace proto {

class BufferRelease;

class LinuxExplicitSync {
public:
    static constexpr uint32_t version = 2;

    // `completion` (may be null): where release fences come from.
    // `plane_policy`: which surfaces' fences go to KMS (empty: none).
    LinuxExplicitSync(wl_display *display, render::CompletionFences *completion = nullptr,
                      CommitGate::PlanePolicy plane_policy = {});
    ~LinuxExplicitSync();
    LinuxExplicitSync(const LinuxExplicitSync &) = delete;
    LinuxExplicitSync &operator=(const LinuxExplicitSync &) = delete;

    CommitHook &hook() { return hook_; }
    wl_event_loop *event_loop() const { return loop_; }
    render::CompletionFences *completion() const { return completion_; }
    bool plane_takes_fence(wlr_surface *surface) const { return plane_policy_ && plane_policy_(surface); }

    // `buffer` left a KMS plane in a commit whose out fence (borrowed) signals
    // once the flip is done: its release objects get fenced_release now.
    void buffer_off_plane(wlr_buffer *buffer, int fence);
    // Whether a release object follows `buffer`.
    bool release_awaited(wlr_buffer *buffer) const { return following_.count(buffer) != 0; }

    // zwp_linux_explicit_synchronization_v1.get_synchronization.
    void get_synchronization(wl_resource *manager, uint32_t id, wl_resource *surface);

private:
    friend class BufferRelease;
    static void bind(wl_client *client, void *data, uint32_t version, uint32_t id);

    wl_global *global_ = nullptr;
    wl_event_loop *loop_;
    render::CompletionFences *completion_;
    CommitGate::PlanePolicy plane_policy_;
    CommitHook hook_;
    // Release objects by the buffer they follow.
    std::unordered_multimap<wlr_buffer *, BufferRelease *> following_;
};

} // namespace proto
