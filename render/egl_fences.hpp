// Completion fences of composition, for fenced_release and syncobj release
// points. A GPU reads a composited buffer after planar has moved on: the
// buffer is free when the GPU is done with the last frame that read it, not
// when wlroots drops its lock. With EGL_ANDROID_native_fence_sync, each
// composited frame ends with a sync_file of the renderer's context that
// signals once the GPU has finished everything submitted so far, that
// frame's reads included; every client buffer the frame showed keeps the
// newest such fence until it is released.
//
// Where the extension is missing (Mesa's llvmpipe, pixman, which reads
// synchronously), there is no EglCompletionFences and the protocols send
// immediate_release once planar no longer holds the buffer.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "fence.hpp"
#include "listener.hpp"
#include "unique_fd.hpp"

struct wlr_buffer;
struct wlr_egl;
struct wlr_renderer;
struct wlr_scene_output;

namespace render {

// The bookkeeping: which fence ends the last read of which buffer.
class FrameFences : public CompletionFences {
public:
    FrameFences() = default;
    FrameFences(const FrameFences &) = delete;
    FrameFences &operator=(const FrameFences &) = delete;

    // A frame read `buffers`; `fence` signals when that read is done.
    void frame_read(const std::vector<wlr_buffer *> &buffers, UniqueFd fence);
    // A dup of the fence of the last frame that read `buffer` (signalled or
    // not), or nothing when no frame did.
    UniqueFd last_read(wlr_buffer *buffer) override;
    size_t tracked() const { return last_.size(); }

private:
    struct Entry {
        std::shared_ptr<const UniqueFd> fence;
        wl::Listener on_destroy;
    };
    std::unordered_map<wlr_buffer *, std::unique_ptr<Entry>> last_;
};

class EglCompletionFences final : public FrameFences {
public:
    // Null, with the reason in `why`, unless `renderer` is the GLES2 one and
    // its display has EGL_ANDROID_native_fence_sync.
    static std::unique_ptr<EglCompletionFences> create(wlr_renderer *renderer, std::string &why);

    // After a composited frame of `scene_output` was committed: a fence for
    // every client buffer on that output, made only when `awaited` says some
    // buffer's release will ask for it (a fence costs a flush of the GPU's
    // queue: not for frames of clients without explicit sync). A fence that
    // cannot be had leaves the buffers' earlier fences (or none) in place.
    using Awaited = std::function<bool(wlr_buffer *buffer)>;
    void frame_rendered(wlr_scene_output *scene_output, const Awaited &awaited);

private:
    struct Procs;
    EglCompletionFences(wlr_egl *egl, std::unique_ptr<Procs> procs);

    UniqueFd flush_fence();

    wlr_egl *egl_;
    std::unique_ptr<Procs> procs_;

public:
    ~EglCompletionFences() override;
};

} // namespace render
