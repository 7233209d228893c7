#include "release_batch.hpp"

#include "log.hpp"
#include "request_veto.hpp"
#include "shm_buffer.hpp"

namespace planar {

ReleaseBatch::ReleaseBatch(wl_event_loop *loop, RequestVeto &veto) {
    bound_timer_ = wl_event_loop_add_timer(loop, handle_bound, this);
    if (bound_timer_ == nullptr) {
        plog::error(plog::Scope::scene, "cannot create a timer; wl_shm buffers are released at once");
        return;
    }
    // Before wlroots runs the commit: it drops the old buffer while it runs.
    veto.add_preparation("wl_surface", "commit",
                         [this](wl_resource *resource, const wl_argument *) { hold(wlr_surface_from_resource(resource)); });
}

ReleaseBatch::~ReleaseBatch() {
    release_all();
    if (bound_timer_ != nullptr) wl_event_source_remove(bound_timer_);
}

void ReleaseBatch::hold(wlr_surface *surface) {
    if (bound_timer_ == nullptr) return;
    if (!(surface->pending.committed & WLR_SURFACE_STATE_BUFFER)) return; // keeps its buffer
    if (wl_list_empty(&surface->pending.frame_callback_list)) return;    // may wait for the buffer itself
    // The pixman renderer reads the old buffer until this commit replaces
    // it; the GLES2 renderer copies the new one and drops it at once.
    if (surface->buffer != nullptr) hold_buffer(surface->buffer->source);
    hold_buffer(surface->pending.buffer);
}

void ReleaseBatch::hold_buffer(wlr_buffer *buffer) {
    if (!is_shm_buffer(buffer)) return;
    // Armed anew with each batch: one timerfd_settime a frame costs less
    // than the wake-ups of a timer left running.
    if (held_.empty()) {
        wl_event_source_timer_update(bound_timer_, static_cast<int>(bound.count()));
    }
    held_.push_back(wlr_buffer_lock(buffer));
}

void ReleaseBatch::release_all() {
    // Swapped out first: an unlock runs wlroots' handlers, which must not
    // find the list half walked.
    std::vector<wlr_buffer *> held;
    held.swap(held_);
    for (wlr_buffer *buffer : held) wlr_buffer_unlock(buffer);
}

int ReleaseBatch::handle_bound(void *data) {
    auto *self = static_cast<ReleaseBatch *>(data);
    if (!self->held_.empty()) {
        plog::debug(plog::Scope::scene, "releasing %zu wl_shm buffers after %lld ms without a frame", self->held_.size(),
                    static_cast<long long>(bound.count()));
    }
    self->release_all();
    return 0;
}

} // namespace planar
