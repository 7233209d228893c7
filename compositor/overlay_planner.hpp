// Which surfaces of one output's frame go on overlay planes (issue 12): the
// frame as kms::assign_planes sees it (the scene's visible surfaces and
// planar's own drawings, top to bottom), the device's word through atomic
// TEST_ONLY commits, and what the rest of the frame must do about it:
// composition skips the surfaces on planes, the region a surface leaves or
// enters is redrawn, and their presentation feedback says ZERO_COPY.
//
// No overlays (everything composited) while a screen capture waits on the
// output (it reads the composited buffer), on outputs with a scale or a
// transform, on outputs that are not planar's KMS outputs, and with
// PLANAR_KMS_PLANES=0.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "kms.hpp"
#include "plane_assignment.hpp"
#include "wlr.hpp"

namespace planar {

struct OverlayPlan {
    kms::NextFrame frame;                     // for kms::set_next_frame
    std::vector<wlr_scene_node *> on_planes;  // scene nodes composition must skip
    std::vector<wlr_surface *> surfaces;      // their surfaces (presentation feedback)
    // The overlays differ from the last plan's: a commit is needed even when
    // composition has nothing to redraw.
    bool changed = false;
};

// Per surface: its plane, or why it is composited (planar-ctl surfaces).
struct SurfacePlane {
    uint32_t plane = 0;
    const char *reason = "none";
};

class OverlayPlanner {
public:
    explicit OverlayPlanner(wlr_output *output) : output_(output) {}

    // The plan for the next frame of `scene_output`; damages what changes
    // between plane and composition. `capture`: a screen capture waits.
    OverlayPlan plan(wlr_scene_output *scene_output, bool capture);
    // Forgets everything (output disabled): the next plan starts afresh.
    void reset();
    // The frame put `surface` alone on the primary plane (direct scan-out):
    // no overlays, and that is its placement.
    void scanned_out(wlr_surface *surface, uint32_t primary_plane);
    // The commit of a plan with overlays failed (the device changed its
    // mind, a framebuffer could not be made): test results are forgotten and
    // the next frame is composited whole.
    void commit_failed();

    // Null when the last frame did not show `surface` on this output.
    std::optional<SurfacePlane> placement_of(wlr_surface *surface) const;
    // Every surface the last frame showed on this output.
    const std::map<wlr_surface *, SurfacePlane> &placements() const { return placements_; }

private:
    wlr_output *output_;
    kms::TestCache cache_;
    // The last frame's layers and assignment: a frame with the same layout
    // (geometry, formats, fences) reuses it without asking again.
    std::vector<kms::Layer> last_layers_;
    std::vector<kms::Plane> last_planes_;
    kms::Assignment last_assignment_;
    bool suspended_ = false; // one frame without overlays after a failed commit
    std::map<wlr_surface *, kms::Rect> last_on_planes_;
    std::vector<kms::OverlayLayer> last_overlays_;
    std::map<wlr_surface *, SurfacePlane> placements_;
};

// Temporarily hides the nodes of an OverlayPlan from composition (restored
// on destruction). Sets the node state directly: wlr_scene_node_set_enabled
// would damage the output each frame, and these nodes are not really hidden.
class HiddenNodes {
public:
    explicit HiddenNodes(const std::vector<wlr_scene_node *> &nodes);
    ~HiddenNodes();
    HiddenNodes(const HiddenNodes &) = delete;
    HiddenNodes &operator=(const HiddenNodes &) = delete;

private:
    std::vector<wlr_scene_node *> nodes_;
};

} // namespace planar
