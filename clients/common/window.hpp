// One xdg toplevel that shows buffers: frame callbacks pace the client,
// wp_presentation feedback counts what was really shown (and how: the
// ZERO_COPY flag says the compositor scanned the buffer out).
#pragma once

#include <cstdint>
#include <string>

#include "display.hpp"
#include "options.hpp"

namespace client {

struct FrameStats {
    int committed = 0;
    int presented = 0;
    int discarded = 0;
    int zero_copy = 0;
    int outstanding = 0; // presentation feedbacks not answered yet
    double first_presented_s = 0, last_presented_s = 0;
    double fps() const;
};

class Window {
public:
    Window(Display &display, const Options &options, const char *title);
    ~Window();
    Window(const Window &) = delete;
    Window &operator=(const Window &) = delete;

    // Attaches `buffer` (whole-surface damage), asks for the next frame
    // callback and presentation feedback, commits.
    void present(wl_buffer *buffer);
    // Waits until every presentation feedback is answered, at most `ms`.
    void drain_feedback(int ms);
    // "N frames committed, P presented (Z zero-copy, D discarded), F fps".
    void print_stats() const;

    wl_surface *surface() const { return surface_; }
    bool configured() const { return configured_; }
    bool closed() const { return closed_; }
    // The size the compositor asked for (fullscreen), else the option's.
    int width() const { return width_; }
    int height() const { return height_; }
    // True once per size change, for clients that reallocate.
    bool take_resized();
    // A frame callback is outstanding: drawing now would be wasted.
    bool waiting_for_frame() const { return frame_ != nullptr; }
    const FrameStats &stats() const { return stats_; }
    // Done when --frames N is reached or the window was closed.
    bool finished() const;

private:
    static const xdg_surface_listener xdg_surface_listener_;
    static const xdg_toplevel_listener toplevel_listener_;
    static const wl_callback_listener frame_listener_;
    static const wp_presentation_feedback_listener presentation_listener_;

    Display &display_;
    const Options &options_;
    wl_surface *surface_ = nullptr;
    xdg_surface *xdg_surface_ = nullptr;
    xdg_toplevel *toplevel_ = nullptr;
    wl_callback *frame_ = nullptr;
    bool configured_ = false, closed_ = false, resized_ = false;
    int width_, height_;
    int pending_width_ = 0, pending_height_ = 0;
    FrameStats stats_;
};

} // namespace client
