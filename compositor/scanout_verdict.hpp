// Scanout feedback's verdict for one surface (issue 13): whether its
// linux-dmabuf feedback should carry a scanout tranche, and when a change of
// that verdict is sent. A pure state machine on an injected clock, so that
// the hysteresis is tested without waiting.
//
// Verdict (Weston's semantics): a scanout tranche while the surface is on a
// plane, or could be if its buffer had another format or modifier; none
// while something reallocation cannot fix keeps it composited (overlap, no
// plane left, scaling, a capture, no planes on the output).
//
// Hysteresis: a new verdict is sent only once it has held for `hold` (2 s by
// default), so a window dragged across the screen or a layout that
// flickers never makes the client reallocate again and again.
#pragma once

#include <chrono>
#include <cstdint>

namespace planar {

// From the surface's placement in the last frame (OverlayPlanner): its
// plane (0: composited) and the reason it is composited.
bool wants_scanout_tranche(uint32_t plane, const char *reason);

class VerdictHysteresis {
public:
    using Clock = std::chrono::steady_clock;

    explicit VerdictHysteresis(std::chrono::milliseconds hold = std::chrono::seconds(2)) : hold_(hold) {}

    // The verdict seen at `now`. True when the verdict to send changes now
    // (sent() is then the new one).
    bool observe(bool verdict, Clock::time_point now);

    bool sent() const { return sent_; }
    // The latest verdict seen and since when it has held.
    bool seen() const { return seen_; }
    Clock::time_point since() const { return since_; }

private:
    std::chrono::milliseconds hold_;
    bool sent_ = false;
    bool seen_ = false;
    bool started_ = false;
    Clock::time_point since_{};
};

} // namespace planar
