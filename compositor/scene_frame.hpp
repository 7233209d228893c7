// One output frame from the scene: direct scan-out of a fullscreen surface
// when the backend takes its buffer, otherwise composition of the damaged
// region. Replaces wlr_scene_output_commit (wlroots 0.15) for two reasons:
// the background is the clear colour of the damaged rectangles instead of a
// scene rectangle (0.15's pixman renderer draws a rectangle by allocating and
// filling an image the size of the rectangle, ~8 MB per 1080p frame even for
// a 16-row damage), and the scan-out candidate is chosen by planar's window
// policy, which knows what a fullscreen view covers.
//
// Acquire fences passed to the plane (proto::CommitGate::pass_to_plane): a
// scanned-out buffer whose fence has not signalled goes to KMS with it as
// IN_FENCE_FD; composition and screencopy read on the CPU, so a frame that
// would read an unsignalled buffer is not made at all, and the caller waits
// for the fence (FrameResult::waits_for) before trying again. On request, the
// commit also asks KMS for an out fence (FrameResult::out_fence): it signals
// when the frame is on screen, so when the buffer it replaced is free.
#pragma once

#include <vector>

#include "unique_fd.hpp"
#include "wlr.hpp"

namespace planar {

struct FrameResult {
    bool committed = false;  // an output commit happened (a frame will be presented)
    bool scanned_out = false; // ... with the candidate's buffer on the primary plane
    bool in_fence = false;    // ... and KMS waits for its acquire fence
    int waits_for = -1;       // no frame: this fence (borrowed) must signal first
    UniqueFd out_fence;       // KMS's fence for this frame, when asked for and given
    std::vector<wlr_surface *> on_overlays; // surfaces the frame shows on overlay planes
};

class OverlayPlanner;

struct FrameInputs {
    wlr_surface *candidate = nullptr;                 // the only surface visible on the output
    wlr_presentation *presentation = nullptr;         // may be null
    wlr_screencopy_manager_v1 *screencopy = nullptr;  // may be null
    const float *background = nullptr;                // RGBA premultiplied
    bool want_out_fence = false;                      // ask KMS for the frame's out fence
    OverlayPlanner *planner = nullptr;                // null: no overlay planes
};

FrameResult commit_scene_frame(wlr_scene_output *scene_output, const FrameInputs &inputs, bool &was_scanout);

} // namespace planar
