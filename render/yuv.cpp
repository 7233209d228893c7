#include "yuv.hpp"

#include <algorithm>

namespace render {
namespace {

inline uint8_t clamp8(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

} // namespace

uint32_t ycbcr_to_xrgb(uint8_t y, uint8_t cb, uint8_t cr) {
    // BT.601 limited range in 16.16 fixed point:
    // R = 1.164(Y-16) + 1.596(Cr-128), G = 1.164(Y-16) - 0.392(Cb-128) - 0.813(Cr-128),
    // B = 1.164(Y-16) + 2.017(Cb-128).
    int c = (static_cast<int>(y) - 16) * 76284;
    int d = static_cast<int>(cb) - 128;
    int e = static_cast<int>(cr) - 128;
    int r = (c + 104595 * e + 32768) >> 16;
    int g = (c - 25690 * d - 53281 * e + 32768) >> 16;
    int b = (c + 132186 * d + 32768) >> 16;
    return 0xff000000u | static_cast<uint32_t>(clamp8(r)) << 16 | static_cast<uint32_t>(clamp8(g)) << 8 |
           clamp8(b);
}

void nv12_to_xrgb(const uint8_t *y, size_t y_stride, const uint8_t *uv, size_t uv_stride, int width, int height,
                  uint32_t *out, size_t out_stride_pixels) {
    for (int row = 0; row < height; row++) {
        const uint8_t *y_row = y + static_cast<size_t>(row) * y_stride;
        const uint8_t *uv_row = uv + static_cast<size_t>(row / 2) * uv_stride;
        uint32_t *out_row = out + static_cast<size_t>(row) * out_stride_pixels;
        for (int col = 0; col < width; col++) {
            const uint8_t *chroma = uv_row + (col / 2) * 2;
            out_row[col] = ycbcr_to_xrgb(y_row[col], chroma[0], chroma[1]);
        }
    }
}

void yuyv_to_xrgb(const uint8_t *src, size_t stride, int width, int height, uint32_t *out,
                  size_t out_stride_pixels) {
    for (int row = 0; row < height; row++) {
        const uint8_t *in = src + static_cast<size_t>(row) * stride;
        uint32_t *out_row = out + static_cast<size_t>(row) * out_stride_pixels;
        for (int col = 0; col < width; col++) {
            const uint8_t *pair = in + (col / 2) * 4;
            out_row[col] = ycbcr_to_xrgb(pair[(col & 1) ? 2 : 0], pair[1], pair[3]);
        }
    }
}

} // namespace render
