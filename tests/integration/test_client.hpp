// TestClient: a minimal in-process Wayland client that shows one xdg_toplevel
// of a solid colour from wl_shm buffers and records what the compositor tells
// it: configures, frame callbacks, presentation feedback, protocol errors.
// Single-threaded; every wait dispatches with poll() against a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct wl_array;
struct wl_display;
struct wl_registry;
struct wl_compositor;
struct wl_shm;
struct wl_surface;
struct wl_buffer;
struct wl_callback;
struct xdg_wm_base;
struct zwp_idle_inhibit_manager_v1;
struct zwp_idle_inhibitor_v1;
struct xdg_surface;
struct xdg_toplevel;
struct zxdg_decoration_manager_v1;
struct zxdg_toplevel_decoration_v1;
struct wp_presentation;
struct wp_presentation_feedback;

struct wl_proxy;

namespace test_client {

// What wp_presentation_feedback said about one commit.
struct Feedback {
    enum class State { pending, presented, discarded } state = State::pending;
    uint32_t flags = 0;
    uint64_t seq = 0;
    uint32_t refresh_ns = 0;
    uint64_t time_ns = 0;
};

// When the events about one commit arrived, counted in dispatch_until's
// reads from the socket (a roundtrip's are not counted): events of one read
// were sent together (one flush of the compositor).
struct CommitEvents {
    int64_t done_read = -1;             // its frame callback's done
    int64_t replaced_release_read = -1; // release of the buffer this commit replaced
};

// What the toplevel asks for before its first commit.
struct WindowOptions {
    // zxdg_decoration_manager_v1: none asks nothing; the others create a
    // toplevel decoration and, unless no_preference, set that mode.
    enum class Decoration { none, no_preference, client_side, server_side } decoration = Decoration::none;
    bool fullscreen = false; // set_fullscreen(null) before the first commit
    bool maximized = false;  // set_maximized before the first commit
    // set_fullscreen(null) after the initial configure is acked, then the
    // first buffer (with a frame callback) before the fullscreen configure
    // comes: weston-simple-dmabuf-feedback's order, a client that draws
    // again only on frame callbacks.
    bool fullscreen_after_first_configure = false;
};

// One xdg_toplevel.configure with the xdg_surface.configure that applied it.
struct Configure {
    int width = 0, height = 0;
    bool activated = false, fullscreen = false, maximized = false;
};

class TestClient {
public:
    // Connects to `socket` (a name in XDG_RUNTIME_DIR or an absolute path;
    // empty: WAYLAND_DISPLAY) and binds the globals it uses. Check connected().
    explicit TestClient(const std::string &socket = {});
    ~TestClient();
    TestClient(const TestClient &) = delete;
    TestClient &operator=(const TestClient &) = delete;

    bool connected() const { return display_ != nullptr && error_.empty(); }
    // Why the connection failed or broke (a protocol error names interface and code).
    const std::string &error() const { return error_; }

    // Dispatches events until `done()` holds; false at the deadline or on a
    // broken connection.
    bool dispatch_until(const std::function<bool()> &done, std::chrono::milliseconds timeout);
    bool roundtrip();

    // Creates the toplevel, waits for its first configure, acks it and
    // commits the first buffer: the window is mapped after this returns true.
    // With fullscreen or maximized asked for, the buffer takes the size of
    // the first configure when it gives one, as a real client does.
    bool map_window(int width, int height, uint32_t xrgb, const WindowOptions &options = {});
    // Every configure received, in order (the first is the initial one).
    const std::vector<Configure> &configures() const { return configures_; }
    // The mode of the last zxdg_toplevel_decoration_v1.configure, 0 before one.
    uint32_t decoration_mode() const { return decoration_mode_; }
    int buffer_width() const { return width_; }
    int buffer_height() const { return height_; }
    // Ends the connection with every object still alive, the way a killed
    // client does: the compositor destroys them all in its own order.
    void abandon();
    // Destroys xdg_toplevel and xdg_surface while the toplevel decoration
    // still exists, then the decoration (the order winit clients such as
    // alacritty use on exit), and flushes.
    void destroy_toplevel_before_decoration();
    int configure_count() const { return configure_count_; }
    // Off: configures are recorded but acked only by ack_configures(), as a
    // client that is slow to take them.
    void set_auto_ack(bool on) { auto_ack_ = on; }
    void ack_configures();
    bool activated() const { return activated_; }

    // Attaches a free buffer, damages it all and commits; optionally asks for
    // a frame callback and presentation feedback. Returns the feedback index
    // (into feedback()) or -1 when none was requested.
    int commit(bool frame_callback, bool presentation_feedback);
    // Attaches a wl_shm buffer of any format from a pool of `pool_size` bytes
    // filled with `fill` (for formats and layouts the window's own buffers
    // never use), and commits. False when the request could not be made.
    bool commit_raw_shm(uint32_t wl_shm_format, int width, int height, int stride, size_t pool_size, uint8_t fill);
    // zwp_idle_inhibit_manager_v1: holds (or drops) an idle inhibitor on the
    // window's surface; false without the global or a window.
    bool set_idle_inhibited(bool inhibited);
    // A new wl_surface made an xdg_popup with no parent (allowed at creation:
    // a layer-shell client names the parent later) and committed without
    // one ever being given. False when the requests could not be made.
    bool commit_parentless_popup();
    // Commits on every frame callback for `duration`; returns frames counted.
    int run_frame_loop(std::chrono::milliseconds duration, bool presentation_feedback);

    const std::vector<Feedback> &feedback() const { return feedback_; }
    // One entry per commit(), in order.
    const std::vector<CommitEvents> &commits() const { return commits_; }
    uint32_t presentation_clock() const { return clock_id_; }
    int frames_done() const { return frames_done_; }

private:
    struct Buffer {
        TestClient *client = nullptr;
        wl_buffer *buffer = nullptr;
        bool busy = false;
        int replaced_by = -1; // the commit that attached another buffer over this one
    };
    Buffer *free_buffer();
    void set_error(const std::string &why);

    static void handle_global(void *data, wl_registry *, uint32_t name, const char *interface, uint32_t version);
    static void handle_global_remove(void *, wl_registry *, uint32_t) {}
    static void handle_configure(void *data, xdg_surface *surface, uint32_t serial);
    static void handle_toplevel_configure(void *data, xdg_toplevel *, int32_t, int32_t, wl_array *states);
    static void handle_close(void *, xdg_toplevel *) {}
    static void handle_decoration_configure(void *data, zxdg_toplevel_decoration_v1 *, uint32_t mode);
    static void handle_release(void *data, wl_buffer *buffer);
    static void handle_frame_done(void *data, wl_callback *callback, uint32_t time);

    wl_display *display_ = nullptr;
    wl_registry *registry_ = nullptr;
    wl_compositor *compositor_ = nullptr;
    wl_shm *shm_ = nullptr;
    xdg_wm_base *wm_base_ = nullptr;
    wp_presentation *presentation_ = nullptr;
    zxdg_decoration_manager_v1 *decoration_manager_ = nullptr;
    zxdg_toplevel_decoration_v1 *decoration_ = nullptr;
    zwp_idle_inhibit_manager_v1 *idle_inhibit_manager_ = nullptr;
    zwp_idle_inhibitor_v1 *idle_inhibitor_ = nullptr;
    uint32_t decoration_mode_ = 0;
    uint32_t clock_id_ = 0;

    wl_surface *surface_ = nullptr;
    xdg_surface *xdg_surface_ = nullptr;
    xdg_toplevel *toplevel_ = nullptr;
    int width_ = 0, height_ = 0;
    uint32_t colour_ = 0;
    int configure_count_ = 0;
    bool activated_ = false;
    bool auto_ack_ = true;
    uint32_t unacked_serial_ = 0;
    Configure pending_configure_;
    std::vector<Configure> configures_;

    std::vector<std::unique_ptr<Buffer>> buffers_;
    wl_callback *frame_callback_ = nullptr;
    int frame_callback_commit_ = -1;
    int frames_done_ = 0;
    Buffer *attached_ = nullptr; // the buffer of the last commit()
    std::vector<CommitEvents> commits_;
    int64_t reads_ = 0; // dispatch_until's reads from the socket
    // Feedback objects record into feedback_[index]; the listener data is the index.
    std::vector<Feedback> feedback_;
    std::map<struct wp_presentation_feedback *, size_t> feedback_index_;
    std::string error_;
    // Objects made for one request sequence, destroyed with the client (children first).
    std::vector<::wl_proxy *> extra_proxies_;

    friend struct FeedbackListener;
};

} // namespace test_client
