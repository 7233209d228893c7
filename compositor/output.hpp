// Output: one wlr_output shown through the scene. Owns the frame loop of that
// output: render (or scan out) on each frame event, then frame callbacks.
#pragma once

#include "headless.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class Server;

class Output {
public:
    // `mode`: a requested custom mode (nested windows), or null for the preferred one.
    Output(Server &server, wlr_output *output, const backend::OutputMode *mode);
    ~Output();
    Output(const Output &) = delete;
    Output &operator=(const Output &) = delete;

    wlr_output *wlr() const { return output_; }
    // Position and size in layout coordinates.
    wlr_box box() const;

private:
    void render_frame();

    Server &server_;
    wlr_output *output_;
    wlr_scene_output *scene_output_ = nullptr;
    wl::Listener on_frame_;
    wl::Listener on_destroy_;
};

} // namespace planar
