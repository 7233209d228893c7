// ForeignToplevel: one window as taskbars and window switchers see it
// (zwlr_foreign_toplevel_management_v1, wlroots 0.15's protocol object):
// title, app_id, the output it is on and its states, and the requests they
// may make of it (activate, close, maximize, minimize, fullscreen). Lives
// while its View is mapped.
#pragma once

#include <string>

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class Server;
class View;

class ForeignToplevel {
public:
    ForeignToplevel(Server &server, wlr_foreign_toplevel_manager_v1 *manager, View &view);
    ~ForeignToplevel();
    ForeignToplevel(const ForeignToplevel &) = delete;
    ForeignToplevel &operator=(const ForeignToplevel &) = delete;

    // Sends what changed since the last call (names, states, output).
    void update();
    wlr_foreign_toplevel_handle_v1 *handle() const { return handle_; }

private:
    Server &server_;
    View &view_;
    wlr_foreign_toplevel_handle_v1 *handle_;
    std::string title_, app_id_;
    bool named_ = false;
    wlr_output *output_ = nullptr;
    wl::Listener on_request_maximize_, on_request_minimize_, on_request_activate_, on_request_fullscreen_,
        on_request_close_, on_output_destroy_;
};

} // namespace planar
