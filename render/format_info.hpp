// Plane layout of the DRM formats planar knows, for the linux-dmabuf checks
// that need it: the plane count (incomplete) and the vertical subsampling of
// the chroma planes (out_of_bounds).
#pragma once

#include <cstdint>

namespace render {

struct FormatInfo {
    uint32_t planes = 1;
    uint32_t vsub = 1; // vertical subsampling of planes 1 and 2
};

// Null for a format planar does not know; the caller then checks only what it can.
const FormatInfo *format_info(uint32_t fourcc);

} // namespace render
