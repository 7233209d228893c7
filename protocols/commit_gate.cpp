#include "commit_gate.hpp"

#include "log.hpp"

namespace proto {

const wlr_addon_interface CommitGate::addon_impl_ = {
    .name = "planar_commit_gate",
    .destroy = CommitGate::handle_addon_destroy,
};

CommitGate::CommitGate(wlr_surface *surface) : surface_(surface) {
    addon_.owner = this;
    // wlroots wants an owner: one gate per surface, so the interface itself serves.
    wlr_addon_init(&addon_.addon, &surface->addons, &addon_impl_, &addon_impl_);
}

CommitGate::~CommitGate() {
    forget_plane_fence();
    wlr_addon_finish(&addon_.addon);
}

CommitGate &CommitGate::of(wlr_surface *surface) {
    if (CommitGate *gate = find(surface)) return *gate;
    return *new CommitGate(surface);
}

CommitGate *CommitGate::find(wlr_surface *surface) {
    wlr_addon *addon = wlr_addon_find(&surface->addons, &addon_impl_, &addon_impl_);
    if (addon == nullptr) return nullptr;
    return reinterpret_cast<Addon *>(addon)->owner;
}

void CommitGate::handle_addon_destroy(wlr_addon *addon) {
    // The surface is going: its cached states go with it, so nothing is
    // unlocked; the waits are cancelled by their destructors.
    delete reinterpret_cast<Addon *>(addon)->owner;
}

void CommitGate::hold(const char *protocol, const StartWait &start) {
    auto hold = std::make_unique<Hold>();
    Hold *raw = hold.get();
    raw->since = std::chrono::steady_clock::now();
    last_protocol_ = protocol;
    // Done never runs inside start(), so raw->wait is set before it can.
    raw->wait = start([this, raw] { release(raw); });
    if (!raw->wait) {
        plog::info(plog::Scope::sync, "%s: cannot wait for the acquire fence; the commit is not held", protocol);
        return;
    }
    raw->seq = wlr_surface_lock_pending(surface_);
    holds_.push_back(std::move(hold));
    plog::debug(plog::Scope::sync, "%s: surface %p commit %u held for its acquire fence", protocol,
                static_cast<void *>(surface_), raw->seq);
}

void CommitGate::release(Hold *hold) {
    last_wait_ = std::chrono::steady_clock::now() - hold->since;
    uint32_t seq = hold->seq;
    holds_.remove_if([hold](const std::unique_ptr<Hold> &h) { return h.get() == hold; });
    plog::debug(plog::Scope::sync, "surface %p commit %u: fence signalled after %lld us", static_cast<void *>(surface_),
                seq, static_cast<long long>(last_wait_.count() / 1000));
    // May apply the state (and every later cached one) right now.
    wlr_surface_unlock_cached(surface_, seq);
}

void CommitGate::pass_to_plane(const char *protocol, wlr_buffer *buffer, UniqueFd fence) {
    // Only the newest buffer can be shown next: an older fence is moot.
    forget_plane_fence();
    last_protocol_ = protocol;
    last_wait_ = std::chrono::nanoseconds(0);
    plane_buffer_ = buffer;
    plane_fence_ = std::move(fence);
    on_plane_buffer_destroy_.connect(&buffer->events.destroy, [this](void *) { forget_plane_fence(); });
    passed_++;
    plog::debug(plog::Scope::sync, "%s: surface %p commit passed to the plane with its acquire fence", protocol,
                static_cast<void *>(surface_));
}

int CommitGate::plane_fence(wlr_buffer *buffer) {
    if (!plane_fence_ || buffer == nullptr || buffer != plane_buffer_) return -1;
    if (render::polls_readable(plane_fence_.get())) {
        forget_plane_fence();
        return -1;
    }
    return plane_fence_.get();
}

void CommitGate::forget_plane_fence() {
    if (!plane_fence_) return;
    plane_fence_.reset();
    plane_buffer_ = nullptr;
    on_plane_buffer_destroy_.disconnect();
}

} // namespace proto
