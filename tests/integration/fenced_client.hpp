// fenced_client: what sync_client and syncobj_client (tests/vm sync-*) share:
// a connection with the common globals, one xdg_toplevel, udmabuf frames with
// presentation feedback, and sw_sync fences (the guest has udmabuf and
// sw_sync; the host has neither). Each client binds the sync protocol it tests
// in its own Client::bind. A failure prints "FAIL: reason" and exits 1; the
// guest tests parse those lines and the "ok: ..." ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

struct wl_buffer;
struct wl_compositor;
struct wl_display;
struct wl_registry;
struct wl_surface;
struct wp_presentation;
struct xdg_wm_base;
struct zwp_linux_dmabuf_v1;

namespace fenced {

[[noreturn]] void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t now_ns();

// sw_sync (drivers/dma-buf/sw_sync.c) through debugfs: a timeline, an
// unsignalled fence at `value` on it (named "<name>-<value>"), and a signal
// that advances the timeline by one.
int open_sw_timeline();
int sw_fence(int sw_timeline, uint32_t value, const char *name);
void sw_signal(int sw_timeline);

// Prints the median, min and max of `latencies` (from present_after_signal)
// after "ok: <signal> signal -> presented latency", and how many were within
// one and two periods of `refresh_ns` (0: unknown, not printed).
void print_latencies(const char *signal, std::vector<uint64_t> latencies, uint64_t refresh_ns);

// What presentation feedback said about one commit.
struct Frame {
    bool presented = false, discarded = false;
    uint64_t presented_ns = 0;
    uint64_t refresh_ns = 0; // the output's refresh period; 0: unknown
};

struct Client {
    // `title`: the toplevel's (the guest tests find the surface by it).
    // `poll_ms`: how long dispatch_until waits for events before it checks
    // `done` again, which bounds how late a time-based `done` is seen.
    Client(const char *title, int poll_ms) : title_(title), poll_ms_(poll_ms) {}
    virtual ~Client() = default;
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    wl_display *display = nullptr;
    wl_compositor *compositor = nullptr;
    xdg_wm_base *wm_base = nullptr;
    zwp_linux_dmabuf_v1 *dmabuf = nullptr;
    wp_presentation *presentation = nullptr;
    wl_surface *surface = nullptr;
    bool configured = false;
    // The buffer size: fixed for a window, the configured size when fullscreen.
    int width = 256, height = 192;
    std::deque<Frame> frames; // stable addresses: feedback listeners point into it

    // Connects and binds the common globals and, through bind(), the client's own.
    void connect();
    // Fails with "a global is missing" unless every common global was bound.
    void require_globals() const;
    // Binds a global beyond the common ones.
    virtual void bind(wl_registry *registry, uint32_t name, const std::string &interface) = 0;

    void dispatch_until(const std::function<bool()> &done, int timeout_ms, const char *what);
    // Dispatches events until `until_ns` (now_ns's clock) and returns then,
    // not at the next event or poll period after it: a signal sent next
    // happens at the caller's chosen moment of the refresh cycle, not just
    // after the vblank whose events woke the client.
    void pause_until(uint64_t until_ns);
    // Maps the toplevel and waits for its first configure; `fullscreen` asks
    // for it and takes the size of later configures.
    void map_window(bool fullscreen = false);
    // After map_window(true): maps with a black first buffer and waits for
    // the configure that gives the output's size (planar makes a window
    // fullscreen when it maps).
    void go_fullscreen();
    // A udmabuf of one XRGB8888 frame filled with `colour`, as a wl_buffer.
    wl_buffer *udmabuf_buffer(uint32_t colour);
    // The same as a dumb buffer of `card` (a KMS node of the compositor's
    // device): what a device that cannot import foreign dma-bufs (virtio-gpu)
    // can still scan out.
    wl_buffer *dumb_buffer(int card, uint32_t colour);
    // The same from GBM on `render_node` (a GPU's: what its EGL can sample,
    // virgl in tests/vm), written through a GBM mapping.
    wl_buffer *gbm_buffer(const char *render_node, uint32_t colour);
    // Asks for presentation feedback on the next commit; returns the index of
    // its Frame in `frames`.
    size_t request_feedback();
    // The refresh period the latest presentation feedback gave; 0: none did.
    uint64_t refresh_ns() const;
    // Signals `sw_timeline`, which releases frame `index` (`number` in FAIL
    // lines) held on `what` (its fence, its acquire point), and waits for the
    // frame's presentation; returns the time from the signal to it.
    uint64_t present_after_signal(int sw_timeline, size_t index, int number, const char *what);
    // Roundtrips and fails unless the compositor posted `interface`.`error`
    // (`code`) for `request` (what the client just did wrong); prints an
    // "ok:" line saying so.
    void expect_protocol_error(const char *request, const char *interface, const char *error, uint32_t code);

private:
    // Wraps one linear XRGB8888 plane (`fd`, closed here) as a wl_buffer.
    wl_buffer *linear_buffer(int fd, uint32_t stride);

    const char *title_;
    int poll_ms_;
};

} // namespace fenced
