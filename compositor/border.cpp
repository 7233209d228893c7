#include "border.hpp"

namespace planar {
namespace {

constexpr float focused_color[4] = {0.35f, 0.55f, 0.95f, 1.0f};
constexpr float unfocused_color[4] = {0.25f, 0.25f, 0.3f, 1.0f};

} // namespace

Border::Border(wlr_scene_node *tree) {
    for (auto &rect : rects_) {
        rect = wlr_scene_rect_create(tree, 0, 0, unfocused_color);
        wlr_scene_node_set_enabled(&rect->node, false);
    }
}

void Border::update(int window_width, int window_height, bool focused, bool shown) {
    bool show = shown && window_width > 0 && window_height > 0;
    const float *color = focused ? focused_color : unfocused_color;
    const int b = width, w = window_width, h = window_height;
    const wlr_box boxes[4] = {
        {-b, -b, w + 2 * b, b}, // top
        {-b, h, w + 2 * b, b},  // bottom
        {-b, 0, b, h},          // left
        {w, 0, b, h},           // right
    };
    for (int i = 0; i < 4; i++) {
        wlr_scene_node_set_enabled(&rects_[i]->node, show);
        if (!show) continue;
        wlr_scene_node_set_position(&rects_[i]->node, boxes[i].x, boxes[i].y);
        wlr_scene_rect_set_size(rects_[i], boxes[i].width, boxes[i].height);
        wlr_scene_rect_set_color(rects_[i], color);
    }
}

} // namespace planar
