// Drag and drop between two clients, driven by planar's seat (a virtual
// pointer): the source starts a drag with the serial of the button it holds,
// the pointer moves onto the other client's window, which hears
// wl_data_device.enter with the offer, accepts it and gets the drop and the
// bytes. Refused drags are in test_desktop_session.cpp.
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <sstream>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.hpp"
#include "xdg-shell-client-protocol.h"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;

// One client with a mapped window, its pointer and its data device.
class DndClient {
public:
    DndClient(const std::string &socket, const std::string &app_id) {
        display_ = wl_display_connect(socket.c_str());
        if (display_ == nullptr) return;
        registry_ = wl_display_get_registry(display_);
        static const wl_registry_listener listener{.global = handle_global, .global_remove = [](void *, wl_registry *, uint32_t) {}};
        wl_registry_add_listener(registry_, &listener, this);
        wl_display_roundtrip(display_);
        if (!ready()) return;
        surface_ = wl_compositor_create_surface(compositor_);
        xdg_ = xdg_wm_base_get_xdg_surface(wm_base_, surface_);
        static const xdg_surface_listener acker{
            .configure = [](void *, xdg_surface *xdg, uint32_t serial) { xdg_surface_ack_configure(xdg, serial); },
        };
        xdg_surface_add_listener(xdg_, &acker, nullptr);
        toplevel_ = xdg_surface_get_toplevel(xdg_);
        xdg_toplevel_set_app_id(toplevel_, app_id.c_str());
        wl_surface_commit(surface_);
        wl_display_roundtrip(display_);
        int fd = memfd_create("dnd-client", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, 300 * 200 * 4) != 0) return;
        wl_shm_pool *pool = wl_shm_create_pool(shm_, fd, 300 * 200 * 4);
        buffer_ = wl_shm_pool_create_buffer(pool, 0, 300, 200, 300 * 4, WL_SHM_FORMAT_XRGB8888);
        wl_shm_pool_destroy(pool);
        close(fd);
        wl_surface_attach(surface_, buffer_, 0, 0);
        wl_surface_commit(surface_);
        pointer_ = wl_seat_get_pointer(seat_);
        static const wl_pointer_listener pointer_listener{
            .enter = [](void *, wl_pointer *, uint32_t, wl_surface *, wl_fixed_t, wl_fixed_t) {},
            .leave = [](void *, wl_pointer *, uint32_t, wl_surface *) {},
            .motion = [](void *, wl_pointer *, uint32_t, wl_fixed_t, wl_fixed_t) {},
            .button = [](void *data, wl_pointer *, uint32_t serial, uint32_t, uint32_t, uint32_t state) {
                if (state == WL_POINTER_BUTTON_STATE_PRESSED) static_cast<DndClient *>(data)->press_serial = serial;
            },
            .axis = [](void *, wl_pointer *, uint32_t, uint32_t, wl_fixed_t) {},
            .frame = [](void *, wl_pointer *) {},
            .axis_source = [](void *, wl_pointer *, uint32_t) {},
            .axis_stop = [](void *, wl_pointer *, uint32_t, uint32_t) {},
            .axis_discrete = [](void *, wl_pointer *, uint32_t, int32_t) {},
        };
        wl_pointer_add_listener(pointer_, &pointer_listener, this);
        device_ = wl_data_device_manager_get_data_device(manager_, seat_);
        static const wl_data_device_listener device_listener{
            .data_offer = [](void *data, wl_data_device *, wl_data_offer *offer) {
                static const wl_data_offer_listener offer_listener{
                    .offer = [](void *data, wl_data_offer *, const char *mime) {
                        static_cast<DndClient *>(data)->mimes.push_back(mime);
                    },
                    .source_actions = [](void *, wl_data_offer *, uint32_t) {},
                    .action = [](void *, wl_data_offer *, uint32_t) {},
                };
                wl_data_offer_add_listener(offer, &offer_listener, data);
            },
            .enter = [](void *data, wl_data_device *, uint32_t serial, wl_surface *, wl_fixed_t, wl_fixed_t,
                        wl_data_offer *offer) {
                auto *self = static_cast<DndClient *>(data);
                self->enters++;
                if (self->offer != nullptr && self->offer != offer) wl_data_offer_destroy(self->offer);
                self->offer = offer;
                if (offer == nullptr) return;
                // Takes it as text, copied.
                wl_data_offer_accept(offer, serial, "text/plain");
                wl_data_offer_set_actions(offer, WL_DATA_DEVICE_MANAGER_DND_ACTION_COPY,
                                          WL_DATA_DEVICE_MANAGER_DND_ACTION_COPY);
            },
            .leave = [](void *, wl_data_device *) {},
            .motion = [](void *, wl_data_device *, uint32_t, wl_fixed_t, wl_fixed_t) {},
            .drop = [](void *data, wl_data_device *) { static_cast<DndClient *>(data)->drops++; },
            .selection = [](void *, wl_data_device *, wl_data_offer *) {},
        };
        wl_data_device_add_listener(device_, &device_listener, this);
        wl_display_roundtrip(display_);
    }
    ~DndClient() {
        if (offer != nullptr) wl_data_offer_destroy(offer);
        if (source_ != nullptr) wl_data_source_destroy(source_);
        if (device_ != nullptr) wl_data_device_release(device_);
        if (pointer_ != nullptr) wl_pointer_release(pointer_);
        if (buffer_ != nullptr) wl_buffer_destroy(buffer_);
        if (toplevel_ != nullptr) xdg_toplevel_destroy(toplevel_);
        if (xdg_ != nullptr) xdg_surface_destroy(xdg_);
        if (surface_ != nullptr) wl_surface_destroy(surface_);
        if (manager_ != nullptr) wl_data_device_manager_destroy(manager_);
        if (seat_ != nullptr) wl_seat_release(seat_);
        if (wm_base_ != nullptr) xdg_wm_base_destroy(wm_base_);
        if (shm_ != nullptr) wl_shm_destroy(shm_);
        if (compositor_ != nullptr) wl_compositor_destroy(compositor_);
        if (registry_ != nullptr) wl_registry_destroy(registry_);
        if (display_ != nullptr) wl_display_disconnect(display_);
    }
    DndClient(const DndClient &) = delete;
    DndClient &operator=(const DndClient &) = delete;

    bool ready() const { return compositor_ && shm_ && wm_base_ && seat_ && manager_; }
    bool dispatch_until(const std::function<bool()> &done, std::chrono::milliseconds timeout) {
        return harness::wait_for(
            [&] {
                wl_display_flush(display_);
                if (wl_display_roundtrip(display_) < 0) return false;
                return done();
            },
            timeout);
    }
    // Starts dragging "text/plain" with the serial of the held button.
    void start_drag(const std::string &text) {
        source_ = wl_data_device_manager_create_data_source(manager_);
        wl_data_source_offer(source_, "text/plain");
        wl_data_source_set_actions(source_, WL_DATA_DEVICE_MANAGER_DND_ACTION_COPY);
        text_ = text;
        static const wl_data_source_listener listener{
            .target = [](void *, wl_data_source *, const char *) {},
            .send = [](void *data, wl_data_source *, const char *, int32_t fd) {
                const std::string &text = static_cast<DndClient *>(data)->text_;
                if (write(fd, text.data(), text.size()) < 0) perror("write");
                close(fd);
            },
            .cancelled = [](void *data, wl_data_source *) { static_cast<DndClient *>(data)->cancelled = true; },
            .dnd_drop_performed = [](void *, wl_data_source *) {},
            .dnd_finished = [](void *, wl_data_source *) {},
            .action = [](void *, wl_data_source *, uint32_t) {},
        };
        wl_data_source_add_listener(source_, &listener, this);
        wl_data_device_start_drag(device_, source_, surface_, nullptr, press_serial);
        wl_display_flush(display_);
    }
    // Reads the dropped offer as text (the source answers from its own loop).
    std::string receive(DndClient &source) {
        int fds[2];
        if (offer == nullptr || pipe2(fds, O_CLOEXEC) != 0) return {};
        wl_data_offer_receive(offer, "text/plain", fds[1]);
        wl_display_flush(display_);
        close(fds[1]);
        source.dispatch_until([] { return true; }, 1s); // the source's send
        std::string got;
        char chunk[256];
        for (ssize_t n; (n = read(fds[0], chunk, sizeof chunk)) > 0;) got.append(chunk, static_cast<size_t>(n));
        close(fds[0]);
        wl_data_offer_finish(offer);
        wl_display_flush(display_);
        return got;
    }

    uint32_t press_serial = 0;
    int enters = 0, drops = 0;
    bool cancelled = false;
    wl_data_offer *offer = nullptr;
    std::vector<std::string> mimes;

private:
    static void handle_global(void *data, wl_registry *r, uint32_t name, const char *iface, uint32_t) {
        auto *self = static_cast<DndClient *>(data);
        auto bind = [&](const wl_interface *type, uint32_t version) { return wl_registry_bind(r, name, type, version); };
        if (strcmp(iface, wl_compositor_interface.name) == 0) {
            self->compositor_ = static_cast<wl_compositor *>(bind(&wl_compositor_interface, 4));
        } else if (strcmp(iface, wl_shm_interface.name) == 0) {
            self->shm_ = static_cast<wl_shm *>(bind(&wl_shm_interface, 1));
        } else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
            self->wm_base_ = static_cast<xdg_wm_base *>(bind(&xdg_wm_base_interface, 2));
        } else if (strcmp(iface, wl_seat_interface.name) == 0 && self->seat_ == nullptr) {
            self->seat_ = static_cast<wl_seat *>(bind(&wl_seat_interface, 5));
        } else if (strcmp(iface, wl_data_device_manager_interface.name) == 0) {
            self->manager_ = static_cast<wl_data_device_manager *>(bind(&wl_data_device_manager_interface, 3));
        }
    }

    wl_display *display_ = nullptr;
    wl_registry *registry_ = nullptr;
    wl_compositor *compositor_ = nullptr;
    wl_shm *shm_ = nullptr;
    xdg_wm_base *wm_base_ = nullptr;
    wl_seat *seat_ = nullptr;
    wl_data_device_manager *manager_ = nullptr;
    wl_surface *surface_ = nullptr;
    xdg_surface *xdg_ = nullptr;
    xdg_toplevel *toplevel_ = nullptr;
    wl_buffer *buffer_ = nullptr;
    wl_pointer *pointer_ = nullptr;
    wl_data_device *device_ = nullptr;
    wl_data_source *source_ = nullptr;
    std::string text_;
};

class DragAndDropTest : public PlanarTest {
protected:
    // The centre of the window with `app_id`, from planar-ctl.
    bool centre_of(const std::string &app_id, int &x, int &y) {
        std::string out = planar_.run({harness::program_from_env("PLANAR_CTL_EXE"), "surfaces"}, 10s).out;
        std::smatch m;
        std::regex line("app_id=\"" + app_id + "\"[^\\n]*geometry=(\\d+)x(\\d+)\\+(-?\\d+)\\+(-?\\d+)");
        if (!std::regex_search(out, m, line)) return false;
        x = std::stoi(m[3]) + std::stoi(m[1]) / 2;
        y = std::stoi(m[4]) + std::stoi(m[2]) / 2;
        return true;
    }
};

TEST_F(DragAndDropTest, TextDraggedFromOneClientIsDroppedOnAnother) {
    ASSERT_TRUE(start_headless());
    DndClient source(planar_.socket_path(), "dnd-source");
    ASSERT_TRUE(source.ready());
    DndClient target(planar_.socket_path(), "dnd-target");
    ASSERT_TRUE(target.ready());
    int sx = 0, sy = 0, tx = 0, ty = 0;
    ASSERT_TRUE(harness::wait_for([&] { return centre_of("dnd-source", sx, sy) && centre_of("dnd-target", tx, ty); }, 10s));
    ASSERT_FALSE(sx == tx && sy == ty) << "the windows are on top of each other";
    std::string go = planar_.path("dragging");
    harness::Process mouse = planar_.spawn(
        "virtual-pointer", {harness::program_from_env("PLANAR_VIRTUAL_POINTER_EXE"), "move", std::to_string(sx),
                            std::to_string(sy), "press", "left", "wait-file", go, "move", std::to_string((sx + tx) / 2),
                            std::to_string((sy + ty) / 2), "move", std::to_string(tx), std::to_string(ty), "sleep",
                            "300", "release", "left"});
    ASSERT_TRUE(source.dispatch_until([&] { return source.press_serial != 0; }, 10s)) << "no button press reached the source";
    source.start_drag("dropped-through-planar");
    ASSERT_TRUE(source.dispatch_until([] { return true; }, 1s));
    std::ofstream(go).put('\n');
    EXPECT_TRUE(target.dispatch_until([&] { return target.drops > 0; }, 10s))
        << "no drop on the target (enters " << target.enters << ", source cancelled " << source.cancelled << ")";
    EXPECT_GT(target.enters, 0);
    EXPECT_NE(std::find(target.mimes.begin(), target.mimes.end(), "text/plain"), target.mimes.end());
    EXPECT_EQ(target.receive(source), "dropped-through-planar");
    EXPECT_FALSE(source.cancelled);
    EXPECT_EQ(mouse.wait_exit(10s), 0);
}

} // namespace
