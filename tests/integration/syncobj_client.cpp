// syncobj_client: wp_linux_drm_syncobj_v1 on a real DRM device, for tests/vm
// (sync-syncobj: planar on the guest's virtio-gpu card, which has timeline
// syncobjs; the host has no DRM device at all). A toplevel shows udmabuf
// frames whose acquire points are backed by sw_sync fences.
//
//   syncobj_client frames DEVICE N
//       N frames. Each acquire point carries an unsignalled sw_sync fence:
//       the frame must stay unpresented for 3 refreshes, is presented once
//       the test signals it; release points must signal in commit order and
//       never while their buffer is current; one frame is committed before
//       its acquire point even materialised (WAIT_FOR_SUBMIT semantics), then
//       gets an unsignalled fence, then the signal. Prints the median
//       signal -> presented latency. After the disconnect, the last release
//       point must signal too.
//   syncobj_client hold DEVICE
//       one frame (0x2060c0) shown, then one (0xc06020) held on an acquire
//       point that has not materialised, until SIGUSR1, which signals the
//       point from the CPU (DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL); then idles,
//       for screenshots.
//   syncobj_client invalid-timeline DEVICE
//       import_timeline with a sync_file (not a syncobj) is the
//       wp_linux_drm_syncobj_manager_v1.invalid_timeline error.
// DEVICE: a DRM node of the device planar uses (syncobj fds are not tied to
// a device, but the timeline must be created on one that has timelines).
// Prints "FAIL: reason" and exits 1 on a problem; "ok: ..." lines otherwise.
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <libdrm/drm_fourcc.h>
#include <wayland-client.h>

#include "linux-dmabuf-v1-client-protocol.h"
#include "linux-drm-syncobj-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace {

// sw_sync (drivers/dma-buf/sw_sync.c): not in the uapi headers.
struct SwSyncCreateFence {
    uint32_t value;
    char name[32];
    int32_t fence;
};
#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, SwSyncCreateFence)
#define SW_SYNC_IOC_INC _IOW('W', 1, uint32_t)

[[noreturn]] void fail(const char *fmt, ...) {
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

constexpr int width = 256, height = 192;

struct Frame {
    bool presented = false, discarded = false;
    uint64_t presented_ns = 0;
};

struct Client {
    wl_display *display = nullptr;
    wl_compositor *compositor = nullptr;
    xdg_wm_base *wm_base = nullptr;
    zwp_linux_dmabuf_v1 *dmabuf = nullptr;
    wp_presentation *presentation = nullptr;
    wp_linux_drm_syncobj_manager_v1 *syncobj = nullptr;
    wl_surface *surface = nullptr;
    bool configured = false;
    std::deque<Frame> frames; // stable addresses: feedback listeners point into it

    void dispatch_until(const std::function<bool()> &done, int timeout_ms, const char *what) {
        uint64_t deadline = now_ns() + uint64_t(timeout_ms) * 1000000;
        while (!done()) {
            wl_display_flush(display);
            if (now_ns() > deadline) fail("timed out waiting for %s", what);
            pollfd pfd{wl_display_get_fd(display), POLLIN, 0};
            if (wl_display_prepare_read(display) != 0) {
                wl_display_dispatch_pending(display);
                continue;
            }
            if (poll(&pfd, 1, 5) > 0) {
                wl_display_read_events(display);
            } else {
                wl_display_cancel_read(display);
            }
            if (wl_display_dispatch_pending(display) < 0) fail("connection broken (protocol error?)");
        }
    }
};

const wl_registry_listener registry_listener = {
    .global = [](void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t) {
        auto *c = static_cast<Client *>(data);
        std::string i = interface;
        if (i == "wl_compositor") c->compositor = (wl_compositor *)wl_registry_bind(registry, name, &wl_compositor_interface, 4);
        if (i == "xdg_wm_base") c->wm_base = (xdg_wm_base *)wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
        if (i == "zwp_linux_dmabuf_v1") c->dmabuf = (zwp_linux_dmabuf_v1 *)wl_registry_bind(registry, name, &zwp_linux_dmabuf_v1_interface, 3);
        if (i == "wp_presentation") c->presentation = (wp_presentation *)wl_registry_bind(registry, name, &wp_presentation_interface, 1);
        if (i == "wp_linux_drm_syncobj_manager_v1")
            c->syncobj = (wp_linux_drm_syncobj_manager_v1 *)wl_registry_bind(registry, name,
                                                                             &wp_linux_drm_syncobj_manager_v1_interface, 1);
    },
    .global_remove = [](void *, wl_registry *, uint32_t) {},
};

void connect(Client &c) {
    c.display = wl_display_connect(nullptr);
    if (c.display == nullptr) fail("cannot connect");
    wl_registry_add_listener(wl_display_get_registry(c.display), &registry_listener, &c);
    wl_display_roundtrip(c.display);
    if (!c.syncobj) fail("wp_linux_drm_syncobj_manager_v1 is not advertised");
    printf("ok: wp_linux_drm_syncobj_manager_v1 advertised\n");
    if (!c.compositor || !c.wm_base || !c.dmabuf || !c.presentation) fail("a global is missing");
}

void map_window(Client &c) {
    static const xdg_wm_base_listener wm_listener = {
        .ping = [](void *, xdg_wm_base *b, uint32_t serial) { xdg_wm_base_pong(b, serial); }};
    xdg_wm_base_add_listener(c.wm_base, &wm_listener, nullptr);
    c.surface = wl_compositor_create_surface(c.compositor);
    xdg_surface *xs = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
    static const xdg_surface_listener xs_listener = {
        .configure = [](void *data, xdg_surface *s, uint32_t serial) {
            xdg_surface_ack_configure(s, serial);
            static_cast<Client *>(data)->configured = true;
        }};
    xdg_surface_add_listener(xs, &xs_listener, &c);
    xdg_toplevel *top = xdg_surface_get_toplevel(xs);
    xdg_toplevel_set_title(top, "syncobj_client");
    wl_surface_commit(c.surface);
    c.dispatch_until([&] { return c.configured; }, 30000, "the first configure");
}

// A udmabuf of one XRGB8888 frame filled with `colour`, as a wl_buffer.
wl_buffer *udmabuf_buffer(Client &c, uint32_t colour) {
    size_t size = size_t(width) * height * 4;
    int memfd = memfd_create("syncobj-client", MFD_ALLOW_SEALING | MFD_CLOEXEC);
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
    zwp_linux_buffer_params_v1 *params = zwp_linux_dmabuf_v1_create_params(c.dmabuf);
    zwp_linux_buffer_params_v1_add(params, buf, 0, 0, width * 4, DRM_FORMAT_MOD_LINEAR >> 32,
                                   DRM_FORMAT_MOD_LINEAR & 0xffffffff);
    close(buf);
    wl_buffer *buffer = zwp_linux_buffer_params_v1_create_immed(params, width, height, DRM_FORMAT_XRGB8888, 0);
    zwp_linux_buffer_params_v1_destroy(params);
    return buffer;
}

const wp_presentation_feedback_listener feedback_listener = {
    .sync_output = [](void *, struct wp_presentation_feedback *, wl_output *) {},
    .presented =
        [](void *data, struct wp_presentation_feedback *fb, uint32_t hi, uint32_t lo, uint32_t nsec, uint32_t, uint32_t,
           uint32_t, uint32_t) {
            auto *f = static_cast<Frame *>(data);
            f->presented = true;
            f->presented_ns = ((uint64_t(hi) << 32) | lo) * 1000000000u + nsec;
            wp_presentation_feedback_destroy(fb);
        },
    .discarded =
        [](void *data, struct wp_presentation_feedback *fb) {
            static_cast<Frame *>(data)->discarded = true;
            wp_presentation_feedback_destroy(fb);
        },
};

// The client's side of DRM syncobj timelines, on a node of the compositor's device.
struct Drm {
    int fd = -1;

    explicit Drm(const char *path) {
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0) fail("%s: %s", path, strerror(errno));
        uint64_t timeline = 0;
        if (drmGetCap(fd, DRM_CAP_SYNCOBJ_TIMELINE, &timeline) != 0 || timeline == 0)
            fail("%s has no timeline syncobjs (DRM_CAP_SYNCOBJ_TIMELINE)", path);
    }
    uint32_t create() const {
        uint32_t handle = 0;
        if (drmSyncobjCreate(fd, 0, &handle) != 0) fail("SYNCOBJ_CREATE: %s", strerror(errno));
        return handle;
    }
    int export_fd(uint32_t handle) const {
        int out = -1;
        if (drmSyncobjHandleToFD(fd, handle, &out) != 0) fail("SYNCOBJ_HANDLE_TO_FD: %s", strerror(errno));
        return out;
    }
    // Materialises `point` of `timeline` with `sync_file` (borrowed): import it
    // into a binary syncobj, transfer that to the point.
    void attach(uint32_t timeline, uint64_t point, int sync_file) const {
        uint32_t binary = create();
        if (drmSyncobjImportSyncFile(fd, binary, sync_file) != 0) fail("IMPORT_SYNC_FILE: %s", strerror(errno));
        if (drmSyncobjTransfer(fd, timeline, point, binary, 0, 0) != 0) fail("SYNCOBJ_TRANSFER: %s", strerror(errno));
        drmSyncobjDestroy(fd, binary);
    }
    // The last signalled point.
    uint64_t value(uint32_t timeline) const {
        uint64_t point = 0;
        if (drmSyncobjQuery(fd, &timeline, &point, 1) != 0) fail("SYNCOBJ_QUERY: %s", strerror(errno));
        return point;
    }
    // Waits for `point` (it may not have materialised yet); false after `timeout_ms`.
    bool wait(uint32_t timeline, uint64_t point, int timeout_ms) const {
        int ret = drmSyncobjTimelineWait(fd, &timeline, &point, 1, int64_t(now_ns() + uint64_t(timeout_ms) * 1000000),
                                         DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, nullptr);
        if (ret == -ETIME) return false;
        if (ret != 0) fail("SYNCOBJ_TIMELINE_WAIT of point %llu: %s", (unsigned long long)point, strerror(-ret));
        return true;
    }
};

// An unsignalled sw_sync fence at `value` on `sw_timeline`.
int sw_fence(int sw_timeline, uint32_t value) {
    SwSyncCreateFence create{};
    create.value = value;
    snprintf(create.name, sizeof create.name, "syncobj-%u", value);
    if (ioctl(sw_timeline, SW_SYNC_IOC_CREATE_FENCE, &create) != 0) fail("SW_SYNC_IOC_CREATE_FENCE: %s", strerror(errno));
    return create.fence;
}

void sw_signal(int sw_timeline) {
    uint32_t one = 1;
    if (ioctl(sw_timeline, SW_SYNC_IOC_INC, &one) != 0) fail("SW_SYNC_IOC_INC: %s", strerror(errno));
}

int open_sw_timeline() {
    int fd = open("/sys/kernel/debug/sync/sw_sync", O_RDWR | O_CLOEXEC);
    if (fd < 0) fail("sw_sync timeline: %s", strerror(errno));
    return fd;
}

// Dispatches for about three refreshes at 60 Hz, plus `extra_ns`.
void pause(Client &c, uint64_t extra_ns) {
    uint64_t until = now_ns() + 50000000 + extra_ns;
    c.dispatch_until([&] { return now_ns() > until; }, 2000, "a pause");
}

int frames(const char *device, int n) {
    if (n < 4) fail("want at least 4 frames");
    Drm drm(device);
    Client c;
    connect(c);
    map_window(c);
    wp_linux_drm_syncobj_surface_v1 *sync = wp_linux_drm_syncobj_manager_v1_get_surface(c.syncobj, c.surface);
    // Separate acquire and release timelines: points on one timeline must
    // materialise in order, and the client and planar add them independently.
    uint32_t acquire = drm.create(), release = drm.create();
    wp_linux_drm_syncobj_timeline_v1 *acquire_timeline, *release_timeline;
    int fd = drm.export_fd(acquire);
    acquire_timeline = wp_linux_drm_syncobj_manager_v1_import_timeline(c.syncobj, fd);
    close(fd);
    fd = drm.export_fd(release);
    release_timeline = wp_linux_drm_syncobj_manager_v1_import_timeline(c.syncobj, fd);
    close(fd);
    wl_display_roundtrip(c.display);
    if (wl_display_get_error(c.display) != 0) fail("import_timeline failed (protocol error)");
    printf("ok: timelines created on %s and imported\n", device);

    wl_buffer *buffers[2] = {udmabuf_buffer(c, 0xff2060c0), udmabuf_buffer(c, 0xffc06020)};
    int sw = open_sw_timeline();
    const int late = n / 2; // the frame committed before its acquire point materialises
    std::vector<uint64_t> latencies;
    for (int i = 1; i <= n; ++i) {
        // Reuse a buffer only once its release point signalled (frame i - 2).
        if (i >= 3) {
            if (!drm.wait(release, uint64_t(i - 2), 10000))
                fail("release point %d not signalled 10 s after frame %d was presented", i - 2, i - 1);
            // In order, and not early: frame i - 1 is current, its point must not have signalled.
            uint64_t value = drm.value(release);
            if (value != uint64_t(i - 2))
                fail("release timeline at %llu once point %d signalled (frame %d is current)",
                     (unsigned long long)value, i - 2, i - 1);
        }
        if (i != late) {
            int fence = sw_fence(sw, uint32_t(i));
            drm.attach(acquire, uint64_t(i), fence);
            close(fence);
        }
        wl_surface_attach(c.surface, buffers[i % 2], 0, 0);
        wl_surface_damage(c.surface, 0, 0, width, height);
        wp_linux_drm_syncobj_surface_v1_set_acquire_point(sync, acquire_timeline, 0, uint32_t(i));
        wp_linux_drm_syncobj_surface_v1_set_release_point(sync, release_timeline, 0, uint32_t(i));
        size_t index = c.frames.size();
        c.frames.emplace_back();
        wp_presentation_feedback_add_listener(wp_presentation_feedback(c.presentation, c.surface), &feedback_listener,
                                              &c.frames[index]);
        wl_surface_commit(c.surface);
        // The extra 0-16 ms spreads the signals over the refresh cycle, so
        // that the median latency is not that of one phase.
        pause(c, uint64_t(i) * 5300000 % 16700000);
        if (c.frames[index].presented) fail("frame %d presented before its acquire point signalled", i);
        if (i == late) {
            // The point materialises now, still unsignalled: still held.
            int fence = sw_fence(sw, uint32_t(i));
            drm.attach(acquire, uint64_t(i), fence);
            close(fence);
            pause(c, 0);
            if (c.frames[index].presented) fail("frame %d presented once its point materialised, unsignalled", i);
            printf("ok: frame %d, committed before its acquire point materialised, held until the point had a "
                   "fence and until that signalled\n",
                   i);
        }
        if (i >= 2 && drm.value(release) >= uint64_t(i - 1))
            fail("release point %d signalled while frame %d waits (its buffer is still current)", i - 1, i);
        uint64_t signalled = now_ns();
        sw_signal(sw);
        c.dispatch_until([&] { return c.frames[index].presented || c.frames[index].discarded; }, 30000,
                         "presentation after the acquire point signalled");
        if (c.frames[index].discarded) fail("frame %d discarded", i);
        latencies.push_back(c.frames[index].presented_ns - signalled);
    }
    if (!drm.wait(release, uint64_t(n - 1), 10000)) fail("release point %d not signalled", n - 1);
    if (drm.value(release) != uint64_t(n - 1)) fail("the last frame's release point signalled while it is current");
    std::sort(latencies.begin(), latencies.end());
    printf("ok: %d frames, none presented before its acquire point signalled, release points 1..%d signalled in "
           "order, none while its buffer was current\n",
           n, n - 1);
    printf("ok: acquire signal -> presented latency over %d frames: median %.2f ms (min %.2f, max %.2f)\n", n,
           latencies[latencies.size() / 2] / 1e6, latencies.front() / 1e6, latencies.back() / 1e6);
    // Gone with the client: planar lets go of the last buffer and signals its point.
    wl_display_disconnect(c.display);
    if (!drm.wait(release, uint64_t(n), 10000)) fail("release point %d not signalled after the disconnect", n);
    printf("ok: the last release point signalled after the disconnect\n");
    close(sw);
    return 0;
}

volatile sig_atomic_t signal_asked = 0;

int hold(const char *device) {
    signal(SIGUSR1, [](int) { signal_asked = 1; });
    Drm drm(device);
    Client c;
    connect(c);
    map_window(c);
    wp_linux_drm_syncobj_surface_v1 *sync = wp_linux_drm_syncobj_manager_v1_get_surface(c.syncobj, c.surface);
    uint32_t acquire = drm.create(), release = drm.create();
    int fd = drm.export_fd(acquire);
    wp_linux_drm_syncobj_timeline_v1 *acquire_timeline = wp_linux_drm_syncobj_manager_v1_import_timeline(c.syncobj, fd);
    close(fd);
    fd = drm.export_fd(release);
    wp_linux_drm_syncobj_timeline_v1 *release_timeline = wp_linux_drm_syncobj_manager_v1_import_timeline(c.syncobj, fd);
    close(fd);
    auto commit = [&](uint32_t colour, uint32_t point) {
        wl_surface_attach(c.surface, udmabuf_buffer(c, colour), 0, 0);
        wl_surface_damage(c.surface, 0, 0, width, height);
        wp_linux_drm_syncobj_surface_v1_set_acquire_point(sync, acquire_timeline, 0, point);
        wp_linux_drm_syncobj_surface_v1_set_release_point(sync, release_timeline, 0, point);
        size_t index = c.frames.size();
        c.frames.emplace_back();
        wp_presentation_feedback_add_listener(wp_presentation_feedback(c.presentation, c.surface), &feedback_listener,
                                              &c.frames[index]);
        wl_surface_commit(c.surface);
        return index;
    };
    uint64_t point = 1;
    if (drmSyncobjTimelineSignal(drm.fd, &acquire, &point, 1) != 0) fail("SYNCOBJ_TIMELINE_SIGNAL: %s", strerror(errno));
    size_t shown = commit(0xff2060c0, 1);
    c.dispatch_until([&] { return c.frames[shown].presented; }, 30000, "the first frame's presentation");
    size_t held = commit(0xffc06020, 2);
    wl_display_roundtrip(c.display);
    printf("ok: 0x2060c0 shown, 0xc06020 held on an acquire point that has not materialised\n");
    c.dispatch_until([&] { return signal_asked != 0 || c.frames[held].presented; }, 3600 * 1000, "SIGUSR1");
    if (c.frames[held].presented) fail("the held frame was presented before its acquire point signalled");
    point = 2;
    if (drmSyncobjTimelineSignal(drm.fd, &acquire, &point, 1) != 0) fail("SYNCOBJ_TIMELINE_SIGNAL: %s", strerror(errno));
    c.dispatch_until([&] { return c.frames[held].presented; }, 30000, "the held frame's presentation");
    printf("ok: 0xc06020 presented after the signal\n");
    if (!drm.wait(release, 1, 10000)) fail("the first frame's release point did not signal");
    c.dispatch_until([] { return false; }, 3600 * 1000, "nothing");
    return 0;
}

// An fd that is not a syncobj: the invalid_timeline error (a device-independent
// check, but the global exists only where a device has timelines).
int invalid_timeline(const char *device) {
    Drm drm(device);
    Client c;
    connect(c);
    int sw = open_sw_timeline();
    int fence = sw_fence(sw, 1);
    wp_linux_drm_syncobj_manager_v1_import_timeline(c.syncobj, fence);
    close(fence);
    wl_display_roundtrip(c.display);
    if (wl_display_get_error(c.display) != EPROTO) fail("no protocol error for a sync_file as a timeline");
    const wl_interface *interface = nullptr;
    uint32_t code = wl_display_get_protocol_error(c.display, &interface, nullptr);
    std::string name = interface != nullptr ? interface->name : "?";
    if (name != "wp_linux_drm_syncobj_manager_v1" || code != WP_LINUX_DRM_SYNCOBJ_MANAGER_V1_ERROR_INVALID_TIMELINE)
        fail("protocol error %s.%u, expected wp_linux_drm_syncobj_manager_v1.invalid_timeline (1)", name.c_str(), code);
    printf("ok: a sync_file as a timeline -> %s error %u (invalid_timeline)\n", name.c_str(), code);
    close(sw);
    wl_display_disconnect(c.display);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    setvbuf(stdout, nullptr, _IOLBF, 0);
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "frames" && argc > 2) return frames(argv[2], argc > 3 ? atoi(argv[3]) : 100);
    if (mode == "hold" && argc > 2) return hold(argv[2]);
    if (mode == "invalid-timeline" && argc > 2) return invalid_timeline(argv[2]);
    fprintf(stderr, "usage: syncobj_client frames DEVICE [N] | hold DEVICE | invalid-timeline DEVICE\n");
    return 2;
}
