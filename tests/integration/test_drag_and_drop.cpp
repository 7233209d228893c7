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
#include <unistd.h>

#include "harness.hpp"
#include "raw_client.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;

// One client with a mapped window, its pointer and its data device.
class DndClient {
public:
    DndClient(const std::string &socket, const std::string &app_id) : raw_(socket) {
        seat_ = raw_.bind<wl_seat>(wl_seat_interface, 5);
        manager_ = raw_.bind<wl_data_device_manager>(wl_data_device_manager_interface, 3);
        if (seat_ == nullptr || manager_ == nullptr) return;
        test_client::RawClient::Toplevel window = raw_.toplevel(app_id.c_str());
        surface_ = window.surface;
        if (!raw_.map(window, 300, 200)) return;
        mapped_ = true;
        pointer_ = raw_.keep(wl_seat_get_pointer(seat_));
        pointer_events.watch(pointer_);
        device_ = raw_.keep(wl_data_device_manager_get_data_device(manager_, seat_));
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
        raw_.roundtrip();
    }
    ~DndClient() {
        if (offer != nullptr) wl_data_offer_destroy(offer);
    }
    DndClient(const DndClient &) = delete;
    DndClient &operator=(const DndClient &) = delete;

    bool ready() const { return mapped_; }
    bool dispatch_until(const std::function<bool()> &done, std::chrono::milliseconds timeout) {
        return raw_.dispatch_until(done, timeout);
    }
    // Starts dragging "text/plain" with the serial of the held button.
    void start_drag(const std::string &text) {
        source_ = raw_.keep(wl_data_device_manager_create_data_source(manager_));
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
        wl_data_device_start_drag(device_, source_, surface_, nullptr, pointer_events.press_serial);
        wl_display_flush(raw_.display());
    }
    // Reads the dropped offer as text (the source answers from its own loop).
    std::string receive(DndClient &source) {
        int fds[2];
        if (offer == nullptr || pipe2(fds, O_CLOEXEC) != 0) return {};
        wl_data_offer_receive(offer, "text/plain", fds[1]);
        wl_display_flush(raw_.display());
        close(fds[1]);
        source.dispatch_until([] { return true; }, 1s); // the source's send
        std::string got;
        char chunk[256];
        for (ssize_t n; (n = read(fds[0], chunk, sizeof chunk)) > 0;) got.append(chunk, static_cast<size_t>(n));
        close(fds[0]);
        wl_data_offer_finish(offer);
        wl_display_flush(raw_.display());
        return got;
    }

    test_client::PointerEvents pointer_events;
    int enters = 0, drops = 0;
    bool cancelled = false;
    wl_data_offer *offer = nullptr;
    std::vector<std::string> mimes;

private:
    test_client::RawClient raw_;
    bool mapped_ = false;
    wl_seat *seat_ = nullptr;
    wl_data_device_manager *manager_ = nullptr;
    wl_surface *surface_ = nullptr;
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
    ASSERT_TRUE(source.dispatch_until([&] { return source.pointer_events.press_serial != 0; }, 10s)) << "no button press reached the source";
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
