// FrameSchedule: when to render an output's next frame. Rendering as late as
// the measured render time allows gives clients the most time to draw, and
// shortens commit-to-presentation latency by most of a refresh period, the
// way sway's max_render_time does, but measured rather than configured.
//
// Pure arithmetic over nanosecond timestamps (CLOCK_MONOTONIC), so that it is
// unit-tested without an output.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace planar {

class FrameSchedule {
public:
    // Safety margin beyond the recent render time: scheduling noise of a
    // loaded machine, and the commit itself.
    static constexpr int64_t margin_ns = 2'000'000;
    static constexpr size_t window = 60; // frames of render-time history

    // A presentation happened at `when_ns`; `refresh_ns` 0 = unknown.
    void presented(int64_t when_ns, int64_t refresh_ns);
    // A render took `duration_ns`.
    void rendered(int64_t duration_ns);
    // Forget the vblank phase (mode change, output disabled).
    void reset_phase() { last_vblank_ns_ = 0; }

    // When to start the next render, given that it is `now_ns`: now when the
    // vblank phase is unknown, otherwise the latest moment that still makes
    // the first vblank that can be reached.
    int64_t render_start(int64_t now_ns) const;
    int64_t predicted_render_ns() const;
    int64_t refresh_ns() const { return refresh_ns_; }

private:
    int64_t last_vblank_ns_ = 0;
    int64_t refresh_ns_ = 0;
    std::array<int64_t, window> durations_{};
    size_t count_ = 0;
    size_t next_ = 0;
};

} // namespace planar
