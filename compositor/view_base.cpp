#include "view_base.hpp"

#include "output.hpp"
#include "placement.hpp"
#include "seat.hpp"
#include "server.hpp"

namespace planar {

ViewBase::ViewBase(Server &server) : server_(server), id_(server.next_view_id()) {
    tree_ = wlr_scene_tree_create(server_.view_layer());
    tree_->node.data = static_cast<View *>(this);
    border_ = std::make_unique<Border>(&tree_->node);
    wlr_scene_node_set_enabled(&tree_->node, false);
}

ViewBase::~ViewBase() { wlr_scene_node_destroy(&tree_->node); }

void ViewBase::raise_and_activate() {
    raise();
    set_activated(true);
}

void ViewBase::set_minimized(bool minimized) {
    if (minimized == minimized_ || !mapped_) return;
    minimized_ = minimized;
    tell_minimized(minimized);
    update_visibility();
    if (minimized) {
        // The focus goes to the next window shown.
        if (activated_) server_.view_minimized(this);
    } else {
        server_.focus_view(this);
    }
    server_.update_occlusion();
    state_changed();
}

void ViewBase::set_occluded(bool occluded) {
    occluded_ = occluded;
    update_visibility();
}

void ViewBase::work_area_changed(Output *output) {
    if (!mapped_ || !maximized_ || fullscreen_) return;
    if (home_output() == output) fill(output->work_area());
}

Output *ViewBase::home_output() const {
    wlr_box geo = geometry();
    return server_.output_at(geo.x + geo.width / 2.0, geo.y + geo.height / 2.0);
}

Output *ViewBase::target_output(wlr_output *preferred) const {
    if (preferred != nullptr && preferred->data != nullptr) {
        auto *wanted = static_cast<Output *>(preferred->data);
        if (wanted->usable()) return wanted;
    }
    Output *output = placed_ ? home_output() : server_.seat().output_under_cursor();
    return output != nullptr ? output : server_.primary_output();
}

wlr_box ViewBase::target_output_box(wlr_output *preferred) const {
    Output *output = target_output(preferred);
    return output != nullptr ? output->box() : wlr_box{0, 0, 1280, 720};
}

wlr_box ViewBase::target_work_area() const {
    Output *output = target_output();
    return output != nullptr ? output->work_area() : wlr_box{0, 0, 1280, 720};
}

wlr_box ViewBase::new_window_spot(const wlr_box &area, int width, int height) const {
    if (View *parent = parent_view()) {
        wlr_box over = parent->geometry();
        wlr_box centred{over.x + (over.width - width) / 2, over.y + (over.height - height) / 2, width, height};
        return clamp_into(centred, area);
    }
    std::vector<wlr_box> others;
    for (View *other : server_.views()) {
        if (other != this && other->mapped()) others.push_back(other->geometry());
    }
    return least_covered_spot(area, width, height, others);
}

void ViewBase::refresh_surface_outputs() {
    wlr_scene_node_set_position(&tree_->node, x_ + 1, y_);
    wlr_scene_node_set_position(&tree_->node, x_, y_);
}

void ViewBase::mapped_now() {
    foreign_ = std::make_unique<ForeignToplevel>(server_, server_.foreign_toplevels(), *this);
    server_.focus_view(this);
}

bool ViewBase::unmapped_now() {
    bool was_focused = activated_;
    mapped_ = false;
    activated_ = false;
    minimized_ = false;
    foreign_.reset();
    return was_focused;
}

} // namespace planar
