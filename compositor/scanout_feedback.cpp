#include "scanout_feedback.hpp"

#include "client_pid.hpp"

#include <algorithm>

#include "kms.hpp"
#include "linux_dmabuf_v1.hpp"
#include "log.hpp"

namespace planar {

void ScanoutFeedback::frame_done(const OverlayPlanner &planner, proto::LinuxDmabuf *dmabuf,
                                 VerdictHysteresis::Clock::time_point now) {
    if (dmabuf == nullptr) return;
    for (const auto &[surface, placement] : planner.placements()) {
        auto &entry = entries_[surface];
        if (!entry) {
            entry = std::make_unique<Entry>(hold_);
            wlr_surface *key = surface;
            entry->on_destroy.connect(&surface->events.destroy, [this, key](void *) { entries_.erase(key); });
        }
        bool verdict = wants_scanout_tranche(placement.plane, placement.reason);
        if (entry->hysteresis.observe(verdict, now)) send(surface, entry->hysteresis.sent(), dmabuf);
    }
}

void ScanoutFeedback::send(wlr_surface *surface, bool scanout, proto::LinuxDmabuf *dmabuf) {
    // A wl_surface's id is unique only within its client: the pid says whose.
    pid_t pid = client_pid(surface->resource);
    plog::info(plog::Scope::dmabuf, "%s: surface %u of pid %d: %s", output_->name, wl_resource_get_id(surface->resource),
               static_cast<int>(pid), scanout ? "scanout tranche sent (a plane is within reach)" : "scanout tranche withdrawn");
    if (!scanout) {
        dmabuf->set_surface_tranches(surface, {});
        return;
    }
    proto::Tranche planes;
    planes.target_device = kms::device_of(output_);
    planes.flags = 1; // ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT
    for (const kms::Plane &plane : kms::planes_of(output_)) {
        for (const kms::FormatModifier &f : plane.formats) planes.formats.push_back({f.format, f.modifier});
    }
    std::sort(planes.formats.begin(), planes.formats.end());
    planes.formats.erase(std::unique(planes.formats.begin(), planes.formats.end()), planes.formats.end());
    proto::Tranche render;
    render.target_device = dmabuf->main_device();
    if (dmabuf->table() != nullptr) render.formats = dmabuf->table()->pairs();
    dmabuf->set_surface_tranches(surface, {planes, render});
}

void ScanoutFeedback::reset(proto::LinuxDmabuf *dmabuf) {
    for (auto &[surface, entry] : entries_) {
        if (dmabuf != nullptr && entry->hysteresis.sent()) dmabuf->set_surface_tranches(surface, {});
    }
    entries_.clear();
}

std::optional<ScanoutFeedback::State> ScanoutFeedback::state_of(wlr_surface *surface) const {
    auto it = entries_.find(surface);
    if (it == entries_.end()) return std::nullopt;
    const VerdictHysteresis &h = it->second->hysteresis;
    return State{h.sent(), h.seen(), h.since()};
}

} // namespace planar
