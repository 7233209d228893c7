// One connector of planar's KMS backend as a wlr_output: each commit is one
// atomic request (see kms.hpp); a page flip ends in a present event with the
// flip's own timestamp and sequence, then a frame event.
#include <cerrno>
#include <cinttypes>
#include <cstdlib>
#include <cstring>
#include <drm_fourcc.h>
#include <sys/stat.h>
#include <xf86drm.h>

#include "internal.hpp"
#include "log.hpp"

namespace kms {
namespace {

struct KmsMode {
    wlr_output_mode base; // first member: wlroots frees modes with free()
    drmModeModeInfo info;
};

uint64_t fixed(int value) { return static_cast<uint64_t>(value) << 16; }

void add(drmModeAtomicReq *request, uint32_t object, uint32_t property, uint64_t value, bool &ok) {
    if (property == 0 || drmModeAtomicAddProperty(request, object, property, value) < 0) ok = false;
}

void disable_plane(drmModeAtomicReq *request, const PlaneInfo &plane, bool &ok) {
    add(request, plane.plane.id, plane.fb_id, 0, ok);
    add(request, plane.plane.id, plane.crtc_id, 0, ok);
}

void show_on_plane(drmModeAtomicReq *request, const PlaneInfo &plane, uint32_t crtc, uint32_t fb, const Rect &src,
                   const Rect &dst, bool &ok) {
    uint32_t id = plane.plane.id;
    add(request, id, plane.fb_id, fb, ok);
    add(request, id, plane.crtc_id, crtc, ok);
    add(request, id, plane.src_x, fixed(src.x), ok);
    add(request, id, plane.src_y, fixed(src.y), ok);
    add(request, id, plane.src_w, fixed(src.width), ok);
    add(request, id, plane.src_h, fixed(src.height), ok);
    add(request, id, plane.crtc_x, static_cast<uint64_t>(static_cast<int64_t>(dst.x)), ok);
    add(request, id, plane.crtc_y, static_cast<uint64_t>(static_cast<int64_t>(dst.y)), ok);
    add(request, id, plane.crtc_w, static_cast<uint64_t>(dst.width), ok);
    add(request, id, plane.crtc_h, static_cast<uint64_t>(dst.height), ok);
}

// The mode the commit asks for: a listed mode, or a custom one equal to a listed mode.
const KmsMode *wanted_mode(KmsOutput &output) {
    const wlr_output_state &pending = output.base.pending;
    if (!(pending.committed & WLR_OUTPUT_STATE_MODE)) {
        return reinterpret_cast<const KmsMode *>(output.base.current_mode);
    }
    if (pending.mode_type == WLR_OUTPUT_STATE_MODE_FIXED) return reinterpret_cast<const KmsMode *>(pending.mode);
    KmsMode *mode;
    wl_list_for_each(mode, &output.base.modes, base.link) {
        if (mode->base.width == pending.custom_mode.width && mode->base.height == pending.custom_mode.height &&
            (pending.custom_mode.refresh == 0 || std::abs(mode->base.refresh - pending.custom_mode.refresh) < 500)) {
            return mode;
        }
    }
    return nullptr;
}

bool output_test(wlr_output *wlr_output);
bool output_commit(wlr_output *wlr_output);

void output_destroy(wlr_output *wlr_output) {
    KmsOutput *output = kms_output_from(wlr_output);
    if (output->flip_pending) {
        wlr_output_event_present event{};
        event.commit_seq = output->flip_commit_seq;
        event.presented = false;
        wlr_output_send_present(wlr_output, &event);
    }
    if (output->active && output->backend->session->active) output->disable_now();
    // wlroots 0.15's wlr_output_destroy frees no pending gamma ramp: one set
    // since the last commit (a gamma control that went resets it) leaked.
    free(wlr_output->pending.gamma_lut);
    wlr_output->pending.gamma_lut = nullptr;
    if (output->mode_blob != 0) drmModeDestroyPropertyBlob(output->backend->model->fd(), output->mode_blob);
    wlr_drm_format_set_finish(&output->primary_formats);
    wlr_drm_format_set_finish(&output->cursor_formats);
    output->backend->outputs.remove(output);
    delete output;
}

size_t output_gamma_size(wlr_output *wlr_output) {
    KmsOutput *output = kms_output_from(wlr_output);
    return output->crtc_info().gamma_lut_property != 0 ? output->crtc_info().gamma_lut_size : 0;
}

const wlr_drm_format_set *output_primary_formats(wlr_output *wlr_output, uint32_t buffer_caps) {
    if (!(buffer_caps & WLR_BUFFER_CAP_DMABUF)) return nullptr;
    return &kms_output_from(wlr_output)->primary_formats;
}

bool output_set_cursor(wlr_output *wlr_output, wlr_buffer *buffer, int hotspot_x, int hotspot_y) {
    KmsOutput *output = kms_output_from(wlr_output);
    if (output->cursor_plane == 0) return false;
    if (buffer != nullptr && output->backend->framebuffers->framebuffer_of(buffer) == 0) return false;
    output->cursor_buffer = LockedBuffer(buffer);
    output->cursor_hotspot_x = hotspot_x;
    output->cursor_hotspot_y = hotspot_y;
    output->cursor_changed = true;
    wlr_output_update_needs_frame(wlr_output);
    return true;
}

bool output_move_cursor(wlr_output *wlr_output, int x, int y) {
    KmsOutput *output = kms_output_from(wlr_output);
    if (output->cursor_x == x && output->cursor_y == y) return true;
    output->cursor_x = x;
    output->cursor_y = y;
    output->cursor_changed = true;
    wlr_output_update_needs_frame(wlr_output);
    return true;
}

const wlr_drm_format_set *output_cursor_formats(wlr_output *wlr_output, uint32_t buffer_caps) {
    if (!(buffer_caps & WLR_BUFFER_CAP_DMABUF)) return nullptr;
    return &kms_output_from(wlr_output)->cursor_formats;
}

void output_cursor_size(wlr_output *wlr_output, int *width, int *height) {
    int fd = kms_output_from(wlr_output)->backend->model->fd();
    uint64_t w = 64, h = 64;
    drmGetCap(fd, DRM_CAP_CURSOR_WIDTH, &w);
    drmGetCap(fd, DRM_CAP_CURSOR_HEIGHT, &h);
    *width = static_cast<int>(w);
    *height = static_cast<int>(h);
}

const wlr_output_impl output_impl = {
    .set_cursor = output_set_cursor,
    .move_cursor = output_move_cursor,
    .destroy = output_destroy,
    .test = output_test,
    .commit = output_commit,
    .get_gamma_size = output_gamma_size,
    .get_cursor_formats = output_cursor_formats,
    .get_cursor_size = output_cursor_size,
    .get_primary_formats = output_primary_formats,
};

bool output_test(wlr_output *wlr_output) { return kms_output_from(wlr_output)->commit(true); }
bool output_commit(wlr_output *wlr_output) { return kms_output_from(wlr_output)->commit(false); }

// GAMMA_LUT wants one drm_color_lut per entry; wlroots gives three arrays.
uint32_t gamma_blob(int fd, const wlr_output_state &pending) {
    if (pending.gamma_lut_size == 0) return 0;
    std::vector<drm_color_lut> lut(pending.gamma_lut_size);
    const uint16_t *r = pending.gamma_lut, *g = r + pending.gamma_lut_size, *b = g + pending.gamma_lut_size;
    for (size_t i = 0; i < lut.size(); i++) lut[i] = {r[i], g[i], b[i], 0};
    uint32_t blob = 0;
    if (drmModeCreatePropertyBlob(fd, lut.data(), lut.size() * sizeof(drm_color_lut), &blob) != 0) return 0;
    return blob;
}

} // namespace

KmsOutput *kms_output_from(wlr_output *output) {
    return output != nullptr && output->impl == &output_impl ? reinterpret_cast<KmsOutput *>(output) : nullptr;
}

const CrtcInfo &KmsOutput::crtc_info() const { return *backend->model->crtc(crtc); }

// Adds this commit's state to `request`. `contents` (when asked for) gets
// what each plane will show.
bool KmsOutput::build(drmModeAtomicReq *request, bool test, const NextFrame &frame, bool &zero_copy,
                      std::vector<PlaneContent> *contents) {
    const Device &device = *backend->model;
    const wlr_output_state &pending = base.pending;
    const CrtcInfo &crtc_state = crtc_info();
    const ConnectorInfo *connector_state = nullptr;
    for (const ConnectorInfo &c : device.connectors()) {
        if (c.id == connector) connector_state = &c;
    }
    if (connector_state == nullptr) return false;
    bool ok = true;
    bool enable = (pending.committed & WLR_OUTPUT_STATE_ENABLED) ? pending.enabled : base.enabled;
    if (!enable) {
        add(request, connector, connector_state->crtc_id_property, 0, ok);
        add(request, crtc, crtc_state.active_property, 0, ok);
        add(request, crtc, crtc_state.mode_id_property, 0, ok);
        for (uint32_t id : planes) disable_plane(request, *device.plane(id), ok);
        return ok;
    }
    const KmsMode *mode = wanted_mode(*this);
    if (mode == nullptr) return false;
    if (modeset_needed || (pending.committed & (WLR_OUTPUT_STATE_MODE | WLR_OUTPUT_STATE_ENABLED))) {
        uint32_t blob = 0;
        if (drmModeCreatePropertyBlob(device.fd(), &mode->info, sizeof(mode->info), &blob) != 0) return false;
        add(request, connector, connector_state->crtc_id_property, crtc, ok);
        add(request, crtc, crtc_state.mode_id_property, blob, ok);
        add(request, crtc, crtc_state.active_property, 1, ok);
        new_mode_blob = blob;
    }
    if (pending.committed & WLR_OUTPUT_STATE_GAMMA_LUT) {
        if (crtc_state.gamma_lut_property == 0) return false;
        new_gamma_blob = gamma_blob(device.fd(), pending);
        add(request, crtc, crtc_state.gamma_lut_property, new_gamma_blob, ok);
    }
    if ((pending.committed & WLR_OUTPUT_STATE_ADAPTIVE_SYNC_ENABLED) && pending.adaptive_sync_enabled) return false;

    // The primary plane: the new buffer, or what it shows now.
    wlr_buffer *primary = (pending.committed & WLR_OUTPUT_STATE_BUFFER) ? pending.buffer
                          : !shown.empty()                              ? shown.front().buffer.get()
                                                                        : nullptr;
    if (primary == nullptr) return false;
    if (primary->width != mode->info.hdisplay || primary->height != mode->info.vdisplay) return false;
    uint32_t primary_fb = backend->framebuffers->framebuffer_of(primary);
    if (primary_fb == 0) return false;
    const PlaneInfo &primary_plane = *device.plane(planes.front());
    show_on_plane(request, primary_plane, crtc, primary_fb, {0, 0, primary->width, primary->height},
                  {0, 0, mode->info.hdisplay, mode->info.vdisplay}, ok);
    bool primary_fenced = frame.primary_in_fence >= 0 && primary_plane.in_fence_fd != 0 && backend->fences_enabled;
    if (primary_fenced) add(request, primary_plane.plane.id, primary_plane.in_fence_fd, static_cast<uint64_t>(frame.primary_in_fence), ok);
    zero_copy = wlr_client_buffer_get(primary) != nullptr;
    if (contents != nullptr) {
        wlr_buffer *source = FramebufferCache::keyed_buffer(primary);
        contents->push_back({primary_plane.plane.id, LockedBuffer(primary), primary_fb, primary_fenced,
                             LockedBuffer(source != primary ? source : nullptr)});
    }

    // Overlays: what the frame puts on them, off otherwise.
    for (size_t i = 1; i < planes.size(); i++) {
        const PlaneInfo &plane = *device.plane(planes[i]);
        const OverlayLayer *layer = nullptr;
        for (const OverlayLayer &l : frame.overlays) {
            if (l.plane == plane.plane.id && backend->planes_enabled) layer = &l;
        }
        uint32_t fb = layer != nullptr ? backend->framebuffers->framebuffer_of(layer->buffer) : 0;
        if (layer != nullptr && fb == 0) return false;
        if (fb == 0) {
            disable_plane(request, plane, ok);
            if (contents != nullptr) contents->push_back({plane.plane.id, LockedBuffer(), 0, false});
            continue;
        }
        show_on_plane(request, plane, crtc, fb, {layer->src_x, layer->src_y, layer->src_width, layer->src_height},
                      layer->dst, ok);
        if (contents != nullptr) contents->push_back({plane.plane.id, LockedBuffer(layer->buffer), fb, false});
    }
    // The cursor plane: the hardware cursor's image where it is, or off.
    if (cursor_plane != 0) {
        const PlaneInfo &plane = *device.plane(cursor_plane);
        wlr_buffer *image = cursor_buffer.get();
        uint32_t fb = image != nullptr ? backend->framebuffers->framebuffer_of(image) : 0;
        if (fb != 0) {
            show_on_plane(request, plane, crtc, fb, {0, 0, image->width, image->height},
                          {cursor_x - cursor_hotspot_x, cursor_y - cursor_hotspot_y, image->width, image->height}, ok);
        } else {
            disable_plane(request, plane, ok);
        }
        if (contents != nullptr) contents->push_back({cursor_plane, LockedBuffer(fb != 0 ? image : nullptr), fb, false});
    }
    if (!test && frame.want_out_fence && crtc_state.out_fence_property != 0 && backend->fences_enabled) {
        out_fence_slot = -1;
        add(request, crtc, crtc_state.out_fence_property, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&out_fence_slot)), ok);
    }
    return ok;
}

bool KmsOutput::commit(bool test) {
    if (!backend->session->active) return false; // not DRM master: nothing touches KMS
    const wlr_output_state &pending = base.pending;
    if (!test && flip_pending) {
        plog::debug(plog::Scope::kms, "%s: commit refused while a page flip is pending", base.name);
        return false;
    }
    bool enable = (pending.committed & WLR_OUTPUT_STATE_ENABLED) ? pending.enabled : base.enabled;
    bool modeset = !enable || modeset_needed || (pending.committed & (WLR_OUTPUT_STATE_MODE | WLR_OUTPUT_STATE_ENABLED));
    if (!enable && !active) {
        if (!test) wlr_output_update_enabled(&base, false);
        return true;
    }

    drmModeAtomicReq *request = drmModeAtomicAlloc();
    if (request == nullptr) return false;
    new_mode_blob = 0;
    new_gamma_blob = 0;
    bool zero_copy = false;
    std::vector<PlaneContent> contents;
    bool ok = build(request, test, next, zero_copy, test ? nullptr : &contents);
    // A page-flip event for every commit of an enabled output (a new
    // primary buffer, new overlays, a mode): its present and frame events
    // pace the next frame. A modeset is a blocking commit; the rest never
    // block the event loop.
    bool flip_event = enable;
    uint32_t flags = test ? DRM_MODE_ATOMIC_TEST_ONLY : (flip_event ? DRM_MODE_PAGE_FLIP_EVENT : 0);
    if (modeset) {
        flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
    } else if (!test) {
        flags |= DRM_MODE_ATOMIC_NONBLOCK;
    }
    int ret = ok ? drmModeAtomicCommit(backend->model->fd(), request, flags, backend) : -EINVAL;
    int saved = errno;
    drmModeAtomicFree(request);
    if (ret != 0 && test && next.primary_in_fence >= 0 && backend->fences_enabled) refuses_in_fence_test();
    int fd = backend->model->fd();
    if (ret != 0 || test) {
        if (new_mode_blob != 0) drmModeDestroyPropertyBlob(fd, new_mode_blob);
        if (new_gamma_blob != 0) drmModeDestroyPropertyBlob(fd, new_gamma_blob);
        if (ret != 0 && ok) {
            plog::debug(plog::Scope::kms, "%s: atomic %s%s refused: %s", base.name, test ? "test" : "commit",
                        modeset ? " (modeset)" : "", strerror(saved));
        }
        return ret == 0;
    }

    if (new_mode_blob != 0) {
        if (mode_blob != 0) drmModeDestroyPropertyBlob(fd, mode_blob);
        mode_blob = new_mode_blob;
    }
    if (new_gamma_blob != 0) drmModeDestroyPropertyBlob(fd, new_gamma_blob); // the CRTC keeps its copy
    if (out_fence_slot >= 0) out_fence.reset(std::exchange(out_fence_slot, -1));
    next.primary_in_fence = -1; // borrowed for this commit only
    cursor_changed = false;
    if (!enable) {
        active = false;
        shown.clear();
        queued.clear();
        if (mode_blob != 0) drmModeDestroyPropertyBlob(fd, std::exchange(mode_blob, 0));
        wlr_output_update_enabled(&base, false);
        return true;
    }
    if (modeset) {
        const KmsMode *mode = wanted_mode(*this);
        wlr_output_update_mode(&base, const_cast<wlr_output_mode *>(&mode->base));
        wlr_output_update_enabled(&base, true);
        modeset_needed = false;
        active = true;
    }
    if (flip_event) {
        // A commit without a buffer leaves wlroots' frame_pending alone; the
        // flip's frame event is sent all the same.
        flip_pending = true;
        flip_commit_seq = base.commit_seq + 1; // wlr_output_commit increments it after we return
        flip_zero_copy = zero_copy;
        queued = std::move(contents);
    }
    return true;
}

// A refused test with the primary's in-fence: was it the fence? The same
// test without it tells; if so, the device takes no fences from now on.
void KmsOutput::refuses_in_fence_test() {
    NextFrame unfenced = next;
    unfenced.primary_in_fence = -1;
    drmModeAtomicReq *request = drmModeAtomicAlloc();
    if (request == nullptr) return;
    bool zero_copy = false;
    uint32_t mode_blob_made = new_mode_blob, gamma_blob_made = new_gamma_blob;
    bool ok = build(request, true, unfenced, zero_copy, nullptr);
    bool modeset = modeset_needed || (base.pending.committed & (WLR_OUTPUT_STATE_MODE | WLR_OUTPUT_STATE_ENABLED));
    uint32_t flags = DRM_MODE_ATOMIC_TEST_ONLY | (modeset ? DRM_MODE_ATOMIC_ALLOW_MODESET : 0);
    if (ok && drmModeAtomicCommit(backend->model->fd(), request, flags, nullptr) == 0) {
        backend->fences_enabled = false;
        plog::info(plog::Scope::kms, "%s: the device refuses IN_FENCE_FD: acquire fences are waited for on the CPU", base.name);
    }
    drmModeAtomicFree(request);
    // build() made blobs of its own: the caller frees the first ones.
    if (new_mode_blob != mode_blob_made && new_mode_blob != 0) drmModeDestroyPropertyBlob(backend->model->fd(), new_mode_blob);
    if (new_gamma_blob != gamma_blob_made && new_gamma_blob != 0) drmModeDestroyPropertyBlob(backend->model->fd(), new_gamma_blob);
    new_mode_blob = mode_blob_made;
    new_gamma_blob = gamma_blob_made;
}

void KmsOutput::page_flipped(unsigned seq, unsigned tv_sec, unsigned tv_usec) {
    if (!flip_pending) return;
    flip_pending = false;
    shown = std::move(queued); // unlocks what the screen no longer shows
    queued.clear();
    const KmsMode *mode = reinterpret_cast<const KmsMode *>(base.current_mode);
    int refresh_ns = mode != nullptr && mode->base.refresh > 0 ? static_cast<int>(1'000'000'000'000LL / mode->base.refresh) : 0;
    timespec when{static_cast<time_t>(tv_sec), static_cast<long>(tv_usec) * 1000};
    wlr_output_event_present event{};
    event.commit_seq = flip_commit_seq;
    event.presented = true;
    // Without monotonic timestamps the kernel's clock is not the presentation clock.
    event.when = backend->model->timestamps_monotonic() ? &when : nullptr;
    event.seq = seq;
    event.refresh = refresh_ns;
    event.flags = WLR_OUTPUT_PRESENT_VSYNC | WLR_OUTPUT_PRESENT_HW_CLOCK | WLR_OUTPUT_PRESENT_HW_COMPLETION;
    if (flip_zero_copy) event.flags |= WLR_OUTPUT_PRESENT_ZERO_COPY;
    wlr_output_send_present(&base, &event);
    wlr_output_send_frame(&base);
}

void KmsOutput::disable_now() {
    const Device &device = *backend->model;
    drmModeAtomicReq *request = drmModeAtomicAlloc();
    if (request == nullptr) return;
    bool ok = true;
    for (const ConnectorInfo &c : device.connectors()) {
        if (c.id == connector) add(request, connector, c.crtc_id_property, 0, ok);
    }
    add(request, crtc, crtc_info().active_property, 0, ok);
    add(request, crtc, crtc_info().mode_id_property, 0, ok);
    for (uint32_t id : planes) disable_plane(request, *device.plane(id), ok);
    if (ok && drmModeAtomicCommit(device.fd(), request, DRM_MODE_ATOMIC_ALLOW_MODESET, nullptr) != 0) {
        plog::error(plog::Scope::kms, "%s: cannot switch the CRTC off: %s", base.name, strerror(errno));
    }
    drmModeAtomicFree(request);
    active = false;
    shown.clear();
    queued.clear();
}

KmsOutput *create_output(KmsBackend *backend, const ConnectorInfo &connector, uint32_t crtc,
                         std::vector<uint32_t> planes) {
    auto *output = new KmsOutput{}; // value-initialised: wlr_output_init does not zero the base
    output->backend = backend;
    output->connector = connector.id;
    output->crtc = crtc;
    output->planes = std::move(planes);
    wlr_output_init(&output->base, &backend->base, &output_impl, backend->display);
    for (const drmModeModeInfo &info : connector.modes) {
        auto *mode = static_cast<KmsMode *>(calloc(1, sizeof(KmsMode)));
        mode->info = info;
        mode->base.width = info.hdisplay;
        mode->base.height = info.vdisplay;
        mode->base.refresh = refresh_mhz(info);
        mode->base.preferred = (info.type & DRM_MODE_TYPE_PREFERRED) != 0;
        wl_list_insert(output->base.modes.prev, &mode->base.link);
    }
    wlr_output_set_name(&output->base, connector.name.c_str());
    strncpy(output->base.make, connector.make.c_str(), sizeof(output->base.make) - 1);
    strncpy(output->base.model, connector.model.c_str(), sizeof(output->base.model) - 1);
    strncpy(output->base.serial, connector.serial.c_str(), sizeof(output->base.serial) - 1);
    std::string description = connector.make + " " + connector.model + " (" + connector.name + ")";
    wlr_output_set_description(&output->base, description.c_str());
    output->base.phys_width = connector.mm_width;
    output->base.phys_height = connector.mm_height;
    output->base.subpixel = static_cast<wl_output_subpixel>(connector.subpixel > 0 ? connector.subpixel - 1 : 0);
    const PlaneInfo *primary = backend->model->plane(output->planes.front());
    for (const FormatModifier &f : primary->plane.formats) {
        wlr_drm_format_set_add(&output->primary_formats, f.format, f.modifier);
        // Buffers of an implicit layout (dumb buffers, renderers without
        // modifiers) are shown as linear by every driver planar knows.
        if (f.modifier == DRM_FORMAT_MOD_LINEAR) wlr_drm_format_set_add(&output->primary_formats, f.format, DRM_FORMAT_MOD_INVALID);
    }
    if (const PlaneInfo *cursor = backend->model->cursor_for(*backend->model->crtc(crtc))) {
        bool taken = false;
        for (KmsOutput *other : backend->outputs) taken = taken || other->cursor_plane == cursor->plane.id;
        if (!taken) {
            output->cursor_plane = cursor->plane.id;
            for (const FormatModifier &f : cursor->plane.formats) {
                wlr_drm_format_set_add(&output->cursor_formats, f.format, f.modifier);
                if (f.modifier == DRM_FORMAT_MOD_LINEAR) wlr_drm_format_set_add(&output->cursor_formats, f.format, DRM_FORMAT_MOD_INVALID);
            }
        }
    }
    backend->outputs.push_back(output);
    return output;
}

bool cursor_changed(wlr_output *wlr_output) {
    KmsOutput *output = kms_output_from(wlr_output);
    return output != nullptr && output->cursor_changed;
}

bool is_kms_output(wlr_output *output) { return kms_output_from(output) != nullptr; }

dev_t device_of(wlr_output *wlr_output) {
    KmsOutput *output = kms_output_from(wlr_output);
    struct stat st {};
    return output != nullptr && fstat(output->backend->model->fd(), &st) == 0 ? st.st_rdev : 0;
}

void set_next_frame(wlr_output *wlr_output, NextFrame frame) {
    if (KmsOutput *output = kms_output_from(wlr_output)) output->next = std::move(frame);
}

bool test_overlays(wlr_output *wlr_output, const NextFrame &frame) {
    KmsOutput *output = kms_output_from(wlr_output);
    if (output == nullptr || !output->active || !output->backend->session->active || output->shown.empty()) return false;
    drmModeAtomicReq *request = drmModeAtomicAlloc();
    if (request == nullptr) return false;
    bool zero_copy = false;
    output->new_mode_blob = output->new_gamma_blob = 0;
    bool ok = output->build(request, true, frame, zero_copy, nullptr) &&
              drmModeAtomicCommit(output->backend->model->fd(), request, DRM_MODE_ATOMIC_TEST_ONLY, nullptr) == 0;
    drmModeAtomicFree(request);
    if (output->new_mode_blob != 0) drmModeDestroyPropertyBlob(output->backend->model->fd(), output->new_mode_blob);
    if (output->new_gamma_blob != 0) drmModeDestroyPropertyBlob(output->backend->model->fd(), output->new_gamma_blob);
    return ok;
}

UniqueFd take_out_fence(wlr_output *wlr_output) {
    KmsOutput *output = kms_output_from(wlr_output);
    return output != nullptr ? std::move(output->out_fence) : UniqueFd();
}

bool busy(wlr_output *wlr_output) {
    KmsOutput *output = kms_output_from(wlr_output);
    return output != nullptr && (output->flip_pending || !output->backend->session->active);
}

bool takes_in_fence(wlr_output *wlr_output) {
    KmsOutput *output = kms_output_from(wlr_output);
    return output != nullptr && output->backend->fences_enabled &&
           output->backend->model->plane(output->planes.front())->in_fence_fd != 0;
}

std::vector<Plane> planes_of(wlr_output *wlr_output) {
    KmsOutput *output = kms_output_from(wlr_output);
    std::vector<Plane> result;
    if (output == nullptr || !output->backend->planes_enabled || !output->backend->session->active) return result;
    for (uint32_t id : output->planes) result.push_back(output->backend->model->plane(id)->plane);
    return result;
}

std::vector<PlaneState> plane_states(wlr_output *wlr_output) {
    KmsOutput *output = kms_output_from(wlr_output);
    std::vector<PlaneState> result;
    if (output == nullptr) return result;
    std::vector<uint32_t> ids = output->planes;
    if (output->cursor_plane != 0) ids.push_back(output->cursor_plane);
    for (uint32_t id : ids) {
        PlaneState state;
        state.id = id;
        state.type = output->backend->model->plane(id)->plane.type;
        for (const PlaneContent &c : output->shown) {
            if (c.plane != id || c.buffer.get() == nullptr) continue;
            state.buffer = c.buffer.get();
            state.composition = wlr_client_buffer_get(c.buffer.get()) == nullptr &&
                                id == output->planes.front();
            state.in_fence = c.in_fence;
            wlr_dmabuf_attributes attribs{};
            if (wlr_buffer_get_dmabuf(c.buffer.get(), &attribs)) {
                state.format = attribs.format;
                state.modifier = attribs.modifier;
            }
        }
        result.push_back(state);
    }
    return result;
}

} // namespace kms
