#include "egl_fences.hpp"

#include <fcntl.h>

#include <algorithm>

#include "extension_list.hpp"
#include "log.hpp"
#include "wlr.hpp"

namespace render {

void FrameFences::frame_read(const std::vector<wlr_buffer *> &buffers, UniqueFd fence) {
    if (!fence) return;
    auto shared = std::make_shared<const UniqueFd>(std::move(fence));
    for (wlr_buffer *buffer : buffers) {
        std::unique_ptr<Entry> &entry = last_[buffer];
        if (!entry) {
            entry = std::make_unique<Entry>();
            // The pointer may be reused by a later buffer: forget it with this one.
            entry->on_destroy.connect(&buffer->events.destroy, [this, buffer](void *) { last_.erase(buffer); });
        }
        entry->fence = shared;
    }
}

UniqueFd FrameFences::last_read(wlr_buffer *buffer) {
    auto found = last_.find(buffer);
    if (found == last_.end()) return {};
    // Even when it has signalled: fenced_release then tells the client that
    // the GPU read the buffer and is done, at the cost of one fd.
    return UniqueFd(fcntl(found->second->fence->get(), F_DUPFD_CLOEXEC, 0));
}

struct EglCompletionFences::Procs {
    PFNEGLCREATESYNCKHRPROC create_sync;
    PFNEGLDESTROYSYNCKHRPROC destroy_sync;
    PFNEGLDUPNATIVEFENCEFDANDROIDPROC dup_fence_fd;
};

std::unique_ptr<EglCompletionFences> EglCompletionFences::create(wlr_renderer *renderer, std::string &why) {
    if (renderer == nullptr || !wlr_renderer_is_gles2(renderer)) {
        why = "the renderer is not GLES2 (pixman reads buffers synchronously)";
        return nullptr;
    }
    wlr_egl *egl = wlr_gles2_renderer_get_egl(renderer);
    const char *extensions = egl != nullptr ? eglQueryString(egl->display, EGL_EXTENSIONS) : nullptr;
    if (!has_extension(extensions, "EGL_ANDROID_native_fence_sync")) {
        why = "the EGL display has no EGL_ANDROID_native_fence_sync";
        return nullptr;
    }
    auto procs = std::make_unique<Procs>();
    procs->create_sync = reinterpret_cast<PFNEGLCREATESYNCKHRPROC>(eglGetProcAddress("eglCreateSyncKHR"));
    procs->destroy_sync = reinterpret_cast<PFNEGLDESTROYSYNCKHRPROC>(eglGetProcAddress("eglDestroySyncKHR"));
    procs->dup_fence_fd =
        reinterpret_cast<PFNEGLDUPNATIVEFENCEFDANDROIDPROC>(eglGetProcAddress("eglDupNativeFenceFDANDROID"));
    if (procs->create_sync == nullptr || procs->destroy_sync == nullptr || procs->dup_fence_fd == nullptr) {
        why = "EGL_ANDROID_native_fence_sync is listed but its functions are missing";
        return nullptr;
    }
    return std::unique_ptr<EglCompletionFences>(new EglCompletionFences(egl, std::move(procs)));
}

EglCompletionFences::EglCompletionFences(wlr_egl *egl, std::unique_ptr<Procs> procs)
    : egl_(egl), procs_(std::move(procs)) {}

EglCompletionFences::~EglCompletionFences() = default;

UniqueFd EglCompletionFences::flush_fence() {
    // wlroots 0.15 leaves no context current between frames.
    if (!wlr_egl_make_current(egl_)) return {};
    const EGLint attribs[] = {EGL_SYNC_NATIVE_FENCE_FD_ANDROID, EGL_NO_NATIVE_FENCE_FD_ANDROID, EGL_NONE};
    EGLSyncKHR sync = procs_->create_sync(egl_->display, EGL_SYNC_NATIVE_FENCE_ANDROID, attribs);
    UniqueFd fence;
    if (sync != EGL_NO_SYNC_KHR) {
        glFlush(); // the fence has an fd only once it is submitted
        fence = UniqueFd(procs_->dup_fence_fd(egl_->display, sync));
        procs_->destroy_sync(egl_->display, sync);
    }
    wlr_egl_unset_current(egl_);
    if (!fence) plog::error(plog::Scope::sync, "cannot create a native fence of the frame (EGL error 0x%x)", eglGetError());
    return fence;
}

void EglCompletionFences::frame_rendered(wlr_scene_output *scene_output, const Awaited &awaited) {
    std::vector<wlr_buffer *> buffers;
    wlr_scene_output_for_each_surface(
        scene_output,
        [](wlr_surface *surface, int, int, void *data) {
            if (surface->buffer != nullptr && surface->buffer->source != nullptr)
                static_cast<std::vector<wlr_buffer *> *>(data)->push_back(surface->buffer->source);
        },
        &buffers);
    if (std::none_of(buffers.begin(), buffers.end(), awaited)) return;
    frame_read(buffers, flush_fence());
}

} // namespace render
