// Issue 17: the everyday tools of a desktop session, run as users run them
// against headless planar: a wallpaper (swaybg), a panel (waybar), a
// launcher (fuzzel), notifications (mako), a lock screen (swaylock), idle
// handling (swayidle) and typing (wtype). Each test asserts what a user
// would see or get: pixels in a screenshot, window geometry, files the
// programs wrote.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "harness.hpp"
#include "kde-idle-client-protocol.h"
#include "image.hpp"
#include "raw_client.hpp"
#include "test_client.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::TestClient;

// The first of `programs` not on PATH, or empty.
std::string missing(std::initializer_list<const char *> programs) {
    for (const char *p : programs) {
        if (!harness::on_path(p)) return p;
    }
    return {};
}

std::string read_file(const std::string &path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool exists(const std::string &path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
}

class DesktopTest : public PlanarTest {
protected:
    std::optional<image::Image> screenshot(const std::string &name) {
        std::string file = planar_.path(name + ".ppm");
        auto result = planar_.run({"grim", "-t", "ppm", file}, 20s);
        if (result.status != 0) return std::nullopt;
        return image::read_ppm(file);
    }
    // Takes screenshots until `accept` holds for one (tools draw when they
    // are ready, not when they start).
    std::optional<image::Image> screenshot_until(const std::function<bool(const image::Image &)> &accept,
                                                 std::chrono::milliseconds timeout) {
        std::optional<image::Image> last;
        auto end = harness::Clock::now() + timeout;
        do {
            last = screenshot("shot");
            if (last && accept(*last)) return last;
            std::this_thread::sleep_for(200ms);
        } while (harness::Clock::now() < end);
        return last;
    }
    std::string surfaces() { return planar_.run({harness::program_from_env("PLANAR_CTL_EXE"), "surfaces"}).out; }
    // The line of planar-ctl surfaces for the window with `app_id`.
    std::string window_line(const std::string &app_id) {
        std::istringstream lines(surfaces());
        for (std::string line; std::getline(lines, line);) {
            if (line.find("app_id=\"" + app_id + "\" ") != std::string::npos) return line;
        }
        return {};
    }
    // Starts foot running `script` and waits until its window has the
    // keyboard (planar-ctl: focused=1) and has drawn.
    harness::Process start_foot(const std::string &app_id, const std::string &script) {
        harness::Process foot = planar_.spawn(app_id, {"foot", "--app-id", app_id, "sh", "-c", script});
        harness::wait_for([&] { return window_line(app_id).find("focused=1") != std::string::npos; }, 20s);
        // foot reads its keyboard state after the enter; give it the moment.
        std::this_thread::sleep_for(500ms);
        return foot;
    }
    bool type(const std::string &text) {
        auto typed = planar_.run({"wtype", text}, 10s);
        auto enter = planar_.run({"wtype", "-k", "Return"}, 10s);
        return typed.status == 0 && enter.status == 0;
    }
};

// The share of the image's pixels that are exactly `rgb`.
double share_of(const image::Image &img, uint32_t rgb) {
    return static_cast<double>(image::find_colour(img, rgb).count) / (static_cast<double>(img.width) * img.height);
}

TEST_F(DesktopTest, SwaybgColoursTheBackground) {
    if (std::string m = missing({"swaybg", "grim"}); !m.empty()) GTEST_SKIP() << m << " not installed (deps.txt)";
    ASSERT_TRUE(start_headless());
    harness::Process bg = planar_.spawn("swaybg", {"swaybg", "-c", "#aa3311"});
    auto img = screenshot_until([](const image::Image &i) { return share_of(i, 0xaa3311) > 0.99; }, 15s);
    ASSERT_TRUE(img);
    EXPECT_GT(share_of(*img, 0xaa3311), 0.99);
    // A window goes above the wallpaper.
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(200, 100, 0xff3366cc)) << client.error();
    img = screenshot_until([](const image::Image &i) { return image::find_colour(i, 0x3366cc).count > 0; }, 10s);
    ASSERT_TRUE(img);
    EXPECT_EQ(image::find_colour(*img, 0x3366cc).count, 200 * 100);
}

TEST_F(DesktopTest, WaybarExclusiveZonePushesAMaximizedWindowBelowIt) {
    if (std::string m = missing({"waybar"}); !m.empty()) GTEST_SKIP() << m << " not installed (deps.txt)";
    ASSERT_TRUE(start_headless());
    const std::string config = planar_.path("waybar.json"), style = planar_.path("waybar.css");
    std::ofstream(config) << R"({"layer": "top", "position": "top", "height": 30, "modules-left": ["clock"]})";
    std::ofstream(style) << "window#waybar { background: #204080; }\n";
    harness::Process bar = planar_.spawn("waybar", {"waybar", "-c", config, "-s", style});
    auto img = screenshot_until([](const image::Image &i) { return image::find_colour(i, 0x204080).count > 0; }, 30s);
    ASSERT_TRUE(img) << "no screenshot";
    image::ColourBox box = image::find_colour(*img, 0x204080);
    ASSERT_GT(box.count, 0) << "waybar never appeared";
    EXPECT_EQ(box.min_y, 0);
    EXPECT_EQ(box.max_y, 29);
    EXPECT_EQ(box.width(), 1280);

    test_client::WindowOptions options;
    options.maximized = true;
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(300, 200, 0xff3366cc, options)) << client.error();
    ASSERT_TRUE(harness::wait_for([&] { return surfaces().find("geometry=1280x690+0+30") != std::string::npos; }, 10s))
        << surfaces();
    // The panel goes away: the maximized window is asked to take the whole
    // output back (on the wire: a configure of 1280x720).
    bar.terminate();
    EXPECT_TRUE(client.dispatch_until(
        [&] { return client.configures().back().width == 1280 && client.configures().back().height == 720; }, 10s))
        << client.configures().back().width << "x" << client.configures().back().height;
}

TEST_F(DesktopTest, FuzzelTakesTypedTextAndLaunchesTheChosenProgram) {
    if (std::string m = missing({"fuzzel", "wtype", "foot"}); !m.empty()) GTEST_SKIP() << m << " not installed (deps.txt)";
    ASSERT_TRUE(start_headless());
    // A focused window first: the launcher must take the keyboard from it.
    harness::Process foot = start_foot("typing-target", "sleep 60");
    // One application fuzzel can find: a desktop entry in its own data dir.
    const std::string data = planar_.path("data"), marker = planar_.path("launched");
    mkdir(data.c_str(), 0700);
    mkdir((data + "/applications").c_str(), 0700);
    std::ofstream(data + "/applications/planar-marker.desktop")
        << "[Desktop Entry]\nType=Application\nName=PlanarMarkerApp\nExec=touch " << marker << "\n";
    harness::Process launcher =
        planar_.spawn("fuzzel", {"fuzzel"}, {{"XDG_DATA_DIRS", data}, {"XDG_DATA_HOME", data}});
    // fuzzel maps an exclusive-keyboard surface on the top layer.
    std::this_thread::sleep_for(1s);
    ASSERT_TRUE(type("PlanarMarker"));
    EXPECT_TRUE(harness::wait_for([&] { return exists(marker); }, 10s)) << "fuzzel did not launch the entry";
    EXPECT_TRUE(launcher.wait_exit(10s).has_value()) << "fuzzel still running after the launch";
}

TEST_F(DesktopTest, NotifySendShowsAMakoNotificationInAScreenshot) {
    if (std::string m = missing({"mako", "notify-send", "dbus-run-session"}); !m.empty()) GTEST_SKIP() << m << " not installed (deps.txt)";
    ASSERT_TRUE(start_headless());
    const std::string config = planar_.path("mako.conf");
    std::ofstream(config) << "background-color=#11aa44\nborder-size=0\ndefault-timeout=0\nanchor=top-right\n";
    // mako and notify-send meet on a private session bus.
    harness::Process session = planar_.spawn(
        "mako", {"dbus-run-session", "--", "sh", "-c",
                 "mako --config '" + config + "' & sleep 1; notify-send 'planar test' 'a notification'; wait"});
    auto img = screenshot_until([](const image::Image &i) { return image::find_colour(i, 0x11aa44).count > 1000; }, 20s);
    ASSERT_TRUE(img);
    image::ColourBox box = image::find_colour(*img, 0x11aa44);
    EXPECT_GT(box.count, 1000) << "no notification on screen";
    // Top right, as configured.
    EXPECT_GT(box.min_x, 640);
    EXPECT_LT(box.max_y, 360);
}

TEST_F(DesktopTest, WtypeTypesIntoTheFocusedWindow) {
    if (std::string m = missing({"wtype", "foot"}); !m.empty()) GTEST_SKIP() << m << " not installed (deps.txt)";
    ASSERT_TRUE(start_headless());
    const std::string out = planar_.path("typed");
    harness::Process foot = start_foot("typing-target", "read line; printf '%s' \"$line\" > '" + out + "'");
    ASSERT_NE(window_line("typing-target").find("focused=1"), std::string::npos) << surfaces();
    ASSERT_TRUE(type("hello planar"));
    EXPECT_TRUE(harness::wait_for([&] { return read_file(out) == "hello planar"; }, 10s)) << read_file(out);
}

TEST_F(DesktopTest, SwaylockCoversEveryOutputAndTakesAllInput) {
    if (std::string m = missing({"swaylock", "wtype", "foot", "grim"}); !m.empty()) GTEST_SKIP() << m << " not installed (deps.txt)";
    ASSERT_TRUE(planar_.start({"--backend", "headless", "--renderer", "pixman", "--output", "800x600@60", "--output",
                               "640x480@60"}));
    const std::string out = planar_.path("typed");
    harness::Process foot = start_foot("typing-target", "read line; printf '%s' \"$line\" > '" + out + "'");
    harness::Process lock = planar_.spawn("swaylock", {"swaylock", "--color", "ff0000"});
    // Both outputs are red from edge to edge: grim shoots the layout's
    // bounding box (1440x600), and every pixel of both outputs is red.
    const long output_pixels = 800 * 600 + 640 * 480;
    auto img = screenshot_until(
        [&](const image::Image &i) { return image::find_colour(i, 0xff0000).count == output_pixels; }, 15s);
    ASSERT_TRUE(img);
    EXPECT_EQ(image::find_colour(*img, 0xff0000).count, output_pixels);
    EXPECT_EQ(img->at(5, 5), 0xff0000u);
    EXPECT_EQ(img->at(800 + 635, 475), 0xff0000u);
    // Typed while locked: swaylock gets it (a wrong password), foot nothing.
    ASSERT_TRUE(type("secret"));
    std::this_thread::sleep_for(1s);
    EXPECT_FALSE(exists(out)) << "the window behind the lock got keys: " << read_file(out);
    EXPECT_NE(window_line("typing-target").find("focused=1"), std::string::npos);
    // PAM cannot be satisfied here; ending the locker ends the lock
    // (zwlr_input_inhibit_manager_v1 lasts as long as its client).
    lock.terminate();
    ASSERT_TRUE(type("after"));
    EXPECT_TRUE(harness::wait_for([&] { return read_file(out) == "after"; }, 10s)) << read_file(out);
}

TEST_F(DesktopTest, SwayidleTimesOutWhenIdleAndNotWhileInhibited) {
    if (std::string m = missing({"swayidle"}); !m.empty()) GTEST_SKIP() << m << " not installed (deps.txt)";
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(100, 100, 0xff3366cc)) << client.error();
    ASSERT_TRUE(client.set_idle_inhibited(true)) << client.error();
    const std::string marker = planar_.path("idle");
    harness::Process idle = planar_.spawn("swayidle", {"swayidle", "-w", "timeout", "1", "touch '" + marker + "'"});
    std::this_thread::sleep_for(3s);
    EXPECT_FALSE(exists(marker)) << "the timeout ran while an inhibitor was held";
    ASSERT_TRUE(client.set_idle_inhibited(false)) << client.error();
    EXPECT_TRUE(harness::wait_for([&] { return exists(marker); }, 5s)) << "no timeout after the inhibitor went";
    // Activity (a key from a virtual keyboard) restarts the count.
    if (harness::on_path("wtype")) {
        idle.terminate();
        const std::string second_marker = planar_.path("idle-2");
        harness::Process second =
            planar_.spawn("swayidle-2", {"swayidle", "-w", "timeout", "2", "touch '" + second_marker + "'"});
        for (int i = 0; i < 8; i++) {
            planar_.run({"wtype", "-k", "Shift_L"}, 5s);
            std::this_thread::sleep_for(500ms);
        }
        EXPECT_FALSE(exists(second_marker)) << "the timeout ran during input";
        EXPECT_TRUE(harness::wait_for([&] { return exists(second_marker); }, 6s)) << "no timeout once input stopped";
    }
}

// A client of org_kde_kwin_idle alone, to see its objects on the wire.
struct IdleClient {
    test_client::RawClient raw;
    wl_seat *seat = nullptr;
    org_kde_kwin_idle *idle = nullptr;
    int idle_events = 0;

    explicit IdleClient(const std::string &socket) : raw(socket) {
        seat = raw.bind<wl_seat>(wl_seat_interface, 1);
        idle = raw.bind<org_kde_kwin_idle>(org_kde_kwin_idle_interface, 1);
    }
    wl_display *display() const { return raw.display(); }
    org_kde_kwin_idle_timeout *timeout(uint32_t ms) {
        auto *t = org_kde_kwin_idle_get_idle_timeout(idle, seat, ms);
        static const org_kde_kwin_idle_timeout_listener listener{
            .idle = [](void *data, org_kde_kwin_idle_timeout *) { static_cast<IdleClient *>(data)->idle_events++; },
            .resumed = [](void *, org_kde_kwin_idle_timeout *) {},
        };
        org_kde_kwin_idle_timeout_add_listener(t, &listener, this);
        return t;
    }
};

// release is a destructor: the object goes and its id is free again
// (wlroots 0.15 frees the timer and keeps the object, so a request on it
// afterwards read freed memory: fuzz/corpus/wayland_stream has that input).
TEST_F(DesktopTest, ReleasedIdleTimeoutFreesItsIdAndANewOneFires) {
    ASSERT_TRUE(start_headless());
    IdleClient client(planar_.socket_path());
    ASSERT_TRUE(client.raw.connected());
    ASSERT_NE(client.seat, nullptr);
    ASSERT_NE(client.idle, nullptr) << "no org_kde_kwin_idle global";
    org_kde_kwin_idle_timeout *first = client.timeout(60000);
    uint32_t first_id = wl_proxy_get_id(reinterpret_cast<wl_proxy *>(first));
    org_kde_kwin_idle_timeout_release(first);
    ASSERT_GE(wl_display_roundtrip(client.display()), 0);
    // libwayland-client reuses freed ids last-freed first, and the
    // roundtrip's own callback was freed after the timeout: the second
    // object made now takes the timeout's id, if it was freed.
    org_kde_kwin_idle_timeout *second = client.timeout(200);
    org_kde_kwin_idle_timeout *third = client.timeout(60000);
    EXPECT_EQ(wl_proxy_get_id(reinterpret_cast<wl_proxy *>(third)), first_id)
        << "the released object's id was not freed (no wl_display.delete_id)";
    EXPECT_TRUE(harness::wait_for([&] {
        wl_display_roundtrip(client.display());
        return client.idle_events > 0;
    }, 5s)) << "the new timeout never fired";
    EXPECT_EQ(wl_display_get_error(client.display()), 0);
    org_kde_kwin_idle_timeout_release(second);
    org_kde_kwin_idle_timeout_release(third);
    EXPECT_GE(wl_display_roundtrip(client.display()), 0);
}

// wl_data_device.start_drag with a serial of no held button is refused, and
// the drag wlroots 0.15 made for it is freed: a client sending it in a loop
// grew planar without bound (LeakSanitizer sees it at planar's exit, which
// the fixture checks).
TEST_F(DesktopTest, RefusedDragsAreFreed) {
    ASSERT_TRUE(start_headless());
    { // the client goes before the window below maps
        test_client::RawClient raw(planar_.socket_path());
        auto *seat = raw.bind<wl_seat>(wl_seat_interface, 1);
        auto *manager = raw.bind<wl_data_device_manager>(wl_data_device_manager_interface, 3);
        ASSERT_TRUE(raw.compositor() && seat && manager);
        wl_display *display = raw.display();
        wl_surface *surface = raw.surface();
        wl_data_device *device = raw.keep(wl_data_device_manager_get_data_device(manager, seat));
        for (int i = 0; i < 200; i++) wl_data_device_start_drag(device, nullptr, surface, nullptr, 12345 + i);
        // With a source, the refusal is the source's end: wl_data_source.cancelled.
        wl_data_source *source = raw.keep(wl_data_device_manager_create_data_source(manager));
        wl_data_source_offer(source, "text/plain");
        bool cancelled = false;
        static const wl_data_source_listener source_listener{
            .target = [](void *, wl_data_source *, const char *) {},
            .send = [](void *, wl_data_source *, const char *, int32_t fd) { close(fd); },
            .cancelled = [](void *data, wl_data_source *) { *static_cast<bool *>(data) = true; },
            .dnd_drop_performed = [](void *, wl_data_source *) {},
            .dnd_finished = [](void *, wl_data_source *) {},
            .action = [](void *, wl_data_source *, uint32_t) {},
        };
        wl_data_source_add_listener(source, &source_listener, &cancelled);
        wl_data_device_start_drag(device, source, surface, nullptr, 777);
        EXPECT_GE(wl_display_roundtrip(display), 0);
        EXPECT_EQ(wl_display_get_error(display), 0);
        EXPECT_TRUE(cancelled) << "a refused drag's source was not cancelled";
        wl_data_source_destroy(source);
        raw.gone(source);
        wl_data_device_release(device);
        raw.gone(device);
        wl_surface_destroy(surface);
        raw.gone(surface);
    }
    // A window still maps: planar took no grab for a refused drag.
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(100, 100, 0xff3366cc)) << client.error();
    EXPECT_TRUE(client.dispatch_until([&] { return client.activated(); }, 5s)) << "the window never got the focus";
}

} // namespace
