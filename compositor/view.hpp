// View: one window planar manages, whatever protocol its client speaks: an
// xdg toplevel (XdgView, xdg_view.hpp) or an X11 window through Xwayland
// (XwaylandView, xwayland_view.hpp). Server keeps the mapped ones in stacking
// order; focus, move/resize, fullscreen, occlusion, scan-out and planar-ctl
// reach a window only through this interface. Each View owns a scene tree
// that is a child of Server::view_layer() and carries the View as node data
// (Server::view_at finds the window under the cursor through it).
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

#include "inspect.hpp"
#include "wlr.hpp"

namespace planar {

class Output;

class View {
public:
    virtual ~View() = default;
    View(const View &) = delete;
    View &operator=(const View &) = delete;

    // planar-ctl's surface=N: unique among all windows of all clients.
    virtual uint32_t id() const = 0;
    virtual wlr_surface *surface() const = 0;
    virtual bool mapped() const = 0;
    virtual bool focused() const = 0;
    virtual bool fullscreen() const = 0;
    virtual bool maximized() const = 0;
    // Hidden at a taskbar's request (zwlr_foreign_toplevel_handle_v1).
    virtual bool minimized() const = 0;
    // Its taskbar handle while mapped, else null.
    virtual wlr_foreign_toplevel_handle_v1 *foreign_handle() const = 0;
    // Window geometry in layout coordinates.
    virtual wlr_box geometry() const = 0;
    // The last buffer committed to the window's surface (for inspection).
    virtual const BufferInfo &buffer_info() const = 0;

    // What planar-ctl says about the window: the client's pid (an X11
    // window's own _NET_WM_PID, not Xwayland's), its app id (an X11 window's
    // WM_CLASS class), title, and the shell: "xdg" or "xwayland".
    virtual pid_t pid() const = 0;
    virtual std::string app_id() const = 0;
    virtual std::string title() const = 0;
    virtual const char *shell() const = 0;

    virtual void move_to(int x, int y) = 0;
    // Asks the client for a new size; the window's left/top edge goes to x, y.
    virtual void resize_to(int x, int y, int width, int height) = 0;
    virtual void set_activated(bool activated) = 0;
    virtual void raise_and_activate() = 0;
    // Raised to the top of the stack without a change of focus.
    virtual void raise() = 0;
    // The mapped view this one is transient for (a dialog's parent), or null.
    virtual View *parent_view() const = 0;
    // `output`: where the client asked to be fullscreen (null: planar picks).
    virtual void set_fullscreen(bool fullscreen, wlr_output *output = nullptr) = 0;
    virtual void set_maximized(bool maximized) = 0;
    // Minimized: not shown and not focused; restored: shown and focused.
    virtual void set_minimized(bool minimized) = 0;
    // Hidden because a fullscreen view covers it (see Server::update_occlusion).
    virtual void set_occluded(bool occluded) = 0;
    // Frame callbacks of a window held back for a fullscreen configure
    // (XdgView::update_visibility); nothing for a shell that never holds one.
    virtual void send_frame_done_while_held(const timespec *now) = 0;
    // Asks the client to close the window (Super+Q).
    virtual void close() = 0;
    virtual void output_layout_changed() = 0;
    // The work area of `output` changed (a panel's exclusive zone): a
    // maximized window there takes the new one.
    virtual void work_area_changed(Output *output) = 0;

protected:
    View() = default;
};

} // namespace planar
