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
//   sync_client gate N RENDER_NODE
//                          the same with buffers from GBM on RENDER_NODE (a
//                          GPU whose EGL planar composites with: virgl in
//                          tests/vm sync-egl-release)
//   sync_client gate-fullscreen N
//                          the same, fullscreen at the output's size: on a
//                          DRM output the buffers go to the primary plane and
//                          KMS waits for the fences (IN_FENCE_FD)
//   sync_client stall      one frame whose fence never signals; then idles
//   sync_client stall-fullscreen
//                          the same, fullscreen, after 10 signalled frames
//                          (so that the stalled one goes to the plane)
//   sync_client stall-window
//                          the same in a window, after 10 signalled frames
//                          (shown on an overlay plane where there is one)
//   sync_client hold       one frame (0x2060c0) shown, then one (0xc06020)
//                          held on an unsignalled fence until SIGUSR1, which
//                          signals it; then idles (for screenshots)
//   sync_client rate SECS  plain frame loop (no fences); prints frames/s
//   sync_client probe      DRM syncobj caps of every /dev/dri/card*
// Prints "FAIL: reason" and exits 1 on a problem; "ok: ..." lines otherwise.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <xf86drm.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <wayland-client.h>

#include "fenced_client.hpp"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"

namespace {

using namespace fenced;

struct SyncClient : Client {
    SyncClient() : Client("sync_client", 20) {}

    zwp_linux_explicit_synchronization_v1 *explicit_sync = nullptr;
    zwp_linux_surface_synchronization_v1 *sync = nullptr;
    std::vector<int> release_order;
    std::vector<int> release_fences; // from fenced_release
    int frame_done = 0;

    void bind(wl_registry *registry, uint32_t name, const std::string &interface) override {
        if (interface == "zwp_linux_explicit_synchronization_v1")
            explicit_sync = (zwp_linux_explicit_synchronization_v1 *)wl_registry_bind(
                registry, name, &zwp_linux_explicit_synchronization_v1_interface, 2);
        if (interface == "wp_linux_drm_syncobj_manager_v1") printf("ok: wp_linux_drm_syncobj_manager_v1 advertised\n");
    }
};

struct ReleaseData {
    SyncClient *client;
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

// Commits `buffer` with a fresh fence at `value` on `timeline`; returns the frame index.
size_t commit_fenced(SyncClient &c, wl_buffer *buffer, int timeline, uint32_t value) {
    int fence = sw_fence(timeline, value, "planar");
    wl_surface_attach(c.surface, buffer, 0, 0);
    wl_surface_damage(c.surface, 0, 0, c.width, c.height);
    zwp_linux_surface_synchronization_v1_set_acquire_fence(c.sync, fence);
    close(fence);
    size_t index = c.frames.size();
    auto *release = zwp_linux_surface_synchronization_v1_get_release(c.sync);
    zwp_linux_buffer_release_v1_add_listener(release, &release_listener, new ReleaseData{&c, int(index)});
    c.request_feedback();
    wl_surface_commit(c.surface);
    return index;
}

void connect(SyncClient &c) {
    c.connect();
    if (!c.explicit_sync) fail("a global is missing");
    c.require_globals();
}

// `gbm_node`: null for udmabuf frames, else the render node GBM allocates them on.
int gate(int n, bool fullscreen, const char *gbm_node = nullptr) {
    SyncClient c;
    connect(c);
    c.map_window(fullscreen);
    if (fullscreen) c.go_fullscreen();
    c.sync = zwp_linux_explicit_synchronization_v1_get_synchronization(c.explicit_sync, c.surface);
    wl_buffer *buffers[2];
    for (int i = 0; i < 2; ++i) {
        uint32_t colour = i == 0 ? 0xff2060c0 : 0xffc06020;
        buffers[i] = gbm_node != nullptr ? c.gbm_buffer(gbm_node, colour) : c.udmabuf_buffer(colour);
    }
    int timeline = open_sw_timeline();
    std::vector<uint64_t> latencies;
    for (int i = 0; i < n; ++i) {
        size_t index = commit_fenced(c, buffers[i % 2], timeline, uint32_t(i + 1));
        // Unsignalled: three refreshes (at 60 Hz) later it must not be presented.
        // The extra 0-16 ms spreads the signals over the refresh cycle, so the
        // median latency is not that of one phase.
        uint64_t until = now_ns() + 50000000 + uint64_t(i) * 5300000 % 16700000;
        c.pause_until(until);
        if (c.frames[index].presented) fail("frame %d presented before its fence signalled", i);
        latencies.push_back(c.present_after_signal(timeline, index, i, "fence"));
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
    printf("ok: %d fenced frames, none presented early, %zu releases in order (%zu fenced_release, %zu immediate)\n", n,
           c.release_order.size(), c.release_fences.size(), c.release_order.size() - c.release_fences.size());
    print_latencies("fence", latencies, c.refresh_ns());
    close(timeline);
    wl_display_disconnect(c.display);
    return 0;
}

int stall(bool fullscreen, bool shown_first) {
    SyncClient c;
    connect(c);
    c.map_window(fullscreen);
    if (fullscreen) c.go_fullscreen();
    c.sync = zwp_linux_explicit_synchronization_v1_get_synchronization(c.explicit_sync, c.surface);
    int timeline = open_sw_timeline();
    uint32_t value = 0;
    if (shown_first) {
        // Frames whose fences signal first, so that the buffers are on the plane.
        wl_buffer *buffers[2] = {c.udmabuf_buffer(0xff2060c0), c.udmabuf_buffer(0xffc06020)};
        for (int i = 0; i < 10; ++i) {
            size_t index = commit_fenced(c, buffers[i % 2], timeline, ++value);
            sw_signal(timeline);
            c.dispatch_until([&] { return c.frames[index].presented; }, 30000, "a signalled frame's presentation");
        }
    }
    wl_buffer *buffer = c.udmabuf_buffer(0xff808080);
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
    SyncClient c;
    connect(c);
    c.map_window();
    c.sync = zwp_linux_explicit_synchronization_v1_get_synchronization(c.explicit_sync, c.surface);
    int timeline = open_sw_timeline();
    size_t shown = commit_fenced(c, c.udmabuf_buffer(0xff2060c0), timeline, 1);
    sw_signal(timeline);
    c.dispatch_until([&] { return c.frames[shown].presented; }, 30000, "the first frame's presentation");
    size_t held = commit_fenced(c, c.udmabuf_buffer(0xffc06020), timeline, 2);
    wl_display_roundtrip(c.display);
    printf("ok: 0x2060c0 shown, 0xc06020 held on an unsignalled fence\n");
    c.dispatch_until([&] { return signal_asked != 0 || c.frames[held].presented; }, 3600 * 1000, "SIGUSR1");
    if (c.frames[held].presented) fail("the held frame was presented before its fence signalled");
    sw_signal(timeline);
    c.dispatch_until([&] { return c.frames[held].presented; }, 30000, "the held frame's presentation");
    printf("ok: 0xc06020 presented after the signal\n");
    c.dispatch_until([] { return false; }, 3600 * 1000, "nothing");
    return 0;
}

// linux-explicit-synchronization: a second set_acquire_fence in one commit
// cycle is the duplicate_fence protocol error (needs real sync_files: the
// host cannot make one, sw_sync in the guest can).
int duplicate() {
    SyncClient c;
    connect(c);
    c.map_window();
    c.sync = zwp_linux_explicit_synchronization_v1_get_synchronization(c.explicit_sync, c.surface);
    int timeline = open_sw_timeline();
    for (uint32_t value : {1u, 2u}) {
        int fence = sw_fence(timeline, value, "planar-dup");
        zwp_linux_surface_synchronization_v1_set_acquire_fence(c.sync, fence);
        close(fence);
    }
    c.expect_protocol_error("a second acquire fence", "zwp_linux_surface_synchronization_v1", "duplicate_fence",
                            ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_DUPLICATE_FENCE);
    close(timeline);
    wl_display_disconnect(c.display);
    return 0;
}

int rate(int seconds) {
    SyncClient c;
    connect(c);
    c.map_window();
    wl_buffer *buffers[2] = {c.udmabuf_buffer(0xff00ff00), c.udmabuf_buffer(0xff0000ff)};
    static const wl_callback_listener frame_listener = {
        .done = [](void *data, wl_callback *cb, uint32_t) {
            static_cast<SyncClient *>(data)->frame_done++;
            wl_callback_destroy(cb);
        }};
    uint64_t start = now_ns(), end = start + uint64_t(seconds) * 1000000000u;
    int frames = 0;
    while (now_ns() < end) {
        wl_surface_attach(c.surface, buffers[frames % 2], 0, 0);
        wl_surface_damage(c.surface, 0, 0, c.width, c.height);
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
    if (mode == "gate") return gate(argc > 2 ? atoi(argv[2]) : 100, false, argc > 3 ? argv[3] : nullptr);
    if (mode == "gate-fullscreen") return gate(argc > 2 ? atoi(argv[2]) : 100, true);
    if (mode == "stall") return stall(false, false);
    if (mode == "stall-fullscreen") return stall(true, true);
    if (mode == "stall-window") return stall(false, true);
    if (mode == "duplicate") return duplicate();
    if (mode == "hold") return hold();
    if (mode == "rate") return rate(argc > 2 ? atoi(argv[2]) : 5);
    if (mode == "probe") return probe();
    fprintf(stderr, "usage: sync_client gate N [RENDER_NODE] | gate-fullscreen N | stall | stall-fullscreen | stall-window | hold | duplicate | rate SECS | probe\n");
    return 2;
}
