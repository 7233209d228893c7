#include "output.hpp"

#include "log.hpp"
#include "server.hpp"

namespace planar {

Output::Output(Server &server, wlr_output *output, const backend::OutputMode *mode)
    : server_(server), output_(output) {
    output_->data = this;
    if (!wlr_output_init_render(output_, server_.allocator(), server_.renderer())) {
        plog::error(plog::Scope::output, "%s: cannot initialise rendering", output_->name);
    }

    wlr_output_enable(output_, true);
    if (mode != nullptr) {
        wlr_output_set_custom_mode(output_, mode->width, mode->height, mode->refresh_mhz);
    } else if (wlr_output_mode *preferred = wlr_output_preferred_mode(output_)) {
        wlr_output_set_mode(output_, preferred);
    }
    if (!wlr_output_commit(output_)) {
        plog::error(plog::Scope::output, "%s: cannot enable the output", output_->name);
    }

    on_frame_.connect(&output_->events.frame, [this](void *) { render_frame(); });
    on_destroy_.connect(&output_->events.destroy, [this](void *) { delete this; });

    server_.output_added(this);
    scene_output_ = wlr_scene_get_scene_output(server_.scene(), output_);
    plog::info(plog::Scope::output, "%s: %dx%d@%.3f Hz", output_->name, output_->width, output_->height,
               output_->refresh / 1000.0);
}

Output::~Output() {
    server_.output_removed(this);
    output_->data = nullptr;
}

wlr_box Output::box() const {
    wlr_box *box = wlr_output_layout_get_box(server_.layout(), output_);
    return box != nullptr ? *box : wlr_box{};
}

void Output::render_frame() {
    if (scene_output_ == nullptr) {
        scene_output_ = wlr_scene_get_scene_output(server_.scene(), output_);
        if (scene_output_ == nullptr) return;
    }
    if (!wlr_scene_output_commit(scene_output_)) {
        plog::debug(plog::Scope::output, "%s: frame commit failed", output_->name);
    }
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    wlr_scene_output_send_frame_done(scene_output_, &now);
}

} // namespace planar
