#include "raw_client.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

#include "unique_fd.hpp"
#include "xdg-shell-client-protocol.h"

namespace test_client {

ProtocolError protocol_error(wl_display *display) {
    ProtocolError result;
    wl_display_roundtrip(display);
    result.error = wl_display_get_error(display);
    if (result.error != EPROTO) return result;
    const wl_interface *interface = nullptr;
    result.code = wl_display_get_protocol_error(display, &interface, &result.object_id);
    if (interface != nullptr) result.interface = interface->name;
    return result;
}

namespace {

void handle_ping(void *, xdg_wm_base *wm_base, uint32_t serial) { xdg_wm_base_pong(wm_base, serial); }
const xdg_wm_base_listener wm_base_listener = {.ping = handle_ping};

// Acks every configure; the data counts them.
void handle_configure(void *data, xdg_surface *xdg, uint32_t serial) {
    ++*static_cast<int *>(data);
    xdg_surface_ack_configure(xdg, serial);
}
const xdg_surface_listener acker = {.configure = handle_configure};

} // namespace

RawClient::RawClient(const std::string &socket) {
    display_ = wl_display_connect(socket.empty() ? nullptr : socket.c_str());
    if (display_ == nullptr) return;
    registry_ = wl_display_get_registry(display_);
    static const wl_registry_listener listener{
        .global = [](void *data, wl_registry *, uint32_t name, const char *interface, uint32_t version) {
            static_cast<RawClient *>(data)->globals_.push_back({name, version, interface});
        },
        .global_remove = [](void *, wl_registry *, uint32_t) {},
    };
    wl_registry_add_listener(registry_, &listener, this);
    wl_display_roundtrip(display_);
}

RawClient::~RawClient() {
    if (display_ == nullptr) return;
    // Local only: the compositor destroys its side with the connection.
    for (auto it = proxies_.rbegin(); it != proxies_.rend(); ++it) wl_proxy_destroy(*it);
    wl_registry_destroy(registry_);
    wl_display_disconnect(display_);
}

wl_proxy *RawClient::bind_proxy(const wl_interface &interface, uint32_t version) {
    if (display_ == nullptr) return nullptr;
    auto global = std::find_if(globals_.begin(), globals_.end(),
                               [&](const Global &g) { return g.interface == interface.name; });
    if (global == globals_.end() || global->version < version) return nullptr;
    auto *proxy = static_cast<wl_proxy *>(wl_registry_bind(registry_, global->name, &interface, version));
    if (proxy != nullptr && &interface == &xdg_wm_base_interface) {
        xdg_wm_base_add_listener(reinterpret_cast<xdg_wm_base *>(proxy), &wm_base_listener, nullptr);
    }
    return proxy != nullptr ? keep(proxy) : nullptr;
}

bool RawClient::dispatch_until(const std::function<bool()> &done, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (!roundtrip()) return false;
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

wl_compositor *RawClient::compositor() {
    if (compositor_ == nullptr) compositor_ = bind<wl_compositor>(wl_compositor_interface, 4);
    return compositor_;
}

wl_shm *RawClient::shm() {
    if (shm_ == nullptr) shm_ = bind<wl_shm>(wl_shm_interface, 1);
    return shm_;
}

xdg_wm_base *RawClient::wm_base() {
    if (wm_base_ == nullptr) wm_base_ = bind<xdg_wm_base>(xdg_wm_base_interface, 2);
    return wm_base_;
}

wl_buffer *RawClient::shm_buffer(int width, int height, uint32_t format, uint8_t fill) {
    if (shm() == nullptr) return nullptr;
    // Four bytes a pixel covers every format the tests use.
    const int stride = width * 4;
    const size_t size = static_cast<size_t>(stride) * height;
    UniqueFd fd(memfd_create("raw-client", MFD_CLOEXEC));
    if (!fd || ftruncate(fd.get(), static_cast<off_t>(size)) != 0) return nullptr;
    if (fill != 0) {
        void *map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
        if (map == MAP_FAILED) return nullptr;
        memset(map, fill, size);
        munmap(map, size);
    }
    wl_shm_pool *pool = wl_shm_create_pool(shm_, fd.get(), static_cast<int32_t>(size));
    wl_buffer *buffer = keep(wl_shm_pool_create_buffer(pool, 0, width, height, stride, format));
    wl_shm_pool_destroy(pool);
    return buffer;
}

wl_surface *RawClient::surface() {
    return compositor() != nullptr ? keep(wl_compositor_create_surface(compositor_)) : nullptr;
}

RawClient::Toplevel RawClient::toplevel(const char *app_id) {
    wl_surface *s = wm_base() != nullptr ? surface() : nullptr;
    if (s == nullptr) return {};
    Toplevel t{s, keep(xdg_wm_base_get_xdg_surface(wm_base_, s)), nullptr};
    t.toplevel = keep(xdg_surface_get_toplevel(t.xdg));
    if (app_id != nullptr) xdg_toplevel_set_app_id(t.toplevel, app_id);
    return t;
}

bool RawClient::map(const Toplevel &t, int width, int height) {
    if (t.xdg == nullptr) return false;
    // Lives as long as the xdg_surface may get configures: with the client.
    configure_counts_.push_back(std::make_unique<int>(0));
    int &configures = *configure_counts_.back();
    xdg_surface_add_listener(t.xdg, &acker, &configures);
    wl_surface_commit(t.surface);
    if (!dispatch_until([&] { return configures > 0; }, std::chrono::seconds(10))) return false;
    wl_buffer *buffer = shm_buffer(width, height);
    if (buffer == nullptr) return false;
    wl_surface_attach(t.surface, buffer, 0, 0);
    wl_surface_commit(t.surface);
    return roundtrip();
}

void PointerEvents::watch(wl_pointer *pointer) {
    static const wl_pointer_listener listener{
        .enter = [](void *data, wl_pointer *, uint32_t serial, wl_surface *, wl_fixed_t, wl_fixed_t) {
            auto *self = static_cast<PointerEvents *>(data);
            self->enters++;
            self->enter_serial = serial;
        },
        .leave = [](void *data, wl_pointer *, uint32_t, wl_surface *) { static_cast<PointerEvents *>(data)->leaves++; },
        .motion = [](void *, wl_pointer *, uint32_t, wl_fixed_t, wl_fixed_t) {},
        .button = [](void *data, wl_pointer *, uint32_t serial, uint32_t, uint32_t, uint32_t state) {
            if (state == WL_POINTER_BUTTON_STATE_PRESSED) static_cast<PointerEvents *>(data)->press_serial = serial;
        },
        .axis = [](void *, wl_pointer *, uint32_t, uint32_t, wl_fixed_t) {},
        .frame = [](void *, wl_pointer *) {},
        .axis_source = [](void *, wl_pointer *, uint32_t) {},
        .axis_stop = [](void *, wl_pointer *, uint32_t, uint32_t) {},
        .axis_discrete = [](void *, wl_pointer *, uint32_t, int32_t) {},
    };
    wl_pointer_add_listener(pointer, &listener, this);
}

} // namespace test_client
