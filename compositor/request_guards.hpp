// RequestGuards: the requests a client can send that wlroots 0.15.1 must not
// run as sent (Debian builds it with assertions on, so each was a crash or a
// write into freed memory). Each is decided before it runs (RequestVeto):
// - xdg_toplevel, every request but destroy, once the toplevel is inert (its
//   wl_surface is gone): ignored. wlroots reads the toplevel through null.
// - zxdg_decoration_manager_v1.get_toplevel_decoration for an inert
//   toplevel: the id gets an inert decoration. xdg-shell names no error for
//   a wl_surface destroyed before its toplevel, so the client earned none;
//   an inert object keeps its id bound (an ignored new_id would not be).
// - xdg_surface.get_popup with a parent that has no role yet, is the
//   xdg_surface itself, or has it up its parent chain:
//   xdg_wm_base.invalid_popup_parent. wlroots links such a popup anyway;
//   the first leaves it dangling once the roleless parent goes, the others
//   make a cycle that wlroots tears down by endless recursion.
// - xdg_popup.grab on a popup that grabs already: ignored (xdg-shell's
//   invalid_grab is for a mapped popup). wlroots would insert it into the
//   grab list twice, leaving a freed popup on the list.
// - zwlr_layer_surface_v1.get_popup with an inert xdg_popup, or one that has
//   a parent already (from get_popup or from this request): ignored. The
//   spec says the popup "should have been created with a null parent" and
//   names no error; wlroots would read the inert one through null and link
//   the other into a second list.
// - wl_subsurface.place_above/place_below once the parent is gone: ignored.
//   wayland.xml only says such a sub-surface is unmapped; wlroots reads its
//   parent through null.
// A layer surface that goes while unmapped (its destroy request, its
// wl_surface's destroy, the client's disconnect) leaves its popups linked to
// freed memory: wlroots dismisses a layer surface's popups only on unmap.
// RequestGuards watches each layer surface that gets a popup and dismisses
// them itself (popup_done, the popup goes inert) just before it is freed.
#pragma once

#include <memory>
#include <unordered_map>

#include "listener.hpp"
#include "request_veto.hpp"
#include "wlr.hpp"

namespace planar {

class RequestGuards {
public:
    // Adds its rules to `veto`, which must outlive it or go first.
    explicit RequestGuards(RequestVeto &veto);
    RequestGuards(const RequestGuards &) = delete;
    RequestGuards &operator=(const RequestGuards &) = delete;

private:
    RequestVeto::Verdict check_layer_get_popup(wl_resource *layer_resource, wl_resource *popup_resource);
    void watch_popups_of(wlr_layer_surface_v1 *layer);

    RequestVeto &veto_;
    // Layer surfaces with popups, until they are destroyed.
    std::unordered_map<wlr_layer_surface_v1 *, std::unique_ptr<wl::Listener>> layer_destroy_;
};

} // namespace planar
