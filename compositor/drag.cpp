#include "drag.hpp"

#include "log.hpp"

namespace planar {

DragAndDrop::DragAndDrop(wlr_seat *seat, wlr_scene_tree *icon_layer) : seat_(seat), icon_layer_(icon_layer) {
    on_request_.connect_as<wlr_seat_request_start_drag_event>(
        &seat_->events.request_start_drag, [this](wlr_seat_request_start_drag_event *e) { handle_request(e); });
    on_start_.connect_as<wlr_drag>(&seat_->events.start_drag, [this](wlr_drag *drag) {
        if (drag->icon != nullptr) add_icon(drag->icon);
    });
}

void DragAndDrop::handle_request(wlr_seat_request_start_drag_event *event) {
    if (!refused_.empty()) end_refused();
    if (wlr_seat_validate_pointer_grab_serial(seat_, event->origin, event->serial)) {
        wlr_seat_start_pointer_drag(seat_, event->drag, event->serial);
        return;
    }
    wlr_touch_point *point = nullptr;
    if (wlr_seat_validate_touch_grab_serial(seat_, event->origin, event->serial, &point)) {
        wlr_seat_start_touch_drag(seat_, event->drag, event->serial, point);
        return;
    }
    plog::debug(plog::Scope::input, "start_drag refused: serial %u is not a held button's or touch's on its surface",
                event->serial);
    refuse(event->drag, event->serial);
}

void DragAndDrop::refuse(wlr_drag *drag, uint32_t serial) {
    // wlroots 0.15 frees a drag that never started only when its source
    // goes: the client hears wl_data_source.cancelled.
    if (drag->source != nullptr) {
        wlr_data_source_destroy(drag->source);
        return;
    }
    // Without a source it has no call that frees it. Started with no grab
    // but the keyboard's and that grab ended, it ends as a cancelled drag
    // does; but starting one replaces the seat's drag, so not while another
    // is in progress: it waits for that one to end.
    if (seat_->drag != nullptr) {
        refused_.push_back({drag, serial});
        return;
    }
    // Starting a drag also ends the previous drag's source, whose data a
    // drop target may still be reading: it is kept out of reach meanwhile.
    wlr_data_source *previous = seat_->drag_source;
    seat_->drag_source = nullptr;
    wlr_seat_start_drag(seat_, drag, serial);
    wlr_seat_keyboard_end_grab(seat_);
    seat_->drag_source = previous;
}

void DragAndDrop::end_refused() {
    if (seat_->drag != nullptr) return;
    std::vector<Refused> waiting;
    waiting.swap(refused_);
    for (const Refused &r : waiting) refuse(r.drag, r.serial);
}

void DragAndDrop::add_icon(wlr_drag_icon *icon) {
    auto entry = std::make_unique<Icon>();
    Icon *raw = entry.get();
    raw->icon = icon;
    raw->node = wlr_scene_subsurface_tree_create(&icon_layer_->node, icon->surface);
    wlr_scene_node_raise_to_top(&icon_layer_->node);
    raw->on_node_destroy.connect(&raw->node->events.destroy, [raw](void *) {
        raw->node = nullptr;
        raw->on_node_destroy.disconnect();
    });
    raw->on_commit.connect(&icon->surface->events.commit, [this, raw](void *) { place(*raw); });
    raw->on_destroy.connect(&icon->events.destroy, [this, raw](void *) {
        if (raw->node != nullptr) wlr_scene_node_destroy(raw->node);
        icons_.remove_if([raw](const auto &i) { return i.get() == raw; });
    });
    place(*raw);
    icons_.push_back(std::move(entry));
}

void DragAndDrop::moved(double lx, double ly) {
    if (!refused_.empty()) end_refused();
    x_ = lx;
    y_ = ly;
    for (const auto &icon : icons_) place(*icon);
}

void DragAndDrop::place(Icon &icon) {
    if (icon.node == nullptr) return;
    // wl_surface.attach's offsets accumulate in the icon surface's sx/sy:
    // the icon's top-left relative to the hotspot.
    wlr_scene_node_set_position(icon.node, static_cast<int>(x_) + icon.icon->surface->sx,
                                static_cast<int>(y_) + icon.icon->surface->sy);
}

} // namespace planar
