#include "foreign_toplevel.hpp"

#include "output.hpp"
#include "server.hpp"
#include "view.hpp"

namespace planar {

ForeignToplevel::ForeignToplevel(Server &server, wlr_foreign_toplevel_manager_v1 *manager, View &view)
    : server_(server), view_(view), handle_(wlr_foreign_toplevel_handle_v1_create(manager)) {
    // A window asked to change state is shown again first: a taskbar that
    // maximizes or activates a minimized window means to see it.
    on_request_maximize_.connect_as<wlr_foreign_toplevel_handle_v1_maximized_event>(
        &handle_->events.request_maximize, [this](wlr_foreign_toplevel_handle_v1_maximized_event *e) {
            view_.set_minimized(false);
            view_.set_maximized(e->maximized);
        });
    on_request_minimize_.connect_as<wlr_foreign_toplevel_handle_v1_minimized_event>(
        &handle_->events.request_minimize,
        [this](wlr_foreign_toplevel_handle_v1_minimized_event *e) { view_.set_minimized(e->minimized); });
    on_request_activate_.connect(&handle_->events.request_activate, [this](void *) { server_.focus_view(&view_); });
    on_request_fullscreen_.connect_as<wlr_foreign_toplevel_handle_v1_fullscreen_event>(
        &handle_->events.request_fullscreen, [this](wlr_foreign_toplevel_handle_v1_fullscreen_event *e) {
            view_.set_minimized(false);
            view_.set_fullscreen(e->fullscreen, e->output);
        });
    on_request_close_.connect(&handle_->events.request_close, [this](void *) { view_.close(); });
    update();
}

ForeignToplevel::~ForeignToplevel() {
    // The request listeners are links in the handle's signals: off them
    // before the handle is freed (as members they would go after it).
    on_request_maximize_.disconnect();
    on_request_minimize_.disconnect();
    on_request_activate_.disconnect();
    on_request_fullscreen_.disconnect();
    on_request_close_.disconnect();
    wlr_foreign_toplevel_handle_v1_destroy(handle_);
}

void ForeignToplevel::update() {
    std::string title = view_.title();
    std::string app_id = view_.app_id();
    // wlroots sends a name each time it is set: only changes go out.
    if (!named_ || title != title_) wlr_foreign_toplevel_handle_v1_set_title(handle_, title.c_str());
    if (!named_ || app_id != app_id_) wlr_foreign_toplevel_handle_v1_set_app_id(handle_, app_id.c_str());
    named_ = true;
    title_ = title;
    app_id_ = app_id;
    // States: wlroots sends only those that changed.
    wlr_foreign_toplevel_handle_v1_set_activated(handle_, view_.focused());
    wlr_foreign_toplevel_handle_v1_set_maximized(handle_, view_.maximized());
    wlr_foreign_toplevel_handle_v1_set_minimized(handle_, view_.minimized());
    wlr_foreign_toplevel_handle_v1_set_fullscreen(handle_, view_.fullscreen());
    View *parent = view_.parent_view();
    wlr_foreign_toplevel_handle_v1_set_parent(handle_, parent != nullptr ? parent->foreign_handle() : nullptr);
    // The output its centre is on (a taskbar per output lists its windows).
    wlr_box geo = view_.geometry();
    Output *output = server_.output_at(geo.x + geo.width / 2.0, geo.y + geo.height / 2.0);
    wlr_output *now = output != nullptr ? output->wlr() : nullptr;
    if (now != output_) {
        if (output_ != nullptr) wlr_foreign_toplevel_handle_v1_output_leave(handle_, output_);
        output_ = now;
        on_output_destroy_.disconnect();
        if (output_ != nullptr) {
            wlr_foreign_toplevel_handle_v1_output_enter(handle_, output_);
            // wlroots forgets the output itself when it goes.
            on_output_destroy_.connect(&output_->events.destroy, [this](void *) {
                output_ = nullptr;
                on_output_destroy_.disconnect();
            });
        }
    }
}

} // namespace planar
