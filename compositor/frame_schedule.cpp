#include "frame_schedule.hpp"

#include <algorithm>
#include <array>

namespace planar {

void FrameSchedule::presented(int64_t when_ns, int64_t refresh_ns) {
    if (when_ns > 0) last_vblank_ns_ = when_ns;
    if (refresh_ns > 0) refresh_ns_ = refresh_ns;
}

void FrameSchedule::rendered(int64_t duration_ns) {
    durations_[next_] = std::max<int64_t>(duration_ns, 0);
    next_ = (next_ + 1) % window;
    count_ = std::min(count_ + 1, window);
}

int64_t FrameSchedule::predicted_render_ns() const {
    // The 90th percentile of recent frames: a missed vblank costs more than
    // an early render, but one preempted frame (a loaded machine) must not
    // switch late rendering off for a whole second.
    if (count_ == 0) return margin_ns;
    std::array<int64_t, window> sorted = durations_;
    auto end = sorted.begin() + static_cast<long>(count_);
    auto nth = sorted.begin() + static_cast<long>((count_ * 9) / 10);
    std::nth_element(sorted.begin(), nth, end);
    return *nth + margin_ns;
}

int64_t FrameSchedule::render_start(int64_t now_ns) const {
    if (last_vblank_ns_ == 0 || refresh_ns_ <= 0 || count_ == 0) return now_ns;
    int64_t needed = predicted_render_ns();
    if (needed >= refresh_ns_) return now_ns; // cannot render late at all
    // First vblank after now that leaves time to render.
    int64_t earliest_done = now_ns + needed;
    int64_t periods = (earliest_done - last_vblank_ns_ + refresh_ns_ - 1) / refresh_ns_;
    if (periods < 1) periods = 1;
    int64_t vblank = last_vblank_ns_ + periods * refresh_ns_;
    return std::max(now_ns, vblank - needed);
}

} // namespace planar
