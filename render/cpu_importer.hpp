// CPU importer, for the pixman renderer: each plane of a LINEAR dma-buf is
// mapped once, at import, and every read is bracketed by DMA_BUF_IOCTL_SYNC
// START/END so that caches are coherent with the exporter (a GPU, a camera).
// Offered: the formats pixman samples directly, and NV12/YUYV, which are
// converted to XRGB on each read (pixman has no YUV sampling).
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

} // namespace render
