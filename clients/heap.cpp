// planar-heap: dma-bufs from the CPU side of the kernel: the system dma-heap
// or udmabuf over a sealed memfd. LINEAR XR24, AR24 or NV12, filled by the
// CPU between DMA_BUF_IOCTL_SYNC START and END (the dma-buf rule for CPU
// access), shown through linux-dmabuf. --solid gives every frame one colour,
// so a screenshot can prove the compositor showed exactly these bytes.
#include <cerrno>
#include <cstring>
#include <drm_fourcc.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <memory>
#include <optional>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "common/display.hpp"
#include "common/dmabuf_buffer.hpp"
#include "common/drm_names.hpp"
#include "common/feedback.hpp"
#include "common/window.hpp"
#include "unique_fd.hpp"

using namespace client;

namespace {

constexpr int buffer_count = 3;

struct Layout {
    uint32_t size = 0;
    std::vector<PlaneRef> planes; // fd filled in later
};

uint32_t align(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

Layout layout_for(uint32_t format, int width, int height) {
    Layout l;
    // 256-byte strides: what GPU importers commonly want for LINEAR.
    if (format == DRM_FORMAT_NV12) {
        uint32_t stride = align(width, 256);
        l.planes = {{-1, 0, stride}, {-1, stride * uint32_t(height), stride}};
        l.size = stride * height + stride * (height / 2);
    } else {
        uint32_t stride = align(width * 4, 256);
        l.planes = {{-1, 0, stride}};
        l.size = stride * height;
    }
    l.size = align(l.size, uint32_t(sysconf(_SC_PAGESIZE))); // udmabuf works in pages
    return l;
}

// One mapped dma-buf. The source device fd is borrowed.
struct HeapBuffer {
    UniqueFd fd;
    uint8_t *map = nullptr;
    uint32_t size = 0;
    ~HeapBuffer() {
        if (map) munmap(map, size);
    }
};

UniqueFd allocate(const std::string &source, int device_fd, uint32_t size) {
    if (source == "heap") {
        dma_heap_allocation_data alloc{};
        alloc.len = size;
        alloc.fd_flags = O_RDWR | O_CLOEXEC;
        if (ioctl(device_fd, DMA_HEAP_IOCTL_ALLOC, &alloc) != 0)
            fail("DMA_HEAP_IOCTL_ALLOC of %u bytes: %s", size, strerror(errno));
        return UniqueFd(int(alloc.fd));
    }
    UniqueFd memfd(memfd_create("planar-heap", MFD_ALLOW_SEALING | MFD_CLOEXEC));
    if (!memfd) fail("memfd_create: %s", strerror(errno));
    if (ftruncate(memfd.get(), size) != 0) fail("ftruncate memfd: %s", strerror(errno));
    // udmabuf refuses a memfd that could shrink under the dma-buf.
    if (fcntl(memfd.get(), F_ADD_SEALS, F_SEAL_SHRINK) != 0) fail("sealing the memfd: %s", strerror(errno));
    udmabuf_create create{};
    create.memfd = uint32_t(memfd.get());
    create.flags = UDMABUF_FLAGS_CLOEXEC;
    create.offset = 0;
    create.size = size;
    int fd = ioctl(device_fd, UDMABUF_CREATE, &create);
    if (fd < 0) fail("UDMABUF_CREATE of %u bytes: %s", size, strerror(errno));
    return UniqueFd(fd);
}

void sync(int fd, uint64_t flags) {
    dma_buf_sync s{flags | DMA_BUF_SYNC_WRITE};
    while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) != 0) {
        if (errno != EINTR && errno != EAGAIN) fail("DMA_BUF_IOCTL_SYNC: %s", strerror(errno));
    }
}

// BT.601 limited range, what YUV importers assume without colour metadata.
void rgb_to_yuv(uint32_t rgb, uint8_t *y, uint8_t *u, uint8_t *v) {
    double r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
    *y = uint8_t(16.5 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
    *u = uint8_t(128.5 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255);
    *v = uint8_t(128.5 + (112.0 * r - 93.786 * g - 18.214 * b) / 255);
}

// Frame `n` of the pattern: a diagonal gradient scrolling right with a
// white bar sweeping down; or one colour with --solid.
// --bottom: the lower half in another colour, so that orientation shows.
std::optional<uint32_t> bottom_colour;

uint32_t pattern(int x, int y, int n, int width, int height, std::optional<uint32_t> solid) {
    if (bottom_colour && y >= height / 2) return *bottom_colour;
    if (solid) return *solid;
    if ((y + height - (n * 4) % height) % height < 8) return 0xffffff;
    uint32_t r = uint32_t((x + n * 4) * 255 / (width + 1)) & 0xff;
    uint32_t g = uint32_t(y * 255 / (height + 1)) & 0xff;
    uint32_t b = uint32_t(128 + n * 2) & 0xff;
    return r << 16 | g << 8 | b;
}

// --y-invert: rows stored bottom to top (linux-dmabuf flag y_invert); the
// compositor must show the image upright all the same.
bool y_invert = false;

void fill(HeapBuffer &buf, const Layout &l, uint32_t format, int width, int height, int n,
          std::optional<uint32_t> solid) {
    sync(buf.fd.get(), DMA_BUF_SYNC_START);
    if (format == DRM_FORMAT_NV12) {
        uint8_t *luma = buf.map + l.planes[0].offset, *chroma = buf.map + l.planes[1].offset;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                uint8_t Y, U, V;
                rgb_to_yuv(pattern(x, y, n, width, height, solid), &Y, &U, &V);
                luma[y * l.planes[0].stride + x] = Y;
                if (!(x & 1) && !(y & 1)) {
                    chroma[(y / 2) * l.planes[1].stride + x] = U;
                    chroma[(y / 2) * l.planes[1].stride + x + 1] = V;
                }
            }
    } else {
        for (int y = 0; y < height; y++) {
            int stored = y_invert ? height - 1 - y : y;
            auto *row = reinterpret_cast<uint32_t *>(buf.map + stored * l.planes[0].stride);
            // AR24 opaque: the point is the buffer path, not blending.
            for (int x = 0; x < width; x++) row[x] = 0xff000000 | pattern(x, y, n, width, height, solid);
        }
    }
    sync(buf.fd.get(), DMA_BUF_SYNC_END);
}

} // namespace

int main(int argc, char **argv) {
    std::string source = "heap";
    uint32_t format = DRM_FORMAT_XRGB8888;
    std::optional<uint32_t> solid;
    bool immed = false;
    bool follow_feedback = false;
    std::vector<ExtraOption> extra = {
        {"source", "heap|udmabuf", "where the dma-bufs come from (default heap: /dev/dma_heap/system)",
         [&](const char *v) {
             source = v;
             return source == "heap" || source == "udmabuf";
         }},
        {"format", "XR24|AR24|NV12", "buffer format, always LINEAR (default XR24)",
         [&](const char *v) {
             auto f = parse_format(v);
             if (!f || (*f != DRM_FORMAT_XRGB8888 && *f != DRM_FORMAT_ARGB8888 && *f != DRM_FORMAT_NV12))
                 return false;
             format = *f;
             return true;
         }},
        {"solid", "RRGGBB", "fill every frame with this colour instead of the animation",
         [&](const char *v) {
             uint32_t c;
             if (!parse_colour(v, &c)) return false;
             solid = c;
             return true;
         }},
        {"follow-feedback", nullptr, "reallocate in the first tranche's format when the feedback changes (scanout)",
         [&](const char *) {
             follow_feedback = true;
             return true;
         }},
        {"immed", nullptr, "create buffers with create_immed instead of create", [&](const char *) {
             immed = true;
             return true;
         }},
        {"bottom", "RRGGBB", "draw the lower half in this colour (shows orientation)",
         [&](const char *v) {
             uint32_t c;
             if (!parse_colour(v, &c)) return false;
             bottom_colour = c;
             return true;
         }},
        {"y-invert", nullptr, "store rows bottom to top and set the y_invert flag (XR24/AR24)", [&](const char *) {
             y_invert = true;
             return true;
         }},
    };
    Options opt = parse_options(argc, argv, "planar-heap", "Shows CPU-filled dma-bufs from a dma-heap or udmabuf.",
                                extra);

    if (y_invert && format == DRM_FORMAT_NV12) fail("--y-invert is for XR24 and AR24 only");

    Display display;
    display.require_dmabuf(4);
    display.require_shell();

    const char *path = source == "heap" ? "/dev/dma_heap/system" : "/dev/udmabuf";
    UniqueFd device(open(path, O_RDWR | O_CLOEXEC));
    if (!device) fail("cannot open %s: %s (needed for --source %s)", path, strerror(errno), source.c_str());

    Window window(display, opt, "planar-heap");
    // Every feedback batch after the first is a change (linux-dmabuf sends a
    // batch only when something changed): printed, and followed on request.
    bool feedback_changed = false;
    Feedback feedback(zwp_linux_dmabuf_v1_get_surface_feedback(display.dmabuf, window.surface()),
                      Feedback::announce_into(feedback_changed));
    while (!feedback.received() || !window.configured()) display.dispatch();

    const Tranche *tranche = feedback.state().find(format, DRM_FORMAT_MOD_LINEAR);
    if (tranche == nullptr)
        fail("the compositor does not advertise %s with the LINEAR modifier", format_name(format).c_str());
    dev_t shown_device = tranche->target_device ? tranche->target_device : feedback.state().main_device;
    say("device %s format %s modifier LINEAR source %s", device_name(shown_device).c_str(),
        format_name(format).c_str(), source.c_str());

    std::vector<std::unique_ptr<HeapBuffer>> buffers;
    BufferPool pool;
    Layout layout;
    int width = 0, height = 0;
    auto allocate_all = [&]() {
        pool.clear();
        buffers.clear();
        width = window.width();
        height = window.height() & (format == DRM_FORMAT_NV12 ? ~1 : ~0); // NV12: whole chroma rows
        layout = layout_for(format, width, height);
        for (int i = 0; i < buffer_count; i++) {
            auto buf = std::make_unique<HeapBuffer>();
            buf->fd = allocate(source, device.get(), layout.size);
            buf->size = layout.size;
            void *map = mmap(nullptr, layout.size, PROT_READ | PROT_WRITE, MAP_SHARED, buf->fd.get(), 0);
            if (map == MAP_FAILED) fail("mmap of the dma-buf: %s", strerror(errno));
            buf->map = static_cast<uint8_t *>(map);
            std::vector<PlaneRef> planes = layout.planes;
            for (auto &p : planes) p.fd = buf->fd.get();
            BufferDesc desc{width, height, format, DRM_FORMAT_MOD_LINEAR,
                            y_invert ? uint32_t{ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_Y_INVERT} : 0u};
            std::string why;
            wl_buffer *wb = immed ? create_dmabuf_buffer_immed(display, planes, desc)
                                  : create_dmabuf_buffer(display, planes, desc, &why);
            if (wb == nullptr) fail("%s (%dx%d %s LINEAR from %s)", why.c_str(), width, height,
                                    format_name(format).c_str(), source.c_str());
            pool.add(wb);
            buffers.push_back(std::move(buf));
        }
    };
    allocate_all();
    window.take_resized();
    feedback_changed = false;
    // A scanout tranche first that offers a format planar-heap can fill
    // (XR24, AR24; LINEAR) unlike the current one: switch to it.
    auto follow = [&]() {
        const auto &tranches = feedback.state().tranches;
        if (tranches.empty() || !tranches.front().scanout()) return;
        const Tranche &first = tranches.front();
        if (first.has(format, DRM_FORMAT_MOD_LINEAR)) return;
        for (uint32_t candidate : {uint32_t{DRM_FORMAT_XRGB8888}, uint32_t{DRM_FORMAT_ARGB8888}}) {
            if (!first.has(candidate, DRM_FORMAT_MOD_LINEAR)) continue;
            say("reallocating: %s -> %s LINEAR (the scanout tranche on %s)", format_name(format).c_str(),
                format_name(candidate).c_str(), device_name(first.target_device).c_str());
            format = candidate;
            allocate_all();
            return;
        }
    };

    int n = 0;
    while (!window.finished()) {
        if (window.take_resized()) allocate_all();
        if (feedback_changed) {
            feedback_changed = false;
            if (follow_feedback) follow();
        }
        int slot = window.waiting_for_frame() ? -1 : pool.acquire();
        if (slot >= 0) {
            fill(*buffers[slot], layout, format, width, height, n++, solid);
            pool.mark_busy(slot);
            window.present(pool.buffer(slot));
        }
        display.dispatch(-1, 1000); // bounded: a signal racing poll() is still seen
    }
    window.drain_feedback(5000);
    window.print_stats();
    return 0;
}
