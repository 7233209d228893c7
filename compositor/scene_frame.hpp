// One output frame from the scene: direct scan-out of a fullscreen surface
// when the backend takes its buffer, otherwise composition of the damaged
// region. Replaces wlr_scene_output_commit (wlroots 0.15) for two reasons:
// the background is the clear colour of the damaged rectangles instead of a
// scene rectangle (0.15's pixman renderer draws a rectangle by allocating and
// filling an image the size of the rectangle, ~8 MB per 1080p frame even for
// a 16-row damage), and the scan-out candidate is chosen by planar's window
// policy, which knows what a fullscreen view covers.
#pragma once

#include "wlr.hpp"

namespace planar {

struct FrameResult {
    bool committed = false;  // an output commit happened (a frame will be presented)
    bool scanned_out = false; // ... with the candidate's buffer on the primary plane
};

// `candidate`: the only surface visible on the output, or null. `presentation`
// may be null. `background` is RGBA premultiplied.
FrameResult commit_scene_frame(wlr_scene_output *scene_output, wlr_surface *candidate,
                               wlr_presentation *presentation, const float background[4], bool &was_scanout);

} // namespace planar
