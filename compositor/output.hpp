// Output: one wlr_output shown through the scene. Owns the frame loop of that
// output: on each frame event it waits until FrameSchedule says the render
// can start (as late as the measured render time allows), renders or scans
// out, then sends frame callbacks.
#pragma once

#include <memory>

#include "fence.hpp"
#include "frame_schedule.hpp"
#include "scene_frame.hpp"
#include "headless.hpp"
#include "overlay_planner.hpp"
#include "scanout_feedback.hpp"
#include "listener.hpp"
#include "unique_fd.hpp"
#include "wlr.hpp"

namespace planar {

class Server;
class View;

class Output {
public:
    // `mode`: a requested custom mode (nested windows), or null for the preferred one.
    Output(Server &server, wlr_output *output, const backend::OutputMode *mode);
    ~Output();
    Output(const Output &) = delete;
    Output &operator=(const Output &) = delete;

    wlr_output *wlr() const { return output_; }
    // Position and size in layout coordinates.
    wlr_box box() const;
    // The view whose surface may go straight to the primary plane: a
    // fullscreen view covering this output with nothing else visible on it.
    void set_scanout_candidate(View *view) { scanout_candidate_ = output_->enabled ? view : nullptr; }
    // Where windows are placed and maximized: the box minus the exclusive
    // zones of layer surfaces (panels), set by LayerShell.
    wlr_box work_area() const;
    void set_work_area(const wlr_box &area) { work_area_ = area; }
    // Enabled and in the layout: windows may live on it.
    bool usable() const;
    // Whether the last frame put a client buffer on the primary plane.
    bool scanning_out() const { return scanned_out_; }
    // The surface whose buffer the last frame put on the primary plane, or null.
    wlr_surface *scanned_out_surface() const;
    // Frames whose buffer went to the plane with its acquire fence as IN_FENCE_FD.
    uint64_t in_fence_frames() const { return in_fence_frames_; }
    // The overlay plane of `surface` in the last frame, or why it is composited.
    // Null when the last frame did not show it here.
    std::optional<SurfacePlane> plane_of(wlr_surface *surface) const;
    // The scanout feedback state of `surface` on this output, if it has one.
    std::optional<ScanoutFeedback::State> feedback_of(wlr_surface *surface) const { return feedback_.state_of(surface); }

private:
    void handle_frame();
    void handle_present(wlr_output_event_present *event);
    void render_frame();
    void wait_for_fence(int fence);
    void track_plane_buffer(const FrameResult &result, wlr_surface *candidate);
    // Presentation feedback of surfaces on overlays: sent with ZERO_COPY
    // when the commit that put them there is presented.
    void sampled_on_overlays(const std::vector<wlr_surface *> &surfaces);
    void present_overlay_feedback(wlr_output_event_present *event);
    // The output was disabled (or is going): no frame of it may run after this.
    void stop_frames();
    static int handle_render_timer(int fd, uint32_t mask, void *data);

    Server &server_;
    wlr_output *output_;
    View *scanout_candidate_ = nullptr;
    wlr_box work_area_{}; // layout coordinates; empty until LayerShell lays the output out
    float background_[4] = {};
    bool scanned_out_ = false;
    uint64_t in_fence_frames_ = 0;
    // The client buffer the last frame put on the plane (its source wlr_buffer).
    wlr_buffer *plane_buffer_ = nullptr;
    wl::Listener on_plane_buffer_destroy_;
    // A frame that would have read a buffer before its acquire fence
    // signalled waits for that fence, then asks for a new frame.
    std::unique_ptr<render::Wait> fence_wait_;
    OverlayPlanner planner_;
    ScanoutFeedback feedback_;
    struct OverlayFeedback {
        uint32_t commit_seq;
        wlr_presentation_feedback *feedback;
    };
    std::vector<OverlayFeedback> overlay_feedback_;
    FrameSchedule schedule_;
    UniqueFd render_timer_;
    wl_event_source *render_timer_source_ = nullptr;
    bool render_scheduled_ = false;
    wl::Listener on_frame_;
    wl::Listener on_present_;
    wl::Listener on_mode_;
    wl::Listener on_enable_;
    wl::Listener on_destroy_;
};

} // namespace planar
