// GBM + EGL + GLES2 on one DRM node, for planar-gbm. Owns the device fd, the
// GBM device, the EGL display and a surfaceless context; buffers render
// through an EGLImage imported from their own dma-buf planes (the path every
// compositor importer takes too, so what we draw is what we export).
#pragma once

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>
#include <gbm.h>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "unique_fd.hpp"

namespace client {

struct GpuPlane {
    UniqueFd fd;
    uint32_t offset;
    uint32_t stride;
};

struct GpuBuffer {
    ~GpuBuffer();
    EGLDisplay display = EGL_NO_DISPLAY;
    gbm_bo *bo = nullptr;
    uint64_t modifier = 0;
    int width = 0, height = 0;
    std::vector<GpuPlane> planes;
    EGLImageKHR image = EGL_NO_IMAGE_KHR;
    GLuint renderbuffer = 0, framebuffer = 0;
    PFNEGLDESTROYIMAGEKHRPROC destroy_image = nullptr;
};

class Gpu {
public:
    // Opens `path` and sets up GBM/EGL/GLES2, or fail()s with the reason.
    static std::unique_ptr<Gpu> open(const std::string &path);
    ~Gpu();
    Gpu(const Gpu &) = delete;
    Gpu &operator=(const Gpu &) = delete;

    // A buffer with one of `modifiers` (MOD_INVALID: implicit layout),
    // rendering-capable, or fail().
    std::unique_ptr<GpuBuffer> allocate(int width, int height, uint32_t format,
                                        const std::vector<uint64_t> &modifiers, bool scanout);
    // Draws frame `n` into `buffer`. With `want_fence` and native fences,
    // returns a sync_file fd signalled when rendering ends (caller owns it);
    // otherwise waits for the GPU (glFinish) and returns -1.
    int render(GpuBuffer &buffer, int n, std::optional<uint32_t> solid, bool want_fence);

    bool has_native_fences() const { return dup_native_fence_ != nullptr; }
    const std::string &path() const { return path_; }
    const std::string &renderer() const { return renderer_; }

private:
    Gpu() = default;
    UniqueFd fd_;
    std::string path_, renderer_;
    gbm_device *gbm_ = nullptr;
    EGLDisplay display_ = EGL_NO_DISPLAY;
    EGLContext context_ = EGL_NO_CONTEXT;
    bool import_modifiers_ = false;
    PFNEGLCREATEIMAGEKHRPROC create_image_ = nullptr;
    PFNEGLDESTROYIMAGEKHRPROC destroy_image_ = nullptr;
    PFNGLEGLIMAGETARGETRENDERBUFFERSTORAGEOESPROC image_target_renderbuffer_ = nullptr;
    PFNEGLCREATESYNCKHRPROC create_sync_ = nullptr;
    PFNEGLDESTROYSYNCKHRPROC destroy_sync_ = nullptr;
    PFNEGLDUPNATIVEFENCEFDANDROIDPROC dup_native_fence_ = nullptr;
};

} // namespace client
