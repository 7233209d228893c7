// Server: owns the Wayland display, the backend, renderer and allocator, the
// scene and the globals, and wires the subsystems (outputs, views, seat,
// launcher) together. Subsystems get a Server& and ask it for what they need.
#pragma once

#include <list>
#include <memory>
#include <string>
#include <sys/types.h>

#include "config.hpp"
#include "listener.hpp"
#include "options.hpp"
#include "wlr.hpp"

namespace proto {
class LinuxDmabuf;
class LinuxDrmSyncobj;
class LinuxExplicitSync;
}
namespace render {
class EglCompletionFences;
class Importer;
class ShmYuvRenderer;
class PixmanFastPath;
}

namespace planar {

class Idle;
class XdgTeardown;
class InputLock;
class IpcServer;
class LayerShell;
class Launcher;
class Output;
class OutputManager;
class RequestGuards;
class ProtocolRules;
class ReleaseBatch;
class RequestVeto;
class Seat;
class View;
class VirtualInput;
class Xwayland;

class Server {
public:
    Server(Options options, Config config);
    ~Server();
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Creates backend, renderer and globals; logs the reason and returns false on failure.
    bool init();
    // Opens the socket, starts the backend and the command after "--".
    bool start();
    // Runs the event loop until terminate(); returns the process exit status.
    int run();
    void terminate(int exit_status);

    wl_display *display() const { return display_; }
    wl_event_loop *event_loop() const { return wl_display_get_event_loop(display_); }
    wlr_backend *backend() const { return backend_; }
    wlr_compositor *compositor() const { return compositor_; }
    wlr_renderer *renderer() const { return renderer_; }
    // Above every other surface; see DragAndDrop.
    wlr_scene_tree *drag_icon_layer() const { return drag_icon_layer_; }
    // What outputs draw with: the renderer, behind PixmanFastPath for pixman.
    wlr_renderer *output_renderer() const;
    wlr_allocator *allocator() const { return allocator_; }
    // wl_shm releases held until the frame callbacks they came with are answered.
    ReleaseBatch &release_batch() { return *release_batch_; }
    wlr_scene *scene() const { return scene_; }
    wlr_output_layout *layout() const { return layout_; }
    // Window layer of the scene: views live here, above the background.
    wlr_scene_node *view_layer() const { return &view_layer_->node; }
    wlr_presentation *presentation() const { return presentation_; }
    wlr_screencopy_manager_v1 *screencopy() const { return screencopy_; }
    // `buffer` left a KMS plane; `fence` (borrowed) signals when it is free.
    void buffer_off_plane(wlr_buffer *buffer, int fence);
    // A composited frame of `scene_output` was committed: where the GPU reads
    // asynchronously, its buffers' releases wait for the frame's fence.
    void frame_composited(wlr_scene_output *scene_output);
    const Config &config() const { return config_; }
    const Options &options() const { return options_; }
    const std::string &socket_name() const { return socket_; }
    Seat &seat() { return *seat_; }
    LayerShell &layer_shell() { return *layer_shell_; }
    Idle &idle() { return *idle_; }
    const InputLock &input_lock() const { return *input_lock_; }
    Launcher &launcher() { return *launcher_; }
    // planar's linux-dmabuf (null only before init); the scanout policy sets
    // per-surface feedback through it.
    proto::LinuxDmabuf *linux_dmabuf() { return linux_dmabuf_.get(); }
    // X11 clients (null with --no-xwayland or when Xwayland is missing).
    Xwayland *xwayland() { return xwayland_.get(); }

    std::list<Output *> &outputs() { return outputs_; }
    Output *output_at(double lx, double ly);
    Output *primary_output();
    void output_added(Output *output);
    void output_removed(Output *output);
    // The output's work area changed (a panel's exclusive zone).
    void work_area_changed(Output *output);

    // Views, topmost first.
    std::list<View *> &views() { return views_; }
    // The surface under (lx, ly) in `*surface` (any surface that takes
    // input: windows, their popups, layer surfaces), and its window if it
    // belongs to one.
    View *view_at(double lx, double ly, wlr_surface **surface, double *sx, double *sy);
    void focus_view(View *view);
    View *focused_view();
    // planar's id for a new window: unique while planar runs (a wl_surface's
    // protocol id is only unique within its client).
    uint32_t next_view_id() { return next_view_id_++; }
    // `was_focused`: it was the activated window; the next one takes the focus.
    void view_unmapped(View *view, bool was_focused);
    // The focused view was minimized: the next shown one takes the focus.
    void view_minimized(View *view);
    wlr_foreign_toplevel_manager_v1 *foreign_toplevels() const { return foreign_toplevels_; }
    // Recomputes what fullscreen views hide (and, later, what the pointer is
    // over); call when stacking, mapping, fullscreen state or geometry changes.
    void update_occlusion();
    // Frame callbacks of windows held back for a fullscreen configure.
    void send_frame_done_to_held_views(const timespec *now);

private:
    bool create_backend();
    wlr_backend *create_drm_backend();
    bool create_renderer();
    void create_globals();
    void create_linux_dmabuf();
    void create_explicit_sync();
    // Layer shell, idle, input lock, virtual input, gamma, activation: the
    // globals a desktop session's tools use (they need the seat).
    void create_session_globals();
    bool plane_takes_fence(wlr_surface *surface) const;
    dev_t dmabuf_main_device() const;
    void handle_new_output(wlr_output *output);
    void handle_new_xdg_surface(wlr_xdg_surface *surface);
    void layout_changed();
    void end_popup_grab_outside(View *view);

    Options options_;
    Config config_;
    std::string socket_;
    int exit_status_ = 0;

    wl_display *display_ = nullptr;
    wlr_backend *backend_ = nullptr;
    wlr_backend *nested_backend_ = nullptr; // wayland or x11 child of the multi backend
    wlr_renderer *renderer_ = nullptr;
    wlr_allocator *allocator_ = nullptr;
    wlr_compositor *compositor_ = nullptr;
    wlr_scene *scene_ = nullptr;
    wlr_scene_tree *view_layer_ = nullptr;
    wlr_scene_tree *drag_icon_layer_ = nullptr;
    wlr_output_layout *layout_ = nullptr;
    wlr_xdg_shell *xdg_shell_ = nullptr;
    wlr_presentation *presentation_ = nullptr;
    wlr_xdg_decoration_manager_v1 *decoration_manager_ = nullptr;
    wlr_foreign_toplevel_manager_v1 *foreign_toplevels_ = nullptr;
    wl_event_source *sigint_ = nullptr;
    wl_event_source *sigterm_ = nullptr;

    // From the display's creation: every subsystem that vets requests adds
    // its rules to it. It goes before them (its protocol logger with it).
    std::unique_ptr<RequestVeto> request_veto_;
    std::unique_ptr<ReleaseBatch> release_batch_;
    std::unique_ptr<render::Importer> importer_;
    std::unique_ptr<render::ShmYuvRenderer> shm_yuv_;
    std::unique_ptr<render::PixmanFastPath> pixman_fast_path_; // pixman only
    std::unique_ptr<proto::LinuxDmabuf> linux_dmabuf_;
    wlr_screencopy_manager_v1 *screencopy_ = nullptr;
    // Before the protocols that borrow it: destroyed after them.
    std::unique_ptr<render::EglCompletionFences> completion_fences_; // only on a GPU with native fences
    std::unique_ptr<proto::LinuxExplicitSync> explicit_sync_;
    std::unique_ptr<proto::LinuxDrmSyncobj> drm_syncobj_; // only where the device has timelines
    std::unique_ptr<Seat> seat_;
    std::unique_ptr<LayerShell> layer_shell_;
    std::unique_ptr<Idle> idle_;
    std::unique_ptr<XdgTeardown> xdg_teardown_;
    std::unique_ptr<InputLock> input_lock_;
    std::unique_ptr<VirtualInput> virtual_input_;
    std::unique_ptr<Launcher> launcher_;
    std::unique_ptr<Xwayland> xwayland_;
    std::unique_ptr<IpcServer> ipc_;
    std::unique_ptr<RequestGuards> request_guards_;
    std::unique_ptr<ProtocolRules> protocol_rules_;
    std::unique_ptr<OutputManager> output_manager_;
    std::list<Output *> outputs_;
    std::list<View *> views_;
    uint32_t next_view_id_ = 1;
    size_t nested_outputs_seen_ = 0;

    wl::Listener on_new_output_;
    wl::Listener on_new_input_;
    wl::Listener on_new_xdg_surface_;
    wl::Listener on_new_decoration_;
    wl::Listener on_layout_change_;
    wl::Listener on_request_activate_;
};

} // namespace planar
