#include "format_info.hpp"

#include <drm_fourcc.h>

namespace render {

const FormatInfo *format_info(uint32_t fourcc) {
    static constexpr FormatInfo single{1, 1};
    static constexpr FormatInfo biplanar_420{2, 2};
    static constexpr FormatInfo biplanar_422{2, 1};
    static constexpr FormatInfo triplanar_420{3, 2};
    static constexpr FormatInfo triplanar_422{3, 1};
    switch (fourcc) {
    case DRM_FORMAT_NV12:
    case DRM_FORMAT_NV21:
    case DRM_FORMAT_P010:
    case DRM_FORMAT_P012:
    case DRM_FORMAT_P016:
        return &biplanar_420;
    case DRM_FORMAT_NV16:
    case DRM_FORMAT_NV61:
    case DRM_FORMAT_NV24:
    case DRM_FORMAT_NV42:
    case DRM_FORMAT_P210:
        return &biplanar_422;
    case DRM_FORMAT_YUV420:
    case DRM_FORMAT_YVU420:
        return &triplanar_420;
    case DRM_FORMAT_YUV422:
    case DRM_FORMAT_YVU422:
    case DRM_FORMAT_YUV444:
    case DRM_FORMAT_YVU444:
        return &triplanar_422;
    case DRM_FORMAT_ARGB8888:
    case DRM_FORMAT_XRGB8888:
    case DRM_FORMAT_ABGR8888:
    case DRM_FORMAT_XBGR8888:
    case DRM_FORMAT_RGBA8888:
    case DRM_FORMAT_RGBX8888:
    case DRM_FORMAT_BGRA8888:
    case DRM_FORMAT_BGRX8888:
    case DRM_FORMAT_ARGB2101010:
    case DRM_FORMAT_XRGB2101010:
    case DRM_FORMAT_ABGR2101010:
    case DRM_FORMAT_XBGR2101010:
    case DRM_FORMAT_ABGR16161616F:
    case DRM_FORMAT_XBGR16161616F:
    case DRM_FORMAT_RGB565:
    case DRM_FORMAT_BGR565:
    case DRM_FORMAT_RGB888:
    case DRM_FORMAT_BGR888:
    case DRM_FORMAT_YUYV:
    case DRM_FORMAT_YVYU:
    case DRM_FORMAT_UYVY:
    case DRM_FORMAT_VYUY:
    case DRM_FORMAT_R8:
    case DRM_FORMAT_GR88:
        return &single;
    default:
        return nullptr;
    }
}

} // namespace render
