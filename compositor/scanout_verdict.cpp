#include "scanout_verdict.hpp"

#include <cstring>

namespace planar {

bool wants_scanout_tranche(uint32_t plane, const char *reason) {
    // On a plane already, or refused only for the buffer's layout: another
    // allocation could reach (or keep) a plane.
    return plane != 0 || (reason != nullptr && strcmp(reason, "format") == 0);
}

bool VerdictHysteresis::observe(bool verdict, Clock::time_point now) {
    if (!started_ || verdict != seen_) {
        started_ = true;
        seen_ = verdict;
        since_ = now;
    }
    if (seen_ == sent_ || now - since_ < hold_) return false;
    sent_ = seen_;
    return true;
}

} // namespace planar
