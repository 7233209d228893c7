#include "inspect.hpp"

#include <drm_fourcc.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <xf86drm.h>

#include "commit_gate.hpp"
#include "dmabuf_buffer.hpp"
#include "kms.hpp"
#include "output.hpp"
#include "server.hpp"
#include "shm_buffer.hpp"
#include "view.hpp"
#include "xwayland.hpp"

namespace planar {

void record_committed_buffer(wlr_surface *surface, BufferInfo &info) {
    if (!(surface->current.committed & WLR_SURFACE_STATE_BUFFER)) return;
    wlr_client_buffer *client_buffer = surface->buffer;
    info = BufferInfo{.commits = info.commits + 1, .first_width = info.first_width, .first_height = info.first_height};
    if (client_buffer == nullptr || client_buffer->source == nullptr) return;
    wlr_buffer *source = client_buffer->source;
    info.width = source->width;
    info.height = source->height;
    if (proto::DmabufBuffer *dmabuf = proto::DmabufBuffer::from_wlr(source)) {
        const render::DmabufAttributes &attrs = dmabuf->attributes();
        info.type = "dmabuf";
        info.format = attrs.format;
        info.modifier = attrs.modifier;
        info.planes = static_cast<int>(attrs.planes.size());
        info.importer = dmabuf->importer_name();
        if (dmabuf->converted()) info.importer += "-converted"; // a CPU copy the GPU samples
        info.imports = dmabuf->import_count();
        info.y_invert = dmabuf->y_invert();
        return;
    }
    // wlroots records the DRM format of wl_shm sources (DRM_FORMAT_INVALID = 0 otherwise).
    if (client_buffer->shm_source_format != 0) {
        info.type = "shm";
        info.format = client_buffer->shm_source_format;
        info.planes = 1;
        return;
    }
    // YUV wl_shm buffers (render/shm_yuv) have the format cleared there; the
    // source still tells it.
    void *data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    if (is_shm_buffer(source) &&
        wlr_buffer_begin_data_ptr_access(source, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride)) {
        wlr_buffer_end_data_ptr_access(source);
        info.type = "shm";
        info.format = format;
        info.planes = format == DRM_FORMAT_NV12 ? 2 : 1;
        return;
    }
    info.type = "other";
}

std::string format_name(uint32_t format) {
    char *name = drmGetFormatName(format);
    std::string result = name != nullptr ? name : "0x" + std::to_string(format);
    free(name);
    return result;
}

std::string modifier_name(uint64_t modifier) {
    char *name = drmGetFormatModifierName(modifier);
    std::string result;
    if (name != nullptr) {
        result = name;
    } else {
        char hex[24];
        snprintf(hex, sizeof(hex), "0x%016" PRIx64, modifier);
        result = hex;
    }
    free(name);
    return result;
}

// Values may contain spaces (titles): quote them so lines stay parseable.
std::string quoted(const char *text) {
    std::string out = "\"";
    for (const char *c = text != nullptr ? text : ""; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') out += '\\';
        out += (*c == '\n') ? ' ' : *c;
    }
    return out + "\"";
}

std::string describe_surfaces(Server &server) {
    std::string out;
    for (View *view : server.views()) {
        const BufferInfo &b = view->buffer_info();
        wlr_box geo = view->geometry();
        pid_t pid = view->pid();
        // Explicit sync: which protocol last held a commit for its acquire
        // fence, how many commits wait now, how many went to a KMS plane with
        // their fence instead (IN_FENCE_FD), and how long the last wait took.
        const char *sync = "none";
        size_t held = 0, to_plane = 0;
        long long wait_us = 0;
        if (const proto::CommitGate *gate = proto::CommitGate::find(view->surface())) {
            sync = gate->last_protocol()[0] != '\0' ? gate->last_protocol() : "none";
            held = gate->held();
            to_plane = gate->passed_to_plane();
            wait_us = static_cast<long long>(gate->last_wait().count() / 1000);
        }
        // Its KMS plane (0: composited, and why).
        SurfacePlane plane{0, "not-shown"};
        for (Output *output : server.outputs()) {
            if (auto p = output->plane_of(view->surface()); p && (plane.plane == 0 || p->plane != 0)) plane = *p;
        }
        // Its linux-dmabuf feedback: with a scanout tranche or the default,
        // the verdict seen last and how long it has held.
        const char *feedback = "default", *verdict = "none";
        long long verdict_ms = 0;
        for (Output *output : server.outputs()) {
            if (auto f = output->feedback_of(view->surface())) {
                feedback = f->scanout_sent ? "scanout" : "default";
                verdict = f->verdict ? "scanout" : "none";
                verdict_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - f->since).count();
            }
        }
        char line[1200];
        snprintf(line, sizeof(line),
                 "surface=%u pid=%d app_id=%s title=%s geometry=%dx%d+%d+%d focused=%d fullscreen=%d "
                 "buffer=%s size=%dx%d format=%s modifier=%s planes=%d importer=%s imports=%u y_invert=%d "
                 "commits=%" PRIu64 " first_buffer=%dx%d sync=%s held=%zu fences_to_plane=%zu last_fence_wait_us=%lld plane=%u plane_reason=%s feedback=%s verdict=%s verdict_ms=%lld shell=%s\n",
                 view->id(), pid, quoted(view->app_id().c_str()).c_str(), quoted(view->title().c_str()).c_str(),
                 geo.width, geo.height, geo.x, geo.y, view->focused(), view->fullscreen(), b.type.c_str(), b.width, b.height,
                 b.format != 0 ? format_name(b.format).c_str() : "-",
                 b.type == "dmabuf" ? modifier_name(b.modifier).c_str() : "-", b.planes,
                 b.importer.empty() ? "-" : b.importer.c_str(), b.imports, b.y_invert, b.commits, b.first_width, b.first_height, sync, held,
                 to_plane, wait_us, plane.plane, plane.reason, feedback, verdict, verdict_ms, view->shell());
        out += line;
    }
    // X11 override-redirect windows (menus, tooltips): no View, no focus.
    if (Xwayland *xwayland = server.xwayland()) out += xwayland->describe_unmanaged();
    return out;
}

// One line per KMS plane of the output: what it shows, in what format,
// whether its last commit gave it an acquire fence.
std::string describe_planes(Server &server, wlr_output *output) {
    std::string out;
    for (const kms::PlaneState &plane : kms::plane_states(output)) {
        std::string content = "off";
        if (plane.buffer != nullptr) content = plane.composition ? "composition" : "client";
        for (View *view : server.views()) {
            wlr_client_buffer *shown = view->surface()->buffer;
            if (plane.buffer != nullptr && shown != nullptr &&
                (shown->source == plane.buffer || &shown->base == plane.buffer)) {
                content = "surface:" + std::to_string(wl_resource_get_id(view->surface()->resource));
            }
        }
        const char *type = plane.type == kms::Plane::Type::primary ? "primary"
                           : plane.type == kms::Plane::Type::cursor ? "cursor" : "overlay";
        char line[512];
        snprintf(line, sizeof(line), "plane output=%s id=%u type=%s content=%s format=%s modifier=%s fence=%s\n",
                 output->name, plane.id, type, content.c_str(), plane.format != 0 ? format_name(plane.format).c_str() : "-",
                 plane.buffer != nullptr ? modifier_name(plane.modifier).c_str() : "-",
                 plane.in_fence ? "in_fence_fd" : "none");
        out += line;
    }
    return out;
}

std::string move_surface(Server &server, uint32_t surface, int x, int y) {
    for (View *view : server.views()) {
        if (view->id() != surface) continue;
        view->move_to(x, y);
        return "ok\n";
    }
    return "error: no window with surface id " + std::to_string(surface) + "\n";
}

std::string describe_outputs(Server &server) {
    std::string out;
    for (Output *output : server.outputs()) {
        wlr_output *o = output->wlr();
        wlr_box box = output->box();
        char line[512];
        const char *kms = kms::is_kms_output(o) ? "planar" : wlr_output_is_drm(o) ? "wlroots" : "none";
        snprintf(line, sizeof(line), "output=%s mode=%dx%d@%.3f position=%d,%d enabled=%d direct_scanout=%d in_fence_frames=%" PRIu64 " kms=%s commits=%u\n",
                 o->name, o->width, o->height, o->refresh / 1000.0, box.x, box.y, o->enabled,
                 output->scanning_out(), output->in_fence_frames(), kms, o->commit_seq);
        out += line;
        out += describe_planes(server, o);
    }
    return out;
}

} // namespace planar
