// planar's KMS backend: the device, its outputs, hotplug and VT switches.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <xf86drm.h>

#include "internal.hpp"
#include "log.hpp"

namespace kms {
namespace {

KmsBackend *backend_from(wlr_backend *backend) { return reinterpret_cast<KmsBackend *>(backend); }

void page_flip_handler(int, unsigned seq, unsigned tv_sec, unsigned tv_usec, unsigned crtc_id, void *data) {
    // Looked up by CRTC, not carried in user data: the output may be gone.
    if (KmsOutput *output = static_cast<KmsBackend *>(data)->output_for_crtc(crtc_id)) {
        output->page_flipped(seq, tv_sec, tv_usec);
    }
}

int handle_drm_event(int fd, uint32_t, void *data) {
    drmEventContext context{};
    context.version = 3;
    context.page_flip_handler2 = page_flip_handler;
    (void)data;
    if (drmHandleEvent(fd, &context) != 0) plog::error(plog::Scope::kms, "drmHandleEvent: %s", strerror(errno));
    return 0;
}

bool backend_start(wlr_backend *wlr_backend) {
    KmsBackend *backend = backend_from(wlr_backend);
    backend->started = true;
    backend->scan_connectors();
    return true;
}

void backend_destroy(wlr_backend *wlr_backend) {
    KmsBackend *backend = backend_from(wlr_backend);
    while (!backend->outputs.empty()) wlr_output_destroy(&backend->outputs.front()->base);
    if (backend->drm_source != nullptr) wl_event_source_remove(backend->drm_source);
    backend->framebuffers.reset();
    backend->on_session_active.disconnect();
    backend->on_device_change.disconnect();
    wlr_session_close_file(backend->session, backend->device);
    wlr_backend_finish(wlr_backend);
    delete backend;
}

wlr_session *backend_session(wlr_backend *backend) { return backend_from(backend)->session; }

clockid_t backend_presentation_clock(wlr_backend *backend) {
    return backend_from(backend)->model->timestamps_monotonic() ? CLOCK_MONOTONIC : CLOCK_REALTIME;
}

int backend_drm_fd(wlr_backend *backend) { return backend_from(backend)->model->fd(); }

uint32_t backend_buffer_caps(wlr_backend *) { return WLR_BUFFER_CAP_DMABUF; }

const wlr_backend_impl backend_impl = {
    .start = backend_start,
    .destroy = backend_destroy,
    .get_session = backend_session,
    .get_presentation_clock = backend_presentation_clock,
    .get_drm_fd = backend_drm_fd,
    .get_buffer_caps = backend_buffer_caps,
};

bool turned_off(const char *variable) {
    const char *value = getenv(variable);
    return value != nullptr && strcmp(value, "0") == 0;
}

// Opens the first of the session's GPUs that does atomic KMS.
wlr_device *open_atomic_device(wlr_session *session, std::optional<Device> &model, std::string &why_not) {
    wlr_device *devices[8] = {};
    ssize_t count = wlr_session_find_gpus(session, 8, devices);
    if (count <= 0) {
        why_not = "no DRM device found";
        return nullptr;
    }
    wlr_device *chosen = nullptr;
    for (ssize_t i = 0; i < count; i++) {
        std::string reason;
        if (chosen == nullptr && drmIsKMS(devices[i]->fd)) {
            model = Device::read(devices[i]->fd, reason);
            if (model) {
                chosen = devices[i];
                continue;
            }
            why_not += (why_not.empty() ? "" : "; ") + reason;
        }
        wlr_session_close_file(session, devices[i]);
    }
    if (chosen == nullptr && why_not.empty()) why_not = "no DRM device does modesetting";
    return chosen;
}

} // namespace

KmsOutput *KmsBackend::output_for_crtc(uint32_t crtc) {
    for (KmsOutput *output : outputs) {
        if (output->crtc == crtc) return output;
    }
    return nullptr;
}

// Outputs for connected connectors that have none, each on a free CRTC with
// its own primary and the overlays no other output took; disconnected ones go.
void KmsBackend::scan_connectors() {
    model->reread_connectors();
    std::vector<KmsOutput *> gone;
    for (KmsOutput *output : outputs) {
        auto it = std::find_if(model->connectors().begin(), model->connectors().end(),
                               [&](const ConnectorInfo &c) { return c.id == output->connector; });
        if (it == model->connectors().end() || !it->connected) gone.push_back(output);
    }
    for (KmsOutput *output : gone) {
        plog::info(plog::Scope::kms, "%s disconnected", output->base.name);
        wlr_output_destroy(&output->base);
    }
    for (const ConnectorInfo &connector : model->connectors()) {
        if (!connector.connected || connector.modes.empty()) continue;
        if (std::any_of(outputs.begin(), outputs.end(), [&](KmsOutput *o) { return o->connector == connector.id; })) continue;
        std::vector<uint32_t> taken;
        for (KmsOutput *o : outputs) taken.insert(taken.end(), o->planes.begin(), o->planes.end());
        const CrtcInfo *free_crtc = nullptr;
        for (const CrtcInfo &crtc : model->crtcs()) {
            if (!(connector.possible_crtcs & (1u << crtc.index)) || output_for_crtc(crtc.id) != nullptr) continue;
            if (model->planes_for(crtc, taken).empty()) continue;
            free_crtc = &crtc;
            break;
        }
        if (free_crtc == nullptr) {
            plog::error(plog::Scope::kms, "%s: no free CRTC with a primary plane; not used", connector.name.c_str());
            continue;
        }
        std::vector<uint32_t> planes;
        for (const PlaneInfo *p : model->planes_for(*free_crtc, taken)) planes.push_back(p->plane.id);
        KmsOutput *output = create_output(this, connector, free_crtc->id, planes);
        plog::info(plog::Scope::kms, "%s: CRTC %u, primary plane %u, %zu overlay planes%s", connector.name.c_str(),
                   free_crtc->id, planes.front(), planes.size() - 1, planes_enabled ? "" : " (overlays off: PLANAR_KMS_PLANES=0)");
        wl_signal_emit(&base.events.new_output, &output->base);
    }
}

wlr_backend *backend_create(wl_display *display, wlr_session *session, std::string &why_not) {
    std::optional<Device> model;
    wlr_device *device = open_atomic_device(session, model, why_not);
    if (device == nullptr) return nullptr;
    auto *backend = new KmsBackend{}; // value-initialised: wlr_backend_init does not zero the base
    wlr_backend_init(&backend->base, &backend_impl);
    backend->display = display;
    backend->session = session;
    backend->device = device;
    backend->model = std::move(model);
    backend->framebuffers = std::make_unique<FramebufferCache>(device->fd);
    backend->planes_enabled = !turned_off("PLANAR_KMS_PLANES");
    backend->fences_enabled = !turned_off("PLANAR_KMS_FENCES");
    backend->drm_source = wl_event_loop_add_fd(wl_display_get_event_loop(display), device->fd, WL_EVENT_READABLE,
                                               handle_drm_event, backend);
    backend->on_session_active.connect(&session->events.active, [backend](void *) {
        if (!backend->session->active) {
            plog::info(plog::Scope::kms, "session paused: KMS untouched until it resumes");
            return;
        }
        // Another master may have changed anything: every output writes its
        // whole state (mode and every plane) in its next commit.
        plog::info(plog::Scope::kms, "session resumed: restoring every output");
        backend->scan_connectors();
        for (KmsOutput *output : backend->outputs) {
            output->modeset_needed = true;
            if (output->base.enabled) {
                wlr_output_damage_whole(&output->base);
                wlr_output_schedule_frame(&output->base);
            }
        }
    });
    backend->on_device_change.connect(&device->events.change, [backend](void *) {
        if (backend->started && backend->session->active) backend->scan_connectors();
    });
    plog::info(plog::Scope::kms, "planar KMS backend on DRM fd %d (atomic)%s%s", device->fd,
               backend->planes_enabled ? "" : ", overlays off (PLANAR_KMS_PLANES=0)",
               backend->fences_enabled ? "" : ", fences off (PLANAR_KMS_FENCES=0)");
    return &backend->base;
}

} // namespace kms
