#include "dmabuf_params.hpp"

#include <cinttypes>
#include <cstdio>

#include "format_info.hpp"
#include "linux-dmabuf-v1-protocol.h"

namespace proto {
namespace {

template <typename... Args>
std::string format_message(const char *fmt, Args... args) {
    char text[256];
    snprintf(text, sizeof text, fmt, args...);
    return text;
}

constexpr uint32_t known_flags = ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_Y_INVERT |
                                 ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_INTERLACED |
                                 ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_BOTTOM_FIRST;

} // namespace

ParamsOutcome DmabufParams::add(UniqueFd fd, uint32_t plane_idx, uint32_t offset, uint32_t stride,
                                uint64_t modifier) {
    if (used_) {
        return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_ALREADY_USED,
                                    "params object already used to create a buffer");
    }
    if (plane_idx >= render::max_planes) {
        return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_PLANE_IDX,
                                    format_message("plane index %u beyond the maximum %u", plane_idx,
                                                   render::max_planes - 1));
    }
    if (planes_[plane_idx]) {
        return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_PLANE_SET,
                                    format_message("plane %u already set", plane_idx));
    }
    // linux-dmabuf v5, add: planes whose modifiers differ raise invalid_format.
    if (version_ >= 5) {
        for (const auto &other : planes_) {
            if (other && other->modifier != modifier) {
                return ParamsOutcome::fatal(
                    ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_FORMAT,
                    format_message("plane %u modifier 0x%" PRIx64 " differs from 0x%" PRIx64, plane_idx,
                                   modifier, other->modifier));
            }
        }
    }
    planes_[plane_idx] = Plane{render::DmabufPlane{std::move(fd), offset, stride}, modifier};
    return ParamsOutcome::ok();
}

ParamsOutcome DmabufParams::create(int32_t width, int32_t height, uint32_t format, uint32_t flags,
                                   const Advertised &advertised, const render::Importer &importer,
                                   render::DmabufAttributes &out) {
    if (used_) {
        return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_ALREADY_USED,
                                    "params object already used to create a buffer");
    }
    used_ = true;

    // incomplete: planes must be 0..n-1 without gaps, n as the format says.
    uint32_t count = 0;
    while (count < render::max_planes && planes_[count]) count++;
    if (count == 0) {
        return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE, "no plane added");
    }
    for (uint32_t i = count; i < render::max_planes; i++) {
        if (planes_[i]) {
            return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE,
                                        format_message("plane %u missing before plane %u", count, i));
        }
    }
    const render::FormatInfo *info = render::format_info(format);
    if (info != nullptr && count != info->planes) {
        return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE,
                                    format_message("format 0x%08x has %u planes, %u given", format,
                                                   info->planes, count));
    }

    if (width <= 0 || height <= 0) {
        return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_DIMENSIONS,
                                    format_message("invalid size %dx%d", width, height));
    }

    uint64_t modifier = planes_[0]->modifier;
    bool mixed = false;
    for (uint32_t i = 1; i < count; i++) mixed = mixed || planes_[i]->modifier != modifier;
    // linux-dmabuf v4, add: a pair that was not advertised raises
    // invalid_format; the format is known only now.
    if (version_ >= 4 && !advertised({format, modifier})) {
        return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_FORMAT,
                                    format_message("format 0x%08x modifier 0x%" PRIx64 " not advertised",
                                                   format, modifier));
    }

    // out_of_bounds: each plane's rows must fit the dma-buf, 32-bit offsets,
    // and its stride (planar's rule, the one every importer assumes: a GPU
    // sampler or the CPU path reads row_bytes from each row's start): a
    // stride too small for one row makes the last row reach past the bytes
    // the client laid out.
    for (uint32_t i = 0; i < count; i++) {
        const render::DmabufPlane &plane = planes_[i]->plane;
        uint64_t rows = info != nullptr ? info->rows(i, static_cast<uint32_t>(height)) : static_cast<uint64_t>(height);
        uint64_t end = plane.offset + static_cast<uint64_t>(plane.stride) * rows;
        if (plane.stride == 0 || static_cast<uint64_t>(plane.offset) + plane.stride > UINT32_MAX ||
            end > UINT32_MAX) {
            return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS,
                                        format_message("plane %u: offset %u stride %u height %" PRIu64
                                                       " overflows 32 bits (or stride 0)",
                                                       i, plane.offset, plane.stride, rows));
        }
        if (info != nullptr) {
            uint64_t row = info->row_bytes(i, static_cast<uint32_t>(width));
            if (plane.stride < row) {
                return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS,
                                            format_message("plane %u: stride %u is shorter than one row "
                                                           "(%" PRIu64 " bytes for width %d)",
                                                           i, plane.stride, row, width));
            }
        }
        int64_t size = render::fd_size(plane.fd.get());
        if (size >= 0 && end > static_cast<uint64_t>(size)) {
            return ParamsOutcome::fatal(ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS,
                                        format_message("plane %u: offset %u + stride %u * %" PRIu64
                                                       " rows = %" PRIu64 " beyond the %" PRId64
                                                       "-byte dma-buf",
                                                       i, plane.offset, plane.stride, rows, end, size));
        }
    }

    // Not the client's fault in the protocol's terms: `failed`.
    if (mixed) return ParamsOutcome::fail("planes with different modifiers");
    if (flags & ~known_flags) return ParamsOutcome::fail(format_message("unknown flags 0x%x", flags));
    if (flags & (ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_INTERLACED | ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_BOTTOM_FIRST)) {
        return ParamsOutcome::fail("interlaced buffers are not supported");
    }
    for (uint32_t i = 0; i < count; i++) {
        if (!importer.is_dmabuf(planes_[i]->plane.fd.get())) {
            return {ParamsOutcome::Kind::not_dmabuf, 0, format_message("plane %u: fd is not a dma-buf", i)};
        }
    }

    out = render::DmabufAttributes{};
    out.width = width;
    out.height = height;
    out.format = format;
    out.modifier = modifier;
    out.y_invert = (flags & ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_Y_INVERT) != 0;
    for (uint32_t i = 0; i < count; i++) {
        out.planes.push_back(std::move(planes_[i]->plane));
        planes_[i].reset();
    }
    return ParamsOutcome::ok();
}

} // namespace proto
