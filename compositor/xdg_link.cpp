#include "xdg_link.hpp"

namespace planar {

XdgLink *XdgLink::create(wlr_xdg_surface *xdg_surface, wlr_scene_node *node, XdgView *view) {
    return new XdgLink(xdg_surface, node, view);
}

XdgLink::XdgLink(wlr_xdg_surface *xdg_surface, wlr_scene_node *node, XdgView *view)
    : xdg_(xdg_surface), node_(node), view_(view) {
    xdg_->data = this;
    on_xdg_destroy_.connect(&xdg_->events.destroy, [this](void *) { delete this; });
    if (node_ != nullptr) on_node_destroy_.connect(&node_->events.destroy, [this](void *) {
        node_ = nullptr;
        on_node_destroy_.disconnect();
    });
}

XdgLink::~XdgLink() { xdg_->data = nullptr; }

XdgLink *XdgLink::of(wlr_xdg_surface *xdg_surface) {
    return xdg_surface != nullptr ? static_cast<XdgLink *>(xdg_surface->data) : nullptr;
}

} // namespace planar
