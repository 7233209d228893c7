#include "fenced_client.hpp"

#include <fcntl.h>
#include <linux/udmabuf.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <gbm.h>
#include <libdrm/drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <wayland-client.h>

#include "linux-dmabuf-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace fenced {

namespace {

// sw_sync (drivers/dma-buf/sw_sync.c): not in the uapi headers.
struct SwSyncCreateFence {
    uint32_t value;
    char name[32];
    int32_t fence;
};
#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, SwSyncCreateFence)
#define SW_SYNC_IOC_INC _IOW('W', 1, uint32_t)

const wl_registry_listener registry_listener = {
    .global = [](void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t) {
        auto *c = static_cast<Client *>(data);
        std::string i = interface;
        if (i == "wl_compositor") c->compositor = (wl_compositor *)wl_registry_bind(registry, name, &wl_compositor_interface, 4);
        if (i == "xdg_wm_base") c->wm_base = (xdg_wm_base *)wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
        if (i == "zwp_linux_dmabuf_v1") c->dmabuf = (zwp_linux_dmabuf_v1 *)wl_registry_bind(registry, name, &zwp_linux_dmabuf_v1_interface, 3);
        if (i == "wp_presentation") c->presentation = (wp_presentation *)wl_registry_bind(registry, name, &wp_presentation_interface, 1);
        c->bind(registry, name, i);
    },
    .global_remove = [](void *, wl_registry *, uint32_t) {},
};

const wp_presentation_feedback_listener feedback_listener = {
    .sync_output = [](void *, struct wp_presentation_feedback *, wl_output *) {},
    .presented =
        [](void *data, struct wp_presentation_feedback *fb, uint32_t hi, uint32_t lo, uint32_t nsec, uint32_t refresh,
           uint32_t, uint32_t, uint32_t) {
            auto *f = static_cast<Frame *>(data);
            f->presented = true;
            f->presented_ns = ((uint64_t(hi) << 32) | lo) * 1000000000u + nsec;
            f->refresh_ns = refresh;
            wp_presentation_feedback_destroy(fb);
        },
    .discarded =
        [](void *data, struct wp_presentation_feedback *fb) {
            static_cast<Frame *>(data)->discarded = true;
            wp_presentation_feedback_destroy(fb);
        },
};

} // namespace

void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    exit(1);
}

uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000u + ts.tv_nsec;
}

int open_sw_timeline() {
    int fd = open("/sys/kernel/debug/sync/sw_sync", O_RDWR | O_CLOEXEC);
    if (fd < 0) fail("sw_sync timeline: %s", strerror(errno));
    return fd;
}

int sw_fence(int sw_timeline, uint32_t value, const char *name) {
    SwSyncCreateFence create{};
    create.value = value;
    snprintf(create.name, sizeof create.name, "%s-%u", name, value);
    if (ioctl(sw_timeline, SW_SYNC_IOC_CREATE_FENCE, &create) != 0) fail("SW_SYNC_IOC_CREATE_FENCE: %s", strerror(errno));
    return create.fence;
}

void sw_signal(int sw_timeline) {
    uint32_t one = 1;
    if (ioctl(sw_timeline, SW_SYNC_IOC_INC, &one) != 0) fail("SW_SYNC_IOC_INC: %s", strerror(errno));
}

void print_latencies(const char *signal, std::vector<uint64_t> latencies, uint64_t refresh_ns) {
    std::sort(latencies.begin(), latencies.end());
    printf("ok: %s signal -> presented latency over %d frames: median %.2f ms (min %.2f, max %.2f)\n", signal,
           int(latencies.size()), latencies[latencies.size() / 2] / 1e6, latencies.front() / 1e6,
           latencies.back() / 1e6);
    if (refresh_ns == 0) return;
    // In refresh periods: a frame within one was shown at the first vblank
    // after the signal, or at the next because the signal came too late in
    // the cycle to compose in time.
    int within[3] = {0, 0, 0};
    for (uint64_t latency : latencies) within[std::min<uint64_t>(latency / refresh_ns, 2)]++;
    printf("ok: presented within one refresh (%.2f ms) of the %s signal: %d frames, within two: %d, later: %d\n",
           refresh_ns / 1e6, signal, within[0], within[1], within[2]);
}

uint64_t Client::refresh_ns() const {
    for (auto frame = frames.rbegin(); frame != frames.rend(); ++frame) {
        if (frame->refresh_ns != 0) return frame->refresh_ns;
    }
    return 0;
}

void Client::connect() {
    display = wl_display_connect(nullptr);
    if (display == nullptr) fail("cannot connect");
    wl_registry_add_listener(wl_display_get_registry(display), &registry_listener, this);
    wl_display_roundtrip(display);
}

void Client::require_globals() const {
    if (!compositor || !wm_base || !dmabuf || !presentation) fail("a global is missing");
}

void Client::dispatch_until(const std::function<bool()> &done, int timeout_ms, const char *what) {
    uint64_t deadline = now_ns() + uint64_t(timeout_ms) * 1000000;
    while (!done()) {
        wl_display_flush(display);
        if (now_ns() > deadline) fail("timed out waiting for %s", what);
        pollfd pfd{wl_display_get_fd(display), POLLIN, 0};
        if (wl_display_prepare_read(display) != 0) {
            wl_display_dispatch_pending(display);
            continue;
        }
        if (poll(&pfd, 1, poll_ms_) > 0) {
            wl_display_read_events(display);
        } else {
            wl_display_cancel_read(display);
        }
        if (wl_display_dispatch_pending(display) < 0) fail("connection broken (protocol error?)");
    }
}

void Client::pause_until(uint64_t until_ns) {
    for (uint64_t now = now_ns(); now < until_ns; now = now_ns()) {
        wl_display_flush(display);
        if (wl_display_prepare_read(display) != 0) {
            wl_display_dispatch_pending(display);
            continue;
        }
        pollfd pfd{wl_display_get_fd(display), POLLIN, 0};
        uint64_t left = until_ns - now;
        timespec timeout{time_t(left / 1000000000u), long(left % 1000000000u)};
        if (ppoll(&pfd, 1, &timeout, nullptr) > 0) {
            wl_display_read_events(display);
        } else {
            wl_display_cancel_read(display);
        }
        if (wl_display_dispatch_pending(display) < 0) fail("connection broken (protocol error?)");
    }
}

void Client::map_window(bool fullscreen) {
    static const xdg_wm_base_listener wm_listener = {
        .ping = [](void *, xdg_wm_base *b, uint32_t serial) { xdg_wm_base_pong(b, serial); }};
    xdg_wm_base_add_listener(wm_base, &wm_listener, nullptr);
    surface = wl_compositor_create_surface(compositor);
    xdg_surface *xs = xdg_wm_base_get_xdg_surface(wm_base, surface);
    static const xdg_surface_listener xs_listener = {
        .configure = [](void *data, xdg_surface *s, uint32_t serial) {
            xdg_surface_ack_configure(s, serial);
            static_cast<Client *>(data)->configured = true;
        }};
    xdg_surface_add_listener(xs, &xs_listener, this);
    xdg_toplevel *top = xdg_surface_get_toplevel(xs);
    xdg_toplevel_set_title(top, title_);
    static const xdg_toplevel_listener top_listener = {
        .configure = [](void *data, xdg_toplevel *, int32_t w, int32_t h, wl_array *) {
            if (data != nullptr && w > 0 && h > 0) {
                static_cast<Client *>(data)->width = w;
                static_cast<Client *>(data)->height = h;
            }
        },
        .close = [](void *, xdg_toplevel *) {},
    };
    xdg_toplevel_add_listener(top, &top_listener, fullscreen ? this : nullptr);
    if (fullscreen) xdg_toplevel_set_fullscreen(top, nullptr);
    wl_surface_commit(surface);
    dispatch_until([&] { return configured; }, 30000, "the first configure");
}

void Client::go_fullscreen() {
    wl_buffer *first = udmabuf_buffer(0xff000000);
    wl_surface_attach(surface, first, 0, 0);
    wl_surface_damage(surface, 0, 0, width, height);
    wl_surface_commit(surface);
    dispatch_until([&] { return width != 256 || height != 192; }, 30000, "the fullscreen configure");
    wl_display_roundtrip(display);
    printf("ok: fullscreen %dx%d\n", width, height);
}

wl_buffer *Client::udmabuf_buffer(uint32_t colour) {
    size_t size = size_t(width) * height * 4;
    int memfd = memfd_create(title_, MFD_ALLOW_SEALING | MFD_CLOEXEC);
    if (memfd < 0 || ftruncate(memfd, off_t(size)) != 0) fail("memfd: %s", strerror(errno));
    auto *pixels = static_cast<uint32_t *>(mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0));
    if (pixels == MAP_FAILED) fail("mmap: %s", strerror(errno));
    std::fill(pixels, pixels + width * height, colour);
    munmap(pixels, size);
    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK);
    int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
    if (dev < 0) fail("/dev/udmabuf: %s", strerror(errno));
    udmabuf_create create{.memfd = uint32_t(memfd), .flags = UDMABUF_FLAGS_CLOEXEC, .offset = 0, .size = size};
    int buf = ioctl(dev, UDMABUF_CREATE, &create);
    if (buf < 0) fail("UDMABUF_CREATE: %s", strerror(errno));
    close(dev);
    close(memfd);
    return linear_buffer(buf, uint32_t(width) * 4);
}

wl_buffer *Client::dumb_buffer(int card, uint32_t colour) {
    uint32_t handle = 0, pitch = 0;
    uint64_t size = 0, offset = 0;
    if (drmModeCreateDumbBuffer(card, uint32_t(width), uint32_t(height), 32, 0, &handle, &pitch, &size) != 0)
        fail("CREATE_DUMB %dx%d: %s", width, height, strerror(errno));
    if (drmModeMapDumbBuffer(card, handle, &offset) != 0) fail("MAP_DUMB: %s", strerror(errno));
    void *map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, card, off_t(offset));
    if (map == MAP_FAILED) fail("mmap of a dumb buffer: %s", strerror(errno));
    for (int y = 0; y < height; ++y) {
        auto *row = reinterpret_cast<uint32_t *>(static_cast<char *>(map) + size_t(y) * pitch);
        std::fill(row, row + width, colour);
    }
    munmap(map, size);
    int buf = -1;
    if (drmPrimeHandleToFD(card, handle, DRM_CLOEXEC | DRM_RDWR, &buf) != 0) fail("PRIME_HANDLE_TO_FD: %s", strerror(errno));
    drmModeDestroyDumbBuffer(card, handle); // the dma-buf keeps the memory
    return linear_buffer(buf, pitch);
}

wl_buffer *Client::gbm_buffer(const char *render_node, uint32_t colour) {
    // One device per client (its buffers are exported before use, so the
    // device may outlive nothing but the process).
    static gbm_device *device = nullptr;
    if (device == nullptr) {
        int fd = open(render_node, O_RDWR | O_CLOEXEC);
        if (fd < 0) fail("%s: %s", render_node, strerror(errno));
        device = gbm_create_device(fd);
        if (device == nullptr) fail("gbm_create_device(%s) failed", render_node);
    }
    gbm_bo *bo = gbm_bo_create(device, uint32_t(width), uint32_t(height), GBM_FORMAT_XRGB8888,
                               GBM_BO_USE_LINEAR | GBM_BO_USE_RENDERING);
    if (bo == nullptr) fail("gbm_bo_create %dx%d XRGB8888 LINEAR: %s", width, height, strerror(errno));
    uint32_t stride = 0;
    void *mapping = nullptr;
    auto *map = static_cast<char *>(
        gbm_bo_map(bo, 0, 0, uint32_t(width), uint32_t(height), GBM_BO_TRANSFER_WRITE, &stride, &mapping));
    if (map == nullptr) fail("gbm_bo_map: %s", strerror(errno));
    for (int y = 0; y < height; ++y) {
        auto *row = reinterpret_cast<uint32_t *>(map + size_t(y) * stride);
        std::fill(row, row + width, colour);
    }
    gbm_bo_unmap(bo, mapping);
    int fd = gbm_bo_get_fd(bo);
    if (fd < 0) fail("gbm_bo_get_fd: %s", strerror(errno));
    uint32_t bo_stride = gbm_bo_get_stride(bo);
    gbm_bo_destroy(bo); // the dma-buf keeps the memory
    return linear_buffer(fd, bo_stride);
}

wl_buffer *Client::linear_buffer(int fd, uint32_t stride) {
    zwp_linux_buffer_params_v1 *params = zwp_linux_dmabuf_v1_create_params(dmabuf);
    zwp_linux_buffer_params_v1_add(params, fd, 0, 0, stride, DRM_FORMAT_MOD_LINEAR >> 32,
                                   DRM_FORMAT_MOD_LINEAR & 0xffffffff);
    close(fd);
    wl_buffer *buffer = zwp_linux_buffer_params_v1_create_immed(params, width, height, DRM_FORMAT_XRGB8888, 0);
    zwp_linux_buffer_params_v1_destroy(params);
    return buffer;
}

size_t Client::request_feedback() {
    size_t index = frames.size();
    frames.emplace_back();
    wp_presentation_feedback_add_listener(wp_presentation_feedback(presentation, surface), &feedback_listener,
                                          &frames[index]);
    return index;
}

uint64_t Client::present_after_signal(int sw_timeline, size_t index, int number, const char *what) {
    uint64_t signalled = now_ns();
    sw_signal(sw_timeline);
    std::string waiting_for = std::string("presentation after the ") + what + " signalled";
    dispatch_until([&] { return frames[index].presented || frames[index].discarded; }, 30000, waiting_for.c_str());
    if (frames[index].discarded) fail("frame %d discarded", number);
    return frames[index].presented_ns - signalled;
}

void Client::expect_protocol_error(const char *request, const char *interface, const char *error, uint32_t code) {
    wl_display_roundtrip(display);
    if (wl_display_get_error(display) != EPROTO) fail("no protocol error for %s", request);
    const wl_interface *posted = nullptr;
    uint32_t posted_code = wl_display_get_protocol_error(display, &posted, nullptr);
    std::string name = posted != nullptr ? posted->name : "?";
    if (name != interface || posted_code != code)
        fail("protocol error %s.%u, expected %s.%s (%u)", name.c_str(), posted_code, interface, error, code);
    printf("ok: %s -> %s error %u (%s)\n", request, interface, code, error);
}

} // namespace fenced
