// XdgTeardown: what wlroots 0.15 forgets when an xdg_surface goes, done by
// planar just before wlroots frees it:
// - A toplevel whose parent (xdg_toplevel.set_parent) never mapped keeps a
//   pointer to that parent and a listener in it: wlroots clears them only
//   when the parent unmaps. The children are given no parent instead, as
//   the protocol says for a parent that goes.
// - An xdg_surface that never committed was never announced, and wlroots
//   then never signals its destruction: what listens to it from before its
//   first commit (an xdg_toplevel_decoration_v1, a layer surface's popup in
//   planar's scene) would be left in freed memory. Its destroy signal is
//   emitted here instead.
// wlroots frees an xdg_surface when the first of three objects goes: the
// xdg_surface itself, its wl_surface, the xdg_wm_base that made it (on
// their destroy requests, and on the client's disconnection and at shutdown
// in the order of their ids). Each of the three is watched through its
// wl_resource's destroy listener: libwayland's destroy_resource
// (wayland-server.c) emits the resource's destroy signal before it calls
// the resource's destroy callback, which is where wlroots frees. The
// watch starts at xdg_surface.get_toplevel or get_popup, before the request
// runs (a RequestVeto preparation): wlroots announces an xdg_surface only
// at its first commit, too late, and one without a role is nobody's parent
// and has nothing listening to it.
// Found by an audit of wlroots 0.15 with hostile clients; each case has a
// test in tests/integration/test_xdg_teardown.cpp.
#pragma once

#include <memory>
#include <unordered_map>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class RequestVeto;

class XdgTeardown {
public:
    // Adds its preparations to `veto`, which must outlive it or go first.
    XdgTeardown(wlr_xdg_shell *shell, RequestVeto &veto);
    XdgTeardown(const XdgTeardown &) = delete;
    XdgTeardown &operator=(const XdgTeardown &) = delete;

private:
    // The three objects whose destruction frees one xdg_surface.
    struct Watch {
        wl::Listener on_xdg_surface_destroy, on_surface_destroy, on_wm_base_destroy;
    };

    void watch(wl_resource *xdg_surface);
    // The xdg_surface of `resource` is about to be freed.
    void going(wl_resource *xdg_surface);

    wlr_xdg_shell *shell_;
    // By xdg_surface resource, until the xdg_surface is freed.
    std::unordered_map<wl_resource *, std::unique_ptr<Watch>> watches_;
};

} // namespace planar
