// RawClient: a Wayland connection for tests that send requests one by one,
// in orders no toolkit would: globals bound by interface name at an exact
// version, the proxies a test makes destroyed with the connection, the
// protocol error read back once the compositor posted one, wl_shm buffers
// and an xdg_toplevel mapped after its first configure. What the test then
// sends is written out in the test, on display().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <wayland-client.h>

struct xdg_surface;
struct xdg_toplevel;
struct xdg_wm_base;

namespace test_client {

// What the connection says after a round trip.
struct ProtocolError {
    int error = 0;            // wl_display_get_error: 0, EPROTO or why it broke
    std::string interface;    // EPROTO: the object's interface; empty when the
                              // client no longer knows the object (it destroyed it)
    uint32_t code = UINT32_MAX; // EPROTO: the error code
    uint32_t object_id = 0;   // EPROTO: the object's id
    bool posted() const { return code != UINT32_MAX; }
};

// A round trip, then what the compositor posted (a fatal error ends the
// round trip early).
ProtocolError protocol_error(wl_display *display);

// What a wl_pointer told a client, for tests that need its serials or
// need to see the focus come and go.
struct PointerEvents {
    int enters = 0, leaves = 0;
    uint32_t enter_serial = 0; // the last wl_pointer.enter's
    uint32_t press_serial = 0; // the last button press's
    // Listens to `pointer`; this must outlive it.
    void watch(wl_pointer *pointer);
};

class RawClient {
public:
    // Connects to `socket` (a name in XDG_RUNTIME_DIR or a path; empty:
    // WAYLAND_DISPLAY) and lists the globals. Check connected().
    explicit RawClient(const std::string &socket = {});
    ~RawClient();
    RawClient(const RawClient &) = delete;
    RawClient &operator=(const RawClient &) = delete;

    wl_display *display() const { return display_; }
    bool connected() const { return display_ != nullptr && wl_display_get_error(display_) == 0; }

    // Binds the first global called interface.name at exactly `version`;
    // null when there is none or it is older. The proxy is the client's
    // (destroyed with it) unless the test says it is gone(). An xdg_wm_base
    // answers pings.
    template <typename T>
    T *bind(const wl_interface &interface, uint32_t version) {
        return reinterpret_cast<T *>(bind_proxy(interface, version));
    }

    bool roundtrip() { return display_ != nullptr && wl_display_roundtrip(display_) >= 0; }
    ProtocolError protocol_error() { return test_client::protocol_error(display_); }
    // Round trips until done() holds; false at the deadline or once the
    // connection is broken.
    bool dispatch_until(const std::function<bool()> &done, std::chrono::milliseconds timeout);

    // A proxy the test made, destroyed with the client...
    template <typename T>
    T *keep(T *proxy) {
        proxies_.push_back(reinterpret_cast<wl_proxy *>(proxy));
        return proxy;
    }
    // ...unless the test destroyed it itself.
    void gone(void *proxy) { std::erase(proxies_, static_cast<wl_proxy *>(proxy)); }

    // A kept wl_shm buffer of `format` in a pool of its own, every byte
    // `fill`. Null without wl_shm.
    wl_buffer *shm_buffer(int width, int height, uint32_t format = WL_SHM_FORMAT_XRGB8888, uint8_t fill = 0);
    // The globals the helpers use, bound the first time they are asked
    // for (wl_compositor v4, wl_shm v1, xdg_wm_base v2); null when missing.
    wl_compositor *compositor();
    wl_shm *shm();
    xdg_wm_base *wm_base();
    wl_surface *surface(); // kept

    struct Toplevel {
        wl_surface *surface = nullptr;
        xdg_surface *xdg = nullptr;
        xdg_toplevel *toplevel = nullptr;
    };
    // A kept xdg_toplevel on a new surface, not committed. All null
    // without the globals.
    Toplevel toplevel(const char *app_id = nullptr);
    // Commits without a buffer, waits for the first configure, acks every
    // configure from then on, and commits a width x height XRGB8888 buffer:
    // the toplevel maps. False when the configure did not come in 10 s.
    bool map(const Toplevel &t, int width, int height);

private:
    struct Global {
        uint32_t name, version;
        std::string interface;
    };
    wl_proxy *bind_proxy(const wl_interface &interface, uint32_t version);

    wl_display *display_ = nullptr;
    wl_registry *registry_ = nullptr;
    std::vector<Global> globals_;
    std::vector<wl_proxy *> proxies_; // made first, destroyed last
    wl_compositor *compositor_ = nullptr;
    wl_shm *shm_ = nullptr;
    xdg_wm_base *wm_base_ = nullptr;
    // map(): configures seen per xdg_surface (the listeners' data).
    std::vector<std::unique_ptr<int>> configure_counts_;
};

} // namespace test_client
