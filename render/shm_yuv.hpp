// ShmYuvRenderer: wl_shm buffers in YUYV and NV12, the formats of webcams and
// video decoders, for renderers that cannot sample them (wlroots 0.15's
// pixman and GLES2 renderers take RGB wl_shm only). It is a wlr_renderer
// that wlr_compositor hands to its surfaces: every call goes to the real
// renderer, except that a YUYV or NV12 wl_shm buffer becomes a texture of
// its XRGB8888 conversion (BT.601, as for dma-bufs on the CPU path). The
// conversion is made again on each commit: after each commit the surface's
// client buffer is marked as not updatable in place, since wlroots would
// otherwise write the next buffer's YUV bytes into the XRGB texture. A
// buffer whose rows do not fit its pool gets no texture (logged once),
// never a read outside the pool.
//
// Being the renderer the surfaces upload with, it also sees each commit
// that makes a buffer a surface's content before that buffer is read, which
// wlroots 0.15 signals nowhere else: on_committed passes that on, so that a
// CPU copy of a dma-buf (cpu_importer.hpp) is redone once per commit, for
// the rows the commit damaged.
#pragma once

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "forwarding_renderer.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace render {

class ShmYuvRenderer {
public:
    explicit ShmYuvRenderer(wlr_renderer *real);
    ~ShmYuvRenderer();
    ShmYuvRenderer(const ShmYuvRenderer &) = delete;
    ShmYuvRenderer &operator=(const ShmYuvRenderer &) = delete;

    // For wlr_compositor_create: the renderer surfaces upload their buffers with.
    wlr_renderer *renderer() { return &proxy_.base; }
    // Watches the compositor's surfaces (see the top); call once.
    void watch(wlr_compositor *compositor);
    // Called when a surface's commit makes a texture of its buffer (each
    // commit of a dma-buf; wl_shm updates textures in place where it can),
    // YUV wl_shm aside, before any read that uses the commit's pixels.
    // `damage`: the commit's buffer damage, or null where it does not bound
    // what changed in this buffer.
    using Committed = std::function<void(wlr_buffer *buffer, const pixman_region32_t *damage)>;
    void on_committed(Committed committed) { committed_ = std::move(committed); }
    // Called with each texture made for a surface and the buffer it reads
    // (PixmanFastPath::track).
    using TextureMade = std::function<void(wlr_texture *texture, wlr_buffer *buffer)>;
    void on_texture_made(TextureMade made) { texture_made_ = std::move(made); }
    // The wl_shm formats this adds (WL_SHM_FORMAT_*).
    static const std::vector<uint32_t> &added_shm_formats();

private:
    static wlr_texture *texture_from_buffer(wlr_renderer *renderer, wlr_buffer *buffer);
    wlr_texture *converted_texture(wlr_buffer *buffer, void *data, uint32_t format, size_t stride);
    void tell_committed(wlr_buffer *buffer);

    struct SurfaceWatch {
        wl::Listener on_commit, on_destroy;
    };

    wlr_renderer *real_;
    ForwardingRenderer proxy_;
    bool refused_logged_ = false;
    Committed committed_;
    TextureMade texture_made_;
    wl::Listener on_new_surface_;
    std::unordered_map<wlr_surface *, std::unique_ptr<SurfaceWatch>> surfaces_;
};

} // namespace render
