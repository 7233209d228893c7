// Plane layout of the DRM formats planar knows, for the linux-dmabuf checks
// that need it: the plane count (incomplete), and per plane the bytes one
// pixel takes and the chroma subsampling, from which the bytes of one row
// (stride too small: out_of_bounds) and the row count (the dma-buf's end).
#pragma once

#include <cstdint>

namespace render {

struct FormatInfo {
    uint32_t planes = 1;
    // Bytes per block of each plane; a block is one pixel, except for packed
    // 4:2:2 formats (YUYV and kin), where it is two pixels in four bytes.
    uint32_t block_bytes[3] = {4, 0, 0};
    uint32_t block_width = 1; // pixels in one block of plane 0
    uint32_t hsub = 1;        // horizontal subsampling of planes 1 and 2
    uint32_t vsub = 1;        // vertical subsampling of planes 1 and 2

    // Bytes of one row of `plane` for an image `width` pixels wide.
    uint64_t row_bytes(uint32_t plane, uint32_t width) const {
        uint64_t pixels = width;
        if (plane > 0) pixels = (pixels + hsub - 1) / hsub;
        uint64_t blocks = plane == 0 ? (pixels + block_width - 1) / block_width : pixels;
        return blocks * block_bytes[plane];
    }
    // Rows of `plane` for an image `height` rows high.
    uint64_t rows(uint32_t plane, uint32_t height) const {
        return plane == 0 ? height : (static_cast<uint64_t>(height) + vsub - 1) / vsub;
    }
};

// Null for a format planar does not know; the caller then checks only what it can.
const FormatInfo *format_info(uint32_t fourcc);

} // namespace render
