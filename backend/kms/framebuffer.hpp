// KMS framebuffers of wlr_buffers on one device, made on first use and kept
// with the buffer (a wlr_addon) so that a client cycling through its buffers
// costs no AddFB per frame. A framebuffer is removed when its buffer is
// destroyed; the backend holds a lock on every buffer on screen, so that is
// never while a plane shows it (RmFB would switch the plane off).
#pragma once

#include <cstdint>
#include <set>

struct wlr_buffer;

namespace kms {

class FramebufferCache {
public:
    explicit FramebufferCache(int drm_fd);
    ~FramebufferCache();
    FramebufferCache(const FramebufferCache &) = delete;
    FramebufferCache &operator=(const FramebufferCache &) = delete;

    // The framebuffer of `buffer` (for a client buffer: of its source, which
    // outlives one commit), or 0 when the device cannot show it; a refusal is
    // remembered and logged once per buffer.
    uint32_t framebuffer_of(wlr_buffer *buffer);
    // The buffer framebuffers are kept for: a client buffer's source, else itself.
    static wlr_buffer *keyed_buffer(wlr_buffer *buffer);

    struct Entry;

private:
    friend struct Entry;
    int fd_;
    bool modifiers_ = false; // DRM_CAP_ADDFB2_MODIFIERS
    std::set<Entry *> entries_;
};

} // namespace kms
