// YUV → XRGB8888 conversion for the CPU path. pixman samples RGB only, so a
// camera's NV12 or YUYV dma-buf is converted into a shadow image, the rows
// each commit damaged (cpu_importer.cpp); the GPU path samples YUV directly
// (external textures) and never copies. BT.601 limited range, the colour
// space V4L2 cameras and video decoders default to at SD/HD sizes without
// further signalling.
#pragma once

#include <cstddef>
#include <cstdint>

namespace render {

// Y plane and interleaved CbCr plane (chroma at half width and height).
void nv12_to_xrgb(const uint8_t *y, size_t y_stride, const uint8_t *uv, size_t uv_stride, int width, int height,
                  uint32_t *out, size_t out_stride_pixels);
// Packed Y0 Cb Y1 Cr (YUYV, DRM_FORMAT_YUYV) with chroma at half width.
void yuyv_to_xrgb(const uint8_t *src, size_t stride, int width, int height, uint32_t *out,
                  size_t out_stride_pixels);
// One pixel, exposed for tests.
uint32_t ycbcr_to_xrgb(uint8_t y, uint8_t cb, uint8_t cr);

} // namespace render
