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
#pragma once

#include <memory>
#include <vector>

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
    // The wl_shm formats this adds (WL_SHM_FORMAT_*).
    static const std::vector<uint32_t> &added_shm_formats();
    // The renderer behind a proxy (for the forwarding functions).
    static wlr_renderer *real_of(wlr_renderer *proxy);

private:
    struct Proxy {
        wlr_renderer base; // first member: wlroots hands us &base
        ShmYuvRenderer *owner;
    };
    static ShmYuvRenderer &from(wlr_renderer *renderer);
    static wlr_texture *texture_from_buffer(wlr_renderer *renderer, wlr_buffer *buffer);
    wlr_texture *converted_texture(wlr_buffer *buffer, void *data, uint32_t format, size_t stride);

    wlr_renderer *real_;
    Proxy proxy_{};
    bool refused_logged_ = false;
    wl::Listener on_new_surface_;
};

} // namespace render
