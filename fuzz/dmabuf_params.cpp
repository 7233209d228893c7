// zwp_linux_buffer_params_v1 add/create sequences through planar's real
// validation (protocols/dmabuf_params) with memfd planes of any size. The
// property: whenever create succeeds, every plane's rows lie inside its
// buffer and its stride holds a row, the promise the importers rely on.
#include <cstdlib>
#include <drm_fourcc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmabuf_params.hpp"
#include "format_info.hpp"
#include "fuzz_input.hpp"

namespace {

class MemfdImporter : public render::Importer {
public:
    const char *name() const override { return "fuzz"; }
    std::vector<render::FormatPair> formats() const override { return {}; }
    bool is_dmabuf(int) const override { return true; }
    std::unique_ptr<render::ImportedBuffer> import(const render::DmabufAttributes &, wlr_buffer *,
                                                   std::string &) override {
        return nullptr;
    }
};

constexpr uint32_t formats[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_NV12,
                                DRM_FORMAT_YUYV,     DRM_FORMAT_YUV420,   DRM_FORMAT_P010,
                                DRM_FORMAT_RGB565,   DRM_FORMAT_RGB888,   DRM_FORMAT_R8};
constexpr uint64_t modifiers[] = {DRM_FORMAT_MOD_LINEAR, DRM_FORMAT_MOD_INVALID, I915_FORMAT_MOD_X_TILED};

UniqueFd memfd(uint32_t size) {
    UniqueFd fd(memfd_create("fuzz-plane", MFD_CLOEXEC));
    if (fd && ftruncate(fd.get(), size) != 0) fd.reset();
    return fd;
}

void check_layout(const render::DmabufAttributes &attrs) {
    const render::FormatInfo *info = render::format_info(attrs.format);
    for (size_t i = 0; i < attrs.planes.size(); i++) {
        const render::DmabufPlane &plane = attrs.planes[i];
        int64_t size = render::fd_size(plane.fd.get());
        uint64_t rows = info != nullptr ? info->rows(static_cast<uint32_t>(i), static_cast<uint32_t>(attrs.height))
                                        : static_cast<uint64_t>(attrs.height);
        if (plane.stride == 0 || plane.offset + static_cast<uint64_t>(plane.stride) * rows > static_cast<uint64_t>(size)) {
            abort(); // a plane reaching past its buffer was accepted
        }
        if (info != nullptr && plane.stride < info->row_bytes(static_cast<uint32_t>(i), static_cast<uint32_t>(attrs.width))) {
            abort(); // a stride shorter than a row was accepted
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::FuzzInput in(data, size);
    MemfdImporter importer;
    proto::DmabufParams params(3 + in.below(3)); // protocol versions 3 to 5
    proto::Advertised advertised = [](render::FormatPair) { return true; };
    for (int op = 0; op < 12 && !in.empty(); op++) {
        if (in.u8() % 3 != 0) {
            uint32_t plane = in.below(5);
            uint32_t offset = in.u8() & 1 ? in.u32() : in.below(1 << 16);
            uint32_t stride = in.u8() & 1 ? in.u32() : in.below(1 << 14);
            uint64_t modifier = modifiers[in.below(3)];
            params.add(memfd(in.below(1 << 22)), plane, offset, stride, modifier);
            continue;
        }
        int32_t width = in.u8() & 1 ? static_cast<int32_t>(in.u32()) : static_cast<int32_t>(in.below(4096));
        int32_t height = in.u8() & 1 ? static_cast<int32_t>(in.u32()) : static_cast<int32_t>(in.below(4096));
        uint32_t format = in.u8() & 1 ? in.u32() : formats[in.below(sizeof(formats) / sizeof(formats[0]))];
        uint32_t flags = in.u8() & 1 ? in.u32() : in.below(2);
        render::DmabufAttributes attrs;
        proto::ParamsOutcome outcome = params.create(width, height, format, flags, advertised, importer, attrs);
        if (outcome.kind == proto::ParamsOutcome::Kind::ok) check_layout(attrs);
    }
    return 0;
}
