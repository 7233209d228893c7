#include "framebuffer.hpp"

#include <cerrno>
#include <cstring>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "log.hpp"
#include "wlr.hpp"

namespace kms {

struct FramebufferCache::Entry {
    wlr_addon addon;
    FramebufferCache *cache = nullptr;
    uint32_t fb = 0; // 0: the device refused this buffer

    void remove() {
        if (fb != 0) drmModeRmFB(cache->fd_, fb);
        wlr_addon_finish(&addon);
        cache->entries_.erase(this);
        delete this;
    }
};

namespace {

void entry_destroy(wlr_addon *addon) {
    reinterpret_cast<FramebufferCache::Entry *>(addon)->remove(); // addon is the first member
}

const wlr_addon_interface entry_impl = {.name = "planar-kms-framebuffer", .destroy = entry_destroy};

// AddFB2 of a dma-buf through GEM handles that are closed at once (the
// framebuffer keeps the memory; handles are per fd and not counted, so a
// handle kept open would be shared with every other import of that memory).
uint32_t import(int fd, const wlr_dmabuf_attributes &attribs, bool device_takes_modifiers) {
    // A driver without modifier support (virtio-gpu) takes linear and
    // implicit layouts through plain AddFB2, and nothing else.
    bool explicit_modifier = device_takes_modifiers && attribs.modifier != DRM_FORMAT_MOD_INVALID;
    if (!device_takes_modifiers && attribs.modifier != DRM_FORMAT_MOD_INVALID && attribs.modifier != DRM_FORMAT_MOD_LINEAR) {
        errno = EINVAL;
        return 0;
    }
    uint32_t handles[4] = {}, strides[4] = {}, offsets[4] = {};
    uint64_t modifiers[4] = {};
    bool ok = true;
    for (int i = 0; i < attribs.n_planes && i < 4; i++) {
        if (drmPrimeFDToHandle(fd, attribs.fd[i], &handles[i]) != 0) {
            ok = false;
            break;
        }
        strides[i] = attribs.stride[i];
        offsets[i] = attribs.offset[i];
        modifiers[i] = attribs.modifier;
    }
    uint32_t fb = 0;
    int saved = 0;
    if (ok) {
        int ret = drmModeAddFB2WithModifiers(fd, attribs.width, attribs.height, attribs.format, handles, strides,
                                             offsets, explicit_modifier ? modifiers : nullptr, &fb,
                                             explicit_modifier ? DRM_MODE_FB_MODIFIERS : 0);
        if (ret != 0) fb = 0;
    }
    saved = errno;
    for (int i = 0; i < attribs.n_planes && i < 4; i++) {
        bool seen = false;
        for (int j = 0; j < i; j++) seen = seen || handles[j] == handles[i];
        if (handles[i] != 0 && !seen) drmCloseBufferHandle(fd, handles[i]);
    }
    errno = saved;
    return fb;
}

} // namespace

FramebufferCache::FramebufferCache(int drm_fd) : fd_(drm_fd) {
    uint64_t cap = 0;
    modifiers_ = drmGetCap(fd_, DRM_CAP_ADDFB2_MODIFIERS, &cap) == 0 && cap != 0;
}

FramebufferCache::~FramebufferCache() {
    while (!entries_.empty()) (*entries_.begin())->remove();
}

wlr_buffer *FramebufferCache::keyed_buffer(wlr_buffer *buffer) {
    wlr_client_buffer *client = wlr_client_buffer_get(buffer);
    return client != nullptr && client->source != nullptr ? client->source : buffer;
}

uint32_t FramebufferCache::framebuffer_of(wlr_buffer *buffer) {
    buffer = keyed_buffer(buffer);
    if (wlr_addon *found = wlr_addon_find(&buffer->addons, this, &entry_impl)) {
        return reinterpret_cast<Entry *>(found)->fb;
    }
    auto *entry = new Entry{};
    entry->cache = this;
    wlr_dmabuf_attributes attribs{};
    if (!wlr_buffer_get_dmabuf(buffer, &attribs)) {
        plog::debug(plog::Scope::kms, "buffer %dx%d is no dma-buf: no framebuffer", buffer->width, buffer->height);
    } else {
        entry->fb = import(fd_, attribs, modifiers_);
        if (entry->fb == 0) {
            plog::info(plog::Scope::kms, "the device refuses a %dx%d buffer of format 0x%08x modifier 0x%016llx as a framebuffer: %s",
                       attribs.width, attribs.height, attribs.format, static_cast<unsigned long long>(attribs.modifier),
                       strerror(errno));
        }
    }
    wlr_addon_init(&entry->addon, &buffer->addons, this, &entry_impl);
    entries_.insert(entry);
    return entry->fb;
}

} // namespace kms
