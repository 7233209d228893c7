#include "server.hpp"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <vector>
#include <xf86drm.h>

#include "commit_gate.hpp"
#include "cpu_importer.hpp"
#include "dmabuf_buffer.hpp"
#include "egl_fences.hpp"
#include "egl_importer.hpp"
#include "headless.hpp"
#include "ipc.hpp"
#include "linux_dmabuf_v1.hpp"
#include "linux_drm_syncobj_v1.hpp"
#include "linux_explicit_synchronization_v1.hpp"
#include "idle.hpp"
#include "input_lock.hpp"
#include "launcher.hpp"
#include "layer_shell.hpp"
#include "log.hpp"
#include "output.hpp"
#include "output_manager.hpp"
#include "popup.hpp"
#include "protocol_rules.hpp"
#include "request_checks.hpp"
#include "request_guards.hpp"
#include "release_batch.hpp"
#include "request_veto.hpp"
#include "seat.hpp"
#include "pixman_fast_path.hpp"
#include "shm_yuv.hpp"
#include "view.hpp"
#include "virtual_input.hpp"
#include "xdg_view.hpp"
#include "xdg_teardown.hpp"
#include "xwayland.hpp"
#include "kms.hpp"
#include "xdg_link.hpp"

namespace planar {
namespace {

// Deeper than any menu; a popup chain past it is a cycle.
constexpr int kMaxPopupDepth = 64;

// A linux VT session: stdin is /dev/ttyN (as when started from a login prompt).
bool on_virtual_terminal() {
    const char *tty = ttyname(STDIN_FILENO);
    if (tty == nullptr) return false;
    std::string name = tty;
    return name.rfind("/dev/tty", 0) == 0 && name.size() > 8 && std::isdigit(name[8]);
}

BackendKind choose_backend() {
    if (std::getenv("WAYLAND_DISPLAY") != nullptr || std::getenv("WAYLAND_SOCKET") != nullptr) {
        return BackendKind::wayland;
    }
    if (std::getenv("DISPLAY") != nullptr) return BackendKind::x11;
    if (on_virtual_terminal()) return BackendKind::drm;
    return BackendKind::headless;
}

int handle_terminate_signal(int signal, void *data) {
    plog::info(plog::Scope::core, "received signal %d, shutting down", signal);
    static_cast<Server *>(data)->terminate(0);
    return 0;
}

// Scoped environment variable for wlroots' autocreate helpers, so that the
// variables do not leak into clients started later.
class ScopedEnv {
public:
    ScopedEnv(const char *name, const std::string &value) : name_(name) {
        const char *old = std::getenv(name);
        had_ = old != nullptr;
        if (had_) old_ = old;
        setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (had_) {
            setenv(name_, old_.c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }

private:
    const char *name_;
    std::string old_;
    bool had_ = false;
};

} // namespace

Server::Server(Options options, Config config)
    : options_(std::move(options)), config_(std::move(config)) {
    display_ = wl_display_create();
    request_veto_ = std::make_unique<RequestVeto>(display_);
}

Server::~Server() {
    if (launcher_) launcher_->shutdown();
    ipc_.reset();
    // Before the clients go: its windows leave the views while the seat is whole.
    xwayland_.reset();
    // Clients first: their resources reference outputs, seat and renderer.
    wl_display_destroy_clients(display_);
    on_new_output_.disconnect();
    on_new_input_.disconnect();
    on_new_xdg_surface_.disconnect();
    on_new_decoration_.disconnect();
    on_layout_change_.disconnect();
    if (backend_ != nullptr) wlr_backend_destroy(backend_); // destroys the outputs
    release_batch_.reset(); // after the outputs: no render answers callbacks any more
    linux_dmabuf_.reset();
    drm_syncobj_.reset(); // before the display: they hold globals and a protocol logger
    explicit_sync_.reset();
    importer_.reset();
    shm_yuv_.reset(); // before the display: it listens to the compositor's surfaces
    pixman_fast_path_.reset(); // before the renderer it stands in front of
    output_manager_.reset();
    request_veto_.reset(); // no rule runs once its owner is gone
    xdg_teardown_.reset();
    request_guards_.reset();
    protocol_rules_.reset();
    virtual_input_.reset();
    input_lock_.reset();
    idle_.reset();
    layer_shell_.reset();
    on_request_activate_.disconnect();
    seat_.reset();
    if (sigint_ != nullptr) wl_event_source_remove(sigint_);
    if (sigterm_ != nullptr) wl_event_source_remove(sigterm_);
    launcher_.reset();
    // Layout before scene: wlroots 0.15's scene/layout helper leaves the
    // layout's destroy signal only when the layout goes, and it touches the scene.
    if (layout_ != nullptr) wlr_output_layout_destroy(layout_);
    if (scene_ != nullptr) wlr_scene_node_destroy(&scene_->node);
    if (allocator_ != nullptr) wlr_allocator_destroy(allocator_);
    if (renderer_ != nullptr) wlr_renderer_destroy(renderer_);
    wl_display_destroy(display_);
}

// planar's own atomic KMS backend with libinput, both on one session;
// wlroots' DRM backend when asked (--kms wlroots) or when no device does
// atomic KMS (logged with the reason).
wlr_backend *Server::create_drm_backend() {
    // A machine without keyboard or mouse (a kiosk, a test guest) still
    // gets its screen; wlroots refuses to start without this. A user's
    // own setting wins.
    setenv("WLR_LIBINPUT_NO_DEVICES", "1", 0);
    if (options_.kms == KmsKind::planar) {
        wlr_session *session = wlr_session_create(display_);
        if (session == nullptr) {
            plog::error(plog::Scope::core, "cannot open a session (seatd, logind or root for libseat's builtin backend)");
            return nullptr;
        }
        std::string why_not;
        wlr_backend *kms = kms::backend_create(display_, session, why_not);
        if (kms != nullptr) {
            wlr_backend *multi = wlr_multi_backend_create(display_);
            wlr_backend *input = wlr_libinput_backend_create(display_, session);
            wlr_multi_backend_add(multi, kms);
            if (input != nullptr) wlr_multi_backend_add(multi, input);
            return multi;
        }
        plog::info(plog::Scope::kms, "planar's KMS backend cannot drive this machine (%s): using wlroots' DRM backend",
                   why_not.c_str());
        wlr_session_destroy(session);
    } else {
        plog::info(plog::Scope::kms, "wlroots' DRM backend, as asked (--kms wlroots or PLANAR_KMS=wlroots)");
    }
    ScopedEnv backends("WLR_BACKENDS", "drm,libinput");
    return wlr_backend_autocreate(display_);
}

bool Server::create_backend() {
    BackendKind kind = options_.backend == BackendKind::automatic ? choose_backend() : options_.backend;
    plog::info(plog::Scope::core, "backend: %s%s", backend_name(kind),
               options_.backend == BackendKind::automatic ? " (auto)" : "");
    size_t outputs = options_.outputs.empty() ? 1 : options_.outputs.size();
    switch (kind) {
    case BackendKind::headless: {
        backend_ = backend::headless_create(display_);
        // A seat without a keyboard gets no keyboard focus: terminals take
        // no input, and clipboard tools refuse ("This seat has no keyboard").
        backend::headless_add_input(backend_, backend::InputKind::keyboard, "headless-keyboard");
        if (options_.outputs.empty()) {
            backend::headless_add_output(backend_, backend::OutputMode{});
        }
        for (const auto &mode : options_.outputs) {
            backend::headless_add_output(backend_, mode);
        }
        break;
    }
    case BackendKind::wayland: {
        ScopedEnv backends("WLR_BACKENDS", "wayland");
        ScopedEnv count("WLR_WL_OUTPUTS", std::to_string(outputs));
        backend_ = wlr_backend_autocreate(display_);
        break;
    }
    case BackendKind::x11: {
        ScopedEnv backends("WLR_BACKENDS", "x11");
        ScopedEnv count("WLR_X11_OUTPUTS", std::to_string(outputs));
        backend_ = wlr_backend_autocreate(display_);
        break;
    }
    case BackendKind::drm:
        backend_ = create_drm_backend();
        break;
    case BackendKind::automatic:
        break;
    }
    if (backend_ == nullptr) {
        plog::error(plog::Scope::core, "cannot create the %s backend (see the messages above)",
                    backend_name(kind));
        return false;
    }
    return true;
}

wlr_renderer *Server::output_renderer() const {
    return pixman_fast_path_ ? pixman_fast_path_->renderer() : renderer_;
}

bool Server::create_renderer() {
    switch (options_.renderer) {
    case RendererKind::pixman:
        renderer_ = wlr_pixman_renderer_create();
        break;
    case RendererKind::gles2: {
        // Asked for explicitly: a software EGL (llvmpipe) is acceptable.
        ScopedEnv name("WLR_RENDERER", "gles2");
        ScopedEnv software("WLR_RENDERER_ALLOW_SOFTWARE", "1");
        // llvmpipe (Mesa 22.3) segfaults in its JIT "linear" fast path (a bilinear
        // texel gather with an index near -2^31) on the first textured quad
        // wlroots draws (tests/vm drm-gles2). LP_PERF=no_linear turns that path
        // off. Left set for the process: every llvmpipe screen (EGL here, GBM in
        // the allocator) re-reads it into one global. No effect on GPU drivers;
        // a user's own LP_PERF wins.
        setenv("LP_PERF", "no_linear", 0);
        renderer_ = wlr_renderer_autocreate(backend_);
        break;
    }
    case RendererKind::automatic:
        renderer_ = wlr_renderer_autocreate(backend_);
        break;
    }
    if (renderer_ == nullptr) {
        plog::error(plog::Scope::core, "cannot create the %s renderer%s",
                    renderer_name(options_.renderer),
                    options_.renderer == RendererKind::gles2
                        ? ": gles2 needs a DRM device with EGL (try --renderer pixman)"
                        : "");
        return false;
    }
    plog::info(plog::Scope::core, "renderer: %s", wlr_renderer_is_pixman(renderer_) ? "pixman" : "gles2");
    // Outputs draw through it: unscaled windows are copied, not resampled.
    if (wlr_renderer_is_pixman(renderer_)) pixman_fast_path_ = std::make_unique<render::PixmanFastPath>(renderer_);
    // wl_shm only: linux-dmabuf is planar's own, never wlroots' (which would
    // refuse to exist without a render node).
    wlr_renderer_init_wl_shm(renderer_, display_);

    allocator_ = wlr_allocator_autocreate(backend_, renderer_);
    if (allocator_ == nullptr) {
        plog::error(plog::Scope::core, "cannot create a buffer allocator for this backend and renderer");
        return false;
    }
    return true;
}

void Server::create_globals() {
    // Surfaces upload through ShmYuvRenderer, which adds YUYV and NV12 wl_shm
    // (camera and video pipelines: GStreamer's waylandsink offers system
    // memory YUY2 to wl_shm) on top of the renderer's RGB formats.
    shm_yuv_ = std::make_unique<render::ShmYuvRenderer>(renderer_);
    if (pixman_fast_path_) {
        shm_yuv_->on_texture_made(
            [this](wlr_texture *texture, wlr_buffer *buffer) { pixman_fast_path_->track(texture, buffer); });
    }
    compositor_ = wlr_compositor_create(display_, shm_yuv_->renderer()); // also wl_subcompositor
    shm_yuv_->watch(compositor_);
    // CPU-converted dma-bufs convert once per commit, not once per read.
    shm_yuv_->on_committed(proto::DmabufBuffer::committed);
    for (uint32_t format : render::ShmYuvRenderer::added_shm_formats()) wl_display_add_shm_format(display_, format);
    add_request_checks(*request_veto_);
    release_batch_ = std::make_unique<ReleaseBatch>(wl_display_get_event_loop(display_), *request_veto_);
    request_guards_ = std::make_unique<RequestGuards>(*request_veto_);
    protocol_rules_ = std::make_unique<ProtocolRules>(*request_veto_);
    wlr_data_device_manager_create(display_);
    wlr_primary_selection_v1_device_manager_create(display_);
    // Clipboard managers and wl-copy/wl-paste read and set the selection
    // without a focused surface (zwlr_data_control_v1).
    wlr_data_control_manager_v1_create(display_);
    wlr_viewporter_create(display_);
    screencopy_ = wlr_screencopy_manager_v1_create(display_);
    wlr_xdg_output_manager_v1_create(display_, layout_);

    presentation_ = wlr_presentation_create(display_, backend_);
    // wlr_scene_render_output reports composited surfaces to it; planar's
    // own scan-out path reports the scanned-out surface (scene_frame.cpp).
    wlr_scene_set_presentation(scene_, presentation_);

    xdg_shell_ = wlr_xdg_shell_create(display_);
    xdg_teardown_ = std::make_unique<XdgTeardown>(xdg_shell_, *request_veto_);
    on_new_xdg_surface_.connect_as<wlr_xdg_surface>(
        &xdg_shell_->events.new_surface, [this](wlr_xdg_surface *s) { handle_new_xdg_surface(s); });

    decoration_manager_ = wlr_xdg_decoration_manager_v1_create(display_);
    on_new_decoration_.connect_as<wlr_xdg_toplevel_decoration_v1>(
        &decoration_manager_->events.new_toplevel_decoration,
        [](wlr_xdg_toplevel_decoration_v1 *d) { new Decoration(d); });

    output_manager_ = std::make_unique<OutputManager>(*this);
    create_linux_dmabuf();
    create_explicit_sync();
}

void Server::create_session_globals() {
    layer_shell_ = std::make_unique<LayerShell>(*this, &view_layer_->node);
    idle_ = std::make_unique<Idle>(display_, seat_->wlr(), *request_veto_);
    input_lock_ = std::make_unique<InputLock>(display_);
    input_lock_->on_change([this](bool) { seat_->input_lock_changed(); });
    virtual_input_ = std::make_unique<VirtualInput>(display_, *seat_, *request_veto_);
    // wlsunset and friends: outputs whose backend has a gamma LUT apply the
    // ramp with their next frame (planar's headless backend takes one and
    // applies it to nothing).
    wlr_gamma_control_manager_v1_create(display_);
    // Taskbars and window switchers (waybar's taskbar, rofi -show window).
    foreign_toplevels_ = wlr_foreign_toplevel_manager_v1_create(display_);
    wlr_xdg_activation_v1 *activation = wlr_xdg_activation_v1_create(display_);
    on_request_activate_.connect_as<wlr_xdg_activation_v1_request_activate_event>(
        &activation->events.request_activate, [this](wlr_xdg_activation_v1_request_activate_event *event) {
            // A launcher hands its token to the program it starts, which
            // then asks to be focused: honoured for a mapped window.
            if (!wlr_surface_is_xdg_surface(event->surface)) return;
            wlr_xdg_surface *xdg = wlr_xdg_surface_from_wlr_surface(event->surface);
            if (xdg == nullptr || xdg->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL) return;
            View *view = XdgView::from_xdg_surface(xdg);
            if (view != nullptr && view->mapped()) focus_view(view);
        });
}

namespace {

// dev_t of a DRM fd (borrowed), preferring its render node when it has one.
std::optional<dev_t> drm_device_of(int fd) {
    if (fd < 0) return std::nullopt;
    struct stat st {};
    if (char *render = drmGetRenderDeviceNameFromFd(fd)) {
        bool ok = stat(render, &st) == 0;
        free(render);
        if (ok) return st.st_rdev;
    }
    if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) return std::nullopt;
    return st.st_rdev;
}

} // namespace

dev_t Server::dmabuf_main_device() const {
    // The render node when there is one (gles2's EGL device), else the KMS
    // node planar drives (vkms has no render node).
    if (auto device = drm_device_of(wlr_renderer_get_drm_fd(renderer_))) return *device;
    if (auto device = drm_device_of(wlr_backend_get_drm_fd(backend_))) return *device;
    // No DRM device at all (pixman, headless or nested without one). The
    // buffers are read by the CPU, so the honest hint is where a client gets
    // CPU-mappable LINEAR dma-bufs: the system dma-heap, else udmabuf. Not
    // DRM nodes, so Mesa's drmGetDeviceFromDevId fails and its EGL falls back
    // to software/wl_shm (no GPU exists anyway), and clients such as
    // xdg-desktop-portal-wlr fall back to LINEAR, which is what the table
    // holds. With neither device: dev_t 0, the one no device has
    // (linux-dmabuf v4 requires a main_device event; a real node would be a
    // lie). wayland-info 1.1 then treats the feedback as absent.
    for (const char *path : {"/dev/dma_heap/system", "/dev/udmabuf"}) {
        struct stat st {};
        if (stat(path, &st) == 0 && S_ISCHR(st.st_mode)) return st.st_rdev;
    }
    return makedev(0, 0);
}

void Server::create_linux_dmabuf() {
    if (wlr_renderer_is_pixman(renderer_)) {
        importer_ = std::make_unique<render::CpuImporter>();
    } else {
        importer_ = std::make_unique<render::EglImporter>(renderer_, allocator_);
    }
    linux_dmabuf_ = std::make_unique<proto::LinuxDmabuf>(display_, *importer_, dmabuf_main_device());
}

void Server::create_explicit_sync() {
    std::string no_fences;
    completion_fences_ = render::EglCompletionFences::create(renderer_, no_fences);
    if (completion_fences_) {
        plog::info(plog::Scope::sync, "releases of composited buffers: fenced (EGL_ANDROID_native_fence_sync)");
    } else {
        plog::info(plog::Scope::sync, "releases of composited buffers: immediate, once planar is done (%s)",
                   no_fences.c_str());
    }
    auto plane_policy = [this](wlr_surface *surface) { return plane_takes_fence(surface); };
    explicit_sync_ = std::make_unique<proto::LinuxExplicitSync>(display_, completion_fences_.get(), plane_policy);
    // linux-drm-syncobj: timelines live on the main DRM device (the renderer's, else the KMS node).
    int drm_fd = wlr_renderer_get_drm_fd(renderer_);
    if (drm_fd < 0) drm_fd = wlr_backend_get_drm_fd(backend_);
    std::string why;
    if (auto device = render::open_drm_syncobj_device(drm_fd, event_loop(), why)) {
        drm_syncobj_ = std::make_unique<proto::LinuxDrmSyncobj>(display_, std::move(device), completion_fences_.get(),
                                                                plane_policy);
    } else {
        plog::info(plog::Scope::sync, "wp_linux_drm_syncobj_manager_v1 not advertised: %s", why.c_str());
    }
}

// A surface on a plane of a device that takes IN_FENCE_FD: KMS waits for its
// acquire fences, not planar's event loop (see scene_frame.hpp).
bool Server::plane_takes_fence(wlr_surface *surface) const {
    for (Output *output : outputs_) {
        if (output->scanned_out_surface() == surface) return kms::takes_in_fence(output->wlr());
    }
    return false;
}

void Server::buffer_off_plane(wlr_buffer *buffer, int fence) {
    if (explicit_sync_) explicit_sync_->buffer_off_plane(buffer, fence);
    if (drm_syncobj_) drm_syncobj_->buffer_off_plane(buffer, fence);
}

void Server::frame_composited(wlr_scene_output *scene_output) {
    if (!completion_fences_) return;
    completion_fences_->frame_rendered(scene_output, [this](wlr_buffer *buffer) {
        return explicit_sync_->release_awaited(buffer) || (drm_syncobj_ && drm_syncobj_->release_awaited(buffer));
    });
}

bool Server::init() {
    if (!create_backend() || !create_renderer()) return false;

    layout_ = wlr_output_layout_create();
    on_layout_change_.connect(&layout_->events.change, [this](void *) { layout_changed(); });
    scene_ = wlr_scene_create();
    view_layer_ = wlr_scene_tree_create(&scene_->node);
    drag_icon_layer_ = wlr_scene_tree_create(&scene_->node);
    wlr_scene_attach_output_layout(scene_, layout_);

    create_globals();
    seat_ = std::make_unique<Seat>(*this);
    create_session_globals();
    launcher_ = std::make_unique<Launcher>(*this);
    if (options_.xwayland && config_.xwayland) xwayland_ = Xwayland::create(*this);

    on_new_output_.connect_as<wlr_output>(&backend_->events.new_output,
                                          [this](wlr_output *o) { handle_new_output(o); });
    on_new_input_.connect_as<wlr_input_device>(&backend_->events.new_input,
                                               [this](wlr_input_device *d) { seat_->add_input(d); });

    sigint_ = wl_event_loop_add_signal(event_loop(), SIGINT, handle_terminate_signal, this);
    sigterm_ = wl_event_loop_add_signal(event_loop(), SIGTERM, handle_terminate_signal, this);
    return true;
}

bool Server::start() {
    if (options_.socket.empty()) {
        const char *name = wl_display_add_socket_auto(display_);
        if (name == nullptr) {
            plog::error(plog::Scope::core, "cannot open a Wayland socket (is XDG_RUNTIME_DIR set and writable?)");
            return false;
        }
        socket_ = name;
    } else {
        if (wl_display_add_socket(display_, options_.socket.c_str()) != 0) {
            plog::error(plog::Scope::core, "cannot open Wayland socket '%s' (in use, or XDG_RUNTIME_DIR unset?)",
                        options_.socket.c_str());
            return false;
        }
        socket_ = options_.socket;
    }
    // planar-ctl's socket exists as soon as the Wayland socket does: whoever
    // waits for the one may use the other at once (starting the backend
    // takes a while: devices, outputs, a keymap to compile).
    setenv("WAYLAND_DISPLAY", socket_.c_str(), 1);
    if (xwayland_) setenv("DISPLAY", xwayland_->display_name(), 1); // X11 clients find planar's Xwayland
    ipc_ = std::make_unique<IpcServer>(*this, IpcServer::path_for(socket_));
    if (ipc_->listening()) setenv("PLANAR_IPC", ipc_->path().c_str(), 1);
    if (!wlr_backend_start(backend_)) {
        plog::error(plog::Scope::core, "cannot start the backend");
        return false;
    }
    plog::info(plog::Scope::core, "running on WAYLAND_DISPLAY=%s", socket_.c_str());
    if (!options_.command.empty()) {
        if (!launcher_->start_main_client(options_.command, options_.exit_with_client)) return false;
    }
    return true;
}

int Server::run() {
    wl_display_run(display_);
    return exit_status_;
}

void Server::terminate(int exit_status) {
    exit_status_ = exit_status;
    wl_display_terminate(display_);
}

void Server::handle_new_output(wlr_output *wlr_output) {
    // Nested backends create one window per --output; give each its mode.
    backend::OutputMode *mode = nullptr;
    if (!backend::is_headless(backend_) && nested_outputs_seen_ < options_.outputs.size()) {
        mode = &options_.outputs[nested_outputs_seen_];
    }
    nested_outputs_seen_++;
    new Output(*this, wlr_output, mode);
}

void Server::output_added(Output *output) {
    outputs_.push_back(output);
    // Outputs are laid out left to right in the order they appear.
    wlr_output_layout_add_auto(layout_, output->wlr());
}

void Server::output_removed(Output *output) {
    if (layer_shell_) layer_shell_->output_gone(output);
    outputs_.remove(output);
    wlr_output_layout_remove(layout_, output->wlr());
}

void Server::work_area_changed(Output *output) {
    for (View *view : views_) view->work_area_changed(output);
}

void Server::layout_changed() {
    // Outputs moved or changed size: their layer surfaces and work areas first.
    if (layer_shell_) layer_shell_->arrange_all();
    for (View *view : views_) view->output_layout_changed();
    update_occlusion();
    if (output_manager_) output_manager_->update();
}

Output *Server::output_at(double lx, double ly) {
    wlr_output *wlr_output = wlr_output_layout_output_at(layout_, lx, ly);
    return wlr_output != nullptr ? static_cast<Output *>(wlr_output->data) : nullptr;
}

Output *Server::primary_output() {
    for (Output *output : outputs_) {
        if (output->usable()) return output;
    }
    return nullptr;
}

void Server::handle_new_xdg_surface(wlr_xdg_surface *xdg_surface) {
    if (xdg_surface->role == WLR_XDG_SURFACE_ROLE_POPUP) {
        // Popups live in their parent's scene tree; wlroots tracks their lifetime.
        // A popup committed without a parent has been given not_constructed
        // (wlroots announces it all the same); one whose parent is a layer
        // surface is placed by the layer shell when it names that parent.
        wlr_surface *parent_surface = xdg_surface->popup->parent;
        if (parent_surface == nullptr || !wlr_surface_is_xdg_surface(parent_surface)) return;
        wlr_xdg_surface *parent = wlr_xdg_surface_from_wlr_surface(parent_surface);
        XdgLink *parent_link = XdgLink::of(parent);
        if (parent_link == nullptr || parent_link->node() == nullptr) return;
        XdgLink::create(xdg_surface, wlr_scene_xdg_surface_create(parent_link->node(), xdg_surface), nullptr);
        new Popup(*seat_, xdg_surface);
        XdgView::unconstrain_popup(*this, xdg_surface);
        return;
    }
    if (xdg_surface->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL) {
        new XdgView(*this, xdg_surface);
    }
}

View *Server::view_at(double lx, double ly, wlr_surface **surface, double *sx, double *sy) {
    // The whole scene: layer surfaces (panels, launchers) and X11 override-redirect
    // windows (menus) take input too, without being Views.
    // A drag icon under the cursor is shown, not pointed at: what is under
    // it gets the drag's enter and drop.
    wlr_scene_node *node = nullptr;
    wlr_scene_node *layer = nullptr;
    wl_list_for_each_reverse(layer, &scene_->node.state.children, state.link) {
        if (layer == &drag_icon_layer_->node) continue;
        if ((node = wlr_scene_node_at(layer, lx, ly, sx, sy)) != nullptr) break;
    }
    if (node == nullptr || node->type != WLR_SCENE_NODE_SURFACE) return nullptr;
    wlr_surface *found = wlr_scene_surface_from_node(node)->surface;
    // While a lock client holds the input, nothing else is under the pointer.
    if (input_lock_ && !input_lock_->allows(found)) return nullptr;
    *surface = found;
    for (wlr_scene_node *n = node; n != nullptr; n = n->parent) {
        if (n->data != nullptr && n->parent == &view_layer_->node) {
            return static_cast<View *>(n->data);
        }
    }
    return nullptr;
}

View *Server::focused_view() {
    return views_.empty() || !views_.front()->focused() ? nullptr : views_.front();
}

void Server::focus_view(View *view) {
    if (view == nullptr) return;
    // Focusing a minimized window shows it (set_minimized comes back here).
    if (view->minimized()) {
        view->set_minimized(false);
        return;
    }
    end_popup_grab_outside(view);
    // Exactly one activated toplevel: every other one loses the state, not
    // only the previous front one (a view mapped or raised elsewhere may have
    // moved in front of it already).
    for (View *other : views_) {
        if (other != view && other->focused()) other->set_activated(false);
    }
    views_.remove(view);
    views_.push_front(view);
    view->raise_and_activate();
    // Its transient windows (dialogs: xdg_toplevel.set_parent) stay above it.
    std::vector<View *> children;
    for (auto it = views_.rbegin(); it != views_.rend(); ++it) {
        if ((*it)->parent_view() == view) children.push_back(*it);
    }
    for (View *child : children) child->raise();
    seat_->focus_surface(view->surface());
    update_occlusion();
}

void Server::end_popup_grab_outside(View *view) {
    // xdg-shell: a grabbing popup (a menu) is dismissed when another window
    // takes the focus; wlroots 0.15's grab would otherwise keep the keyboard
    // from that window for as long as the menu stays open. Its own window
    // keeps it (a click into the menu focuses that window first).
    wlr_xdg_popup_grab *grab = nullptr;
    wl_list_for_each(grab, &xdg_shell_->popup_grabs, link) {
        if (grab->seat != seat_->wlr() || wl_list_empty(&grab->popups)) continue;
        wlr_xdg_popup *popup = wl_container_of(grab->popups.next, popup, grab_link);
        wlr_xdg_surface *root = popup->base;
        // Bounded: wlroots 0.15 lets a client make a parent cycle
        // (RequestGuards refuses it); a root not found ends the grab.
        for (int depth = 0; root != nullptr && root->role == WLR_XDG_SURFACE_ROLE_POPUP; depth++) {
            wlr_surface *parent = root->popup->parent;
            if (parent == nullptr || !wlr_surface_is_xdg_surface(parent)) break;
            root = depth < kMaxPopupDepth ? wlr_xdg_surface_from_wlr_surface(parent) : nullptr;
        }
        if (XdgView::from_xdg_surface(root) != view) {
            // Cancelling the pointer grab ends the whole popup grab: every
            // popup in it gets popup_done.
            wlr_seat_pointer_end_grab(seat_->wlr());
        }
        return;
    }
}

void Server::send_frame_done_to_held_views(const timespec *now) {
    // Every output's frame sends them: a frame callback is answered once,
    // so a second output only finds none left.
    for (View *view : views_) view->send_frame_done_while_held(now);
}

void Server::update_occlusion() {
    // A fullscreen view covering an output hides the views it covers
    // completely (nothing to draw), and when nothing else is visible on that
    // output its surface is the output's scan-out candidate.
    for (View *view : views_) view->set_occluded(false);
    for (Output *output : outputs_) {
        wlr_box box = output->box();
        View *cover = nullptr;
        bool alone = true;
        for (View *view : views_) {
            if (!view->mapped() || view->minimized()) continue;
            wlr_box geo = view->geometry();
            wlr_box inside{};
            bool intersects = wlr_box_intersection(&inside, &geo, &box);
            if (cover == nullptr) {
                if (view->fullscreen() && geo.x == box.x && geo.y == box.y && geo.width == box.width &&
                    geo.height == box.height) {
                    cover = view;
                } else if (intersects) {
                    alone = false; // above the fullscreen view, or no fullscreen view
                }
                continue;
            }
            if (intersects && inside.width == geo.width && inside.height == geo.height) {
                view->set_occluded(true);
            } else if (intersects) {
                alone = false; // reaches into this output from another one
            }
        }
        // Under a fullscreen window only the overlay layer stays visible.
        bool overlay_visible = layer_shell_ && layer_shell_->set_covered(output, cover != nullptr);
        output->set_scanout_candidate(cover != nullptr && alone && !overlay_visible ? cover : nullptr);
    }
    if (seat_) seat_->scene_changed();
}

void Server::view_minimized(View *view) {
    view->set_activated(false);
    seat_->focus_surface(nullptr);
    for (View *next : views_) {
        if (next != view && next->mapped() && !next->minimized()) {
            focus_view(next);
            return;
        }
    }
}

void Server::view_unmapped(View *view, bool was_focused) {
    views_.remove(view);
    if (was_focused) {
        seat_->focus_surface(nullptr);
        for (View *next : views_) {
            if (next->mapped() && !next->minimized()) {
                focus_view(next);
                break;
            }
        }
    }
    seat_->view_gone(view);
    update_occlusion();
    // Its tree is hidden already: the pointer is over what was under it
    // now, before the client's next reply (a pointer constraint there
    // becomes active again in the same round trip).
    seat_->refresh_pointer_focus();
}

} // namespace planar
