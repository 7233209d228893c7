#include "egl_importer.hpp"

#include <algorithm>
#include <cstdlib>
#include <drm_fourcc.h>

#include "cpu_importer.hpp"
#include "log.hpp"
#include "wlr.hpp"

namespace render {
namespace {

// The gles2 renderer keeps its texture of a buffer as an addon owned by the
// renderer; its presence means the next frame will not import again.
bool has_texture_of(wlr_buffer *buffer, wlr_renderer *renderer) {
    wlr_addon *addon;
    wl_list_for_each(addon, &buffer->addons.addons, link) {
        if (addon->owner == renderer) return true;
    }
    return false;
}

class EglBuffer : public ImportedBuffer {
public:
    explicit EglBuffer(wlr_renderer *renderer) : renderer_(renderer) {}
    void dmabuf_requested(wlr_buffer *buffer) override {
        if (!has_texture_of(buffer, renderer_)) imports_++;
    }
    unsigned import_count() const override { return imports_; }

private:
    wlr_renderer *renderer_;
    unsigned imports_ = 1; // the import done at create
};

} // namespace

EglImporter::EglImporter(wlr_renderer *renderer, wlr_allocator *allocator)
    : renderer_(renderer), allocator_(allocator) {
    const wlr_drm_format_set *set = wlr_renderer_get_dmabuf_texture_formats(renderer);
    if (set == nullptr) return;
    for (size_t i = 0; i < set->len; i++) {
        const wlr_drm_format *format = set->formats[i];
        bool implicit_only = true;
        for (size_t j = 0; j < format->len; j++) {
            uint64_t modifier = format->modifiers[j];
            if (modifier != DRM_FORMAT_MOD_INVALID && modifier != DRM_FORMAT_MOD_LINEAR) implicit_only = false;
        }
        for (size_t j = 0; j < format->len; j++) {
            uint64_t modifier = format->modifiers[j];
            // wlroots 0.15 assumes LINEAR where EGL lists a format without
            // modifiers (Mesa's kms_swrast does). Advertise only pairs that
            // really import: LINEAR there only after a real test import. The
            // test buffer comes from the allocator, so a format GBM cannot
            // allocate (YUV on kms_swrast) is not advertised. Laying NV12 out
            // by hand over an RGB buffer makes llvmpipe accept the import,
            // but it then samples garbage (tests/vm dmabuf-import, seen
            // 2026-11): refusing is better than showing noise.
            if (modifier == DRM_FORMAT_MOD_LINEAR && implicit_only && !test_import_linear(format->format)) {
                const auto &yuv = converted_yuv_formats();
                if (std::find(yuv.begin(), yuv.end(), format->format) != yuv.end()) {
                    // A camera's NV12 or YUYV must still be shown: converted
                    // by the CPU and uploaded, a copy where sampling fails.
                    plog::info(plog::Scope::dmabuf, "egl: %.4s LINEAR: no test import; shown converted by the CPU",
                               reinterpret_cast<const char *>(&format->format));
                    converted_.push_back(format->format);
                    formats_.push_back({format->format, DRM_FORMAT_MOD_LINEAR});
                    continue;
                }
                plog::info(plog::Scope::dmabuf, "egl: %.4s LINEAR not advertised: test import failed",
                           reinterpret_cast<const char *>(&format->format));
                continue;
            }
            formats_.push_back({format->format, modifier});
        }
    }
    std::sort(formats_.begin(), formats_.end());
    formats_.erase(std::unique(formats_.begin(), formats_.end()), formats_.end());
}

bool EglImporter::test_import_linear(uint32_t fourcc) {
    if (allocator_ == nullptr) return false;
    // struct wlr_drm_format ends in a flexible array of modifiers.
    alignas(wlr_drm_format) unsigned char storage[sizeof(wlr_drm_format) + sizeof(uint64_t)] = {};
    auto *format = reinterpret_cast<wlr_drm_format *>(storage);
    format->format = fourcc;
    format->len = 1;
    format->capacity = 1;
    format->modifiers[0] = DRM_FORMAT_MOD_LINEAR;
    wlr_buffer *buffer = wlr_allocator_create_buffer(allocator_, 16, 16, format);
    if (buffer == nullptr) return false;
    bool ok = false;
    wlr_dmabuf_attributes attribs{};
    if (wlr_buffer_get_dmabuf(buffer, &attribs)) {
        attribs.modifier = DRM_FORMAT_MOD_LINEAR;
        if (wlr_texture *texture = wlr_texture_from_dmabuf(renderer_, &attribs)) {
            wlr_texture_destroy(texture);
            ok = true;
        }
    }
    wlr_buffer_drop(buffer);
    return ok;
}

std::unique_ptr<ImportedBuffer> EglImporter::import(const DmabufAttributes &attrs, wlr_buffer *buffer,
                                                    std::string &why) {
    // YUV that EGL could not be shown to sample here: implicit or LINEAR,
    // both are laid out linearly on such a stack (see the constructor).
    if (std::find(converted_.begin(), converted_.end(), attrs.format) != converted_.end() &&
        (attrs.modifier == DRM_FORMAT_MOD_LINEAR || attrs.modifier == DRM_FORMAT_MOD_INVALID)) {
        return import_converted_yuv(attrs, false, why);
    }
    // The real import: the renderer creates its EGLImage and texture and
    // keeps them on `buffer`; destroying our reference only unlocks it.
    wlr_texture *texture = wlr_texture_from_buffer(renderer_, buffer);
    if (texture == nullptr) {
        why = "EGL refused the dma-buf (eglCreateImage failed)";
        return nullptr;
    }
    wlr_texture_destroy(texture);
    return std::make_unique<EglBuffer>(renderer_);
}

} // namespace render
