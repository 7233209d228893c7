// EGL importer, for the gles2 renderer. wlroots' gles2 renderer imports a
// buffer's dma-buf as an EGLImage itself (wlr_texture_from_buffer asks our
// wlr_buffer for get_dmabuf) and caches the texture on the buffer until the
// buffer is destroyed. The importer does that import once, at create (so a
// failure is a `failed` event, not a broken surface later), and counts it;
// later frames reuse the cached texture.
#pragma once

#include "importer.hpp"

struct wlr_allocator;
struct wlr_renderer;

namespace render {

class EglImporter : public Importer {
public:
    // `allocator` (may be null) allocates the LINEAR test buffers.
    EglImporter(wlr_renderer *renderer, wlr_allocator *allocator);

    const char *name() const override { return "egl"; }
    std::vector<FormatPair> formats() const override { return formats_; }
    std::unique_ptr<ImportedBuffer> import(const DmabufAttributes &attrs, wlr_buffer *buffer,
                                           std::string &why) override;

private:
    bool test_import_linear(uint32_t format);

    wlr_renderer *renderer_;
    wlr_allocator *allocator_;
    std::vector<FormatPair> formats_;
    // YUV formats shown through a CPU conversion (no LINEAR test import).
    std::vector<uint32_t> converted_;
};

} // namespace render
