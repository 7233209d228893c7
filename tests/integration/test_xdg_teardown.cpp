// xdg_surfaces that go in orders wlroots 0.15 does not follow (XdgTeardown,
// RequestChecks): a dialog whose parent never mapped, a decoration of a
// toplevel that never committed, an xdg_surface destroyed before its role
// object. Each client here speaks the raw protocol; planar must answer as
// the spec says and keep serving (the fixture fails a test whose planar
// wrote a sanitizer report or did not exit cleanly).
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "harness.hpp"
#include "protocol_error.hpp"
#include "test_client.hpp"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::TestClient;

struct RawClient {
    wl_display *display = nullptr;
    wl_compositor *compositor = nullptr;
    xdg_wm_base *wm_base = nullptr;
    zxdg_decoration_manager_v1 *decorations = nullptr;
    wl_shm *shm = nullptr;

    explicit RawClient(const std::string &socket) {
        display = wl_display_connect(socket.c_str());
        if (display == nullptr) return;
        wl_registry *registry = wl_display_get_registry(display);
        static const wl_registry_listener listener{
            .global = [](void *data, wl_registry *r, uint32_t name, const char *iface, uint32_t) {
                auto *self = static_cast<RawClient *>(data);
                if (strcmp(iface, wl_compositor_interface.name) == 0) {
                    self->compositor = static_cast<wl_compositor *>(wl_registry_bind(r, name, &wl_compositor_interface, 4));
                } else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
                    self->wm_base = static_cast<xdg_wm_base *>(wl_registry_bind(r, name, &xdg_wm_base_interface, 2));
                } else if (strcmp(iface, wl_shm_interface.name) == 0) {
                    self->shm = static_cast<wl_shm *>(wl_registry_bind(r, name, &wl_shm_interface, 1));
                } else if (strcmp(iface, zxdg_decoration_manager_v1_interface.name) == 0) {
                    self->decorations = static_cast<zxdg_decoration_manager_v1 *>(
                        wl_registry_bind(r, name, &zxdg_decoration_manager_v1_interface, 1));
                }
            },
            .global_remove = [](void *, wl_registry *, uint32_t) {},
        };
        wl_registry_add_listener(registry, &listener, this);
        wl_display_roundtrip(display);
        wl_registry_destroy(registry);
    }
    ~RawClient() {
        for (void *proxy : alive) wl_proxy_destroy(static_cast<wl_proxy *>(proxy));
        if (decorations != nullptr) zxdg_decoration_manager_v1_destroy(decorations);
        if (shm != nullptr) wl_shm_destroy(shm);
        if (wm_base != nullptr) xdg_wm_base_destroy(wm_base);
        if (compositor != nullptr) wl_compositor_destroy(compositor);
        if (display != nullptr) wl_display_disconnect(display);
    }
    // Proxies the test made and has not destroyed itself (see gone()).
    std::vector<void *> alive;
    template <typename T>
    T *keep(T *proxy) {
        alive.push_back(proxy);
        return proxy;
    }
    // Call with a proxy the test destroyed.
    void gone(void *proxy) { std::erase(alive, proxy); }
    bool ready() const { return display != nullptr && compositor != nullptr && wm_base != nullptr && shm != nullptr; }

    struct Toplevel {
        wl_surface *surface;
        xdg_surface *xdg;
        xdg_toplevel *toplevel;
    };
    Toplevel toplevel() {
        Toplevel t{};
        t.surface = keep(wl_compositor_create_surface(compositor));
        t.xdg = keep(xdg_wm_base_get_xdg_surface(wm_base, t.surface));
        t.toplevel = keep(xdg_surface_get_toplevel(t.xdg));
        return t;
    }
    // Takes the first configure and commits a 64x64 buffer: the toplevel maps.
    bool map(const Toplevel &t) {
        static const xdg_surface_listener acker{
            .configure = [](void *, xdg_surface *xdg, uint32_t serial) { xdg_surface_ack_configure(xdg, serial); },
        };
        xdg_surface_add_listener(t.xdg, &acker, nullptr);
        wl_surface_commit(t.surface);
        if (wl_display_roundtrip(display) < 0) return false;
        int fd = memfd_create("raw-client", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, 64 * 64 * 4) != 0) return false;
        wl_shm_pool *pool = wl_shm_create_pool(shm, fd, 64 * 64 * 4);
        wl_buffer *buffer = keep(wl_shm_pool_create_buffer(pool, 0, 64, 64, 64 * 4, WL_SHM_FORMAT_XRGB8888));
        wl_shm_pool_destroy(pool);
        close(fd);
        wl_surface_attach(t.surface, buffer, 0, 0);
        wl_surface_commit(t.surface);
        return wl_display_roundtrip(display) >= 0;
    }
};

// A window still maps and gets the focus: planar serves.
void expect_planar_serves(const std::string &socket) {
    TestClient client(socket);
    ASSERT_TRUE(client.map_window(100, 100, 0xff3366cc)) << client.error();
    EXPECT_TRUE(client.dispatch_until([&] { return client.activated(); }, 5s)) << "the window never got the focus";
}

// A dialog whose parent never mapped: the parent goes and the dialog maps.
// wlroots 0.15 clears a toplevel's parent only when the parent unmaps, so
// the dialog kept a pointer to the freed parent and planar read it when
// the dialog mapped (heap-use-after-free under ASan).
TEST_F(PlanarTest, DialogWhoseParentNeverMappedMapsAfterTheParentWent) {
    ASSERT_TRUE(start_headless());
    RawClient raw(planar_.socket_path());
    ASSERT_TRUE(raw.ready());
    // The parent is set while it exists and never maps, then it goes with
    // its surface.
    RawClient::Toplevel parent = raw.toplevel();
    RawClient::Toplevel dialog = raw.toplevel();
    xdg_toplevel_set_parent(dialog.toplevel, parent.toplevel);
    wl_surface_destroy(parent.surface);
    raw.gone(parent.surface);
    ASSERT_TRUE(raw.map(dialog));
    ASSERT_GE(wl_display_roundtrip(raw.display), 0);
    EXPECT_EQ(harness::protocol_error(raw.display).second, UINT32_MAX);
    expect_planar_serves(planar_.socket_path());
}

// A decoration made before the toplevel's first commit, as most clients
// do, and the client gone before it committed: wlroots 0.15 never tells
// the decoration its toplevel went, and freed memory was written when the
// decoration went after it. The write is in libwayland's wl_list_remove,
// which the sanitizers here do not see: this test shows only that planar
// goes on serving; the write itself was shown gone with ASan builds of
// wlroots and libwayland (README, "Requests wlroots must not run").
TEST_F(PlanarTest, DecoratedToplevelThatNeverCommittedCanGo) {
    ASSERT_TRUE(start_headless());
    for (int i = 0; i < 20; i++) {
        RawClient raw(planar_.socket_path());
        ASSERT_TRUE(raw.ready() && raw.decorations != nullptr);
        RawClient::Toplevel t = raw.toplevel();
        raw.keep(zxdg_decoration_manager_v1_get_toplevel_decoration(raw.decorations, t.toplevel));
        if (i % 2 == 0) { // the rest goes with the connection
            wl_surface_destroy(t.surface);
            raw.gone(t.surface);
        }
        ASSERT_GE(wl_display_roundtrip(raw.display), 0);
    }
    expect_planar_serves(planar_.socket_path());
}

// xdg_surface.destroy before its role object: defunct_role_object (wlroots
// 0.15 ignored it and kept the object).
TEST_F(PlanarTest, XdgSurfaceDestroyedBeforeItsToplevelIsDefunctRoleObject) {
    ASSERT_TRUE(start_headless());
    RawClient raw(planar_.socket_path());
    ASSERT_TRUE(raw.ready());
    RawClient::Toplevel t = raw.toplevel();
    xdg_surface_destroy(t.xdg);
    raw.gone(t.xdg);
    // The error is on the object the client just destroyed: libwayland-client
    // names no interface for it.
    auto [interface, code] = harness::protocol_error(raw.display);
    EXPECT_EQ(code, static_cast<uint32_t>(XDG_SURFACE_ERROR_DEFUNCT_ROLE_OBJECT)) << interface;
    expect_planar_serves(planar_.socket_path());
}

// A second xdg_surface for a wl_surface whose first one still exists is a
// role error (wlroots 0.15 made it, and the destruction of either cleared
// the surface's link to the other).
TEST_F(PlanarTest, SecondXdgSurfaceForOneWlSurfaceIsARoleError) {
    ASSERT_TRUE(start_headless());
    RawClient raw(planar_.socket_path());
    ASSERT_TRUE(raw.ready());
    RawClient::Toplevel t = raw.toplevel();
    raw.keep(xdg_wm_base_get_xdg_surface(raw.wm_base, t.surface));
    auto [interface, code] = harness::protocol_error(raw.display);
    EXPECT_EQ(interface, "xdg_wm_base");
    EXPECT_EQ(code, static_cast<uint32_t>(XDG_WM_BASE_ERROR_ROLE));
    expect_planar_serves(planar_.socket_path());
}

} // namespace
