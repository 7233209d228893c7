// XdgLink: what planar keeps in wlr_xdg_surface::data, for toplevels and
// popups alike: the scene node that shows the surface (its popups are
// created under it) and, for a toplevel, the XdgView. It lives exactly as long
// as the xdg_surface and clears `data` when it goes, so no lookup through
// `data` can reach a freed object whatever order wlroots destroys things in
// (a client killed mid-frame destroys its objects in id order). Its node
// becomes null when the node dies first (a popup's tree goes with its
// toplevel's View); its view becomes null when the View dies first.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class XdgView;

class XdgLink {
public:
    static XdgLink *create(wlr_xdg_surface *xdg_surface, wlr_scene_node *node, XdgView *view);
    // Null when the surface has no link (not shown by planar) or it is gone.
    static XdgLink *of(wlr_xdg_surface *xdg_surface);

    wlr_scene_node *node() const { return node_; }
    XdgView *view() const { return view_; }
    void view_gone() { view_ = nullptr; }

private:
    XdgLink(wlr_xdg_surface *xdg_surface, wlr_scene_node *node, XdgView *view);
    ~XdgLink();
    XdgLink(const XdgLink &) = delete;
    XdgLink &operator=(const XdgLink &) = delete;

    wlr_xdg_surface *xdg_;
    wlr_scene_node *node_;
    XdgView *view_;
    wl::Listener on_xdg_destroy_, on_node_destroy_;
};

} // namespace planar
