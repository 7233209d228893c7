// Turning dma-buf planes into a wl_buffer through zwp_linux_buffer_params_v1,
// and a small pool that tracks which wl_buffers the compositor still holds
// (wl_buffer.release).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "display.hpp"

namespace client {

struct PlaneRef {
    int fd; // borrowed: libwayland sends a duplicate
    uint32_t offset;
    uint32_t stride;
};

struct BufferDesc {
    int width, height;
    uint32_t format;
    uint64_t modifier;
    uint32_t flags = 0;
};

// `create` + wait for created/failed: on failure nullptr and `why`. Used for
// the first buffer of a configuration, where a clear refusal matters.
wl_buffer *create_dmabuf_buffer(Display &display, const std::vector<PlaneRef> &planes, const BufferDesc &desc,
                                std::string *why);
// `create_immed` (v2+): no roundtrip. A refusal arrives later as `failed`
// (the buffer is then unusable) or a protocol error.
wl_buffer *create_dmabuf_buffer_immed(Display &display, const std::vector<PlaneRef> &planes,
                                      const BufferDesc &desc);

class BufferPool {
public:
    using ReleaseFn = std::function<void(int index)>;
    explicit BufferPool(ReleaseFn on_release = {}) : on_release_(std::move(on_release)) {}
    ~BufferPool() { clear(); }
    BufferPool(const BufferPool &) = delete;
    BufferPool &operator=(const BufferPool &) = delete;

    int add(wl_buffer *buffer); // returns its index
    // A buffer the compositor does not hold, or -1.
    int acquire() const;
    void mark_busy(int index) { slots_[index]->busy = true; }
    bool busy(int index) const { return slots_[index]->busy; }
    wl_buffer *buffer(int index) const { return slots_[index]->buffer; }
    size_t size() const { return slots_.size(); }
    // Destroys every wl_buffer; a compositor may keep showing the last one.
    void clear();

private:
    struct Slot {
        BufferPool *pool;
        int index;
        wl_buffer *buffer;
        bool busy = false;
    };
    static const wl_buffer_listener listener;
    ReleaseFn on_release_;
    std::vector<std::unique_ptr<Slot>> slots_;
};

} // namespace client
