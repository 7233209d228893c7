#include "gpu.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <drm_fourcc.h>
#include <fcntl.h>

#include "drm_names.hpp"
#include "extension_list.hpp"
#include "options.hpp"

namespace client {

namespace {

template <typename T> T proc(const char *name) { return reinterpret_cast<T>(eglGetProcAddress(name)); }

} // namespace

GpuBuffer::~GpuBuffer() {
    if (framebuffer) glDeleteFramebuffers(1, &framebuffer);
    if (renderbuffer) glDeleteRenderbuffers(1, &renderbuffer);
    if (image != EGL_NO_IMAGE_KHR && destroy_image) destroy_image(display, image);
    if (bo) gbm_bo_destroy(bo);
}

std::unique_ptr<Gpu> Gpu::open(const std::string &path) {
    std::unique_ptr<Gpu> gpu(new Gpu);
    gpu->path_ = path;
    gpu->fd_ = UniqueFd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!gpu->fd_) fail("cannot open %s: %s", path.c_str(), strerror(errno));
    gpu->gbm_ = gbm_create_device(gpu->fd_.get());
    if (gpu->gbm_ == nullptr) fail("no GBM on %s (not a DRM device, or no Mesa driver for it)", path.c_str());

    const char *client_ext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (!has_extension(client_ext, "EGL_KHR_platform_gbm") && !has_extension(client_ext, "EGL_MESA_platform_gbm"))
        fail("EGL has no GBM platform");
    auto get_platform_display = proc<PFNEGLGETPLATFORMDISPLAYEXTPROC>("eglGetPlatformDisplayEXT");
    gpu->display_ = get_platform_display(EGL_PLATFORM_GBM_KHR, gpu->gbm_, nullptr);
    EGLint major = 0, minor = 0;
    if (gpu->display_ == EGL_NO_DISPLAY || !eglInitialize(gpu->display_, &major, &minor))
        fail("cannot initialise EGL on %s (error 0x%x)", path.c_str(), eglGetError());
    const char *ext = eglQueryString(gpu->display_, EGL_EXTENSIONS);
    for (const char *needed : {"EGL_KHR_image_base", "EGL_EXT_image_dma_buf_import", "EGL_KHR_surfaceless_context",
                               "EGL_KHR_no_config_context"})
        if (!has_extension(ext, needed)) fail("EGL on %s lacks %s", path.c_str(), needed);
    gpu->import_modifiers_ = has_extension(ext, "EGL_EXT_image_dma_buf_import_modifiers");
    if (!eglBindAPI(EGL_OPENGL_ES_API)) fail("EGL on %s has no OpenGL ES", path.c_str());
    const EGLint context_attribs[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
    gpu->context_ = eglCreateContext(gpu->display_, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, context_attribs);
    if (gpu->context_ == EGL_NO_CONTEXT) fail("cannot create a GLES2 context on %s (0x%x)", path.c_str(), eglGetError());
    if (!eglMakeCurrent(gpu->display_, EGL_NO_SURFACE, EGL_NO_SURFACE, gpu->context_))
        fail("cannot make the GLES2 context current (0x%x)", eglGetError());
    if (!has_extension(reinterpret_cast<const char *>(glGetString(GL_EXTENSIONS)), "GL_OES_EGL_image"))
        fail("GLES on %s lacks GL_OES_EGL_image", path.c_str());
    gpu->renderer_ = reinterpret_cast<const char *>(glGetString(GL_RENDERER));
    if (auto paren = gpu->renderer_.find(" ("); paren != std::string::npos) gpu->renderer_.resize(paren);
    gpu->create_image_ = proc<PFNEGLCREATEIMAGEKHRPROC>("eglCreateImageKHR");
    gpu->destroy_image_ = proc<PFNEGLDESTROYIMAGEKHRPROC>("eglDestroyImageKHR");
    gpu->image_target_renderbuffer_ =
        proc<PFNGLEGLIMAGETARGETRENDERBUFFERSTORAGEOESPROC>("glEGLImageTargetRenderbufferStorageOES");
    // Explicit sync needs a fence we can hand over as a sync_file; without
    // it (llvmpipe) the client waits for rendering itself.
    if (has_extension(ext, "EGL_ANDROID_native_fence_sync") && has_extension(ext, "EGL_KHR_fence_sync")) {
        gpu->create_sync_ = proc<PFNEGLCREATESYNCKHRPROC>("eglCreateSyncKHR");
        gpu->destroy_sync_ = proc<PFNEGLDESTROYSYNCKHRPROC>("eglDestroySyncKHR");
        gpu->dup_native_fence_ = proc<PFNEGLDUPNATIVEFENCEFDANDROIDPROC>("eglDupNativeFenceFDANDROID");
    }
    return gpu;
}

Gpu::~Gpu() {
    if (display_ != EGL_NO_DISPLAY) {
        eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        if (context_ != EGL_NO_CONTEXT) eglDestroyContext(display_, context_);
        eglTerminate(display_);
    }
    if (gbm_) gbm_device_destroy(gbm_);
}

std::unique_ptr<GpuBuffer> Gpu::allocate(int width, int height, uint32_t format,
                                         const std::vector<uint64_t> &modifiers, bool scanout) {
    auto buf = std::make_unique<GpuBuffer>();
    buf->display = display_;
    buf->destroy_image = destroy_image_;
    buf->width = width;
    buf->height = height;
    std::vector<uint64_t> explicit_mods;
    for (uint64_t m : modifiers)
        if (m != DRM_FORMAT_MOD_INVALID) explicit_mods.push_back(m);
    auto offered = [&](uint64_t m) { return std::find(modifiers.begin(), modifiers.end(), m) != modifiers.end(); };
    uint32_t usage = GBM_BO_USE_RENDERING | (scanout ? GBM_BO_USE_SCANOUT : 0);
    if (!explicit_mods.empty()) {
        buf->bo = gbm_bo_create_with_modifiers2(gbm_, uint32_t(width), uint32_t(height), format, explicit_mods.data(),
                                                unsigned(explicit_mods.size()), usage);
        if (buf->bo) buf->modifier = gbm_bo_get_modifier(buf->bo);
    }
    // Drivers without modifier support (kms_swrast) still make LINEAR
    // buffers when asked through the flag.
    if (buf->bo == nullptr && offered(DRM_FORMAT_MOD_LINEAR)) {
        buf->bo = gbm_bo_create(gbm_, uint32_t(width), uint32_t(height), format, usage | GBM_BO_USE_LINEAR);
        buf->modifier = DRM_FORMAT_MOD_LINEAR;
    }
    if (buf->bo == nullptr && offered(DRM_FORMAT_MOD_INVALID)) {
        buf->bo = gbm_bo_create(gbm_, uint32_t(width), uint32_t(height), format, usage);
        buf->modifier = DRM_FORMAT_MOD_INVALID;
    }
    if (buf->bo == nullptr) {
        std::string mods;
        for (uint64_t m : modifiers) mods += " " + modifier_name(m);
        fail("GBM on %s cannot allocate %dx%d %s with any offered modifier (%s): %s", path_.c_str(), width, height,
             format_name(format).c_str(), mods.c_str() + 1, strerror(errno));
    }
    // A buffer made with modifiers whose modifier reads back INVALID was made
    // LINEAR only if that was all we allowed.
    if (buf->modifier == DRM_FORMAT_MOD_INVALID && !offered(DRM_FORMAT_MOD_INVALID)) buf->modifier = DRM_FORMAT_MOD_LINEAR;

    int count = gbm_bo_get_plane_count(buf->bo);
    for (int i = 0; i < count; i++) {
        int fd = gbm_bo_get_fd_for_plane(buf->bo, i);
        if (fd < 0) fail("cannot export plane %d of a GBM buffer: %s", i, strerror(errno));
        buf->planes.push_back({UniqueFd(fd), gbm_bo_get_offset(buf->bo, i), gbm_bo_get_stride_for_plane(buf->bo, i)});
    }

    // EGL_EXT_image_dma_buf_import: per-plane attributes in a fixed order.
    static const EGLint plane_attr[4][5] = {
        {EGL_DMA_BUF_PLANE0_FD_EXT, EGL_DMA_BUF_PLANE0_OFFSET_EXT, EGL_DMA_BUF_PLANE0_PITCH_EXT,
         EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT},
        {EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE1_PITCH_EXT,
         EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT},
        {EGL_DMA_BUF_PLANE2_FD_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT, EGL_DMA_BUF_PLANE2_PITCH_EXT,
         EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT},
        {EGL_DMA_BUF_PLANE3_FD_EXT, EGL_DMA_BUF_PLANE3_OFFSET_EXT, EGL_DMA_BUF_PLANE3_PITCH_EXT,
         EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT},
    };
    std::vector<EGLint> attribs = {EGL_WIDTH, width, EGL_HEIGHT, height, EGL_LINUX_DRM_FOURCC_EXT, EGLint(format)};
    for (int i = 0; i < count && i < 4; i++) {
        attribs.insert(attribs.end(), {plane_attr[i][0], buf->planes[i].fd.get(), plane_attr[i][1],
                                       EGLint(buf->planes[i].offset), plane_attr[i][2], EGLint(buf->planes[i].stride)});
        if (import_modifiers_ && buf->modifier != DRM_FORMAT_MOD_INVALID)
            attribs.insert(attribs.end(), {plane_attr[i][3], EGLint(buf->modifier & 0xffffffff), plane_attr[i][4],
                                           EGLint(buf->modifier >> 32)});
    }
    attribs.push_back(EGL_NONE);
    buf->image = create_image_(display_, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, nullptr, attribs.data());
    if (buf->image == EGL_NO_IMAGE_KHR)
        fail("EGL on %s cannot import its own %s %s buffer (0x%x)", path_.c_str(), format_name(format).c_str(),
             modifier_name(buf->modifier).c_str(), eglGetError());
    glGenRenderbuffers(1, &buf->renderbuffer);
    glBindRenderbuffer(GL_RENDERBUFFER, buf->renderbuffer);
    image_target_renderbuffer_(GL_RENDERBUFFER, buf->image);
    glGenFramebuffers(1, &buf->framebuffer);
    glBindFramebuffer(GL_FRAMEBUFFER, buf->framebuffer);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, buf->renderbuffer);
    if (GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER); status != GL_FRAMEBUFFER_COMPLETE)
        fail("GLES cannot render into a %s %s buffer (framebuffer status 0x%x)", format_name(format).c_str(),
             modifier_name(buf->modifier).c_str(), status);
    return buf;
}

int Gpu::render(GpuBuffer &buf, int n, std::optional<uint32_t> solid, bool want_fence) {
    glBindFramebuffer(GL_FRAMEBUFFER, buf.framebuffer);
    glViewport(0, 0, buf.width, buf.height);
    glDisable(GL_SCISSOR_TEST);
    auto clear = [](uint32_t rgb) {
        glClearColor(((rgb >> 16) & 0xff) / 255.0f, ((rgb >> 8) & 0xff) / 255.0f, (rgb & 0xff) / 255.0f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
    };
    if (solid) {
        clear(*solid);
    } else {
        // A slowly cycling background with a square bouncing across it:
        // scissored clears, so no shader is needed for a visible animation.
        clear(uint32_t(((n * 2) & 0xff) << 16 | 0x40 << 8 | ((255 - n * 2) & 0xff)));
        int side = std::max(8, std::min(buf.width, buf.height) / 4);
        int span_x = std::max(1, buf.width - side), span_y = std::max(1, buf.height - side);
        int x = (n * 7) % (2 * span_x), y = (n * 5) % (2 * span_y);
        glEnable(GL_SCISSOR_TEST);
        glScissor(x < span_x ? x : 2 * span_x - x, y < span_y ? y : 2 * span_y - y, side, side);
        clear(0xffffff);
        glDisable(GL_SCISSOR_TEST);
    }
    if (want_fence && dup_native_fence_) {
        const EGLint attribs[] = {EGL_SYNC_NATIVE_FENCE_FD_ANDROID, EGL_NO_NATIVE_FENCE_FD_ANDROID, EGL_NONE};
        EGLSyncKHR sync = create_sync_(display_, EGL_SYNC_NATIVE_FENCE_ANDROID, attribs);
        if (sync != EGL_NO_SYNC_KHR) {
            glFlush(); // the fence fd exists only once the commands are flushed
            int fd = dup_native_fence_(display_, sync);
            destroy_sync_(display_, sync);
            if (fd >= 0) return fd;
        }
    }
    // No fence to hand over: the compositor may read as soon as we commit.
    glFinish();
    return -1;
}

} // namespace client
