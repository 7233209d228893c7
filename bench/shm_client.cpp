// planar-bench-shm: one wl_shm client for frame-timing benchmarks. It redraws
// (full damage, or a band of rows with --band) and commits on every frame
// callback, or with --rate HZ every 1/HZ s from its own CLOCK_MONOTONIC
// timerfd whatever the compositor's frame callbacks say (a video player or a
// camera); it asks for presentation feedback on each commit, and after
// --seconds prints one line of figures:
//   fps, commit->frame-done p50/p99, commit->presented p50/p99 (ms),
//   presented/discarded counts, and the ZERO_COPY count, then
//   presentation=yes|no (whether the compositor offers wp_presentation) and
//   starved=yes|no (no frame callback for a while: e.g. a hidden window);
// with --rate also rate=, late= and repeated= (refreshes a commit waited past
// the first one after it), missed_ticks= (our own clock's ticks we slept
// through) and refresh= (the output's period from the feedback, ms).
// It draws at the size the compositor configures (reallocating its buffers
// when that changes), else at --size; the line reports the size used last.
// Works against any compositor with xdg_wm_base; wp_presentation is optional.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <string>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <vector>
#include <wayland-client.h>

#include "presentation-time-client-protocol.h"
#include "unique_fd.hpp"
#include "xdg-shell-client-protocol.h"

namespace {

struct Options {
    int width = 1920, height = 1080;
    int band = 0; // rows redrawn per frame; 0 = full damage
    double seconds = 10;
    bool fullscreen = false;
    double rate = 0; // commits per second from our own clock; 0 = on frame callbacks
    std::string name = "client";
};

double now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct Buffer {
    wl_buffer *buffer = nullptr;
    uint32_t *pixels = nullptr;
    bool busy = false;
};

struct Client {
    Options opt;
    wl_display *display = nullptr;
    wl_compositor *compositor = nullptr;
    wl_shm *shm = nullptr;
    xdg_wm_base *wm_base = nullptr;
    wp_presentation *presentation = nullptr;
    clockid_t clock = CLOCK_MONOTONIC;
    wl_surface *surface = nullptr;
    xdg_surface *xsurface = nullptr;
    xdg_toplevel *toplevel = nullptr;
    Buffer buffers[3];
    int width = 0, height = 0;
    int pending_width = 0, pending_height = 0; // last configured size, 0 = ours
    bool configured = false;
    bool starved = false;
    bool running = true;
    unsigned frame_index = 0;
    double start_ms = 0, last_commit_ms = 0;
    int frames = 0; // on frame callbacks: completed frames; with --rate: commits
    std::vector<double> frame_done_ms, presented_ms;
    int presented = 0, discarded = 0, zero_copy = 0;
    // --rate: our clock, and what became of each commit.
    UniqueFd timer;
    int missed_ticks = 0;
    int late = 0, repeated = 0;
    double refresh_ms = 0; // the output's period as the last feedback gave it; 0 = unknown
    int feedback_pending = 0;
    double last_event_ms = 0; // last frame-done, presented or discarded
};

void registry_global(void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t) {
    auto *c = static_cast<Client *>(data);
    if (strcmp(interface, wl_compositor_interface.name) == 0) {
        c->compositor = static_cast<wl_compositor *>(wl_registry_bind(registry, name, &wl_compositor_interface, 4));
    } else if (strcmp(interface, wl_shm_interface.name) == 0) {
        c->shm = static_cast<wl_shm *>(wl_registry_bind(registry, name, &wl_shm_interface, 1));
    } else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
        c->wm_base = static_cast<xdg_wm_base *>(wl_registry_bind(registry, name, &xdg_wm_base_interface, 1));
    } else if (strcmp(interface, wp_presentation_interface.name) == 0) {
        c->presentation = static_cast<wp_presentation *>(wl_registry_bind(registry, name, &wp_presentation_interface, 1));
    }
}
void registry_remove(void *, wl_registry *, uint32_t) {}
const wl_registry_listener registry_listener = {registry_global, registry_remove};

void wm_ping(void *, xdg_wm_base *wm, uint32_t serial) { xdg_wm_base_pong(wm, serial); }
const xdg_wm_base_listener wm_listener = {wm_ping};

void presentation_clock(void *data, wp_presentation *, uint32_t clk) { static_cast<Client *>(data)->clock = clk; }
const wp_presentation_listener presentation_listener = {presentation_clock};

void buffer_release(void *data, wl_buffer *) { static_cast<Buffer *>(data)->busy = false; }
const wl_buffer_listener buffer_listener = {buffer_release};

void xsurface_configure(void *data, xdg_surface *s, uint32_t serial) {
    xdg_surface_ack_configure(s, serial);
    static_cast<Client *>(data)->configured = true;
}
const xdg_surface_listener xsurface_listener = {xsurface_configure};

void toplevel_configure(void *data, xdg_toplevel *, int32_t w, int32_t h, wl_array *) {
    auto *c = static_cast<Client *>(data);
    // Honour the compositor's size (tiling, fullscreen, kiosk); 0x0 leaves
    // it to us.
    c->pending_width = w;
    c->pending_height = h;
}
void toplevel_close(void *data, xdg_toplevel *) { static_cast<Client *>(data)->running = false; }
const xdg_toplevel_listener toplevel_listener = {toplevel_configure, toplevel_close};

// One commit's time, for the callback or feedback it asked for.
struct FeedbackData {
    Client *client;
    double commit_ms;
};

void fb_sync_output(void *, struct wp_presentation_feedback *, wl_output *) {}
void fb_presented(void *data, struct wp_presentation_feedback *fb, uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec,
                  uint32_t refresh, uint32_t, uint32_t, uint32_t flags) {
    auto *d = static_cast<FeedbackData *>(data);
    Client *c = d->client;
    timespec ts{};
    clock_gettime(c->clock, &ts);
    double now_clock = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
    double when = ((static_cast<uint64_t>(sec_hi) << 32 | sec_lo) * 1e3) + nsec / 1e6;
    // Commit time was taken on CLOCK_MONOTONIC; the presentation clock is
    // CLOCK_MONOTONIC on every compositor measured here. Translate anyway.
    double offset = now_ms() - now_clock;
    double latency = when + offset - d->commit_ms;
    c->presented_ms.push_back(latency);
    c->presented++;
    if (flags & WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY) c->zero_copy++;
    if (c->opt.rate > 0 && refresh > 0) {
        // presentation-time: `refresh` is the output's period in ns. Every
        // full period between the commit and its presentation is a refresh
        // that showed an older frame although this one was there.
        c->refresh_ms = refresh / 1e6;
        int waited = static_cast<int>((latency - 0.001) / c->refresh_ms);
        if (waited > 0) {
            c->late++;
            c->repeated += waited;
        }
    }
    c->feedback_pending--;
    c->last_event_ms = now_ms();
    wp_presentation_feedback_destroy(fb);
    delete d;
}
void fb_discarded(void *data, struct wp_presentation_feedback *fb) {
    auto *d = static_cast<FeedbackData *>(data);
    d->client->discarded++;
    d->client->feedback_pending--;
    d->client->last_event_ms = now_ms();
    wp_presentation_feedback_destroy(fb);
    delete d;
}
const wp_presentation_feedback_listener feedback_listener = {fb_sync_output, fb_presented, fb_discarded};

void draw_and_commit(Client *c);

void frame_done(void *data, wl_callback *cb, uint32_t) {
    auto *c = static_cast<Client *>(data);
    wl_callback_destroy(cb);
    c->frame_done_ms.push_back(now_ms() - c->last_commit_ms);
    c->frames++;
    if (now_ms() - c->start_ms >= c->opt.seconds * 1000) {
        c->running = false;
        return;
    }
    draw_and_commit(c);
}
const wl_callback_listener frame_listener = {frame_done};

// --rate: a frame callback is only measured; the next commit waits for our
// clock.
void rate_frame_done(void *data, wl_callback *cb, uint32_t) {
    auto *d = static_cast<FeedbackData *>(data);
    wl_callback_destroy(cb);
    d->client->frame_done_ms.push_back(now_ms() - d->commit_ms);
    d->client->last_event_ms = now_ms();
    delete d;
}
const wl_callback_listener rate_frame_listener = {rate_frame_done};

void destroy_buffers(Client *c) {
    for (Buffer &b : c->buffers) {
        if (b.buffer == nullptr) continue;
        wl_buffer_destroy(b.buffer);
        munmap(b.pixels, static_cast<size_t>(c->width) * 4 * c->height);
        b = Buffer{};
    }
}

bool create_buffers(Client *c) {
    int stride = c->width * 4;
    size_t size = static_cast<size_t>(stride) * c->height;
    for (Buffer &b : c->buffers) {
        UniqueFd fd(memfd_create("bench-shm", MFD_CLOEXEC));
        if (!fd || ftruncate(fd.get(), static_cast<off_t>(size)) != 0) return false;
        void *data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
        if (data == MAP_FAILED) return false;
        wl_shm_pool *pool = wl_shm_create_pool(c->shm, fd.get(), static_cast<int32_t>(size));
        b.buffer = wl_shm_pool_create_buffer(pool, 0, c->width, c->height, stride, WL_SHM_FORMAT_XRGB8888);
        wl_shm_pool_destroy(pool);
        b.pixels = static_cast<uint32_t *>(data);
        wl_buffer_add_listener(b.buffer, &buffer_listener, &b);
        std::fill(b.pixels, b.pixels + static_cast<size_t>(c->width) * c->height, 0xff202020u);
    }
    return true;
}

// Adopt a newly configured size before drawing; true when the buffers were
// reallocated (the next frame then damages everything).
bool apply_configured_size(Client *c) {
    int w = c->pending_width > 0 ? c->pending_width : c->opt.width;
    int h = c->pending_height > 0 ? c->pending_height : c->opt.height;
    if (w == c->width && h == c->height) return false;
    destroy_buffers(c);
    c->width = w;
    c->height = h;
    if (!create_buffers(c)) {
        fprintf(stderr, "planar-bench-shm: cannot allocate shm buffers: %s\n", strerror(errno));
        exit(1);
    }
    return true;
}

void draw_and_commit(Client *c) {
    bool resized = apply_configured_size(c);
    Buffer *buffer = nullptr;
    for (Buffer &b : c->buffers) {
        if (!b.busy) {
            buffer = &b;
            break;
        }
    }
    if (buffer == nullptr) {
        fprintf(stderr, "%s: all buffers busy\n", c->opt.name.c_str());
        buffer = &c->buffers[0];
    }
    unsigned f = c->frame_index++;
    uint32_t color = 0xff000000u | ((f * 3) & 0xff) << 16 | ((f * 7) & 0xff) << 8 | ((f * 11) & 0xff);
    int y0 = 0, rows = c->height;
    if (c->opt.band > 0 && !resized) {
        rows = std::min(c->opt.band, c->height);
        y0 = static_cast<int>((f * static_cast<unsigned>(rows)) % static_cast<unsigned>(c->height - rows + 1));
    }
    // Every buffer of the ring must hold the band too: redraw the band in
    // the buffer we are about to attach (the rest of it is stale but equal).
    std::fill(buffer->pixels + static_cast<size_t>(y0) * c->width,
              buffer->pixels + static_cast<size_t>(y0 + rows) * c->width, color);
    wl_surface_attach(c->surface, buffer->buffer, 0, 0);
    wl_surface_damage_buffer(c->surface, 0, y0, c->width, rows);
    c->last_commit_ms = now_ms();
    wl_callback *cb = wl_surface_frame(c->surface);
    if (c->opt.rate > 0) {
        wl_callback_add_listener(cb, &rate_frame_listener, new FeedbackData{c, c->last_commit_ms});
        c->frames++;
    } else {
        wl_callback_add_listener(cb, &frame_listener, c);
    }
    if (c->presentation != nullptr) {
        struct wp_presentation_feedback *fb = wp_presentation_feedback(c->presentation, c->surface);
        wp_presentation_feedback_add_listener(fb, &feedback_listener, new FeedbackData{c, c->last_commit_ms});
        c->feedback_pending++;
    }
    buffer->busy = true;
    wl_surface_commit(c->surface);
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

// --rate: one tick of our clock. Commits once however many ticks passed
// (the ones slept through are counted, not made up for).
void rate_tick(Client *c) {
    uint64_t expirations = 0;
    if (read(c->timer.get(), &expirations, sizeof(expirations)) != sizeof(expirations)) return;
    if (expirations > 1) c->missed_ticks += static_cast<int>(expirations - 1);
    if (now_ms() - c->start_ms >= c->opt.seconds * 1000) {
        c->running = false;
        return;
    }
    draw_and_commit(c);
}

bool start_clock(Client *c) {
    c->timer = UniqueFd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!c->timer) return false;
    auto period = static_cast<int64_t>(1e9 / c->opt.rate + 0.5);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t first = now.tv_sec * 1'000'000'000LL + now.tv_nsec + period;
    itimerspec spec{};
    spec.it_value = {static_cast<time_t>(first / 1'000'000'000LL), static_cast<long>(first % 1'000'000'000LL)};
    spec.it_interval = {static_cast<time_t>(period / 1'000'000'000LL), static_cast<long>(period % 1'000'000'000LL)};
    return timerfd_settime(c->timer.get(), TFD_TIMER_ABSTIME, &spec, nullptr) == 0;
}

int usage() {
    fprintf(stderr, "usage: planar-bench-shm [--size WxH] [--band ROWS] [--seconds S] [--rate HZ] [--fullscreen] [--name NAME]\n");
    return 2;
}

} // namespace

int main(int argc, char **argv) {
    Client c;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto next = [&]() -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
        const char *v = nullptr;
        if (a == "--size" && (v = next())) {
            if (sscanf(v, "%dx%d", &c.opt.width, &c.opt.height) != 2) return usage();
        } else if (a == "--band" && (v = next())) {
            c.opt.band = atoi(v);
        } else if (a == "--seconds" && (v = next())) {
            c.opt.seconds = atof(v);
        } else if (a == "--rate" && (v = next())) {
            c.opt.rate = atof(v);
            if (!(c.opt.rate > 0 && c.opt.rate <= 1000)) return usage();
        } else if (a == "--name" && (v = next())) {
            c.opt.name = v;
        } else if (a == "--fullscreen") {
            c.opt.fullscreen = true;
        } else {
            return usage();
        }
    }
    c.display = wl_display_connect(nullptr);
    if (c.display == nullptr) {
        fprintf(stderr, "planar-bench-shm: cannot connect to a Wayland display\n");
        return 1;
    }
    wl_registry *registry = wl_display_get_registry(c.display);
    wl_registry_add_listener(registry, &registry_listener, &c);
    wl_display_roundtrip(c.display);
    if (c.compositor == nullptr || c.shm == nullptr || c.wm_base == nullptr) {
        fprintf(stderr, "planar-bench-shm: the compositor lacks wl_compositor, wl_shm or xdg_wm_base\n");
        return 1;
    }
    xdg_wm_base_add_listener(c.wm_base, &wm_listener, &c);
    if (c.presentation != nullptr) wp_presentation_add_listener(c.presentation, &presentation_listener, &c);
    c.surface = wl_compositor_create_surface(c.compositor);
    c.xsurface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
    xdg_surface_add_listener(c.xsurface, &xsurface_listener, &c);
    c.toplevel = xdg_surface_get_toplevel(c.xsurface);
    xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, &c);
    xdg_toplevel_set_title(c.toplevel, "planar-bench-shm");
    xdg_toplevel_set_app_id(c.toplevel, c.opt.name.c_str()); // lets a peer's rules place each client
    if (c.opt.fullscreen) xdg_toplevel_set_fullscreen(c.toplevel, nullptr);
    wl_surface_commit(c.surface);
    while (!c.configured && wl_display_dispatch(c.display) >= 0) {}
    apply_configured_size(&c);
    c.start_ms = now_ms();
    c.last_event_ms = c.start_ms;
    if (c.opt.rate > 0 && !start_clock(&c)) {
        fprintf(stderr, "planar-bench-shm: cannot start a timerfd: %s\n", strerror(errno));
        return 1;
    }
    draw_and_commit(&c);
    // Dispatch until --seconds are up; a window the compositor does not show
    // may get no frame callback at all, so give up 2 s after the end anyway.
    double last_frame_ms = c.start_ms;
    int last_frames = 0;
    while (c.running) {
        if (wl_display_dispatch_pending(c.display) < 0) break;
        if (!c.running) break;
        wl_display_flush(c.display);
        pollfd pfds[2] = {{wl_display_get_fd(c.display), POLLIN, 0}, {c.timer ? c.timer.get() : -1, POLLIN, 0}};
        int ready = poll(pfds, 2, 250);
        if (ready < 0 && errno != EINTR) break;
        if (ready > 0 && (pfds[0].revents & (POLLIN | POLLERR | POLLHUP)) && wl_display_dispatch(c.display) < 0) break;
        if (ready > 0 && (pfds[1].revents & POLLIN)) rate_tick(&c);
        double now = now_ms();
        if (c.opt.rate > 0) {
            // Our clock ends the run; the compositor may only fall silent.
            if (now - c.last_event_ms >= 5000) {
                c.starved = true;
                break;
            }
        } else if (c.frames != last_frames) {
            last_frames = c.frames;
            last_frame_ms = now;
        } else if (now - c.start_ms >= c.opt.seconds * 1000 + 2000 || now - last_frame_ms >= 5000) {
            c.starved = true;
            break;
        }
    }
    double elapsed_s = (now_ms() - c.start_ms) / 1000.0;
    // Let the last feedback events arrive.
    wl_display_roundtrip(c.display);
    if (c.opt.rate > 0) {
        // The last commits are presented at the next refreshes: wait for them
        // a little (a compositor that never presents keeps them pending).
        double until = now_ms() + 250;
        while (c.feedback_pending > 0 && now_ms() < until) {
            wl_display_flush(c.display);
            pollfd pfd{wl_display_get_fd(c.display), POLLIN, 0};
            int ready = poll(&pfd, 1, 10);
            if (ready < 0 && errno != EINTR) break;
            if (ready > 0 && wl_display_dispatch(c.display) < 0) break;
        }
    }
    printf("%s: %dx%d %s fps=%.1f frame_done_p50=%.2f p99=%.2f presented_p50=%.2f p99=%.2f presented=%d "
           "discarded=%d zero_copy=%d frames=%d presentation=%s starved=%s",
           c.opt.name.c_str(), c.width, c.height, c.opt.band > 0 ? "band" : "full", c.frames / elapsed_s,
           percentile(c.frame_done_ms, 0.5), percentile(c.frame_done_ms, 0.99), percentile(c.presented_ms, 0.5),
           percentile(c.presented_ms, 0.99), c.presented, c.discarded, c.zero_copy, c.frames,
           c.presentation != nullptr ? "yes" : "no", c.starved ? "yes" : "no");
    if (c.opt.rate > 0) {
        printf(" rate=%.3f late=%d repeated=%d missed_ticks=%d refresh=%.3f", c.opt.rate, c.late, c.repeated,
               c.missed_ticks, c.refresh_ms);
    }
    printf("\n");
    wl_display_disconnect(c.display);
    return 0;
}
