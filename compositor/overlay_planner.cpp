#include "overlay_planner.hpp"

#include <algorithm>
#include <string>
#include <drm_fourcc.h>

#include "commit_gate.hpp"
#include "dmabuf_buffer.hpp"
#include "log.hpp"

namespace planar {
namespace {

// One drawable thing of the frame, bottom to top as the scene draws it.
struct Drawn {
    kms::Layer layer;
    wlr_scene_node *node = nullptr; // surfaces only
    wlr_surface *surface = nullptr;
    wlr_buffer *buffer = nullptr;   // the dma-buf a plane would show
    int src_x = 0, src_y = 0;
};

struct Walk {
    kms::Rect output;
    int ox = 0, oy = 0;
    std::vector<Drawn> drawn;
};

bool unsignalled_fence(wlr_surface *surface) {
    proto::CommitGate *gate = proto::CommitGate::find(surface);
    return gate != nullptr && gate->plane_fence(surface->buffer->source) >= 0;
}

Drawn surface_layer(wlr_surface *surface, const kms::Rect &dst) {
    Drawn d;
    d.surface = surface;
    d.layer.dst = dst;
    d.layer.dmabuf = false;
    wlr_buffer *source = surface->buffer->source;
    wlr_dmabuf_attributes attribs{};
    if (source == nullptr || !wlr_buffer_get_dmabuf(source, &attribs) || surface->current.transform != WL_OUTPUT_TRANSFORM_NORMAL) {
        return d;
    }
    wlr_fbox src{};
    wlr_surface_get_buffer_source_box(surface, &src);
    // Planes take whole pixels of the buffer here; a fractional crop is composited.
    if (src.x != static_cast<int>(src.x) || src.y != static_cast<int>(src.y) || src.width != static_cast<int>(src.width) ||
        src.height != static_cast<int>(src.height)) {
        return d;
    }
    d.layer.dmabuf = true;
    d.layer.buffer = {attribs.format, attribs.modifier};
    d.layer.src_width = static_cast<int>(src.width);
    d.layer.src_height = static_cast<int>(src.height);
    d.src_x = static_cast<int>(src.x);
    d.src_y = static_cast<int>(src.y);
    proto::DmabufBuffer *dmabuf = proto::DmabufBuffer::from_wlr(source);
    d.layer.y_invert = dmabuf != nullptr && dmabuf->y_invert();
    d.layer.fence_unsignalled = unsignalled_fence(surface);
    d.buffer = source;
    return d;
}

void walk(wlr_scene_node *node, int x, int y, Walk &w) {
    if (!node->state.enabled) return;
    x += node->state.x;
    y += node->state.y;
    kms::Rect dst{x - w.ox, y - w.oy, 0, 0};
    switch (node->type) {
    case WLR_SCENE_NODE_SURFACE: {
        wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
        if (surface->buffer == nullptr) break;
        dst.width = surface->current.width;
        dst.height = surface->current.height;
        if (!dst.intersects(w.output)) break;
        Drawn d = surface_layer(surface, dst);
        d.node = node;
        w.drawn.push_back(d);
        break;
    }
    case WLR_SCENE_NODE_RECT: {
        wlr_scene_rect *rect = wl_container_of(node, rect, node);
        dst.width = rect->width;
        dst.height = rect->height;
        if (dst.intersects(w.output)) w.drawn.push_back({kms::Layer{.dmabuf = false, .dst = dst}});
        break;
    }
    case WLR_SCENE_NODE_BUFFER: {
        wlr_scene_buffer *buffer = wl_container_of(node, buffer, node);
        dst.width = buffer->dst_width > 0 ? buffer->dst_width : buffer->buffer != nullptr ? buffer->buffer->width : 0;
        dst.height = buffer->dst_height > 0 ? buffer->dst_height : buffer->buffer != nullptr ? buffer->buffer->height : 0;
        if (dst.intersects(w.output)) w.drawn.push_back({kms::Layer{.dmabuf = false, .dst = dst}});
        break;
    }
    case WLR_SCENE_NODE_ROOT:
    case WLR_SCENE_NODE_TREE:
        break;
    }
    wlr_scene_node *child;
    wl_list_for_each(child, &node->state.children, state.link) walk(child, x, y, w);
}

// The device's word on a proposal: the overlays it names, on top of what
// the primary plane shows now (Weston's mixed-mode test).
class OutputTester : public kms::PlaneTester {
public:
    OutputTester(wlr_output *output, const std::vector<Drawn> &top_first) : output_(output), layers_(top_first) {}
    bool test(const kms::Assignment &assignment) override {
        kms::NextFrame frame = next_frame(assignment, layers_);
        bool ok = kms::test_overlays(output_, frame);
        std::string planes;
        for (const kms::OverlayLayer &l : frame.overlays) planes += " " + std::to_string(l.plane);
        plog::debug(plog::Scope::kms, "%s: atomic test of overlays%s: %s", output_->name, planes.c_str(), ok ? "taken" : "refused");
        return ok;
    }
    static kms::NextFrame next_frame(const kms::Assignment &assignment, const std::vector<Drawn> &layers) {
        kms::NextFrame frame;
        for (size_t i = 0; i < assignment.layers.size(); i++) {
            const kms::Placement &p = assignment.layers[i];
            if (p.plane == 0) continue;
            const Drawn &d = layers[i];
            frame.overlays.push_back({p.plane, d.buffer, d.layer.dst, d.src_x, d.src_y, d.layer.src_width, d.layer.src_height});
        }
        return frame;
    }

private:
    wlr_output *output_;
    const std::vector<Drawn> &layers_;
};

// Whether every pixel of the surface is opaque: a format without alpha, or
// an opaque region covering it. Composition under such a plane is never seen.
bool opaque(wlr_surface *surface, const kms::Layer &layer) {
    switch (layer.buffer.format) {
    case DRM_FORMAT_XRGB8888:
    case DRM_FORMAT_XBGR8888:
    case DRM_FORMAT_XRGB2101010:
    case DRM_FORMAT_XBGR2101010:
    case DRM_FORMAT_XRGB16161616:
    case DRM_FORMAT_RGB565:
        return true;
    default:
        break;
    }
    pixman_box32_t box{0, 0, surface->current.width, surface->current.height};
    return pixman_region32_contains_rectangle(&surface->opaque_region, &box) == PIXMAN_REGION_IN;
}

void damage(wlr_scene_output *scene_output, const kms::Rect &r) {
    wlr_box box{r.x, r.y, r.width, r.height};
    wlr_output_damage_add_box(scene_output->damage, &box);
}

} // namespace

OverlayPlan OverlayPlanner::plan(wlr_scene_output *scene_output, bool capture) {
    OverlayPlan plan;
    std::map<wlr_surface *, SurfacePlane> placements;
    std::map<wlr_surface *, kms::Rect> on_planes;

    std::vector<kms::Plane> overlays;
    for (const kms::Plane &p : kms::planes_of(output_)) {
        if (p.type == kms::Plane::Type::overlay) overlays.push_back(p);
    }
    const char *gate = nullptr;
    if (!kms::is_kms_output(output_)) {
        gate = "no-planes";
    } else if (overlays.empty()) {
        gate = "planes-off";
    } else if (capture) {
        gate = "capture";
    } else if (suspended_) {
        gate = "test-failed";
    } else if (output_->scale != 1.0f || output_->transform != WL_OUTPUT_TRANSFORM_NORMAL) {
        gate = "output-transform";
    }

    Walk w;
    w.ox = scene_output->x;
    w.oy = scene_output->y;
    w.output = {0, 0, output_->width, output_->height};
    walk(&scene_output->scene->node, 0, 0, w);
    // planar's own drawings above everything: software cursors.
    wlr_output_cursor *cursor;
    wl_list_for_each(cursor, &output_->cursors, link) {
        if (!cursor->enabled || !cursor->visible || (cursor->texture == nullptr && cursor->surface == nullptr)) continue;
        if (output_->hardware_cursor == cursor) continue; // on the cursor plane, not composited
        kms::Rect box{static_cast<int>(cursor->x) - cursor->hotspot_x, static_cast<int>(cursor->y) - cursor->hotspot_y,
                      static_cast<int>(cursor->width), static_cast<int>(cursor->height)};
        w.drawn.push_back({kms::Layer{.dmabuf = false, .dst = box}});
    }
    std::reverse(w.drawn.begin(), w.drawn.end()); // top first

    if (gate != nullptr) {
        for (const Drawn &d : w.drawn) {
            if (d.surface != nullptr) placements[d.surface] = {0, gate};
        }
    } else {
        kms::Frame frame;
        frame.output = w.output;
        for (size_t i = 0; i < w.drawn.size(); i++) {
            w.drawn[i].layer.surface = static_cast<uint32_t>(i);
            frame.layers.push_back(w.drawn[i].layer);
        }
        if (cache_.size() > 512) cache_ = kms::TestCache(); // layouts of windows long moved
        kms::Assignment assignment;
        if (frame.layers == last_layers_ && overlays == last_planes_) {
            assignment = last_assignment_; // same layout: same answer, no tests, no keys
        } else {
            OutputTester tester(output_, w.drawn);
            assignment = kms::assign_planes(frame, overlays, tester, &cache_);
            last_layers_ = frame.layers;
            last_planes_ = overlays;
            last_assignment_ = assignment;
        }
        plan.frame = OutputTester::next_frame(assignment, w.drawn);
        for (size_t i = 0; i < w.drawn.size(); i++) {
            const Drawn &d = w.drawn[i];
            if (d.surface == nullptr) continue;
            const kms::Placement &p = assignment.layers[i];
            placements[d.surface] = {p.plane, p.plane != 0 ? "none" : kms::reason_name(p.reason)};
            if (p.plane == 0) continue;
            plan.on_planes.push_back(d.node);
            plan.surfaces.push_back(d.surface);
            on_planes[d.surface] = d.layer.dst;
            // The surface's own commits damaged the composition under it,
            // where an opaque plane that stays put hides every pixel: not
            // redrawn (the point of the plane). Entering, leaving or moving
            // damages it below.
            auto before = last_on_planes_.find(d.surface);
            if (before != last_on_planes_.end() && before->second == d.layer.dst && opaque(d.surface, d.layer)) {
                pixman_region32_t hidden;
                pixman_region32_init_rect(&hidden, d.layer.dst.x, d.layer.dst.y, d.layer.dst.width, d.layer.dst.height);
                pixman_region32_subtract(&scene_output->damage->current, &scene_output->damage->current, &hidden);
                pixman_region32_fini(&hidden);
            }
        }
    }
    plan.changed = plan.frame.overlays != last_overlays_;
    last_overlays_ = plan.frame.overlays;

    // A surface that enters or leaves a plane, or moves on one: composition
    // redraws where it was and where it is.
    for (const auto &[surface, rect] : last_on_planes_) {
        auto now = on_planes.find(surface);
        if (now == on_planes.end() || !(now->second == rect)) damage(scene_output, rect);
    }
    for (const auto &[surface, rect] : on_planes) {
        auto before = last_on_planes_.find(surface);
        if (before == last_on_planes_.end() || !(before->second == rect)) damage(scene_output, rect);
    }
    bool moved = placements.size() != placements_.size() || on_planes != last_on_planes_;
    if (moved) {
        plog::debug(plog::Scope::kms, "%s: %zu surfaces on overlay planes", output_->name, on_planes.size());
        for (const Drawn &d : w.drawn) {
            auto p = placements.find(d.surface);
            plog::debug(plog::Scope::kms, "  %s %dx%d+%d+%d: %s %u", d.surface != nullptr ? "surface" : "drawing", d.layer.dst.width,
                        d.layer.dst.height, d.layer.dst.x, d.layer.dst.y, p != placements.end() ? p->second.reason : "-",
                        p != placements.end() ? p->second.plane : 0u);
        }
    }
    last_on_planes_ = std::move(on_planes);
    placements_ = std::move(placements);
    suspended_ = false;
    return plan;
}

void OverlayPlanner::commit_failed() {
    plog::info(plog::Scope::kms, "%s: a commit with overlay planes failed; composing the next frame whole", output_->name);
    reset();
    suspended_ = true;
}

void OverlayPlanner::reset() {
    last_layers_.clear();
    last_planes_.clear();
    last_assignment_ = {};
    last_on_planes_.clear();
    last_overlays_.clear();
    placements_.clear();
    cache_ = kms::TestCache();
}

void OverlayPlanner::scanned_out(wlr_surface *surface, uint32_t primary_plane) {
    reset();
    placements_[surface] = {primary_plane, "none"};
}

std::optional<SurfacePlane> OverlayPlanner::placement_of(wlr_surface *surface) const {
    auto it = placements_.find(surface);
    return it != placements_.end() ? std::optional<SurfacePlane>(it->second) : std::nullopt;
}

HiddenNodes::HiddenNodes(const std::vector<wlr_scene_node *> &nodes) {
    for (wlr_scene_node *node : nodes) {
        if (!node->state.enabled) continue;
        node->state.enabled = false;
        nodes_.push_back(node);
    }
}

HiddenNodes::~HiddenNodes() {
    for (wlr_scene_node *node : nodes_) node->state.enabled = true;
}

} // namespace planar
