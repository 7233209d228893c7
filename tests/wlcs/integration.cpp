// planar's WLCS integration module: the shared library the suite's runner
// (Debian's wlcs) loads, found through the symbol `wlcs_server_integration`.
// Each test gets its own planar::Server, in this process, on planar's own
// headless backend (exact frame clock, pixman), with one 2048x2048 output.
// Clients connect through socketpairs; pointers and touchscreens are input
// devices of that backend whose events take planar's real input path
// (wlr_cursor, Seat, wlr_seat), as a user's would.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <sys/socket.h>
#include <vector>
#include <wayland-client.h>

#include <wlcs/display_server.h>
#include <wlcs/pointer.h>
#include <wlcs/touch.h>

#include "config.hpp"
#include "headless.hpp"
#include "log.hpp"
#include "options.hpp"
#include "server.hpp"
#include "server_thread.hpp"
#include "unique_fd.hpp"
#include "xdg_view.hpp"
#include "wlr.hpp"

namespace wlcs_planar {
namespace {

// A power of two: pointer and touch positions reach wlr_cursor as fractions
// of the layout (as libinput's absolute devices do), and x / 2048 * 2048 is x
// exactly, so a test that puts the pointer on a window's first pixel gets it.
constexpr int output_size = 2048;

uint32_t now_msec() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint32_t>(ts.tv_sec * 1000 + ts.tv_nsec / 1'000'000);
}

struct Compositor;

// A client connection handed to WLCS, found again by the fd its wl_display
// uses. wl_client_add_destroy_listener takes a bare wl_listener (there is no
// signal to give wl::Listener).
struct ClientEntry {
    wl_listener on_destroy;
    Compositor *compositor;
    int fd;
    wl_client *client;
};

struct Compositor {
    WlcsDisplayServer base; // first member: WLCS hands us &base
    std::unique_ptr<planar::Server> server;
    std::unique_ptr<ServerThread> thread;
    std::map<int, std::unique_ptr<ClientEntry>> clients; // by the client's end of the socketpair
    std::vector<std::string> global_names;
    std::vector<WlcsExtensionDescriptor> extensions;
    WlcsIntegrationDescriptor descriptor{};
    int32_t next_touch_id = 0;

    Compositor();
    bool init();
    void record_globals();
    // A wl_client on `server_end`, found again later by `client_fd`, the
    // other end (borrowed), which WLCS gets.
    bool add_client(UniqueFd server_end, int client_fd);
    wl_client *client_of(int fd);
    void position_window(int fd, uint32_t surface_id, int x, int y);
    // Layout position → the 0..1 fractions an absolute device reports.
    void to_unit(wl_fixed_t x, wl_fixed_t y, double *ux, double *uy);
};

Compositor *compositor_of(WlcsDisplayServer *server) { return reinterpret_cast<Compositor *>(server); }

// --- pointer -----------------------------------------------------------------

struct Pointer {
    WlcsPointer base; // first member
    Compositor *compositor;
    wlr_input_device *device = nullptr;
};

Pointer *pointer_of(WlcsPointer *pointer) { return reinterpret_cast<Pointer *>(pointer); }

void pointer_emit(Pointer *p, wl_signal *signal, void *event) {
    wl_signal_emit(signal, event);
    wl_signal_emit(&p->device->pointer->events.frame, p->device->pointer);
}

void pointer_move_absolute(WlcsPointer *pointer, wl_fixed_t x, wl_fixed_t y) {
    Pointer *p = pointer_of(pointer);
    p->compositor->thread->call([p, x, y] {
        wlr_event_pointer_motion_absolute event{};
        event.device = p->device;
        event.time_msec = now_msec();
        p->compositor->to_unit(x, y, &event.x, &event.y);
        pointer_emit(p, &p->device->pointer->events.motion_absolute, &event);
    });
}

void pointer_move_relative(WlcsPointer *pointer, wl_fixed_t dx, wl_fixed_t dy) {
    Pointer *p = pointer_of(pointer);
    p->compositor->thread->call([p, dx, dy] {
        wlr_event_pointer_motion event{};
        event.device = p->device;
        event.time_msec = now_msec();
        event.delta_x = event.unaccel_dx = wl_fixed_to_double(dx);
        event.delta_y = event.unaccel_dy = wl_fixed_to_double(dy);
        pointer_emit(p, &p->device->pointer->events.motion, &event);
    });
}

void pointer_button(WlcsPointer *pointer, int button, wlr_button_state state) {
    Pointer *p = pointer_of(pointer);
    p->compositor->thread->call([p, button, state] {
        wlr_event_pointer_button event{};
        event.device = p->device;
        event.time_msec = now_msec();
        event.button = static_cast<uint32_t>(button);
        event.state = state;
        pointer_emit(p, &p->device->pointer->events.button, &event);
    });
}

void pointer_button_down(WlcsPointer *pointer, int button) { pointer_button(pointer, button, WLR_BUTTON_PRESSED); }

void pointer_button_up(WlcsPointer *pointer, int button) { pointer_button(pointer, button, WLR_BUTTON_RELEASED); }

void pointer_destroy(WlcsPointer *pointer) {
    Pointer *p = pointer_of(pointer);
    p->compositor->thread->call([p] { wlr_input_device_destroy(p->device); });
    delete p;
}

WlcsPointer *create_pointer(WlcsDisplayServer *server) {
    Compositor *c = compositor_of(server);
    auto *p = new Pointer{};
    p->base.version = WLCS_POINTER_VERSION;
    p->base.move_absolute = pointer_move_absolute;
    p->base.move_relative = pointer_move_relative;
    p->base.button_down = pointer_button_down;
    p->base.button_up = pointer_button_up;
    p->base.destroy = pointer_destroy;
    p->compositor = c;
    c->thread->call([c, p] {
        p->device = backend::headless_add_input(c->server->backend(), backend::InputKind::pointer, "wlcs-pointer");
    });
    return &p->base;
}

// --- touch -------------------------------------------------------------------

// One finger. WLCS 1.5 passes touch positions as whole layout pixels (its
// Touch::down_at hands its ints straight to these hooks), not as wl_fixed_t.
struct Touch {
    WlcsTouch base; // first member
    Compositor *compositor;
    wlr_input_device *device = nullptr;
    int32_t id = 0;
};

Touch *touch_of(WlcsTouch *touch) { return reinterpret_cast<Touch *>(touch); }

void touch_down(WlcsTouch *touch, wl_fixed_t x, wl_fixed_t y) {
    Touch *t = touch_of(touch);
    t->compositor->thread->call([t, x, y] {
        wlr_event_touch_down event{};
        event.device = t->device;
        event.time_msec = now_msec();
        event.touch_id = t->id;
        t->compositor->to_unit(wl_fixed_from_int(x), wl_fixed_from_int(y), &event.x, &event.y);
        wl_signal_emit(&t->device->touch->events.down, &event);
        wl_signal_emit(&t->device->touch->events.frame, nullptr);
    });
}

void touch_move(WlcsTouch *touch, wl_fixed_t x, wl_fixed_t y) {
    Touch *t = touch_of(touch);
    t->compositor->thread->call([t, x, y] {
        wlr_event_touch_motion event{};
        event.device = t->device;
        event.time_msec = now_msec();
        event.touch_id = t->id;
        t->compositor->to_unit(wl_fixed_from_int(x), wl_fixed_from_int(y), &event.x, &event.y);
        wl_signal_emit(&t->device->touch->events.motion, &event);
        wl_signal_emit(&t->device->touch->events.frame, nullptr);
    });
}

void touch_up(WlcsTouch *touch) {
    Touch *t = touch_of(touch);
    t->compositor->thread->call([t] {
        wlr_event_touch_up event{};
        event.device = t->device;
        event.time_msec = now_msec();
        event.touch_id = t->id;
        wl_signal_emit(&t->device->touch->events.up, &event);
        wl_signal_emit(&t->device->touch->events.frame, nullptr);
    });
}

void touch_destroy(WlcsTouch *touch) {
    Touch *t = touch_of(touch);
    t->compositor->thread->call([t] { wlr_input_device_destroy(t->device); });
    delete t;
}

WlcsTouch *create_touch(WlcsDisplayServer *server) {
    Compositor *c = compositor_of(server);
    auto *t = new Touch{};
    t->base.version = WLCS_TOUCH_VERSION;
    t->base.touch_down = touch_down;
    t->base.touch_move = touch_move;
    t->base.touch_up = touch_up;
    t->base.destroy = touch_destroy;
    t->compositor = c;
    t->id = c->next_touch_id++; // each finger its own id: two may be down at once
    c->thread->call([c, t] {
        t->device = backend::headless_add_input(c->server->backend(), backend::InputKind::touch, "wlcs-touch");
    });
    return &t->base;
}

// --- a stand-in for an ack wlcs 1.5 forgets ----------------------------------

// wlcs 1.5's helpers for a visible xdg toplevel attach and commit a buffer
// without waiting for a configure or acking one: create_xdg_shell_stable_surface
// (behind create_visible_surface) after an initial commit, XdgStableSurfaceBuilder
// (the parametrised input tests) in the very first commit. Upstream fixed the
// first after 1.5 (canonical/wlcs#322: "Protocol *requires* us to ack the
// initial configure before attaching a buffer"). wlroots rightly answers with
// xdg_surface.unconfigured_buffer, which would fail every test built on those
// helpers before it tests anything. So, seen before the request runs, a commit
// that brings a buffer to a toplevel which never acked a configure counts as
// configured, as if the client had acked. The layer-shell popup tests
// (LayerSurfaceLayoutTest.simple_popup_positioned_correctly) do the same to a
// popup in its first commit, which is treated alike. Nothing else changes: a buffer on a
// surface without a role, or attached and never committed, is refused as
// before, and every wlcs test that checks the rule itself does one of those.
void ack_for_wlcs_1_5(void *, wl_protocol_logger_type type, const wl_protocol_logger_message *message) {
    if (type != WL_PROTOCOL_LOGGER_REQUEST || strcmp(message->message->name, "commit") != 0 ||
        strcmp(wl_resource_get_class(message->resource), "wl_surface") != 0) {
        return;
    }
    wlr_surface *surface = wlr_surface_from_resource(message->resource);
    if (!wlr_surface_is_xdg_surface(surface)) return;
    wlr_xdg_surface *xdg = wlr_xdg_surface_from_wlr_surface(surface);
    if (xdg == nullptr || xdg->role == WLR_XDG_SURFACE_ROLE_NONE || xdg->configured) return;
    if ((surface->pending.committed & WLR_SURFACE_STATE_BUFFER) && surface->pending.buffer != nullptr) {
        xdg->configured = true;
    }
}

// --- the compositor ----------------------------------------------------------

Compositor::Compositor() {
    planar::Options options;
    options.backend = planar::BackendKind::headless;
    options.renderer = planar::RendererKind::pixman;
    options.outputs.push_back(backend::OutputMode{output_size, output_size, 60000});
    options.xwayland = false; // Wayland conformance only: no X11 sockets
    planar::Config config;
    config.keyboard.layout = "us";
    server = std::make_unique<planar::Server>(options, config);
}

bool Compositor::init() {
    // planar's init blocks the signals it handles (wl_event_loop_add_signal)
    // in this thread, which is the test runner's: give them back, so that
    // Ctrl+C still stops the suite.
    sigset_t before;
    pthread_sigmask(SIG_SETMASK, nullptr, &before);
    bool ok = server->init();
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    if (!ok) return false;
    // A keyboard and a touchscreen are plugged in from the start (the pointer
    // capability planar always has), so the seat's capabilities never change
    // during a test: focus tests look for wl_keyboard, and a wlcs 1.5 client
    // binds new wl_pointer/wl_keyboard objects on every capabilities event.
    backend::headless_add_input(server->backend(), backend::InputKind::keyboard, "wlcs-keyboard");
    backend::headless_add_input(server->backend(), backend::InputKind::touch, "wlcs-touchscreen");
    if (!wlr_backend_start(server->backend())) return false;
    wl_display_add_protocol_logger(server->display(), ack_for_wlcs_1_5, nullptr);
    record_globals();
    thread = std::make_unique<ServerThread>(*server);
    return true;
}

// The extensions WLCS may test are the globals planar advertises: a client
// is connected in-process and a global filter notes each one its registry
// is told about. Tests of anything else are skipped, not failed.
void Compositor::record_globals() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return;
    wl_display *display = server->display();
    wl_display_set_global_filter(
        display,
        [](const wl_client *, const wl_global *global, void *data) {
            auto *self = static_cast<Compositor *>(data);
            const wl_interface *interface = wl_global_get_interface(global);
            for (const std::string &name : self->global_names) {
                if (name == interface->name) return true;
            }
            self->global_names.emplace_back(interface->name);
            self->extensions.push_back({nullptr, wl_global_get_version(global)});
            return true;
        },
        this);
    wl_client *server_end = wl_client_create(display, fds[0]);
    wl_display *client_end = wl_display_connect_to_fd(fds[1]);
    if (server_end != nullptr && client_end != nullptr) {
        wl_registry *registry = wl_display_get_registry(client_end);
        wl_display_flush(client_end);
        wl_event_loop_dispatch(server->event_loop(), 100);
        wl_registry_destroy(registry);
    }
    wl_display_set_global_filter(display, nullptr, nullptr);
    if (server_end != nullptr) wl_client_destroy(server_end);
    if (client_end != nullptr) wl_display_disconnect(client_end);
    for (size_t i = 0; i < global_names.size(); i++) extensions[i].name = global_names[i].c_str();
    descriptor.version = 1;
    descriptor.num_extensions = extensions.size();
    descriptor.supported_extensions = extensions.data();
}

bool Compositor::add_client(UniqueFd server_end, int client_fd) {
    wl_client *client = wl_client_create(server->display(), server_end.get());
    if (client == nullptr) return false;
    (void)server_end.release(); // the wl_client owns it now
    // WLCS closes a client's fd when it is done with it, and a later client
    // may get the same number before planar has seen the old one go.
    auto found = clients.find(client_fd);
    if (found != clients.end()) wl_list_remove(&found->second->on_destroy.link);
    auto entry = std::make_unique<ClientEntry>(ClientEntry{{}, this, client_fd, client});
    entry->on_destroy.notify = [](wl_listener *listener, void *) {
        ClientEntry *gone = wl_container_of(listener, gone, on_destroy);
        gone->compositor->clients.erase(gone->fd);
    };
    wl_client_add_destroy_listener(client, &entry->on_destroy);
    clients[client_fd] = std::move(entry);
    return true;
}

wl_client *Compositor::client_of(int fd) {
    auto found = clients.find(fd);
    return found != clients.end() ? found->second->client : nullptr;
}

void Compositor::to_unit(wl_fixed_t x, wl_fixed_t y, double *ux, double *uy) {
    const wlr_box *box = wlr_output_layout_get_box(server->layout(), nullptr);
    *ux = box->width > 0 ? (wl_fixed_to_double(x) - box->x) / box->width : 0;
    *uy = box->height > 0 ? (wl_fixed_to_double(y) - box->y) / box->height : 0;
}

void Compositor::position_window(int fd, uint32_t surface_id, int x, int y) {
    wl_client *client = client_of(fd);
    wl_resource *resource = client != nullptr ? wl_client_get_object(client, surface_id) : nullptr;
    if (resource == nullptr || strcmp(wl_resource_get_class(resource), "wl_surface") != 0) {
        plog::error(plog::Scope::core, "wlcs: no wl_surface %u to position", surface_id);
        return;
    }
    wlr_surface *surface = wlr_surface_from_resource(resource);
    wlr_xdg_surface *xdg = wlr_surface_is_xdg_surface(surface) ? wlr_xdg_surface_from_wlr_surface(surface) : nullptr;
    planar::XdgView *view = planar::XdgView::from_xdg_surface(xdg);
    if (view == nullptr) {
        plog::error(plog::Scope::core, "wlcs: wl_surface %u is not a toplevel planar shows", surface_id);
        return;
    }
    view->place_at(x, y);
}

// --- WlcsDisplayServer hooks ------------------------------------------------

void start(WlcsDisplayServer *server) { compositor_of(server)->thread->start(); }

void stop(WlcsDisplayServer *server) { compositor_of(server)->thread->stop(); }

int create_client_socket(WlcsDisplayServer *server) {
    Compositor *c = compositor_of(server);
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return -1;
    UniqueFd server_end(fds[0]);
    UniqueFd client_end(fds[1]);
    bool ok = false;
    c->thread->call([c, &server_end, &client_end, &ok] { ok = c->add_client(std::move(server_end), client_end.get()); });
    return ok ? client_end.release() : -1;
}

void position_window_absolute(WlcsDisplayServer *server, wl_display *client, wl_surface *surface, int x, int y) {
    Compositor *c = compositor_of(server);
    // Read on the test's thread, where the client objects live.
    int fd = wl_display_get_fd(client);
    uint32_t id = wl_proxy_get_id(reinterpret_cast<wl_proxy *>(surface));
    c->thread->call([c, fd, id, x, y] { c->position_window(fd, id, x, y); });
}

const WlcsIntegrationDescriptor *get_descriptor(const WlcsDisplayServer *server) {
    return &reinterpret_cast<const Compositor *>(server)->descriptor;
}

WlcsDisplayServer *create_server(int, const char **) {
    // Logging belongs to the process (plog and wlroots keep one sink each),
    // not to one server: set up once, on the first server wlcs creates.
    static bool logging = [] {
        if (const char *scopes = std::getenv("PLANAR_DEBUG")) {
            plog::enable_scopes(scopes);
            plog::init(false);
        } else {
            wlr_log_init(WLR_ERROR, nullptr);
        }
        return true;
    }();
    (void)logging;
    auto *c = new Compositor;
    // Version 2: start() runs planar on a thread of ours. Version 3's
    // start_on_this_thread would not spare the hand-over: wlcs 1.5's
    // Touch::down_at calls the touch hooks from the test's thread anyway.
    c->base.version = 2;
    c->base.start = start;
    c->base.stop = stop;
    c->base.create_client_socket = create_client_socket;
    c->base.position_window_absolute = position_window_absolute;
    c->base.create_pointer = create_pointer;
    c->base.create_touch = create_touch;
    c->base.get_descriptor = get_descriptor;
    if (!c->init()) {
        fprintf(stderr, "planar-wlcs: planar did not start (see the messages above)\n");
        abort();
    }
    return &c->base;
}

void destroy_server(WlcsDisplayServer *server) {
    Compositor *c = compositor_of(server);
    c->thread.reset(); // stops the loop if WLCS did not
    c->server.reset(); // its clients go with it, and their entries in `clients`
    delete c;
}

} // namespace
} // namespace wlcs_planar

extern "C" __attribute__((visibility("default"))) const WlcsServerIntegration wlcs_server_integration = {
    .version = 1,
    .create_server = wlcs_planar::create_server,
    .destroy_server = wlcs_planar::destroy_server,
};
