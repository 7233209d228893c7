#include "scene_frame.hpp"

#include "commit_gate.hpp"
#include "dmabuf_buffer.hpp"
#include "kms.hpp"
#include "overlay_planner.hpp"
#include "log.hpp"

namespace planar {
namespace {

// The surface alone fills the output with one buffer and nothing that needs
// composition: no viewport crop, no subsurfaces, no popups, same transform.
bool scanout_possible(wlr_output *output, wlr_surface *surface) {
    if (surface == nullptr || surface->buffer == nullptr) return false;
    if (surface->current.viewport.has_src || surface->current.transform != output->transform) return false;
    // linux-dmabuf y_invert: the image is stored bottom row first. wlroots
    // 0.15's DRM backend sets no reflection on the primary plane, so the
    // plane would show it upside down: composite it (the CPU path flips it;
    // on the GPU path XdgView::apply_y_invert's transform already refuses it).
    if (proto::DmabufBuffer *dmabuf = proto::DmabufBuffer::from_wlr(surface->buffer->source);
        dmabuf != nullptr && dmabuf->y_invert()) {
        return false;
    }
    if (!wl_list_empty(&surface->current.subsurfaces_above) || !wl_list_empty(&surface->current.subsurfaces_below)) {
        return false;
    }
    int width = 0, height = 0;
    wlr_output_effective_resolution(output, &width, &height);
    if (surface->current.width != width || surface->current.height != height) return false;
    if (wlr_surface_is_xdg_surface(surface)) {
        wlr_xdg_surface *xdg = wlr_xdg_surface_from_wlr_surface(surface);
        if (xdg != nullptr && !wl_list_empty(&xdg->popups)) return false;
    }
    return true;
}

bool try_scanout(wlr_output *output, wlr_surface *surface, wlr_presentation *presentation) {
    wlr_output_attach_buffer(output, &surface->buffer->base);
    if (!wlr_output_test(output)) {
        wlr_output_rollback(output);
        return false;
    }
    if (presentation != nullptr) wlr_presentation_surface_sampled_on_output(presentation, surface, output);
    return wlr_output_commit(output);
}

// The unsignalled acquire fence passed to the plane with what `surface`
// shows now, or -1.
int plane_fence_of(wlr_surface *surface) {
    if (surface == nullptr || surface->buffer == nullptr) return -1;
    proto::CommitGate *gate = proto::CommitGate::find(surface);
    return gate != nullptr ? gate->plane_fence(surface->buffer->source) : -1;
}

// Screencopy reads the committed buffer on the CPU right after the commit.
bool screencopy_waits_on(wlr_screencopy_manager_v1 *screencopy, wlr_output *output) {
    if (screencopy == nullptr) return false;
    wlr_screencopy_frame_v1 *frame;
    wl_list_for_each(frame, &screencopy->frames, link) {
        if (frame->output == output) return true;
    }
    return false;
}

// An unsignalled fence of any surface composition would read on this output, or -1.
int unsignalled_fence_on(wlr_scene_output *scene_output) {
    int width = 0, height = 0;
    wlr_output_effective_resolution(scene_output->output, &width, &height);
    struct Context {
        wlr_box output;
        int fence;
    } context{{scene_output->x, scene_output->y, width, height}, -1};
    wlr_scene_node_for_each_surface(
        &scene_output->scene->node,
        [](wlr_surface *surface, int lx, int ly, void *data) {
            auto *c = static_cast<Context *>(data);
            wlr_box box{lx, ly, surface->current.width, surface->current.height}, inside{};
            if (c->fence >= 0 || !wlr_box_intersection(&inside, &box, &c->output)) return;
            c->fence = plane_fence_of(surface);
        },
        &context);
    return context.fence;
}

// Direct scan-out of `candidate`, with KMS waiting for its acquire fence
// when it has an unsignalled one. False: composite (or wait) instead.
bool scan_out(wlr_output *output, const FrameInputs &inputs, FrameResult &result) {
    if (!scanout_possible(output, inputs.candidate)) return false;
    // A capture reads the committed buffer with the renderer, which cannot
    // read a client's buffer (pixman has no access to a wlr_client_buffer's
    // pixels) nor wait for its fence: that frame is composited.
    if (screencopy_waits_on(inputs.screencopy, output)) return false;
    kms::NextFrame next; // no overlays: the candidate is all there is
    next.want_out_fence = inputs.want_out_fence;
    int fence = plane_fence_of(inputs.candidate);
    if (fence >= 0) {
        if (!kms::takes_in_fence(output)) return false;
        next.primary_in_fence = fence;
    }
    kms::set_next_frame(output, next);
    bool ok = try_scanout(output, inputs.candidate, inputs.presentation);
    result.in_fence = ok && fence >= 0;
    return ok;
}

// Where the frame needs the background: the damage minus what opaque
// surfaces cover (they overwrite every pixel there anyway). Skipping that
// clear saves one full pass over the damage for a window that fills it.
// Only for unscaled, untransformed outputs, where layout and buffer
// coordinates differ by the output's position alone.
void subtract_opaque_surfaces(wlr_scene_output *scene_output, pixman_region32_t *clear) {
    wlr_output *output = scene_output->output;
    if (output->scale != 1.0f || output->transform != WL_OUTPUT_TRANSFORM_NORMAL) return;
    struct Context {
        pixman_region32_t *clear;
        int x, y;
    } context{clear, scene_output->x, scene_output->y};
    wlr_scene_node_for_each_surface(
        &scene_output->scene->node,
        [](wlr_surface *surface, int lx, int ly, void *data) {
            auto *c = static_cast<Context *>(data);
            if (!pixman_region32_not_empty(&surface->opaque_region)) return;
            pixman_region32_t opaque;
            pixman_region32_init(&opaque);
            pixman_region32_copy(&opaque, &surface->opaque_region);
            pixman_region32_translate(&opaque, lx - c->x, ly - c->y);
            pixman_region32_subtract(c->clear, c->clear, &opaque);
            pixman_region32_fini(&opaque);
        },
        &context);
}

void scissor(wlr_output *output, const pixman_box32_t &rect) {
    wlr_box box{rect.x1, rect.y1, rect.x2 - rect.x1, rect.y2 - rect.y1};
    int width = 0, height = 0;
    wlr_output_transformed_resolution(output, &width, &height);
    wlr_box_transform(&box, &box, wlr_output_transform_invert(output->transform), width, height);
    wlr_renderer_scissor(output->renderer, &box);
}

// Commits what is pending with the plan's overlays. A commit the device
// refuses for its content (not for a pending flip or a paused session)
// makes the planner compose the next frame whole.
void commit_with_planes(wlr_output *output, const FrameInputs &inputs, OverlayPlan &plan, FrameResult &result) {
    result.committed = wlr_output_commit(output);
    result.out_fence = kms::take_out_fence(output);
    if (result.committed) {
        result.on_overlays = std::move(plan.surfaces);
    } else if (inputs.planner != nullptr && !plan.frame.overlays.empty() && !kms::busy(output)) {
        inputs.planner->commit_failed();
    }
}

} // namespace

FrameResult commit_scene_frame(wlr_scene_output *scene_output, const FrameInputs &inputs, bool &was_scanout) {
    wlr_output *output = scene_output->output;
    FrameResult result;
    bool scanout = scan_out(output, inputs, result);
    if (!scanout) {
        result.waits_for = unsignalled_fence_on(scene_output);
        if (result.waits_for >= 0) {
            plog::debug(plog::Scope::scene, "%s: frame waits for an acquire fence", output->name);
            return result;
        }
    }
    if (scanout != was_scanout) {
        plog::debug(plog::Scope::scene, "%s: direct scan-out %s", output->name, scanout ? "on" : "off");
        // Leaving scan-out: the composited buffers are stale everywhere.
        wlr_output_damage_add_whole(scene_output->damage);
    }
    was_scanout = scanout;
    if (scanout) {
        if (inputs.planner != nullptr) {
            uint32_t primary = 0;
            for (const kms::PlaneState &plane : kms::plane_states(output)) {
                if (plane.type == kms::Plane::Type::primary) primary = plane.id;
            }
            inputs.planner->scanned_out(inputs.candidate, primary);
        }
        result.committed = result.scanned_out = true;
        result.out_fence = kms::take_out_fence(output);
        return result;
    }

    OverlayPlan plan;
    if (inputs.planner != nullptr) plan = inputs.planner->plan(scene_output, screencopy_waits_on(inputs.screencopy, output));
    plan.frame.want_out_fence = inputs.want_out_fence;
    kms::set_next_frame(output, plan.frame);

    // Nothing for composition to draw (what changed is on planes): no back
    // buffer is taken at all, only the planes change.
    // A new gamma ramp (wlsunset) rides on the next commit: it needs one
    // even when nothing on screen changed.
    bool needs_frame = output->needs_frame || pixman_region32_not_empty(&scene_output->damage->current) ||
                       (output->pending.committed & WLR_OUTPUT_STATE_GAMMA_LUT);
    if (!needs_frame) {
        if (plan.changed || kms::cursor_changed(output)) {
            commit_with_planes(output, inputs, plan, result);
        }
        return result;
    }
    pixman_region32_t damage;
    pixman_region32_init(&damage);
    if (!wlr_output_damage_attach_render(scene_output->damage, &needs_frame, &damage)) {
        pixman_region32_fini(&damage);
        return result;
    }
    if (!needs_frame) {
        pixman_region32_fini(&damage);
        wlr_output_rollback(output);
        return result;
    }

    wlr_renderer *renderer = output->renderer;
    wlr_renderer_begin(renderer, output->width, output->height);
    HiddenNodes on_planes(plan.on_planes); // KMS shows them; composition draws what is under them
    pixman_region32_t clear;
    pixman_region32_init(&clear);
    pixman_region32_copy(&clear, &damage);
    subtract_opaque_surfaces(scene_output, &clear);
    int count = 0;
    pixman_box32_t *rects = pixman_region32_rectangles(&clear, &count);
    for (int i = 0; i < count; i++) {
        scissor(output, rects[i]);
        wlr_renderer_clear(renderer, inputs.background);
    }
    pixman_region32_fini(&clear);
    wlr_scene_render_output(scene_output->scene, output, scene_output->x, scene_output->y, &damage);
    wlr_output_render_software_cursors(output, &damage);
    wlr_renderer_end(renderer);
    pixman_region32_fini(&damage);

    int width = 0, height = 0;
    wlr_output_transformed_resolution(output, &width, &height);
    pixman_region32_t frame_damage;
    pixman_region32_init(&frame_damage);
    wlr_region_transform(&frame_damage, &scene_output->damage->current,
                         wlr_output_transform_invert(output->transform), width, height);
    wlr_output_set_damage(output, &frame_damage);
    pixman_region32_fini(&frame_damage);
    commit_with_planes(output, inputs, plan, result);
    return result;
}

} // namespace planar
