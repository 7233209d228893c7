#include "shm_yuv.hpp"

#include <cinttypes>
#include <cstdio>
#include <drm_fourcc.h>

#include "format_info.hpp"
#include "log.hpp"
#include "shm_buffer.hpp"
#include "yuv.hpp"

namespace render {
namespace {

// An XRGB8888 image in memory, handed to the real renderer as a buffer.
struct XrgbBuffer {
    wlr_buffer base; // first member: wlroots hands us &base
    std::vector<uint32_t> pixels;

    static XrgbBuffer *from(wlr_buffer *buffer) { return reinterpret_cast<XrgbBuffer *>(buffer); }
    static void destroy(wlr_buffer *buffer) { delete from(buffer); }
    static bool begin_access(wlr_buffer *buffer, uint32_t, void **data, uint32_t *format, size_t *stride) {
        XrgbBuffer *self = from(buffer);
        *data = self->pixels.data();
        *format = DRM_FORMAT_XRGB8888;
        *stride = static_cast<size_t>(self->base.width) * 4;
        return true;
    }
    static void end_access(wlr_buffer *) {}
};

const wlr_buffer_impl xrgb_buffer_impl = {
    .destroy = XrgbBuffer::destroy,
    .get_dmabuf = nullptr,
    .get_shm = nullptr,
    .begin_data_ptr_access = XrgbBuffer::begin_access,
    .end_data_ptr_access = XrgbBuffer::end_access,
};

// The end of the mapping that holds `address`, from /proc/self/maps: a
// wl_shm pool is one mapping of its whole size, and libwayland checks only
// offset + stride * height against it, which for NV12 leaves out the chroma
// plane that follows. 0 when no mapping holds it.
uintptr_t mapping_end(const void *address) {
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == nullptr) return 0;
    auto wanted = reinterpret_cast<uintptr_t>(address);
    uintptr_t end = 0;
    char line[512];
    while (fgets(line, sizeof line, maps) != nullptr) {
        uintptr_t from = 0, to = 0;
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &from, &to) == 2 && wanted >= from && wanted < to) {
            end = to;
            break;
        }
    }
    fclose(maps);
    return end;
}

} // namespace

const std::vector<uint32_t> &ShmYuvRenderer::added_shm_formats() {
    static const std::vector<uint32_t> formats = {WL_SHM_FORMAT_YUYV, WL_SHM_FORMAT_NV12};
    return formats;
}

ShmYuvRenderer::ShmYuvRenderer(wlr_renderer *real) : real_(real), proxy_(real, this) {
    proxy_.impl.texture_from_buffer = texture_from_buffer;
    proxy_.init();
}

ShmYuvRenderer::~ShmYuvRenderer() { on_new_surface_.disconnect(); }

void ShmYuvRenderer::watch(wlr_compositor *compositor) {
    on_new_surface_.connect_as<wlr_surface>(&compositor->events.new_surface, [this](wlr_surface *surface) {
        auto &watch = surfaces_[surface];
        watch = std::make_unique<SurfaceWatch>();
        watch->on_commit.connect(&surface->events.commit, [surface](void *) {
            wlr_client_buffer *buffer = surface->buffer;
            // wlr_client_buffer_apply_damage updates a texture in place only
            // from a buffer of its shm_source_format: clear it for ours.
            if (buffer != nullptr &&
                (buffer->shm_source_format == DRM_FORMAT_YUYV || buffer->shm_source_format == DRM_FORMAT_NV12)) {
                buffer->shm_source_format = DRM_FORMAT_INVALID;
            }
        });
        watch->on_destroy.connect(&surface->events.destroy, [this, surface](void *) { surfaces_.erase(surface); });
    });
}

wlr_texture *ShmYuvRenderer::texture_from_buffer(wlr_renderer *renderer, wlr_buffer *buffer) {
    auto &self = ForwardingRenderer::owner_of<ShmYuvRenderer>(renderer);
    // dma-bufs (planar's and any other) go straight on.
    if (is_shm_buffer(buffer)) {
        void *data = nullptr;
        uint32_t format = 0;
        size_t stride = 0;
        if (wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride)) {
            if (format == DRM_FORMAT_YUYV || format == DRM_FORMAT_NV12) {
                wlr_texture *texture = self.converted_texture(buffer, data, format, stride);
                wlr_buffer_end_data_ptr_access(buffer);
                return texture;
            }
            wlr_buffer_end_data_ptr_access(buffer);
        }
    }
    // gles2 copies the pixels into its texture now, so it must see the
    // commit's. pixman keeps the buffer and reads it at each draw; draws wait
    // for an acquire fence passed to a KMS plane (scene_frame.hpp), which may
    // not have signalled yet here: the texture it makes now must not convert.
    bool keeps_buffer = wlr_renderer_is_pixman(self.real_);
    if (!keeps_buffer) self.tell_committed(buffer);
    wlr_texture *texture = wlr_texture_from_buffer(self.real_, buffer);
    if (keeps_buffer) self.tell_committed(buffer);
    if (texture != nullptr && self.texture_made_) self.texture_made_(texture, buffer);
    return texture;
}

void ShmYuvRenderer::tell_committed(wlr_buffer *buffer) {
    if (!committed_) return;
    // wlroots 0.15 (surface_apply_damage) makes the texture of the surface
    // whose current state holds `buffer`, and only until then.
    wlr_surface *surface = nullptr;
    for (const auto &[candidate, watch] : surfaces_) {
        if (candidate->current.buffer == buffer) {
            surface = candidate;
            break;
        }
    }
    // wl_surface.damage says what changed since the surface's previous
    // buffer: it bounds the change in this one only when that was this one.
    bool same_buffer = surface != nullptr && surface->buffer != nullptr && surface->buffer->source == buffer;
    committed_(buffer, same_buffer ? &surface->buffer_damage : nullptr);
}

wlr_texture *ShmYuvRenderer::converted_texture(wlr_buffer *buffer, void *data, uint32_t format, size_t stride) {
    const FormatInfo *info = format_info(format);
    auto width = static_cast<uint32_t>(buffer->width), height = static_cast<uint32_t>(buffer->height);
    // wl_shm has one stride for every plane; NV12's chroma follows the luma.
    uint64_t needed = 0;
    bool fits = info != nullptr && width > 0 && height > 0;
    for (uint32_t plane = 0; fits && plane < info->planes; plane++) {
        fits = stride >= info->row_bytes(plane, width);
        needed += stride * info->rows(plane, height);
    }
    uintptr_t start = reinterpret_cast<uintptr_t>(data);
    uintptr_t end = fits && info->planes > 1 ? mapping_end(data) : start + needed; // one plane: libwayland checked it
    if (!fits || end < start || end - start < needed) {
        if (!refused_logged_) {
            refused_logged_ = true;
            plog::info(plog::Scope::core,
                       "wl_shm %s buffer %ux%u with stride %zu refused: its rows do not fit its pool (logged once)",
                       format == DRM_FORMAT_NV12 ? "NV12" : "YUYV", width, height, stride);
        }
        return nullptr;
    }
    auto *xrgb = new XrgbBuffer{}; // zeroed: wlr_buffer_init (0.15) sets only impl, size and signals
    wlr_buffer_init(&xrgb->base, &xrgb_buffer_impl, buffer->width, buffer->height);
    xrgb->pixels.resize(static_cast<size_t>(width) * height);
    const auto *bytes = static_cast<const uint8_t *>(data);
    if (format == DRM_FORMAT_NV12) {
        nv12_to_xrgb(bytes, stride, bytes + stride * height, stride, buffer->width, buffer->height,
                     xrgb->pixels.data(), width);
    } else {
        yuyv_to_xrgb(bytes, stride, buffer->width, buffer->height, xrgb->pixels.data(), width);
    }
    wlr_texture *texture = wlr_texture_from_buffer(real_, &xrgb->base);
    if (texture != nullptr && texture_made_) texture_made_(texture, &xrgb->base);
    wlr_buffer_drop(&xrgb->base); // the texture keeps what it needs
    return texture;
}

} // namespace render
