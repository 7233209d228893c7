// CommitGate: holds a surface's commits until their acquire fences signal.
// One per wlr_surface (a wlr_addon, created on first use), shared by
// linux-explicit-synchronization and linux-drm-syncobj: each held commit
// keeps a wlr_surface_lock_pending lock and a render::Wait; when the wait
// ends, wlr_surface_unlock_cached lets wlroots apply it (in commit order).
// Destroyed with the surface: waits are cancelled (fds and event sources
// freed); the cached states are wlroots' and go with the surface.
//
// A commit of a surface that is on a KMS plane is not held: its fence goes
// to the plane (IN_FENCE_FD, backend/kms/kms.hpp) and stays here with
// its buffer until it signals, so that every reader that is not KMS
// (composition, screencopy) can wait for it first.
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <memory>

#include "fence.hpp"
#include "listener.hpp"
#include "unique_fd.hpp"
#include "wlr.hpp"

namespace proto {

class CommitGate {
public:
    using StartWait = std::function<std::unique_ptr<render::Wait>(render::Wait::Done done)>;

    static CommitGate &of(wlr_surface *surface);
    // Null when the surface never held a commit.
    static CommitGate *find(wlr_surface *surface);

    // Holds the pending commit (call before wlroots handles wl_surface.commit)
    // until the wait from `start` ends. `protocol` names who asked, for logs
    // and the inspector. When `start` fails the commit is not held.
    void hold(const char *protocol, const StartWait &start);

    size_t held() const { return holds_.size(); }

    // Whether a surface's acquire fences may go to KMS with its commits
    // instead of holding them: the compositor's plane policy, given to each
    // sync protocol when it is made (empty: never).
    using PlanePolicy = std::function<bool(wlr_surface *surface)>;

    // Lets the pending commit through with `fence` (unsignalled) kept for
    // `buffer`, the buffer it attaches: KMS waits for it on the plane.
    void pass_to_plane(const char *protocol, wlr_buffer *buffer, UniqueFd fence);
    // The unsignalled fence (borrowed) passed with `buffer`, or -1.
    int plane_fence(wlr_buffer *buffer);
    size_t passed_to_plane() const { return passed_; }
    // For the inspector: the protocol of the last hold and how long its wait took.
    const char *last_protocol() const { return last_protocol_; }
    std::chrono::nanoseconds last_wait() const { return last_wait_; }

private:
    struct Hold {
        uint32_t seq = 0;
        std::chrono::steady_clock::time_point since;
        std::unique_ptr<render::Wait> wait;
    };
    explicit CommitGate(wlr_surface *surface);
    ~CommitGate();
    void release(Hold *hold);
    void forget_plane_fence();
    static void handle_addon_destroy(wlr_addon *addon);
    static const wlr_addon_interface addon_impl_;

    wlr_surface *surface_;
    // Standard layout, so that the addon leads back to its owner.
    struct Addon {
        wlr_addon addon;
        CommitGate *owner;
    };
    Addon addon_{};
    std::list<std::unique_ptr<Hold>> holds_;
    wlr_buffer *plane_buffer_ = nullptr;
    UniqueFd plane_fence_;
    wl::Listener on_plane_buffer_destroy_;
    size_t passed_ = 0;
    const char *last_protocol_ = "";
    std::chrono::nanoseconds last_wait_{0};
};

} // namespace proto
