// DragAndDrop: wl_data_device.start_drag for one seat. A drag starts when
// its serial is that of the pointer button (or touch point) still held on
// the surface it starts from, as the protocol asks; any other request is
// refused and its drag freed (wlroots 0.15 frees a drag only when it ends
// or its source goes, so a refused one that was left alone stayed
// allocated: a client sending start_drag in a loop grew planar by 300 bytes
// a request). The
// drag's icon follows the cursor above every other surface, and takes no
// input.
#pragma once

#include <list>
#include <memory>
#include <vector>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class DragAndDrop {
public:
    // `icon_layer`: a scene tree above everything else, for drag icons.
    DragAndDrop(wlr_seat *seat, wlr_scene_tree *icon_layer);
    DragAndDrop(const DragAndDrop &) = delete;
    DragAndDrop &operator=(const DragAndDrop &) = delete;

    // The cursor (or touch point) moved: icons go with it.
    void moved(double lx, double ly);
    bool active() const { return seat_->drag != nullptr; }

private:
    struct Icon {
        wlr_drag_icon *icon;
        wlr_scene_node *node; // null once the scene dropped it with its surface
        wl::Listener on_destroy, on_commit, on_node_destroy;
    };
    void handle_request(wlr_seat_request_start_drag_event *event);
    void refuse(wlr_drag *drag, uint32_t serial);
    // Refused drags that waited for the drag in progress, once it ended.
    void end_refused();
    void add_icon(wlr_drag_icon *icon);
    void place(Icon &icon);

    wlr_seat *seat_;
    wlr_scene_tree *icon_layer_;
    double x_ = 0, y_ = 0;
    std::list<std::unique_ptr<Icon>> icons_;
    struct Refused {
        wlr_drag *drag;
        uint32_t serial;
    };
    std::vector<Refused> refused_;
    wl::Listener on_request_, on_start_;
};

} // namespace planar
