#include "window.hpp"

#include <cstdio>
#include <ctime>

namespace client {

namespace {
double now_s(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return double(ts.tv_sec) + ts.tv_nsec / 1e9;
}
} // namespace

double FrameStats::fps() const {
    if (presented < 2 || last_presented_s <= first_presented_s) return 0;
    return (presented - 1) / (last_presented_s - first_presented_s);
}

const xdg_surface_listener Window::xdg_surface_listener_ = {
    .configure =
        [](void *data, xdg_surface *surface, uint32_t serial) {
            auto *w = static_cast<Window *>(data);
            xdg_surface_ack_configure(surface, serial);
            // xdg-shell: 0x0 leaves the size to the client.
            if (w->pending_width_ > 0 && w->pending_height_ > 0 &&
                (w->pending_width_ != w->width_ || w->pending_height_ != w->height_)) {
                w->width_ = w->pending_width_;
                w->height_ = w->pending_height_;
                w->resized_ = true;
            }
            w->configured_ = true;
        },
};

const xdg_toplevel_listener Window::toplevel_listener_ = {
    .configure =
        [](void *data, xdg_toplevel *, int32_t width, int32_t height, wl_array *) {
            auto *w = static_cast<Window *>(data);
            // Only a fullscreen request makes us follow the compositor's
            // size; otherwise the buffer size the user asked for stays.
            if (w->options_.fullscreen) {
                w->pending_width_ = width;
                w->pending_height_ = height;
            }
        },
    .close = [](void *data, xdg_toplevel *) { static_cast<Window *>(data)->closed_ = true; },
};

const wl_callback_listener Window::frame_listener_ = {
    .done =
        [](void *data, wl_callback *callback, uint32_t) {
            auto *w = static_cast<Window *>(data);
            wl_callback_destroy(callback);
            w->frame_ = nullptr;
        },
};

const wp_presentation_feedback_listener Window::presentation_listener_ = {
    .sync_output = [](void *, struct wp_presentation_feedback *, wl_output *) {},
    .presented =
        [](void *data, struct wp_presentation_feedback *feedback, uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec,
           uint32_t, uint32_t, uint32_t, uint32_t flags) {
            auto *w = static_cast<Window *>(data);
            double t = double((uint64_t(sec_hi) << 32) | sec_lo) + nsec / 1e9;
            if (w->stats_.presented == 0) w->stats_.first_presented_s = t;
            w->stats_.last_presented_s = t;
            w->stats_.presented++;
            if (flags & WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY) w->stats_.zero_copy++;
            w->stats_.outstanding--;
            wp_presentation_feedback_destroy(feedback);
        },
    .discarded =
        [](void *data, struct wp_presentation_feedback *feedback) {
            auto *w = static_cast<Window *>(data);
            w->stats_.discarded++;
            w->stats_.outstanding--;
            wp_presentation_feedback_destroy(feedback);
        },
};

Window::Window(Display &display, const Options &options, const char *title)
    : display_(display), options_(options), width_(options.width), height_(options.height) {
    display.require_shell();
    surface_ = wl_compositor_create_surface(display.compositor);
    xdg_surface_ = xdg_wm_base_get_xdg_surface(display.wm_base, surface_);
    xdg_surface_add_listener(xdg_surface_, &xdg_surface_listener_, this);
    toplevel_ = xdg_surface_get_toplevel(xdg_surface_);
    xdg_toplevel_add_listener(toplevel_, &toplevel_listener_, this);
    xdg_toplevel_set_title(toplevel_, title);
    xdg_toplevel_set_app_id(toplevel_, title);
    if (options.fullscreen) xdg_toplevel_set_fullscreen(toplevel_, nullptr);
    wl_surface_commit(surface_); // xdg-shell: the initial commit asks for a configure
}

Window::~Window() {
    if (frame_) wl_callback_destroy(frame_);
    xdg_toplevel_destroy(toplevel_);
    xdg_surface_destroy(xdg_surface_);
    wl_surface_destroy(surface_);
}

bool Window::take_resized() {
    bool r = resized_;
    resized_ = false;
    return r;
}

bool Window::finished() const { return closed_ || stop_requested() || (options_.frames > 0 && stats_.committed >= options_.frames); }

void Window::present(wl_buffer *buffer) {
    wl_surface_attach(surface_, buffer, 0, 0);
    wl_surface_damage_buffer(surface_, 0, 0, INT32_MAX, INT32_MAX);
    frame_ = wl_surface_frame(surface_);
    wl_callback_add_listener(frame_, &frame_listener_, this);
    if (display_.presentation) {
        auto *feedback = wp_presentation_feedback(display_.presentation, surface_);
        wp_presentation_feedback_add_listener(feedback, &presentation_listener_, this);
        stats_.outstanding++;
    }
    wl_surface_commit(surface_);
    stats_.committed++;
}

void Window::drain_feedback(int ms) {
    double deadline = now_s(CLOCK_MONOTONIC) + ms / 1000.0;
    while (stats_.outstanding > 0 && display_.presentation) {
        double left = deadline - now_s(CLOCK_MONOTONIC);
        if (left <= 0) break;
        display_.dispatch(-1, int(left * 1000) + 1);
    }
}

void Window::print_stats() const {
    printf("%s: %d frames committed, %d presented (%d zero-copy, %d discarded), %.1f fps\n", program_name(),
           stats_.committed, stats_.presented, stats_.zero_copy, stats_.discarded, stats_.fps());
    fflush(stdout);
}

} // namespace client
