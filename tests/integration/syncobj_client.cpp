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
//   syncobj_client frames-fullscreen DEVICE CARD N
//       the same, fullscreen at the output's size with dumb buffers of CARD
//       (the KMS node planar drives), so that planar scans them out: each
//       materialised acquire point goes to KMS as IN_FENCE_FD, and each
//       release point is signalled with the out fence of the flip that
//       replaced its buffer (tests/vm checks planar-ctl's counts).
//   syncobj_client frames-gbm DEVICE N
//       the same in a window with buffers from GBM on DEVICE (a render node
//       whose EGL planar composites with: virgl in tests/vm
//       sync-egl-release), so that release points carry the composited
//       frame's EGL native fence
//   syncobj_client hold DEVICE
//       one frame (0x2060c0) shown, then one (0xc06020) held on an acquire
//       point that has not materialised, until SIGUSR1, which signals the
//       point from the CPU (DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL); then idles,
//       for screenshots.
//   syncobj_client invalid-timeline DEVICE
//       import_timeline with a sync_file (not a syncobj) is the
//       wp_linux_drm_syncobj_manager_v1.invalid_timeline error.
//   syncobj_client errors DEVICE
//       every error of wp_linux_drm_syncobj_v1 provoked on its own connection
//       and checked on the wire (interface and code): surface_exists,
//       invalid_timeline, and the surface's no_surface, unsupported_buffer,
//       no_buffer, no_acquire_point, no_release_point, conflicting_points.
// DEVICE: a DRM node of the device planar uses (syncobj fds are not tied to
// a device, but the timeline must be created on one that has timelines).
// Prints "FAIL: reason" and exits 1 on a problem; "ok: ..." lines otherwise.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <xf86drm.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <sys/mman.h>
#include <string>
#include <vector>

#include <wayland-client.h>

#include "fenced_client.hpp"
#include "linux-drm-syncobj-v1-client-protocol.h"

namespace {

using namespace fenced;

struct SyncobjClient : Client {
    SyncobjClient() : Client("syncobj_client", 5) {}

    wp_linux_drm_syncobj_manager_v1 *syncobj = nullptr;
    wl_shm *shm = nullptr;

    void bind(wl_registry *registry, uint32_t name, const std::string &interface) override {
        if (interface == "wp_linux_drm_syncobj_manager_v1")
            syncobj = (wp_linux_drm_syncobj_manager_v1 *)wl_registry_bind(registry, name,
                                                                          &wp_linux_drm_syncobj_manager_v1_interface, 1);
        if (interface == "wl_shm") shm = (wl_shm *)wl_registry_bind(registry, name, &wl_shm_interface, 1);
    }
    // A wl_shm buffer of the window's size: what syncobj points cannot order.
    wl_buffer *shm_buffer() {
        int stride = width * 4, size = stride * height;
        int fd = memfd_create("syncobj-client-shm", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, size) != 0) fail("memfd: %s", strerror(errno));
        wl_shm_pool *pool = wl_shm_create_pool(shm, fd, size);
        wl_buffer *buffer = wl_shm_pool_create_buffer(pool, 0, width, height, stride, WL_SHM_FORMAT_XRGB8888);
        wl_shm_pool_destroy(pool);
        close(fd);
        return buffer;
    }
};

void connect(SyncobjClient &c) {
    c.connect();
    if (!c.syncobj) fail("wp_linux_drm_syncobj_manager_v1 is not advertised");
    printf("ok: wp_linux_drm_syncobj_manager_v1 advertised\n");
    c.require_globals();
}

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

// Dispatches for about three refreshes at 60 Hz, plus `extra_ns`.
void pause(Client &c, uint64_t extra_ns) {
    uint64_t until = now_ns() + 50000000 + extra_ns;
    c.pause_until(until);
}

// A surface's wp_linux_drm_syncobj_surface_v1 with an acquire and a release
// timeline created on `drm` and imported. Separate timelines: points on one
// timeline must materialise in order, and the client and planar add them
// independently.
struct SyncobjSurface {
    SyncobjClient &c;
    wp_linux_drm_syncobj_surface_v1 *sync;
    uint32_t acquire, release; // syncobj handles on `drm`
    wp_linux_drm_syncobj_timeline_v1 *acquire_timeline, *release_timeline;

    SyncobjSurface(SyncobjClient &client, const Drm &drm)
        : c(client), sync(wp_linux_drm_syncobj_manager_v1_get_surface(c.syncobj, c.surface)), acquire(drm.create()),
          release(drm.create()), acquire_timeline(import(drm, acquire)), release_timeline(import(drm, release)) {}

    // Commits `buffer` with acquire and release point `point` and asks for
    // presentation feedback; returns the frame index.
    size_t commit(wl_buffer *buffer, uint32_t point) {
        wl_surface_attach(c.surface, buffer, 0, 0);
        wl_surface_damage(c.surface, 0, 0, c.width, c.height);
        wp_linux_drm_syncobj_surface_v1_set_acquire_point(sync, acquire_timeline, 0, point);
        wp_linux_drm_syncobj_surface_v1_set_release_point(sync, release_timeline, 0, point);
        size_t index = c.request_feedback();
        wl_surface_commit(c.surface);
        return index;
    }

private:
    wp_linux_drm_syncobj_timeline_v1 *import(const Drm &drm, uint32_t handle) {
        int fd = drm.export_fd(handle);
        wp_linux_drm_syncobj_timeline_v1 *timeline = wp_linux_drm_syncobj_manager_v1_import_timeline(c.syncobj, fd);
        close(fd);
        return timeline;
    }
};

enum class Buffers { udmabuf, dumb, gbm };

// Buffers::dumb: fullscreen dumb buffers of `card`; Buffers::gbm: a window of
// GBM buffers of `device`; Buffers::udmabuf: a window of udmabufs.
int frames(const char *device, int n, Buffers kind, const char *card = nullptr) {
    if (n < 4) fail("want at least 4 frames");
    Drm drm(device);
    SyncobjClient c;
    connect(c);
    c.map_window(kind == Buffers::dumb);
    if (kind == Buffers::dumb) c.go_fullscreen();
    SyncobjSurface s(c, drm);
    wl_display_roundtrip(c.display);
    if (wl_display_get_error(c.display) != 0) fail("import_timeline failed (protocol error)");
    printf("ok: timelines created on %s and imported\n", device);

    wl_buffer *buffers[2];
    if (kind == Buffers::dumb) {
        int kms = open(card, O_RDWR | O_CLOEXEC);
        if (kms < 0) fail("%s: %s", card, strerror(errno));
        buffers[0] = c.dumb_buffer(kms, 0xff2060c0);
        buffers[1] = c.dumb_buffer(kms, 0xffc06020);
        close(kms);
        printf("ok: two %dx%d dumb buffers of %s\n", c.width, c.height, card);
    } else if (kind == Buffers::gbm) {
        buffers[0] = c.gbm_buffer(device, 0xff2060c0);
        buffers[1] = c.gbm_buffer(device, 0xffc06020);
    } else {
        buffers[0] = c.udmabuf_buffer(0xff2060c0);
        buffers[1] = c.udmabuf_buffer(0xffc06020);
    }
    int sw = open_sw_timeline();
    const int late = n / 2; // the frame committed before its acquire point materialises
    std::vector<uint64_t> latencies;
    for (int i = 1; i <= n; ++i) {
        // Reuse a buffer only once its release point signalled (frame i - 2).
        if (i >= 3) {
            if (!drm.wait(s.release, uint64_t(i - 2), 10000))
                fail("release point %d not signalled 10 s after frame %d was presented", i - 2, i - 1);
            // In order, and not early: frame i - 1 is current, its point must not have signalled.
            uint64_t value = drm.value(s.release);
            if (value != uint64_t(i - 2))
                fail("release timeline at %llu once point %d signalled (frame %d is current)",
                     (unsigned long long)value, i - 2, i - 1);
        }
        if (i != late) {
            int fence = sw_fence(sw, uint32_t(i), "syncobj");
            drm.attach(s.acquire, uint64_t(i), fence);
            close(fence);
        }
        size_t index = s.commit(buffers[i % 2], uint32_t(i));
        // The extra 0-16 ms spreads the signals over the refresh cycle, so
        // that the median latency is not that of one phase.
        pause(c, uint64_t(i) * 5300000 % 16700000);
        if (c.frames[index].presented) fail("frame %d presented before its acquire point signalled", i);
        if (i == late) {
            // The point materialises now, still unsignalled: still held.
            int fence = sw_fence(sw, uint32_t(i), "syncobj");
            drm.attach(s.acquire, uint64_t(i), fence);
            close(fence);
            pause(c, 0);
            if (c.frames[index].presented) fail("frame %d presented once its point materialised, unsignalled", i);
            printf("ok: frame %d, committed before its acquire point materialised, held until the point had a "
                   "fence and until that signalled\n",
                   i);
        }
        if (i >= 2 && drm.value(s.release) >= uint64_t(i - 1))
            fail("release point %d signalled while frame %d waits (its buffer is still current)", i - 1, i);
        latencies.push_back(c.present_after_signal(sw, index, i, "acquire point"));
    }
    if (!drm.wait(s.release, uint64_t(n - 1), 10000)) fail("release point %d not signalled", n - 1);
    if (drm.value(s.release) != uint64_t(n - 1)) fail("the last frame's release point signalled while it is current");
    printf("ok: %d frames, none presented before its acquire point signalled, release points 1..%d signalled in "
           "order, none while its buffer was current\n",
           n, n - 1);
    print_latencies("acquire", latencies, c.refresh_ns());
    // Gone with the client: planar lets go of the last buffer and signals its point.
    wl_display_disconnect(c.display);
    if (!drm.wait(s.release, uint64_t(n), 10000)) fail("release point %d not signalled after the disconnect", n);
    printf("ok: the last release point signalled after the disconnect\n");
    close(sw);
    return 0;
}

volatile sig_atomic_t signal_asked = 0;

int hold(const char *device) {
    signal(SIGUSR1, [](int) { signal_asked = 1; });
    Drm drm(device);
    SyncobjClient c;
    connect(c);
    c.map_window();
    SyncobjSurface s(c, drm);
    uint64_t point = 1;
    if (drmSyncobjTimelineSignal(drm.fd, &s.acquire, &point, 1) != 0) fail("SYNCOBJ_TIMELINE_SIGNAL: %s", strerror(errno));
    size_t shown = s.commit(c.udmabuf_buffer(0xff2060c0), 1);
    c.dispatch_until([&] { return c.frames[shown].presented; }, 30000, "the first frame's presentation");
    size_t held = s.commit(c.udmabuf_buffer(0xffc06020), 2);
    wl_display_roundtrip(c.display);
    printf("ok: 0x2060c0 shown, 0xc06020 held on an acquire point that has not materialised\n");
    c.dispatch_until([&] { return signal_asked != 0 || c.frames[held].presented; }, 3600 * 1000, "SIGUSR1");
    if (c.frames[held].presented) fail("the held frame was presented before its acquire point signalled");
    point = 2;
    if (drmSyncobjTimelineSignal(drm.fd, &s.acquire, &point, 1) != 0) fail("SYNCOBJ_TIMELINE_SIGNAL: %s", strerror(errno));
    c.dispatch_until([&] { return c.frames[held].presented; }, 30000, "the held frame's presentation");
    printf("ok: 0xc06020 presented after the signal\n");
    if (!drm.wait(s.release, 1, 10000)) fail("the first frame's release point did not signal");
    c.dispatch_until([] { return false; }, 3600 * 1000, "nothing");
    return 0;
}

// An fd that is not a syncobj: the invalid_timeline error (a device-independent
// check, but the global exists only where a device has timelines).
int invalid_timeline(const char *device) {
    Drm drm(device);
    SyncobjClient c;
    connect(c);
    int sw = open_sw_timeline();
    int fence = sw_fence(sw, 1, "syncobj");
    wp_linux_drm_syncobj_manager_v1_import_timeline(c.syncobj, fence);
    close(fence);
    c.expect_protocol_error("a sync_file as a timeline", "wp_linux_drm_syncobj_manager_v1", "invalid_timeline",
                            WP_LINUX_DRM_SYNCOBJ_MANAGER_V1_ERROR_INVALID_TIMELINE);
    close(sw);
    wl_display_disconnect(c.display);
    return 0;
}

// One protocol error on a fresh connection (each ends its connection): `act`
// does the wrong thing with a mapped window and its syncobj surface.
void provoke(const Drm &drm, const char *what, const char *interface, const char *error, uint32_t code,
             const std::function<void(SyncobjClient &, SyncobjSurface &)> &act) {
    SyncobjClient c;
    c.connect();
    if (!c.syncobj || !c.shm) fail("wp_linux_drm_syncobj_manager_v1 or wl_shm is not advertised");
    c.map_window();
    SyncobjSurface s(c, drm);
    wl_display_roundtrip(c.display);
    if (wl_display_get_error(c.display) != 0) fail("%s: the set-up already failed", what);
    act(c, s);
    c.expect_protocol_error(what, interface, error, code);
    wl_display_disconnect(c.display);
    c.display = nullptr;
}

int errors(const char *device) {
    Drm drm(device);
    const char *manager = "wp_linux_drm_syncobj_manager_v1", *surface = "wp_linux_drm_syncobj_surface_v1";
    provoke(drm, "a second get_surface for one wl_surface", manager, "surface_exists",
            WP_LINUX_DRM_SYNCOBJ_MANAGER_V1_ERROR_SURFACE_EXISTS,
            [](SyncobjClient &c, SyncobjSurface &) { wp_linux_drm_syncobj_manager_v1_get_surface(c.syncobj, c.surface); });
    provoke(drm, "a memfd as a timeline", manager, "invalid_timeline", WP_LINUX_DRM_SYNCOBJ_MANAGER_V1_ERROR_INVALID_TIMELINE,
            [](SyncobjClient &c, SyncobjSurface &) {
                int fd = memfd_create("not-a-syncobj", MFD_CLOEXEC);
                wp_linux_drm_syncobj_manager_v1_import_timeline(c.syncobj, fd);
                close(fd);
            });
    provoke(drm, "set_acquire_point after the wl_surface was destroyed", surface, "no_surface",
            WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_NO_SURFACE, [](SyncobjClient &c, SyncobjSurface &s) {
                wl_surface_destroy(c.surface);
                c.surface = nullptr;
                wp_linux_drm_syncobj_surface_v1_set_acquire_point(s.sync, s.acquire_timeline, 0, 1);
            });
    provoke(drm, "points with a wl_shm buffer", surface, "unsupported_buffer",
            WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_UNSUPPORTED_BUFFER,
            [](SyncobjClient &c, SyncobjSurface &s) { s.commit(c.shm_buffer(), 1); });
    provoke(drm, "points with no buffer attached in the commit", surface, "no_buffer",
            WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_NO_BUFFER, [](SyncobjClient &c, SyncobjSurface &s) {
                wp_linux_drm_syncobj_surface_v1_set_acquire_point(s.sync, s.acquire_timeline, 0, 1);
                wp_linux_drm_syncobj_surface_v1_set_release_point(s.sync, s.release_timeline, 0, 1);
                wl_surface_commit(c.surface);
            });
    provoke(drm, "a dma-buf with a release point only", surface, "no_acquire_point",
            WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_NO_ACQUIRE_POINT, [](SyncobjClient &c, SyncobjSurface &s) {
                wl_surface_attach(c.surface, c.udmabuf_buffer(0xff2060c0), 0, 0);
                wp_linux_drm_syncobj_surface_v1_set_release_point(s.sync, s.release_timeline, 0, 1);
                wl_surface_commit(c.surface);
            });
    provoke(drm, "a dma-buf with an acquire point only", surface, "no_release_point",
            WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_NO_RELEASE_POINT, [](SyncobjClient &c, SyncobjSurface &s) {
                wl_surface_attach(c.surface, c.udmabuf_buffer(0xff2060c0), 0, 0);
                wp_linux_drm_syncobj_surface_v1_set_acquire_point(s.sync, s.acquire_timeline, 0, 1);
                wl_surface_commit(c.surface);
            });
    provoke(drm, "acquire and release at one point of one timeline", surface, "conflicting_points",
            WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_CONFLICTING_POINTS, [](SyncobjClient &c, SyncobjSurface &s) {
                wl_surface_attach(c.surface, c.udmabuf_buffer(0xff2060c0), 0, 0);
                wp_linux_drm_syncobj_surface_v1_set_acquire_point(s.sync, s.acquire_timeline, 0, 5);
                wp_linux_drm_syncobj_surface_v1_set_release_point(s.sync, s.acquire_timeline, 0, 5);
                wl_surface_commit(c.surface);
            });
    printf("ok: all 8 wp_linux_drm_syncobj_v1 errors seen on the wire\n");
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    setvbuf(stdout, nullptr, _IOLBF, 0);
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "frames" && argc > 2) return frames(argv[2], argc > 3 ? atoi(argv[3]) : 100, Buffers::udmabuf);
    if (mode == "frames-gbm" && argc > 2) return frames(argv[2], argc > 3 ? atoi(argv[3]) : 100, Buffers::gbm);
    if (mode == "frames-fullscreen" && argc > 3)
        return frames(argv[2], argc > 4 ? atoi(argv[4]) : 100, Buffers::dumb, argv[3]);
    if (mode == "hold" && argc > 2) return hold(argv[2]);
    if (mode == "invalid-timeline" && argc > 2) return invalid_timeline(argv[2]);
    if (mode == "errors" && argc > 2) return errors(argv[2]);
    fprintf(stderr, "usage: syncobj_client frames DEVICE [N] | frames-gbm DEVICE [N] | frames-fullscreen DEVICE CARD [N] | hold DEVICE | invalid-timeline DEVICE | errors DEVICE\n");
    return 2;
}
