// CPU importer, for the pixman renderer: each plane of a LINEAR dma-buf is
// mapped once, at import, and every read is bracketed by DMA_BUF_IOCTL_SYNC
// START/END so that caches are coherent with the exporter (a GPU, a camera).
// Offered: the formats pixman samples directly, and NV12/YUYV, which are
// converted to XRGB (pixman has no YUV sampling): once per commit, the rows
// it damaged (ImportedBuffer::content_changed), at the first read after it.
#pragma once

#include "importer.hpp"

namespace render {

class CpuImporter : public Importer {
public:
    const char *name() const override { return "cpu"; }
    std::vector<FormatPair> formats() const override;
    std::unique_ptr<ImportedBuffer> import(const DmabufAttributes &attrs, wlr_buffer *buffer,
                                           std::string &why) override;

    // The DRM formats pixman reads (wlroots 0.15 render/pixman/pixel_format.c).
    static const std::vector<uint32_t> &pixman_formats();
};

// YUV formats the CPU converts to XRGB8888 (NV12, YUYV), and the import that
// does it: planes mapped once, converted into a shadow image as commits change them.
// `share_dmabuf` false: the GPU must not sample the dma-buf itself either
// (the EGL importer's fallback where native sampling fails).
const std::vector<uint32_t> &converted_yuv_formats();
std::unique_ptr<ImportedBuffer> import_converted_yuv(const DmabufAttributes &attrs, bool share_dmabuf,
                                                     std::string &why);

} // namespace render
