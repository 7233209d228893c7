// The CPU importer (render/cpu_importer) given any layout over memfds of any
// size, validation bypassed: it must refuse what does not fit, and whatever
// it accepts is read here row by row exactly as pixman reads it (the
// converted YUV shadow included). A read outside a mapping crashes, which
// libFuzzer reports.
#include <cstring>
#include <drm_fourcc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu_importer.hpp"
#include "format_info.hpp"
#include "fuzz_input.hpp"

namespace {

constexpr uint32_t formats[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_RGB565,
                                DRM_FORMAT_NV12, DRM_FORMAT_YUYV, DRM_FORMAT_ABGR2101010};

UniqueFd memfd(uint32_t size, uint8_t fill) {
    UniqueFd fd(memfd_create("fuzz-import", MFD_CLOEXEC));
    if (!fd || ftruncate(fd.get(), size) != 0) return UniqueFd();
    if (size > 0) {
        void *map = mmap(nullptr, size, PROT_WRITE, MAP_SHARED, fd.get(), 0);
        if (map != MAP_FAILED) {
            memset(map, fill, size);
            munmap(map, size);
        }
    }
    return fd;
}

volatile uint32_t sink;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::FuzzInput in(data, size);
    render::DmabufAttributes attrs;
    attrs.width = static_cast<int32_t>(in.u8() & 1 ? in.u32() : in.below(1024));
    attrs.height = static_cast<int32_t>(in.u8() & 1 ? in.u32() : in.below(1024));
    attrs.format = formats[in.below(sizeof(formats) / sizeof(formats[0]))];
    attrs.modifier = in.u8() & 1 ? DRM_FORMAT_MOD_LINEAR : DRM_FORMAT_MOD_INVALID;
    attrs.y_invert = in.u8() & 1;
    uint32_t planes = 1 + in.below(2);
    for (uint32_t i = 0; i < planes; i++) {
        UniqueFd fd = memfd(in.below(1 << 21), in.u8());
        uint32_t offset = in.u8() & 1 ? in.u32() : in.below(1 << 16);
        uint32_t stride = in.u8() & 1 ? in.u32() : in.below(1 << 13);
        attrs.planes.push_back(render::DmabufPlane{std::move(fd), offset, stride});
    }
    render::CpuImporter importer;
    std::string why;
    std::unique_ptr<render::ImportedBuffer> buffer = importer.import(attrs, nullptr, why);
    if (buffer == nullptr) return 0;
    buffer->content_changed(nullptr); // as the commit that shows it does
    void *pixels = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    if (!buffer->begin_read(&pixels, &format, &stride)) return 0;
    // pixman's view: height rows of width pixels, row y at pixels + y * stride
    // (stride negative for y_invert, as a two's-complement size_t).
    const render::FormatInfo *info = render::format_info(format);
    size_t row_bytes = info != nullptr ? info->row_bytes(0, static_cast<uint32_t>(attrs.width)) : 0;
    uint32_t sum = 0;
    for (int32_t y = 0; y < attrs.height; y++) {
        const auto *row = static_cast<const uint8_t *>(pixels) + static_cast<ptrdiff_t>(y) * static_cast<ptrdiff_t>(stride);
        for (size_t x = 0; x < row_bytes; x++) sum += row[x];
    }
    sink = sum;
    buffer->end_read();
    return 0;
}
