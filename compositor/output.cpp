#include "output.hpp"

#include <cerrno>
#include <fcntl.h>
#include <cstring>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.hpp"
#include "release_batch.hpp"
#include "scene_frame.hpp"
#include "server.hpp"
#include "view.hpp"

namespace planar {
namespace {

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

} // namespace

Output::Output(Server &server, wlr_output *output, const backend::OutputMode *mode)
    : server_(server), output_(output), planner_(output),
      feedback_(output, std::chrono::milliseconds(server.config().scanout_feedback_hold_ms)) {
    output_->data = this;
    if (!wlr_output_init_render(output_, server_.allocator(), server_.output_renderer())) {
        plog::error(plog::Scope::output, "%s: cannot initialise rendering", output_->name);
    }

    wlr_output_enable(output_, true);
    if (mode != nullptr) {
        wlr_output_set_custom_mode(output_, mode->width, mode->height, mode->refresh_mhz);
    } else if (wlr_output_mode *preferred = wlr_output_preferred_mode(output_)) {
        wlr_output_set_mode(output_, preferred);
    }
    if (!wlr_output_commit(output_)) {
        plog::error(plog::Scope::output, "%s: cannot enable the output", output_->name);
    }

    render_timer_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (render_timer_) {
        render_timer_source_ = wl_event_loop_add_fd(server_.event_loop(), render_timer_.get(), WL_EVENT_READABLE,
                                                    handle_render_timer, this);
    } else {
        plog::error(plog::Scope::output, "%s: timerfd_create: %s; rendering on frame events", output_->name,
                    strerror(errno));
    }

    on_frame_.connect(&output_->events.frame, [this](void *) { handle_frame(); });
    on_present_.connect_as<wlr_output_event_present>(&output_->events.present,
                                                      [this](wlr_output_event_present *e) { handle_present(e); });
    on_mode_.connect(&output_->events.mode, [this](void *) { schedule_.reset_phase(); });
    on_enable_.connect(&output_->events.enable, [this](void *) {
        if (!output_->enabled) stop_frames();
    });
    on_destroy_.connect(&output_->events.destroy, [this](void *) { delete this; });

    uint32_t rgb = server_.config().background;
    background_[0] = ((rgb >> 16) & 0xff) / 255.0f;
    background_[1] = ((rgb >> 8) & 0xff) / 255.0f;
    background_[2] = (rgb & 0xff) / 255.0f;
    background_[3] = 1.0f;
    server_.output_added(this);
    plog::info(plog::Scope::output, "%s: %dx%d@%.3f Hz", output_->name, output_->width, output_->height,
               output_->refresh / 1000.0);
}

Output::~Output() {
    stop_frames();
    if (render_timer_source_ != nullptr) wl_event_source_remove(render_timer_source_);
    server_.output_removed(this);
    output_->data = nullptr;
}

void Output::stop_frames() {
    if (render_scheduled_) {
        itimerspec disarm{};
        timerfd_settime(render_timer_.get(), 0, &disarm, nullptr);
        render_scheduled_ = false;
    }
    fence_wait_.reset();
    scanout_candidate_ = nullptr;
    scanned_out_ = false;
    planner_.reset();
    feedback_.reset(server_.linux_dmabuf());
    for (const OverlayFeedback &f : overlay_feedback_) wlr_presentation_feedback_destroy(f.feedback);
    overlay_feedback_.clear();
    plane_buffer_ = nullptr;
    on_plane_buffer_destroy_.disconnect();
}

bool Output::usable() const {
    return output_->enabled && wlr_output_layout_get(server_.layout(), output_) != nullptr;
}

wlr_surface *Output::scanned_out_surface() const {
    return scanned_out_ && scanout_candidate_ != nullptr ? scanout_candidate_->surface() : nullptr;
}

void Output::wait_for_fence(int fence) {
    UniqueFd fd(fcntl(fence, F_DUPFD_CLOEXEC, 0));
    auto wait = std::make_unique<render::FenceWait>(server_.event_loop(), std::move(fd), [this] {
        fence_wait_.reset(); // FenceWait moved this callback out before calling it
        wlr_output_schedule_frame(output_);
    });
    if (!wait->ok()) {
        plog::error(plog::Scope::output, "%s: cannot wait for an acquire fence; retrying next frame", output_->name);
        wlr_output_schedule_frame(output_);
        return;
    }
    fence_wait_ = std::move(wait);
}

void Output::track_plane_buffer(const FrameResult &result, wlr_surface *candidate) {
    wlr_buffer *now = result.scanned_out ? candidate->buffer->source : nullptr;
    // A flip from one client buffer to another: the old one is free once KMS's
    // out fence of this commit signals, earlier than the flip event that ends
    // wlroots' hold on it. (Back to composition, the surface may still show
    // it: that case waits for the flip as before.)
    if (plane_buffer_ != nullptr && now != nullptr && now != plane_buffer_ && result.out_fence) {
        server_.buffer_off_plane(plane_buffer_, result.out_fence.get());
    }
    if (now == plane_buffer_) return;
    plane_buffer_ = now;
    on_plane_buffer_destroy_.disconnect();
    if (now != nullptr) on_plane_buffer_destroy_.connect(&now->events.destroy, [this](void *) {
        plane_buffer_ = nullptr;
        on_plane_buffer_destroy_.disconnect();
    });
}

std::optional<SurfacePlane> Output::plane_of(wlr_surface *surface) const {
    if (surface != nullptr && scanned_out_surface() == surface) {
        for (const kms::PlaneState &plane : kms::plane_states(output_)) {
            if (plane.type == kms::Plane::Type::primary) return SurfacePlane{plane.id, "none"};
        }
    }
    return planner_.placement_of(surface);
}

wlr_box Output::work_area() const {
    wlr_box full = box();
    // Laid out for another position or mode: the whole output until the
    // next layout (LayerShell::arrange runs on every layout change).
    wlr_box inside{};
    if (work_area_.width <= 0 || work_area_.height <= 0 || !wlr_box_intersection(&inside, &work_area_, &full)) return full;
    return inside;
}

wlr_box Output::box() const {
    wlr_box *box = wlr_output_layout_get_box(server_.layout(), output_);
    return box != nullptr ? *box : wlr_box{};
}

void Output::sampled_on_overlays(const std::vector<wlr_surface *> &surfaces) {
    wlr_presentation *presentation = server_.presentation();
    if (presentation == nullptr) return;
    for (wlr_surface *surface : surfaces) {
        // wlr_output_commit counted this commit already.
        if (wlr_presentation_feedback *f = wlr_presentation_surface_sampled(presentation, surface)) {
            overlay_feedback_.push_back({output_->commit_seq, f});
        }
    }
}

void Output::present_overlay_feedback(wlr_output_event_present *event) {
    std::vector<OverlayFeedback> later;
    for (const OverlayFeedback &f : overlay_feedback_) {
        if (f.commit_seq > event->commit_seq) {
            later.push_back(f);
            continue;
        }
        if (event->presented && f.commit_seq == event->commit_seq) {
            wlr_presentation_event presented{};
            wlr_presentation_event_from_output(&presented, event);
            presented.flags |= WLR_OUTPUT_PRESENT_ZERO_COPY; // KMS scanned the client's buffer out
            wlr_presentation_feedback_send_presented(f.feedback, &presented);
        }
        wlr_presentation_feedback_destroy(f.feedback); // discarded when not presented
    }
    overlay_feedback_ = std::move(later);
}

void Output::handle_present(wlr_output_event_present *event) {
    present_overlay_feedback(event);
    if (!event->presented || event->when == nullptr) return;
    int64_t when = event->when->tv_sec * 1'000'000'000LL + event->when->tv_nsec;
    int64_t refresh = event->refresh;
    if (refresh <= 0 && output_->refresh > 0) refresh = 1'000'000'000'000LL / output_->refresh;
    schedule_.presented(when, refresh);
}

void Output::handle_frame() {
    if (render_scheduled_) return; // a render is already waiting for its moment
    int64_t now = now_ns();
    int64_t start = schedule_.render_start(now);
    // Below a millisecond a timer costs more than it gives.
    if (render_timer_source_ == nullptr || start - now < 1'000'000) {
        render_frame();
        return;
    }
    itimerspec spec{};
    spec.it_value.tv_sec = start / 1'000'000'000LL;
    spec.it_value.tv_nsec = start % 1'000'000'000LL;
    if (timerfd_settime(render_timer_.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
        render_frame();
        return;
    }
    render_scheduled_ = true;
}

int Output::handle_render_timer(int fd, uint32_t, void *data) {
    uint64_t expirations = 0;
    if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations)) return 0;
    auto *self = static_cast<Output *>(data);
    self->render_scheduled_ = false;
    self->render_frame();
    return 0;
}

void Output::render_frame() {
    // Looked up each frame, never kept: wlroots' scene destroys an output's
    // scene output when the output leaves the layout (disabled by
    // wlr-output-management), and a frame timer armed before that may fire.
    wlr_scene_output *scene_output = wlr_scene_get_scene_output(server_.scene(), output_);
    if (scene_output == nullptr || !output_->enabled) return;
    int64_t started = now_ns();
    FrameInputs inputs;
    inputs.candidate = scanout_candidate_ != nullptr ? scanout_candidate_->surface() : nullptr;
    inputs.presentation = server_.presentation();
    inputs.screencopy = server_.screencopy();
    inputs.background = background_;
    inputs.want_out_fence = plane_buffer_ != nullptr;
    inputs.planner = &planner_;
    FrameResult result = commit_scene_frame(scene_output, inputs, scanned_out_);
    if (result.in_fence) in_fence_frames_++;
    if (result.waits_for >= 0) wait_for_fence(result.waits_for);
    if (result.committed) track_plane_buffer(result, inputs.candidate);
    if (result.committed && !result.scanned_out) server_.frame_composited(scene_output);
    if (result.committed) sampled_on_overlays(result.on_overlays);
    feedback_.frame_done(planner_, server_.linux_dmabuf(), std::chrono::steady_clock::now());
    int64_t finished = now_ns();
    schedule_.rendered(finished - started);
    plog::debug(plog::Scope::output, "%s: frame took %.2f ms (predicted %.2f ms)", output_->name,
                (finished - started) / 1e6, schedule_.predicted_render_ns() / 1e6);
    timespec now{finished / 1'000'000'000LL, finished % 1'000'000'000LL};
    // The old buffers of commits that asked for these callbacks go out in
    // the same flush (ReleaseBatch).
    server_.release_batch().release_all();
    wlr_scene_output_send_frame_done(scene_output, &now);
    server_.send_frame_done_to_held_views(&now);
}

} // namespace planar
