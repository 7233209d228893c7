#include "test_client.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wayland-client.h>

#include "idle-inhibit-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "unique_fd.hpp"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace test_client {

using Clock = std::chrono::steady_clock;

struct FeedbackListener {
    static Feedback &record(void *data, struct wp_presentation_feedback *feedback) {
        auto *client = static_cast<TestClient *>(data);
        return client->feedback_[client->feedback_index_.at(feedback)];
    }
    static void done(void *data, struct wp_presentation_feedback *feedback) {
        static_cast<TestClient *>(data)->feedback_index_.erase(feedback);
        wp_presentation_feedback_destroy(feedback);
    }
    static void sync_output(void *, struct wp_presentation_feedback *, wl_output *) {}
    static void presented(void *data, struct wp_presentation_feedback *feedback, uint32_t sec_hi, uint32_t sec_lo,
                          uint32_t nsec, uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo, uint32_t flags) {
        Feedback &f = record(data, feedback);
        f.state = Feedback::State::presented;
        f.flags = flags;
        f.refresh_ns = refresh;
        f.seq = (uint64_t(seq_hi) << 32) | seq_lo;
        f.time_ns = ((uint64_t(sec_hi) << 32) | sec_lo) * 1'000'000'000ull + nsec;
        done(data, feedback);
    }
    static void discarded(void *data, struct wp_presentation_feedback *feedback) {
        record(data, feedback).state = Feedback::State::discarded;
        done(data, feedback);
    }
};

namespace {

const wp_presentation_feedback_listener feedback_listener = {
    .sync_output = FeedbackListener::sync_output,
    .presented = FeedbackListener::presented,
    .discarded = FeedbackListener::discarded,
};

void handle_ping(void *, xdg_wm_base *wm_base, uint32_t serial) { xdg_wm_base_pong(wm_base, serial); }
const xdg_wm_base_listener wm_base_listener = {.ping = handle_ping};

void handle_clock_id(void *data, wp_presentation *, uint32_t clock) { *static_cast<uint32_t *>(data) = clock; }
const wp_presentation_listener presentation_listener = {.clock_id = handle_clock_id};

} // namespace

TestClient::TestClient(const std::string &socket) {
    display_ = wl_display_connect(socket.empty() ? nullptr : socket.c_str());
    if (display_ == nullptr) {
        error_ = "cannot connect to '" + socket + "': " + strerror(errno);
        return;
    }
    static const wl_registry_listener listener = {
        .global = handle_global,
        .global_remove = handle_global_remove,
    };
    registry_ = wl_display_get_registry(display_);
    wl_registry_add_listener(registry_, &listener, this);
    // Two round trips: globals, then the events of what was bound (clock_id).
    if (!roundtrip() || !roundtrip()) return;
    if (compositor_ == nullptr || shm_ == nullptr || wm_base_ == nullptr) {
        set_error("wl_compositor, wl_shm or xdg_wm_base is missing");
    }
}

TestClient::~TestClient() {
    if (display_ == nullptr) return;
    for (auto &[feedback, index] : feedback_index_) wp_presentation_feedback_destroy(feedback);
    if (frame_callback_ != nullptr) wl_callback_destroy(frame_callback_);
    for (wl_proxy *proxy : extra_proxies_) wl_proxy_destroy(proxy);
    if (idle_inhibitor_ != nullptr) zwp_idle_inhibitor_v1_destroy(idle_inhibitor_);
    if (idle_inhibit_manager_ != nullptr) zwp_idle_inhibit_manager_v1_destroy(idle_inhibit_manager_);
    if (decoration_ != nullptr) zxdg_toplevel_decoration_v1_destroy(decoration_);
    if (decoration_manager_ != nullptr) zxdg_decoration_manager_v1_destroy(decoration_manager_);
    for (auto &b : buffers_) wl_buffer_destroy(b->buffer);
    if (toplevel_ != nullptr) xdg_toplevel_destroy(toplevel_);
    if (xdg_surface_ != nullptr) xdg_surface_destroy(xdg_surface_);
    if (surface_ != nullptr) wl_surface_destroy(surface_);
    if (presentation_ != nullptr) wp_presentation_destroy(presentation_);
    if (wm_base_ != nullptr) xdg_wm_base_destroy(wm_base_);
    if (shm_ != nullptr) wl_shm_destroy(shm_);
    if (compositor_ != nullptr) wl_compositor_destroy(compositor_);
    wl_registry_destroy(registry_);
    wl_display_disconnect(display_);
}

void TestClient::set_error(const std::string &why) {
    if (error_.empty()) error_ = why;
}

void TestClient::handle_global(void *data, wl_registry *registry, uint32_t name, const char *interface,
                               uint32_t version) {
    auto *self = static_cast<TestClient *>(data);
    std::string iface = interface;
    auto bind = [&](const wl_interface *type, uint32_t max) {
        return wl_registry_bind(registry, name, type, std::min(version, max));
    };
    if (iface == wl_compositor_interface.name) {
        self->compositor_ = static_cast<wl_compositor *>(bind(&wl_compositor_interface, 4));
    } else if (iface == wl_shm_interface.name) {
        self->shm_ = static_cast<wl_shm *>(bind(&wl_shm_interface, 1));
    } else if (iface == xdg_wm_base_interface.name) {
        self->wm_base_ = static_cast<xdg_wm_base *>(bind(&xdg_wm_base_interface, 2));
        xdg_wm_base_add_listener(self->wm_base_, &wm_base_listener, self);
    } else if (iface == wp_presentation_interface.name) {
        self->presentation_ = static_cast<wp_presentation *>(bind(&wp_presentation_interface, 1));
        wp_presentation_add_listener(self->presentation_, &presentation_listener, &self->clock_id_);
    } else if (iface == zxdg_decoration_manager_v1_interface.name) {
        self->decoration_manager_ =
            static_cast<zxdg_decoration_manager_v1 *>(bind(&zxdg_decoration_manager_v1_interface, 1));
    } else if (iface == zwp_idle_inhibit_manager_v1_interface.name) {
        self->idle_inhibit_manager_ =
            static_cast<zwp_idle_inhibit_manager_v1 *>(bind(&zwp_idle_inhibit_manager_v1_interface, 1));
    }
}

void TestClient::abandon() {
    if (display_ == nullptr) return;
    wl_display_flush(display_);
    // The server sees the connection end with every object alive, as for a
    // killed process. The fd stays open until the destructor frees the
    // proxies locally (libwayland sends with MSG_NOSIGNAL: no SIGPIPE).
    shutdown(wl_display_get_fd(display_), SHUT_RDWR);
    set_error("abandoned");
}

void TestClient::destroy_toplevel_before_decoration() {
    if (toplevel_ != nullptr) xdg_toplevel_destroy(toplevel_);
    if (xdg_surface_ != nullptr) xdg_surface_destroy(xdg_surface_);
    toplevel_ = nullptr;
    xdg_surface_ = nullptr;
    if (decoration_ != nullptr) zxdg_toplevel_decoration_v1_destroy(decoration_);
    decoration_ = nullptr;
    if (display_ != nullptr) wl_display_flush(display_);
}

void TestClient::handle_decoration_configure(void *data, zxdg_toplevel_decoration_v1 *, uint32_t mode) {
    static_cast<TestClient *>(data)->decoration_mode_ = mode;
}

bool TestClient::dispatch_until(const std::function<bool()> &done, std::chrono::milliseconds timeout) {
    if (display_ == nullptr) return false;
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (wl_display_dispatch_pending(display_) < 0) break;
        if (done()) return true;
        // Flush everything we queued; EAGAIN only means the socket is full for now.
        if (wl_display_flush(display_) < 0 && errno != EAGAIN) break;
        if (wl_display_prepare_read(display_) != 0) continue; // events queued meanwhile
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p{wl_display_get_fd(display_), POLLIN, 0};
        if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) {
            wl_display_cancel_read(display_);
            if (left <= 0) return done();
            continue; // EINTR, or poll's rounding: check the deadline again
        }
        if (wl_display_read_events(display_) < 0) break;
        reads_++;
    }
    int code = wl_display_get_error(display_);
    if (code == EPROTO) {
        const wl_interface *iface = nullptr;
        uint32_t id = 0;
        uint32_t proto_code = wl_display_get_protocol_error(display_, &iface, &id);
        set_error("protocol error " + std::to_string(proto_code) + " on " + (iface ? iface->name : "?") + "@" +
                  std::to_string(id));
    } else {
        set_error(std::string("connection broken: ") + strerror(code));
    }
    return false;
}

bool TestClient::roundtrip() {
    if (display_ == nullptr) return false;
    if (wl_display_roundtrip(display_) < 0) {
        return dispatch_until([] { return false; }, std::chrono::milliseconds(0)); // records the error
    }
    return true;
}

void TestClient::handle_configure(void *data, xdg_surface *surface, uint32_t serial) {
    auto *self = static_cast<TestClient *>(data);
    self->configure_count_++;
    self->activated_ = self->pending_configure_.activated;
    self->configures_.push_back(self->pending_configure_);
    // The size suggested is ignored: a floating window may keep its own.
    if (self->auto_ack_) {
        xdg_surface_ack_configure(surface, serial);
    } else {
        self->unacked_serial_ = serial;
    }
}

void TestClient::ack_configures() {
    if (unacked_serial_ == 0) return;
    xdg_surface_ack_configure(xdg_surface_, unacked_serial_);
    unacked_serial_ = 0;
}

void TestClient::handle_toplevel_configure(void *data, xdg_toplevel *, int32_t width, int32_t height,
                                           wl_array *states) {
    auto *self = static_cast<TestClient *>(data);
    Configure configure;
    configure.width = width;
    configure.height = height;
    auto *state = static_cast<const uint32_t *>(states->data);
    for (size_t i = 0; i < states->size / sizeof(uint32_t); i++) {
        configure.activated |= state[i] == XDG_TOPLEVEL_STATE_ACTIVATED;
        configure.fullscreen |= state[i] == XDG_TOPLEVEL_STATE_FULLSCREEN;
        configure.maximized |= state[i] == XDG_TOPLEVEL_STATE_MAXIMIZED;
    }
    self->pending_configure_ = configure;
}

void TestClient::handle_release(void *data, wl_buffer *) {
    auto *buffer = static_cast<Buffer *>(data);
    buffer->busy = false;
    if (buffer->replaced_by >= 0) buffer->client->commits_[buffer->replaced_by].replaced_release_read = buffer->client->reads_;
    buffer->replaced_by = -1;
}

void TestClient::handle_frame_done(void *data, wl_callback *callback, uint32_t) {
    auto *self = static_cast<TestClient *>(data);
    wl_callback_destroy(callback);
    self->frame_callback_ = nullptr;
    self->frames_done_++;
    if (self->frame_callback_commit_ >= 0) self->commits_[self->frame_callback_commit_].done_read = self->reads_;
}

TestClient::Buffer *TestClient::free_buffer() {
    for (auto &b : buffers_) {
        if (!b->busy) return b.get();
    }
    const int stride = width_ * 4;
    const size_t size = static_cast<size_t>(stride) * height_;
    UniqueFd fd(memfd_create("planar-test-buffer", MFD_CLOEXEC));
    if (!fd || ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
        set_error(std::string("memfd: ") + strerror(errno));
        return nullptr;
    }
    void *map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (map == MAP_FAILED) {
        set_error(std::string("mmap: ") + strerror(errno));
        return nullptr;
    }
    std::fill_n(static_cast<uint32_t *>(map), size / 4, colour_);
    munmap(map, size);
    wl_shm_pool *pool = wl_shm_create_pool(shm_, fd.get(), static_cast<int32_t>(size));
    auto buffer = std::make_unique<Buffer>();
    buffer->client = this;
    buffer->buffer = wl_shm_pool_create_buffer(pool, 0, width_, height_, stride, WL_SHM_FORMAT_XRGB8888);
    wl_shm_pool_destroy(pool);
    static const wl_buffer_listener listener = {.release = handle_release};
    wl_buffer_add_listener(buffer->buffer, &listener, buffer.get());
    buffers_.push_back(std::move(buffer));
    return buffers_.back().get();
}

bool TestClient::map_window(int width, int height, uint32_t xrgb, const WindowOptions &options) {
    if (!connected()) return false;
    width_ = width;
    height_ = height;
    colour_ = xrgb;
    surface_ = wl_compositor_create_surface(compositor_);
    xdg_surface_ = xdg_wm_base_get_xdg_surface(wm_base_, surface_);
    static const xdg_surface_listener surface_listener = {.configure = handle_configure};
    xdg_surface_add_listener(xdg_surface_, &surface_listener, this);
    toplevel_ = xdg_surface_get_toplevel(xdg_surface_);
    static const xdg_toplevel_listener toplevel_listener = {
        .configure = handle_toplevel_configure,
        .close = handle_close,
        .configure_bounds = nullptr, // xdg_wm_base v4; we bind v2
    };
    xdg_toplevel_add_listener(toplevel_, &toplevel_listener, this);
    xdg_toplevel_set_title(toplevel_, "planar integration test");
    xdg_toplevel_set_app_id(toplevel_, "planar-test");
    if (options.decoration != WindowOptions::Decoration::none) {
        if (decoration_manager_ == nullptr) {
            set_error("no zxdg_decoration_manager_v1");
            return false;
        }
        decoration_ = zxdg_decoration_manager_v1_get_toplevel_decoration(decoration_manager_, toplevel_);
        static const zxdg_toplevel_decoration_v1_listener decoration_listener = {
            .configure = handle_decoration_configure};
        zxdg_toplevel_decoration_v1_add_listener(decoration_, &decoration_listener, this);
        if (options.decoration == WindowOptions::Decoration::client_side) {
            zxdg_toplevel_decoration_v1_set_mode(decoration_, ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE);
        } else if (options.decoration == WindowOptions::Decoration::server_side) {
            zxdg_toplevel_decoration_v1_set_mode(decoration_, ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
        }
    }
    if (options.fullscreen) xdg_toplevel_set_fullscreen(toplevel_, nullptr);
    if (options.maximized) xdg_toplevel_set_maximized(toplevel_);
    // xdg-shell: the initial commit carries no buffer and asks for a configure.
    wl_surface_commit(surface_);
    if (!dispatch_until([this] { return configure_count_ > 0; }, std::chrono::seconds(10))) {
        set_error("no initial configure within 10 s");
        return false;
    }
    const Configure &first = configures_.front();
    if ((options.fullscreen || options.maximized) && first.width > 0 && first.height > 0) {
        width_ = first.width;
        height_ = first.height;
    }
    if (options.fullscreen_after_first_configure) {
        xdg_toplevel_set_fullscreen(toplevel_, nullptr);
        commit(true, false);
        return connected();
    }
    commit(false, false);
    return connected();
}

int TestClient::commit(bool frame_callback, bool presentation_feedback) {
    Buffer *buffer = free_buffer();
    if (buffer == nullptr) return -1;
    buffer->busy = true;
    const int commit_index = static_cast<int>(commits_.size());
    commits_.emplace_back();
    if (attached_ != nullptr && attached_ != buffer) attached_->replaced_by = commit_index;
    attached_ = buffer;
    wl_surface_attach(surface_, buffer->buffer, 0, 0);
    wl_surface_damage_buffer(surface_, 0, 0, width_, height_);
    if (frame_callback && frame_callback_ == nullptr) {
        static const wl_callback_listener listener = {.done = handle_frame_done};
        frame_callback_ = wl_surface_frame(surface_);
        frame_callback_commit_ = commit_index;
        wl_callback_add_listener(frame_callback_, &listener, this);
    }
    int index = -1;
    if (presentation_feedback && presentation_ != nullptr) {
        struct wp_presentation_feedback *feedback = ::wp_presentation_feedback(presentation_, surface_);
        index = static_cast<int>(feedback_.size());
        feedback_.emplace_back();
        feedback_index_[feedback] = static_cast<size_t>(index);
        wp_presentation_feedback_add_listener(feedback, &feedback_listener, this);
    }
    wl_surface_commit(surface_);
    wl_display_flush(display_);
    return index;
}

bool TestClient::commit_raw_shm(uint32_t wl_shm_format, int width, int height, int stride, size_t pool_size,
                                uint8_t fill) {
    if (!connected() || surface_ == nullptr) return false;
    UniqueFd fd(memfd_create("planar-test-raw", MFD_CLOEXEC));
    if (!fd || ftruncate(fd.get(), static_cast<off_t>(pool_size)) != 0) return false;
    void *map = mmap(nullptr, pool_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (map == MAP_FAILED) return false;
    memset(map, fill, pool_size);
    munmap(map, pool_size);
    wl_shm_pool *pool = wl_shm_create_pool(shm_, fd.get(), static_cast<int32_t>(pool_size));
    wl_buffer *buffer = wl_shm_pool_create_buffer(pool, 0, width, height, stride, wl_shm_format);
    wl_shm_pool_destroy(pool);
    wl_surface_attach(surface_, buffer, 0, 0);
    wl_surface_damage_buffer(surface_, 0, 0, width, height);
    wl_surface_commit(surface_);
    // The compositor holds its own reference until it releases the buffer.
    wl_buffer_destroy(buffer);
    return wl_display_flush(display_) >= 0 || errno == EAGAIN;
}

bool TestClient::set_idle_inhibited(bool inhibited) {
    if (!connected() || surface_ == nullptr || idle_inhibit_manager_ == nullptr) return false;
    if (inhibited && idle_inhibitor_ == nullptr) {
        idle_inhibitor_ = zwp_idle_inhibit_manager_v1_create_inhibitor(idle_inhibit_manager_, surface_);
    } else if (!inhibited && idle_inhibitor_ != nullptr) {
        zwp_idle_inhibitor_v1_destroy(idle_inhibitor_);
        idle_inhibitor_ = nullptr;
    }
    return roundtrip();
}

bool TestClient::commit_parentless_popup() {
    if (!connected() || wm_base_ == nullptr) return false;
    wl_surface *surface = wl_compositor_create_surface(compositor_);
    xdg_surface *popup_base = xdg_wm_base_get_xdg_surface(wm_base_, surface);
    xdg_positioner *positioner = xdg_wm_base_create_positioner(wm_base_);
    xdg_positioner_set_size(positioner, 10, 10);
    xdg_positioner_set_anchor_rect(positioner, 0, 0, 1, 1);
    xdg_popup *popup = xdg_surface_get_popup(popup_base, nullptr, positioner);
    xdg_positioner_destroy(positioner);
    wl_surface_commit(surface);
    for (void *proxy : {static_cast<void *>(popup), static_cast<void *>(popup_base), static_cast<void *>(surface)}) {
        extra_proxies_.push_back(static_cast<wl_proxy *>(proxy));
    }
    return wl_display_flush(display_) >= 0 || errno == EAGAIN;
}

int TestClient::run_frame_loop(std::chrono::milliseconds duration, bool presentation_feedback) {
    const int start = frames_done_;
    auto end = Clock::now() + duration;
    int seen = frames_done_;
    commit(true, presentation_feedback);
    while (Clock::now() < end && connected()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
        if (!dispatch_until([&] { return frames_done_ != seen; }, left)) break;
        seen = frames_done_;
        // Draw the next frame only when the compositor asks for it, as a real client does.
        commit(true, presentation_feedback);
    }
    return frames_done_ - start;
}

} // namespace test_client
