#include "dmabuf_buffer.hpp"

#include <drm_fourcc.h>

namespace client {

namespace {

zwp_linux_buffer_params_v1 *make_params(Display &display, const std::vector<PlaneRef> &planes,
                                        const BufferDesc &desc) {
    auto *params = zwp_linux_dmabuf_v1_create_params(display.dmabuf);
    for (size_t i = 0; i < planes.size(); i++) {
        // Every plane carries the same modifier (a v5 rule, harmless before).
        zwp_linux_buffer_params_v1_add(params, planes[i].fd, uint32_t(i), planes[i].offset, planes[i].stride,
                                       uint32_t(desc.modifier >> 32), uint32_t(desc.modifier & 0xffffffff));
    }
    return params;
}

struct CreateResult {
    bool done = false;
    wl_buffer *buffer = nullptr;
};

const zwp_linux_buffer_params_v1_listener create_listener = {
    .created =
        [](void *data, zwp_linux_buffer_params_v1 *, wl_buffer *buffer) {
            auto *r = static_cast<CreateResult *>(data);
            r->buffer = buffer;
            r->done = true;
        },
    .failed = [](void *data, zwp_linux_buffer_params_v1 *) { static_cast<CreateResult *>(data)->done = true; },
};

} // namespace

wl_buffer *create_dmabuf_buffer(Display &display, const std::vector<PlaneRef> &planes, const BufferDesc &desc,
                                std::string *why) {
    auto *params = make_params(display, planes, desc);
    CreateResult result;
    zwp_linux_buffer_params_v1_add_listener(params, &create_listener, &result);
    zwp_linux_buffer_params_v1_create(params, desc.width, desc.height, desc.format, desc.flags);
    while (!result.done) display.roundtrip();
    zwp_linux_buffer_params_v1_destroy(params);
    if (result.buffer == nullptr && why != nullptr) *why = "the compositor refused the dma-buf (params.failed)";
    return result.buffer;
}

wl_buffer *create_dmabuf_buffer_immed(Display &display, const std::vector<PlaneRef> &planes,
                                      const BufferDesc &desc) {
    auto *params = make_params(display, planes, desc);
    wl_buffer *buffer =
        zwp_linux_buffer_params_v1_create_immed(params, desc.width, desc.height, desc.format, desc.flags);
    zwp_linux_buffer_params_v1_destroy(params);
    return buffer;
}

const wl_buffer_listener BufferPool::listener = {
    .release =
        [](void *data, wl_buffer *) {
            auto *slot = static_cast<Slot *>(data);
            slot->busy = false;
            if (slot->pool->on_release_) slot->pool->on_release_(slot->index);
        },
};

int BufferPool::add(wl_buffer *buffer) {
    auto slot = std::make_unique<Slot>(Slot{this, int(slots_.size()), buffer});
    wl_buffer_add_listener(buffer, &listener, slot.get());
    slots_.push_back(std::move(slot));
    return int(slots_.size()) - 1;
}

int BufferPool::acquire() const {
    for (const auto &s : slots_)
        if (!s->busy) return s->index;
    return -1;
}

void BufferPool::clear() {
    for (auto &s : slots_) wl_buffer_destroy(s->buffer);
    slots_.clear();
}

} // namespace client
