// Fences as planar waits for them: sync_file validation, and a wait that
// turns "this fd polls readable" (a signalled sync_file, a DRM syncobj
// eventfd) into a callback on the event loop. planar never blocks on a fence.
// Also the seam where a renderer's completion fence for its last read of a
// buffer will come from (EGL_ANDROID_native_fence_sync; Mesa here has none).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <wayland-server-core.h>

#include "unique_fd.hpp"

struct wlr_buffer;

namespace render {

// True when `fd` (borrowed) is a sync_file: SYNC_IOC_FILE_INFO answers it.
// A pipe, a memfd or a DRM syncobj fd is not one.
bool is_sync_file(int fd);

// True when `fd` (borrowed) polls readable right now (a signalled fence).
bool polls_readable(int fd);

// Something being waited for. `Done` runs once, from the event loop (never
// from inside the call that started the wait); destroying the Wait first
// cancels it.
class Wait {
public:
    using Done = std::function<void()>;
    virtual ~Wait() = default;
};

// Waits for `fd` to poll readable on `loop`. Owns the fd and its event source.
class FenceWait final : public Wait {
public:
    FenceWait(wl_event_loop *loop, UniqueFd fd, Done done);
    ~FenceWait() override;
    FenceWait(const FenceWait &) = delete;
    FenceWait &operator=(const FenceWait &) = delete;

    // False when the fd could not be added to the loop (the caller decides).
    bool ok() const { return source_ != nullptr; }

private:
    static int handle_readable(int fd, uint32_t mask, void *data);

    UniqueFd fd_;
    wl_event_source *source_ = nullptr;
    Done done_;
};

// A renderer's fence that signals when its last read of a buffer is done
// (for zwp_linux_buffer_release_v1.fenced_release and syncobj release points).
// EglCompletionFences (egl_fences.hpp) implements it where the GPU reads
// asynchronously; pixman reads synchronously and needs none.
class CompletionFences {
public:
    virtual ~CompletionFences() = default;
    // A sync_file for the last read of `buffer`, or an invalid fd when that
    // read is already complete.
    virtual UniqueFd last_read(wlr_buffer *buffer) = 0;
};

} // namespace render
