// Border: the frame planar draws around a window it decorates (a server-side
// decorated xdg toplevel, a managed X11 window): four rects just outside the
// window geometry, in the window's own scene tree, coloured by focus. The
// rects are nodes of that tree and go with it.
#pragma once

#include "wlr.hpp"

namespace planar {

class Border {
public:
    static constexpr int width = 2;

    // `tree`: the window's tree, whose origin is the window geometry's top-left.
    explicit Border(wlr_scene_node *tree);
    Border(const Border &) = delete;
    Border &operator=(const Border &) = delete;

    // Frames a window of `size` (hidden when `shown` is false or it has no size).
    void update(int window_width, int window_height, bool focused, bool shown);

private:
    wlr_scene_rect *rects_[4] = {};
};

} // namespace planar
