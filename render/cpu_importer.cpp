#include "cpu_importer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "format_info.hpp"
#include "log.hpp"
#include "yuv.hpp"

namespace render {
namespace {

bool dmabuf_sync(int fd, uint64_t flags) {
    dma_buf_sync sync{};
    sync.flags = flags;
    while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) != 0) {
        // Not a dma-buf (the fuzz target's memfds; linux-dmabuf lets only
        // dma-bufs through): plain memory needs no cache maintenance.
        if (errno == ENOTTY) return true;
        if (errno != EINTR && errno != EAGAIN) return false;
    }
    return true;
}

class CpuBuffer : public ImportedBuffer {
public:
    CpuBuffer(int fd, void *map, size_t map_size, uint32_t offset, uint32_t stride, int32_t height,
              uint32_t format, bool y_invert)
        : fd_(fd), map_(map), map_size_(map_size), offset_(offset), stride_(stride), height_(height),
          format_(format), y_invert_(y_invert) {}
    ~CpuBuffer() override { munmap(map_, map_size_); }
    CpuBuffer(const CpuBuffer &) = delete;
    CpuBuffer &operator=(const CpuBuffer &) = delete;

    bool begin_read(void **data, uint32_t *format, size_t *stride) override {
        if (!dmabuf_sync(fd_, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)) {
            plog::error(plog::Scope::dmabuf, "DMA_BUF_IOCTL_SYNC start: %s", strerror(errno));
            return false;
        }
        auto *base = static_cast<uint8_t *>(map_) + offset_;
        if (y_invert_) {
            // linux-dmabuf y_invert: rows are stored bottom to top. pixman takes
            // a negative row stride (it indexes rows as data + y * stride), so
            // the image is handed out from its last row upwards.
            *data = base + static_cast<size_t>(stride_) * static_cast<size_t>(height_ - 1);
            *stride = static_cast<size_t>(-static_cast<ptrdiff_t>(stride_));
        } else {
            *data = base;
            *stride = stride_;
        }
        *format = format_;
        return true;
    }

    void end_read() override {
        if (!dmabuf_sync(fd_, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)) {
            plog::error(plog::Scope::dmabuf, "DMA_BUF_IOCTL_SYNC end: %s", strerror(errno));
        }
    }

    unsigned import_count() const override { return 1; }

private:
    int fd_; // borrowed from the buffer's attributes, which outlive this object
    void *map_;
    size_t map_size_;
    uint32_t offset_;
    uint32_t stride_;
    int32_t height_;
    uint32_t format_;
    bool y_invert_;
};

// A YUV buffer (NV12, YUYV): pixman cannot sample it, so it is converted
// into an XRGB8888 shadow image. A renderer reads a buffer many times per
// commit (pixman once per damage rectangle of every frame), so a read
// converts only the rows commits marked stale since the last conversion,
// inside DMA_BUF_IOCTL_SYNC START/END. Nothing is stale before the first
// commit: pixman's texture is made before planar hears of that commit, at a
// moment the client's GPU may still be writing (ShmYuvRenderer). The planes
// are mapped once, at import.
class YuvCpuBuffer : public ImportedBuffer {
public:
    struct Plane {
        int fd; // borrowed from the buffer's attributes, which outlive this object
        void *map;
        size_t map_size;
        uint32_t offset;
        uint32_t stride;
        const uint8_t *data() const { return static_cast<const uint8_t *>(map) + offset; }
    };

    YuvCpuBuffer(std::vector<Plane> planes, int32_t width, int32_t height, uint32_t format, bool share_dmabuf)
        : planes_(std::move(planes)), width_(width), height_(height), format_(format), share_dmabuf_(share_dmabuf),
          shadow_(static_cast<size_t>(width) * static_cast<size_t>(height)), stale_(static_cast<size_t>(height)) {}
    ~YuvCpuBuffer() override {
        for (const Plane &plane : planes_) munmap(plane.map, plane.map_size);
    }
    YuvCpuBuffer(const YuvCpuBuffer &) = delete;
    YuvCpuBuffer &operator=(const YuvCpuBuffer &) = delete;

    void content_changed(const pixman_region32_t *buffer_damage) override {
        if (buffer_damage == nullptr) {
            mark_stale(0, height_);
            return;
        }
        int count = 0;
        const pixman_box32_t *boxes = pixman_region32_rectangles(buffer_damage, &count);
        for (int i = 0; i < count; i++) {
            if (boxes[i].x2 > 0 && boxes[i].x1 < width_) mark_stale(boxes[i].y1, boxes[i].y2);
        }
    }

    bool begin_read(void **data, uint32_t *format, size_t *stride) override {
        if (stale_rows_ > 0 && !convert_stale()) return false;
        *data = shadow_.data();
        *format = DRM_FORMAT_XRGB8888;
        *stride = static_cast<size_t>(width_) * 4;
        return true;
    }

    unsigned import_count() const override { return 1; }
    bool shares_dmabuf() const override { return share_dmabuf_; }

private:
    void mark_stale(int32_t first, int32_t end) {
        first = std::max(first, 0);
        end = std::min(end, height_);
        if (format_ == DRM_FORMAT_NV12) {
            // One chroma row covers two luma rows: whole pairs only.
            first -= first % 2;
            end = std::min(end + end % 2, height_);
        }
        for (int32_t row = first; row < end; row++) {
            if (!stale_[static_cast<size_t>(row)]) {
                stale_[static_cast<size_t>(row)] = true;
                stale_rows_++;
            }
        }
    }

    bool convert_stale() {
        size_t started = 0;
        while (started < planes_.size() &&
               dmabuf_sync(planes_[started].fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)) {
            started++;
        }
        bool ok = started == planes_.size();
        if (!ok) {
            plog::error(plog::Scope::dmabuf, "DMA_BUF_IOCTL_SYNC start: %s", strerror(errno));
        } else {
            for (int32_t row = 0; row < height_;) {
                if (!stale_[static_cast<size_t>(row)]) {
                    row++;
                    continue;
                }
                int32_t end = row;
                while (end < height_ && stale_[static_cast<size_t>(end)]) stale_[static_cast<size_t>(end++)] = false;
                convert_rows(row, end);
                row = end;
            }
            stale_rows_ = 0;
        }
        for (size_t i = 0; i < started; i++) {
            if (!dmabuf_sync(planes_[i].fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)) {
                plog::error(plog::Scope::dmabuf, "DMA_BUF_IOCTL_SYNC end: %s", strerror(errno));
            }
        }
        return ok;
    }

    // Rows [first, end); NV12's `first` is even (mark_stale).
    void convert_rows(int32_t first, int32_t end) {
        auto row = static_cast<size_t>(first);
        uint32_t *out = shadow_.data() + row * static_cast<size_t>(width_);
        const Plane &p0 = planes_[0];
        if (format_ == DRM_FORMAT_NV12) {
            const Plane &p1 = planes_[1];
            nv12_to_xrgb(p0.data() + row * p0.stride, p0.stride, p1.data() + row / 2 * p1.stride, p1.stride, width_,
                         end - first, out, static_cast<size_t>(width_));
        } else {
            yuyv_to_xrgb(p0.data() + row * p0.stride, p0.stride, width_, end - first, out,
                         static_cast<size_t>(width_));
        }
    }

    std::vector<Plane> planes_;
    int32_t width_, height_;
    uint32_t format_;
    bool share_dmabuf_;
    std::vector<uint32_t> shadow_;
    std::vector<bool> stale_; // per row: the shadow may differ from the planes
    size_t stale_rows_ = 0;
};

// Whether every row the CPU path reads of plane `index` lies inside its
// `size`-byte dma-buf. linux-dmabuf validated this already; the importer
// checks again because it is the code that dereferences the mapping.
bool rows_inside(const DmabufAttributes &attrs, size_t index, int64_t size, std::string &why) {
    const FormatInfo *info = format_info(attrs.format);
    const DmabufPlane &plane = attrs.planes[index];
    if (info == nullptr || attrs.width <= 0 || attrs.height <= 0) {
        why = "unknown layout";
        return false;
    }
    uint32_t i = static_cast<uint32_t>(index);
    uint64_t row = info->row_bytes(i, static_cast<uint32_t>(attrs.width));
    uint64_t rows = info->rows(i, static_cast<uint32_t>(attrs.height));
    uint64_t end = plane.offset + static_cast<uint64_t>(plane.stride) * (rows - 1) + row;
    if (plane.stride < row || size < 0 || end > static_cast<uint64_t>(size)) {
        why = "plane " + std::to_string(index) + " reaches past its dma-buf";
        return false;
    }
    return true;
}

} // namespace

const std::vector<uint32_t> &converted_yuv_formats() {
    static const std::vector<uint32_t> formats = {DRM_FORMAT_NV12, DRM_FORMAT_YUYV};
    return formats;
}

std::unique_ptr<ImportedBuffer> import_converted_yuv(const DmabufAttributes &attrs, bool share_dmabuf,
                                                     std::string &why) {
    if (attrs.y_invert) {
        why = "y_invert YUV buffers are not supported by the CPU importer";
        return nullptr;
    }
    if ((attrs.format == DRM_FORMAT_NV12 && attrs.planes.size() != 2) ||
        (attrs.format == DRM_FORMAT_YUYV && attrs.planes.size() != 1)) {
        why = "unexpected plane count";
        return nullptr;
    }
    std::vector<YuvCpuBuffer::Plane> planes;
    auto unmap_all = [&planes] {
        for (const auto &plane : planes) munmap(plane.map, plane.map_size);
    };
    for (const DmabufPlane &plane : attrs.planes) {
        int64_t size = fd_size(plane.fd.get());
        if (size <= 0) {
            unmap_all();
            why = "cannot tell the dma-buf's size";
            return nullptr;
        }
        if (!rows_inside(attrs, planes.size(), size, why)) {
            unmap_all();
            return nullptr;
        }
        void *map = mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, plane.fd.get(), 0);
        if (map == MAP_FAILED) {
            unmap_all();
            why = std::string("mmap: ") + strerror(errno);
            return nullptr;
        }
        planes.push_back({plane.fd.get(), map, static_cast<size_t>(size), plane.offset, plane.stride});
    }
    return std::make_unique<YuvCpuBuffer>(std::move(planes), attrs.width, attrs.height, attrs.format, share_dmabuf);
}

const std::vector<uint32_t> &CpuImporter::pixman_formats() {
    static const std::vector<uint32_t> formats = {
        DRM_FORMAT_ARGB8888,    DRM_FORMAT_XRGB8888,    DRM_FORMAT_ABGR8888,    DRM_FORMAT_XBGR8888,
        DRM_FORMAT_RGBA8888,    DRM_FORMAT_RGBX8888,    DRM_FORMAT_BGRA8888,    DRM_FORMAT_BGRX8888,
        DRM_FORMAT_ARGB2101010, DRM_FORMAT_XRGB2101010, DRM_FORMAT_ABGR2101010, DRM_FORMAT_XBGR2101010,
        DRM_FORMAT_RGB565,      DRM_FORMAT_BGR565,
    };
    return formats;
}

std::vector<FormatPair> CpuImporter::formats() const {
    std::vector<FormatPair> pairs;
    // LINEAR, and the implicit modifier (MOD_INVALID) read as linear: a
    // client whose EGL reports no modifiers (Mesa without a GPU, weston's
    // simple-dmabuf-egl on a KMS node) can only send MOD_INVALID, and the
    // buffers such stacks export are linear. On a machine with a GPU the EGL
    // importer serves instead, and it knows the driver's implicit layout.
    for (uint64_t modifier : {DRM_FORMAT_MOD_LINEAR, DRM_FORMAT_MOD_INVALID}) {
        for (uint32_t format : pixman_formats()) pairs.push_back({format, modifier});
        for (uint32_t format : converted_yuv_formats()) pairs.push_back({format, modifier});
    }
    std::sort(pairs.begin(), pairs.end());
    return pairs;
}

std::unique_ptr<ImportedBuffer> CpuImporter::import(const DmabufAttributes &attrs, wlr_buffer *,
                                                    std::string &why) {
    if (attrs.modifier != DRM_FORMAT_MOD_LINEAR && attrs.modifier != DRM_FORMAT_MOD_INVALID) {
        why = "the CPU importer reads LINEAR (or implicit, read as linear) buffers only";
        return nullptr;
    }
    // KMS may still take the dma-buf itself: only pixman reads the copy.
    const auto &yuv = converted_yuv_formats();
    if (std::find(yuv.begin(), yuv.end(), attrs.format) != yuv.end()) return import_converted_yuv(attrs, true, why);
    const auto &known = pixman_formats();
    if (std::find(known.begin(), known.end(), attrs.format) == known.end() || attrs.planes.size() != 1) {
        why = "format not readable by pixman";
        return nullptr;
    }
    const DmabufPlane &plane = attrs.planes[0];
    int64_t size = fd_size(plane.fd.get());
    if (size <= 0) {
        why = "cannot tell the dma-buf's size";
        return nullptr;
    }
    if (!rows_inside(attrs, 0, size, why)) return nullptr;
    void *map = mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, plane.fd.get(), 0);
    if (map == MAP_FAILED) {
        why = std::string("mmap: ") + strerror(errno);
        return nullptr;
    }
    return std::make_unique<CpuBuffer>(plane.fd.get(), map, static_cast<size_t>(size), plane.offset,
                                       plane.stride, attrs.height, attrs.format, attrs.y_invert);
}

} // namespace render
