#include "format_info.hpp"

#include <drm_fourcc.h>

namespace render {

const FormatInfo *format_info(uint32_t fourcc) {
    //                                    planes  block bytes  block w  hsub  vsub
    static constexpr FormatInfo rgb32{1, {4, 0, 0}, 1, 1, 1};
    static constexpr FormatInfo rgb64{1, {8, 0, 0}, 1, 1, 1};
    static constexpr FormatInfo rgb24{1, {3, 0, 0}, 1, 1, 1};
    static constexpr FormatInfo rgb16{1, {2, 0, 0}, 1, 1, 1};
    static constexpr FormatInfo r8{1, {1, 0, 0}, 1, 1, 1};
    static constexpr FormatInfo packed_422{1, {4, 0, 0}, 2, 1, 1};
    static constexpr FormatInfo nv_420{2, {1, 2, 0}, 1, 2, 2};
    static constexpr FormatInfo nv_422{2, {1, 2, 0}, 1, 2, 1};
    static constexpr FormatInfo nv_444{2, {1, 2, 0}, 1, 1, 1};
    static constexpr FormatInfo p01x_420{2, {2, 4, 0}, 1, 2, 2};
    static constexpr FormatInfo p210{2, {2, 4, 0}, 1, 2, 1};
    static constexpr FormatInfo yuv_420{3, {1, 1, 1}, 1, 2, 2};
    static constexpr FormatInfo yuv_422{3, {1, 1, 1}, 1, 2, 1};
    static constexpr FormatInfo yuv_444{3, {1, 1, 1}, 1, 1, 1};
    switch (fourcc) {
    case DRM_FORMAT_NV12:
    case DRM_FORMAT_NV21:
        return &nv_420;
    case DRM_FORMAT_P010:
    case DRM_FORMAT_P012:
    case DRM_FORMAT_P016:
        return &p01x_420;
    case DRM_FORMAT_NV16:
    case DRM_FORMAT_NV61:
        return &nv_422;
    case DRM_FORMAT_NV24:
    case DRM_FORMAT_NV42:
        return &nv_444;
    case DRM_FORMAT_P210:
        return &p210;
    case DRM_FORMAT_YUV420:
    case DRM_FORMAT_YVU420:
        return &yuv_420;
    case DRM_FORMAT_YUV422:
    case DRM_FORMAT_YVU422:
        return &yuv_422;
    case DRM_FORMAT_YUV444:
    case DRM_FORMAT_YVU444:
        return &yuv_444;
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
        return &rgb32;
    case DRM_FORMAT_ABGR16161616F:
    case DRM_FORMAT_XBGR16161616F:
        return &rgb64;
    case DRM_FORMAT_RGB888:
    case DRM_FORMAT_BGR888:
        return &rgb24;
    case DRM_FORMAT_RGB565:
    case DRM_FORMAT_BGR565:
    case DRM_FORMAT_GR88:
        return &rgb16;
    case DRM_FORMAT_YUYV:
    case DRM_FORMAT_YVYU:
    case DRM_FORMAT_UYVY:
    case DRM_FORMAT_VYUY:
        return &packed_422;
    case DRM_FORMAT_R8:
        return &r8;
    default:
        return nullptr;
    }
}

} // namespace render
