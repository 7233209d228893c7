// sync_client: a toplevel showing udmabuf buffers gated by sw_sync acquire
// fences through zwp_linux_explicit_synchronization_v1, for tests/vm (the
// guest has udmabuf and sw_sync; the host has neither). Built by meson (the
// unstable protocols it needs are generated there), run from PLANAR_BUILD.
//
//   sync_client gate N     N frames; each is committed with an unsignalled
//                          fence, must stay unpresented for 3 refreshes, is
//                          signalled, must be presented; prints the median
//                          signal → presented latency and checks releases
//                          arrive in commit order
//   sync_client gate-fullscreen N
//                          the same, fullscreen at the output's size: on a
//                          DRM output the buffers go to the primary plane and
//                          KMS waits for the fences (IN_FENCE_FD)
//   sync_client stall      one frame whose fence never signals; then idles
//   sync_client stall-fullscreen
//                          the same, fullscreen, after 10 signalled frames
//                          (so that the stalled one goes to the plane)
//   sync_client hold       one frame (0x2060c0) shown, then one (0xc06020)
//                          held on an unsignalled fence until SIGUSR1, which
//                          signals it; then idles (for screenshots)
//   sync_client rate SECS  plain frame loop (no fences); prints frames/s
//   sync_client probe      DRM syncobj caps of every /dev/dri/card*
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
#include <deque>
#include <functional>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <libdrm/drm_fourcc.h>
#include <wayland-client.h>

#include "linux-dmabuf-v1-client-protocol.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"
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

// The buffer size: fixed for a window, the configured size when fullscreen.
int width = 256, height = 192;

struct Frame {
    bool presented = false, discarded = false;
    uint64_t presented_ns = 0;
};

struct Client {
    wl_display *display = nullptr;
    wl_compositor *compositor = nullptr;
    xdg_wm_base *wm_base = nullptr;
    zwp_linux_dmabuf_v1 *dmabuf = nullptr;
    zwp_linux_explicit_synchronization_v1 *explicit_sync = nullptr;
    wp_presentation *presentation = nullptr;
    wl_surface *surface = nullptr;
    zwp_linux_surface_synchronization_v1 *sync = nullptr;
    bool configured = false;
    std::deque<Frame> frames; // stable addresses: feedback listeners point into it
    std::vector<int> release_order;
    std::vector<int> release_fences; // from fenced_release
    int frame_done = 0;

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
            int n = poll(&pfd, 1, 20);
            if (n > 0) {
                wl_display_read_events(display);
            } else {
                wl_display_cancel_read(display);
            }
            if (wl_display_dispatch_pending(display) < 0) fail("connection broken (protocol error?)");
        }
    }
};

const wl_registry_listener registry_listener = {
    .global = [](void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
        auto *c = static_cast<Client *>(data);
        std::string i = interface;
        if (i == "wl_compositor") c->compositor = (wl_compositor *)wl_registry_bind(registry, name, &wl_compositor_interface, 4);
        if (i == "xdg_wm_base") c->wm_base = (xdg_wm_base *)wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
        if (i == "zwp_linux_dmabuf_v1") c->dmabuf = (zwp_linux_dmabuf_v1 *)wl_registry_bind(registry, name, &zwp_linux_dmabuf_v1_interface, 3);
        if (i == "zwp_linux_explicit_synchronization_v1")
            c->explicit_sync = (zwp_linux_explicit_synchronization_v1 *)wl_registry_bind(
                registry, name, &zwp_linux_explicit_synchronization_v1_interface, 2);
        if (i == "wp_presentation") c->presentation = (wp_presentation *)wl_registry_bind(registry, name, &wp_presentation_interface, 1);
        if (i == "wp_linux_drm_syncobj_manager_v1") printf("ok: wp_linux_drm_syncobj_manager_v1 advertised\n");
        (void)version;
    },
    .global_remove = [](void *, wl_registry *, uint32_t) {},
};

// A udmabuf of one XRGB8888 frame filled with `colour`, as a wl_buffer.
wl_buffer *udmabuf_buffer(Client &c, uint32_t colour) {
    size_t size = size_t(width) * height * 4;
    int memfd = memfd_create("sync-client", MFD_ALLOW_SEALING | MFD_CLOEXEC);
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

struct ReleaseData {
    Client *client;
    int index;
};
const zwp_linux_buffer_release_v1_listener release_listener = {
    .fenced_release =
        [](void *data, zwp_linux_buffer_release_v1 *r, int32_t fd) {
            auto *d = static_cast<ReleaseData *>(data);
            d->client->release_order.push_back(d->index);
            // Checked once every acquire fence has signalled: a KMS out
            // fence signals after the flip, which waits for the next frame's.
            d->client->release_fences.push_back(fd);
            zwp_linux_buffer_release_v1_destroy(r);
            delete d;
        },
    .immediate_release =
        [](void *data, zwp_linux_buffer_release_v1 *r) {
            auto *d = static_cast<ReleaseData *>(data);
            d->client->release_order.push_back(d->index);
            zwp_linux_buffer_release_v1_destroy(r);
            delete d;
        },
};

void map_window(Client &c, bool fullscreen = false) {
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
    xdg_toplevel_set_title(top, "sync_client");
    static const xdg_toplevel_listener top_listener = {
        .configure = [](void *data, xdg_toplevel *, int32_t w, int32_t h, wl_array *) {
            if (data != nullptr && w > 0 && h > 0) {
                width = w;
                height = h;
            }
        },
        .close = [](void *, xdg_toplevel *) {},
    };
    xdg_toplevel_add_listener(top, &top_listener, fullscreen ? &c : nullptr);
    if (fullscreen) xdg_toplevel_set_fullscreen(top, nullptr);
    wl_surface_commit(c.surface);
    c.dispatch_until([&] { return c.configured; }, 30000, "the first configure");
}

// Commits `buffer` with a fresh fence at `value` on `timeline`; returns the frame index.
size_t commit_fenced(Client &c, wl_buffer *buffer, int timeline, uint32_t value) {
    SwSyncCreateFence create{};
    create.value = value;
    snprintf(create.name, sizeof create.name, "planar-%u", value);
    if (ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &create) != 0) fail("SW_SYNC_IOC_CREATE_FENCE: %s", strerror(errno));
    wl_surface_attach(c.surface, buffer, 0, 0);
    wl_surface_damage(c.surface, 0, 0, width, height);
    zwp_linux_surface_synchronization_v1_set_acquire_fence(c.sync, create.fence);
    close(create.fence);
    size_t index = c.frames.size();
    c.frames.emplace_back();
    auto *release = zwp_linux_surface_synchronization_v1_get_release(c.sync);
    zwp_linux_buffer_release_v1_add_listener(release, &release_listener, new ReleaseData{&c, int(index)});
    wp_presentation_feedback_add_listener(wp_presentation_feedback(c.presentation, c.surface), &feedback_listener,
                                          &c.frames[index]);
    wl_surface_commit(c.surface);
    return index;
}

int open_timeline() {
    int fd = open("/sys/kernel/debug/sync/sw_sync", O_RDWR | O_CLOEXEC);
    if (fd < 0) fail("sw_sync timeline: %s", strerror(errno));
    return fd;
}

void connect(Client &c) {
    c.display = wl_display_connect(nullptr);
    if (c.display == nullptr) fail("cannot connect");
    wl_registry_add_listener(wl_display_get_registry(c.display), &registry_listener, &c);
    wl_display_roundtrip(c.display);
    if (!c.compositor || !c.wm_base || !c.dmabuf || !c.explicit_sync || !c.presentation) fail("a global is missing");
}

// planar makes a window fullscreen when it maps: map with a first buffer,
// then take the output's size from the configure.
void go_fullscreen(Client &c) {
    wl_buffer *first = udmabuf_buffer(c, 0xff000000);
    wl_surface_attach(c.surface, first, 0, 0);
    wl_surface_damage(c.surface, 0, 0, width, height);
    wl_surface_commit(c.surface);
    c.dispatch_until([&] { return width != 256 || height != 192; }, 30000, "the fullscreen configure");
    wl_display_roundtrip(c.display);
    printf("ok: fullscreen %dx%d\n", width, height);
}

int gate(int n, bool fullscreen) {
    Client c;
    connect(c);
    map_window(c, fullscreen);
    if (fullscreen) go_fullscreen(c);
    c.sync = zwp_linux_explicit_synchronization_v1_get_synchronization(c.explicit_sync, c.surface);
    wl_buffer *buffers[2] = {udmabuf_buffer(c, 0xff2060c0), udmabuf_buffer(c, 0xffc06020)};
    int timeline = open_timeline();
    std::vector<uint64_t> latencies;
    for (int i = 0; i < n; ++i) {
        size_t index = commit_fenced(c, buffers[i % 2], timeline, uint32_t(i + 1));
        // Unsignalled: three refreshes (at 60 Hz) later it must not be presented.
        // The extra 0-16 ms spreads the signals over the refresh cycle, so the
        // median latency is not that of one phase.
        uint64_t until = now_ns() + 50000000 + uint64_t(i) * 5300000 % 16700000;
        c.dispatch_until([&] { return now_ns() > until; }, 1000, "a pause");
        if (c.frames[index].presented) fail("frame %d presented before its fence signalled", i);
        uint64_t signalled = now_ns();
        uint32_t one = 1;
        if (ioctl(timeline, SW_SYNC_IOC_INC, &one) != 0) fail("SW_SYNC_IOC_INC: %s", strerror(errno));
        c.dispatch_until([&] { return c.frames[index].presented || c.frames[index].discarded; }, 30000,
                         "presentation after the fence signalled");
        if (c.frames[index].discarded) fail("frame %d discarded", i);
        latencies.push_back(c.frames[index].presented_ns - signalled);
    }
    // The last buffer stays current; every earlier one must be released, in order.
    c.dispatch_until([&] { return int(c.release_order.size()) >= n - 1; }, 30000, "the releases");
    for (size_t i = 0; i + 1 < c.release_order.size(); ++i) {
        if (c.release_order[i] > c.release_order[i + 1]) fail("releases out of order at %zu", i);
    }
    // Each release fence must signal: within a second is generous (a refresh or two).
    for (int fd : c.release_fences) {
        pollfd pfd{fd, POLLIN, 0};
        if (poll(&pfd, 1, 1000) != 1) fail("a fenced_release fence did not signal within 1 s");
        close(fd);
    }
    std::sort(latencies.begin(), latencies.end());
    printf("ok: %d fenced frames, none presented early, %zu releases in order (%zu fenced_release, %zu immediate)\n", n,
           c.release_order.size(), c.release_fences.size(), c.release_order.size() - c.release_fences.size());
    printf("ok: fence signal -> presented latency over %d frames: median %.2f ms (min %.2f, max %.2f)\n", n,
           latencies[latencies.size() / 2] / 1e6, latencies.front() / 1e6, latencies.back() / 1e6);
    close(timeline);
    wl_display_disconnect(c.display);
    return 0;
}

int stall(bool fullscreen) {
    Client c;
    connect(c);
    map_window(c, fullscreen);
    if (fullscreen) go_fullscreen(c);
    c.sync = zwp_linux_explicit_synchronization_v1_get_synchronization(c.explicit_sync, c.surface);
    int timeline = open_timeline();
    uint32_t value = 0;
    if (fullscreen) {
        // Frames whose fences signal first, so that the buffers are on the plane.
        wl_buffer *buffers[2] = {udmabuf_buffer(c, 0xff2060c0), udmabuf_buffer(c, 0xffc06020)};
        for (int i = 0; i < 10; ++i) {
            size_t index = commit_fenced(c, buffers[i % 2], timeline, ++value);
            uint32_t one = 1;
            if (ioctl(timeline, SW_SYNC_IOC_INC, &one) != 0) fail("SW_SYNC_IOC_INC: %s", strerror(errno));
            c.dispatch_until([&] { return c.frames[index].presented; }, 30000, "a signalled frame's presentation");
        }
    }
    wl_buffer *buffer = udmabuf_buffer(c, 0xff808080);
    size_t stalled = commit_fenced(c, buffer, timeline, value + 1);
    wl_display_flush(c.display);
    printf("ok: stalled frame committed\n");
    fflush(stdout);
    uint64_t until = now_ns() + 3600ull * 1000000000u;
    c.dispatch_until([&] { return now_ns() > until || c.frames[stalled].presented; }, 3600 * 1000, "nothing");
    fail("the frame with a never-signalled fence was presented");
}

volatile sig_atomic_t signal_asked = 0;

// A frame held on its fence while the test takes screenshots: the previous
// frame must stay visible until the test sends SIGUSR1.
int hold() {
    signal(SIGUSR1, [](int) { signal_asked = 1; });
    Client c;
    connect(c);
    map_window(c);
    c.sync = zwp_linux_explicit_synchronization_v1_get_synchronization(c.explicit_sync, c.surface);
    int timeline = open_timeline();
    size_t shown = commit_fenced(c, udmabuf_buffer(c, 0xff2060c0), timeline, 1);
    uint32_t one = 1;
    if (ioctl(timeline, SW_SYNC_IOC_INC, &one) != 0) fail("SW_SYNC_IOC_INC: %s", strerror(errno));
    c.dispatch_until([&] { return c.frames[shown].presented; }, 30000, "the first frame's presentation");
    size_t held = commit_fenced(c, udmabuf_buffer(c, 0xffc06020), timeline, 2);
    wl_display_roundtrip(c.display);
    printf("ok: 0x2060c0 shown, 0xc06020 held on an unsignalled fence\n");
    c.dispatch_until([&] { return signal_asked != 0 || c.frames[held].presented; }, 3600 * 1000, "SIGUSR1");
    if (c.frames[held].presented) fail("the held frame was presented before its fence signalled");
    if (ioctl(timeline, SW_SYNC_IOC_INC, &one) != 0) fail("SW_SYNC_IOC_INC: %s", strerror(errno));
    c.dispatch_until([&] { return c.frames[held].presented; }, 30000, "the held frame's presentation");
    printf("ok: 0xc06020 presented after the signal\n");
    c.dispatch_until([] { return false; }, 3600 * 1000, "nothing");
    return 0;
}

// linux-explicit-synchronization: a second set_acquire_fence in one commit
// cycle is the duplicate_fence protocol error (needs real sync_files: the
// host cannot make one, sw_sync in the guest can).
int duplicate() {
    Client c;
    connect(c);
    map_window(c);
    c.sync = zwp_linux_explicit_synchronization_v1_get_synchronization(c.explicit_sync, c.surface);
    int timeline = open_timeline();
    for (uint32_t value : {1u, 2u}) {
        SwSyncCreateFence create{};
        create.value = value;
        snprintf(create.name, sizeof create.name, "planar-dup-%u", value);
        if (ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &create) != 0) fail("SW_SYNC_IOC_CREATE_FENCE: %s", strerror(errno));
        zwp_linux_surface_synchronization_v1_set_acquire_fence(c.sync, create.fence);
        close(create.fence);
    }
    wl_display_roundtrip(c.display);
    if (wl_display_get_error(c.display) != EPROTO) fail("no protocol error for a second acquire fence");
    const wl_interface *interface = nullptr;
    uint32_t code = wl_display_get_protocol_error(c.display, &interface, nullptr);
    std::string name = interface != nullptr ? interface->name : "?";
    if (name != "zwp_linux_surface_synchronization_v1" || code != ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_DUPLICATE_FENCE)
        fail("protocol error %s.%u, expected zwp_linux_surface_synchronization_v1.duplicate_fence (1)", name.c_str(), code);
    printf("ok: second acquire fence -> %s error %u (duplicate_fence)\n", name.c_str(), code);
    close(timeline);
    wl_display_disconnect(c.display);
    return 0;
}

int rate(int seconds) {
    Client c;
    connect(c);
    map_window(c);
    wl_buffer *buffers[2] = {udmabuf_buffer(c, 0xff00ff00), udmabuf_buffer(c, 0xff0000ff)};
    static const wl_callback_listener frame_listener = {
        .done = [](void *data, wl_callback *cb, uint32_t) {
            static_cast<Client *>(data)->frame_done++;
            wl_callback_destroy(cb);
        }};
    uint64_t start = now_ns(), end = start + uint64_t(seconds) * 1000000000u;
    int frames = 0;
    while (now_ns() < end) {
        wl_surface_attach(c.surface, buffers[frames % 2], 0, 0);
        wl_surface_damage(c.surface, 0, 0, width, height);
        wl_callback_add_listener(wl_surface_frame(c.surface), &frame_listener, &c);
        wl_surface_commit(c.surface);
        int target = frames + 1;
        c.dispatch_until([&] { return c.frame_done >= target; }, 30000, "a frame callback");
        ++frames;
    }
    printf("ok: rate %.1f frames/s over %d s\n", frames / ((now_ns() - start) / 1e9), seconds);
    return 0;
}

int probe() {
    for (int i = 0; i < 8; ++i) {
        std::string path = "/dev/dri/card" + std::to_string(i);
        int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0) continue;
        drmVersion *v = drmGetVersion(fd);
        uint64_t syncobj = 0, timeline = 0;
        drmGetCap(fd, DRM_CAP_SYNCOBJ, &syncobj);
        drmGetCap(fd, DRM_CAP_SYNCOBJ_TIMELINE, &timeline);
        printf("ok: probe %s (%s): syncobj %d, timeline %d\n", path.c_str(), v ? v->name : "?", int(syncobj),
               int(timeline));
        if (v) drmFreeVersion(v);
        close(fd);
    }
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    setvbuf(stdout, nullptr, _IOLBF, 0);
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "gate") return gate(argc > 2 ? atoi(argv[2]) : 100, false);
    if (mode == "gate-fullscreen") return gate(argc > 2 ? atoi(argv[2]) : 100, true);
    if (mode == "stall") return stall(false);
    if (mode == "stall-fullscreen") return stall(true);
    if (mode == "duplicate") return duplicate();
    if (mode == "hold") return hold();
    if (mode == "rate") return rate(argc > 2 ? atoi(argv[2]) : 5);
    if (mode == "probe") return probe();
    fprintf(stderr, "usage: sync_client gate N | gate-fullscreen N | stall | stall-fullscreen | hold | duplicate | rate SECS | probe\n");
    return 2;
}
