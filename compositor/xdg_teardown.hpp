// XdgTeardown: what wlroots 0.15 forgets when an xdg_surface goes, done by
// planar just before it goes (the request that destroys it, or its
// client's disconnection, whose destroy signal comes before any of its
// objects is freed):
// - A toplevel whose parent (xdg_toplevel.set_parent) never mapped keeps a
//   pointer to that parent and a listener in it: wlroots clears them only
//   when the parent unmaps. The children are given no parent instead, as
//   the protocol says for a parent that goes.
// - An xdg_surface that never committed was never announced, and wlroots
//   then never signals its destruction: what listens to it from before its
//   first commit (an xdg_toplevel_decoration_v1, a layer surface's popup in
//   planar's scene) would be left in freed memory. Its destroy signal is
//   emitted here instead.
// Found by an audit of wlroots 0.15 with hostile clients; each case has a
// test in tests/integration.
#pragma once

#include <memory>
#include <unordered_map>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class XdgTeardown {
public:
    XdgTeardown(wl_display *display, wlr_xdg_shell *shell);
    ~XdgTeardown();
    XdgTeardown(const XdgTeardown &) = delete;
    XdgTeardown &operator=(const XdgTeardown &) = delete;

private:
    static void check(void *data, wl_protocol_logger_type type, const wl_protocol_logger_message *message);
    // `surface` is about to be freed.
    void going(wlr_xdg_surface *surface);
    void client_going(wl_client *client);

    wlr_xdg_shell *shell_;
    wl_protocol_logger *logger_ = nullptr;
    wl::Listener on_client_created_;
    std::unordered_map<wl_client *, std::unique_ptr<wl::Listener>> client_destroy_;
};

} // namespace planar
