// Scanout feedback (issue 13): per surface, a linux-dmabuf feedback with a
// scanout tranche first (the KMS device, the formats its planes take) while
// the verdict says a plane is within reach, the default feedback otherwise;
// a change is sent only once the verdict held (VerdictHysteresis).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "listener.hpp"
#include "overlay_planner.hpp"
#include "scanout_verdict.hpp"
#include "wlr.hpp"

namespace proto {
class LinuxDmabuf;
}

namespace planar {

class ScanoutFeedback {
public:
    ScanoutFeedback(wlr_output *output, std::chrono::milliseconds hold) : output_(output), hold_(hold) {}

    // After each frame: the placements it made (OverlayPlanner).
    void frame_done(const OverlayPlanner &planner, proto::LinuxDmabuf *dmabuf, VerdictHysteresis::Clock::time_point now);
    // Gives every surface its default feedback back (output going away).
    void reset(proto::LinuxDmabuf *dmabuf);

    struct State {
        bool scanout_sent = false; // the feedback carries a scanout tranche
        bool verdict = false;      // the latest verdict
        VerdictHysteresis::Clock::time_point since;
    };
    std::optional<State> state_of(wlr_surface *surface) const;

private:
    struct Entry {
        explicit Entry(std::chrono::milliseconds hold) : hysteresis(hold) {}
        VerdictHysteresis hysteresis;
        wl::Listener on_destroy;
    };
    void send(wlr_surface *surface, bool scanout, proto::LinuxDmabuf *dmabuf);

    wlr_output *output_;
    std::chrono::milliseconds hold_;
    std::map<wlr_surface *, std::unique_ptr<Entry>> entries_;
};

} // namespace planar
