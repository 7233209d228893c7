#include "plane_assignment.hpp"

#include <algorithm>
#include <cstdio>

namespace kms {
namespace {

bool takes(const Plane &plane, const FormatModifier &buffer) {
    return std::find(plane.formats.begin(), plane.formats.end(), buffer) != plane.formats.end();
}

// What `plane` cannot show of `layer`, before any test; Reason::none when it might.
Reason refusal(const Plane &plane, const Layer &layer) {
    if (!takes(plane, layer.buffer)) return Reason::format;
    if ((layer.src_width != layer.dst.width || layer.src_height != layer.dst.height) && !plane.scales) {
        return Reason::scaling;
    }
    if (layer.y_invert && !plane.reflects_y) return Reason::y_invert;
    if (layer.opacity < 1.0f && !plane.alpha) return Reason::opacity;
    return Reason::none;
}

std::string layout_key(const Frame &frame, const Assignment &assignment) {
    std::string key = assignment.composition ? "c" : "-";
    for (size_t i = 0; i < frame.layers.size(); i++) {
        const Layer &l = frame.layers[i];
        char part[160];
        snprintf(part, sizeof part, "|%u:%d,%d,%dx%d,%dx%d,%08x,%llx,%u", assignment.layers[i].plane, l.dst.x, l.dst.y,
                 l.dst.width, l.dst.height, l.src_width, l.src_height, l.buffer.format,
                 static_cast<unsigned long long>(l.buffer.modifier), l.y_invert ? 1u : 0u);
        key += part;
    }
    return key;
}

bool device_takes(const Frame &frame, const Assignment &proposal, PlaneTester &tester, TestCache *cache) {
    std::string key = layout_key(frame, proposal);
    if (cache != nullptr) {
        if (std::optional<bool> known = cache->find(key)) return *known;
    }
    bool ok = tester.test(proposal);
    if (cache != nullptr) cache->remember(key, ok);
    return ok;
}

// The worst of two reasons for keeping a layer composited: the one closest
// to "the device said no" tells the client the most (scanout feedback).
Reason stronger(Reason a, Reason b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

} // namespace

const char *reason_name(Reason reason) {
    switch (reason) {
    case Reason::none: return "none";
    case Reason::not_dmabuf: return "not-dmabuf";
    case Reason::covered: return "overlap";
    case Reason::format: return "format";
    case Reason::scaling: return "scaling";
    case Reason::y_invert: return "y_invert";
    case Reason::opacity: return "opacity";
    case Reason::fence: return "fence";
    case Reason::no_plane: return "no-plane-left";
    case Reason::test_failed: return "test-failed";
    }
    return "?";
}

std::optional<bool> TestCache::find(const std::string &key) const {
    auto it = results_.find(key);
    return it != results_.end() ? std::optional<bool>(it->second) : std::nullopt;
}

void TestCache::remember(const std::string &key, bool ok) { results_[key] = ok; }

Assignment assign_planes(const Frame &frame, const std::vector<Plane> &planes, PlaneTester &tester, TestCache *cache) {
    Assignment result;
    const Plane *primary = nullptr;
    std::vector<const Plane *> overlays; // bottom to top
    for (const Plane &plane : planes) {
        if (plane.type == Plane::Type::primary && primary == nullptr) primary = &plane;
        if (plane.type == Plane::Type::overlay) overlays.push_back(&plane);
    }
    // Stacking order: zpos where the driver has it, plane id where it has
    // none (vkms creates its overlays bottom to top).
    std::stable_sort(overlays.begin(), overlays.end(), [](const Plane *a, const Plane *b) {
        if (a->zpos && b->zpos && *a->zpos != *b->zpos) return *a->zpos < *b->zpos;
        return a->id < b->id;
    });
    result.primary = primary != nullptr ? primary->id : 0;
    for (const Layer &layer : frame.layers) result.layers.push_back({layer.surface, 0, Reason::none});

    std::vector<Rect> composited_above;
    int ceiling = static_cast<int>(overlays.size()) - 1; // highest overlay still free for the next layer
    const bool alone = frame.layers.size() == 1;
    for (size_t i = 0; i < frame.layers.size(); i++) {
        const Layer &layer = frame.layers[i];
        // By index: `result` is replaced whole when a proposal passes.
        auto plane_of = [&result, i] { return result.layers[i].plane; };
        bool covered = std::any_of(composited_above.begin(), composited_above.end(),
                                   [&](const Rect &r) { return r.intersects(layer.dst); });
        Reason why = Reason::none;
        if (!layer.dmabuf) {
            why = Reason::not_dmabuf;
        } else if (covered) {
            why = Reason::covered;
        } else if (layer.fence_unsignalled && !alone) {
            why = Reason::fence;
        }
        // The bottom layer that alone fills the output goes on the primary
        // plane, and composition is not needed at all.
        bool bottom = i + 1 == frame.layers.size();
        if (why == Reason::none && bottom && primary != nullptr && composited_above.empty() &&
            layer.dst == frame.output) {
            Reason refused = refusal(*primary, layer);
            if (refused == Reason::none) {
                Assignment proposal = result;
                proposal.layers[i].plane = primary->id;
                proposal.composition = false;
                if (device_takes(frame, proposal, tester, cache)) {
                    result = proposal;
                    continue;
                }
                refused = Reason::test_failed;
            }
            why = refused; // an overlay may still take it below
        }
        if (why == Reason::none || (bottom && why != Reason::not_dmabuf && why != Reason::covered &&
                                    why != Reason::fence)) {
            why = ceiling < 0 ? Reason::no_plane : Reason::none;
            Reason best = Reason::none;
            for (int p = ceiling; p >= 0 && plane_of() == 0; p--) {
                Reason refused = refusal(*overlays[p], layer);
                if (refused != Reason::none) {
                    best = stronger(best, refused);
                    continue;
                }
                Assignment proposal = result;
                proposal.layers[i].plane = overlays[p]->id;
                if (device_takes(frame, proposal, tester, cache)) {
                    result = proposal;
                    ceiling = p - 1;
                } else {
                    best = Reason::test_failed;
                }
            }
            if (plane_of() == 0 && why == Reason::none) why = best == Reason::none ? Reason::no_plane : best;
        }
        if (plane_of() == 0) {
            result.layers[i].reason = why;
            composited_above.push_back(layer.dst);
        }
    }
    // Composition is still needed for what no layer covers (the background),
    // unless the bottom layer took the primary plane.
    return result;
}

} // namespace kms
