// Everyday clients against planar (headless, pixman; ASan in CI): each one is
// started, seen on screen, and ended with SIGTERM and with SIGKILL at three
// moments: early (before or while it connects), mapped, and fullscreen where
// the client can start fullscreen. planar must survive every case with no
// sanitizer report and go on serving. The packages are in deps.txt; a client
// that is not installed is reported, and the test fails in CI (CI=true).
#include <csignal>
#include <cstdlib>
#include <algorithm>
#include <fstream>
#include <sys/wait.h>
#include <thread>

#include "harness.hpp"
#include "image.hpp"
#include "test_client.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;

struct RealClient {
    const char *name;
    const char *package;
    std::vector<std::string> windowed;
    std::vector<std::string> fullscreen; // empty: the client has no way to start fullscreen
    // It asks for fullscreen before its first buffer, so that buffer must
    // already be output-sized (winit, alacritty's toolkit, asks after its
    // first frame: planar cannot make that frame fullscreen).
    bool fullscreen_before_first_frame = true;
};

constexpr uint32_t background = 0x303040; // planar's default

std::string runtime_file(harness::Compositor &planar, const std::string &name, const std::string &text) {
    std::string path = planar.path(name);
    std::ofstream(path) << text;
    return path;
}

std::vector<RealClient> clients(harness::Compositor &planar) {
    std::string qml = runtime_file(planar, "window.qml",
                                   "import QtQuick\nWindow { visible: true; width: 320; height: 240; color: \"orange\"\n"
                                   "  Rectangle { anchors.centerIn: parent; width: 100; height: 100; color: \"blue\" } }\n");
    std::string qml_fs = runtime_file(planar, "fullscreen.qml",
                                      "import QtQuick\nWindow { visibility: Window.FullScreen; color: \"orange\" }\n");
    const std::string lavfi = "av://lavfi:testsrc=size=320x240:rate=30";
    return {
        {"foot", "foot", {"foot"}, {"foot", "--fullscreen"}},
        {"alacritty", "alacritty", {"alacritty"}, {"alacritty", "-o", "window.startup_mode=Fullscreen"}, false},
        {"gtk3-demo", "gtk-3-examples", {"gtk3-demo"}, {}},
        {"gtk4-demo", "gtk-4-examples", {"gtk4-demo"}, {}},
        {"qml", "qml-qt6", {"/usr/lib/qt6/bin/qml", qml}, {"/usr/lib/qt6/bin/qml", qml_fs}},
        {"mpv", "mpv", {"mpv", "--no-config", "--vo=wlshm", "--ao=null", "--loop", lavfi},
         {"mpv", "--no-config", "--vo=wlshm", "--ao=null", "--loop", "--fs", lavfi}},
        {"waylandsink", "gstreamer1.0-plugins-bad", {"gst-launch-1.0", "-q", "videotestsrc", "!", "waylandsink"},
         {"gst-launch-1.0", "-q", "videotestsrc", "!", "waylandsink", "fullscreen=true"}},
        {"weston-simple-egl", "weston", {"weston-simple-egl"}, {"weston-simple-egl", "-f"}},
        {"es2gears_wayland", "mesa-utils", {"es2gears_wayland"}, {}},
    };
}

// Environment for toolkits: Wayland only, software GL, no user settings.
const std::map<std::string, std::string> client_env = {
    {"DISPLAY", ""},
    {"GDK_BACKEND", "wayland"},
    {"QT_QPA_PLATFORM", "wayland"},
    {"WINIT_UNIX_BACKEND", "wayland"},
    {"LIBGL_ALWAYS_SOFTWARE", "1"},
    {"GTK_A11Y", "none"},
    {"NO_AT_BRIDGE", "1"},
};

// The line planar-ctl prints for the client's window, once it is mapped.
std::optional<std::string> window_of(harness::Compositor &planar, pid_t pid, bool fullscreen,
                                     std::chrono::milliseconds timeout) {
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    std::string key = "pid=" + std::to_string(pid) + " ";
    std::optional<std::string> found;
    harness::wait_for(
        [&] {
            auto result = planar.run({ctl, "surfaces"}, 10s);
            size_t at = result.out.find(key);
            if (at == std::string::npos) return false;
            size_t start = result.out.rfind('\n', at);
            std::string line = result.out.substr(start == std::string::npos ? 0 : start + 1);
            line = line.substr(0, line.find('\n'));
            // Mapped and shown (a first frame on screen), not only committed.
            if (line.find("buffer=none") != std::string::npos || line.find("first_buffer=0x0 ") != std::string::npos) {
                return false;
            }
            if (fullscreen && line.find("fullscreen=1") == std::string::npos) return false;
            found = line;
            return true;
        },
        timeout);
    return found;
}

// Some pixel inside the window's geometry is not the background: it drew.
bool drew_something(harness::Compositor &planar, const std::string &line, std::string &why) {
    int w = 0, h = 0, x = 0, y = 0;
    size_t at = line.find("geometry=");
    if (at == std::string::npos || sscanf(line.c_str() + at, "geometry=%dx%d+%d+%d", &w, &h, &x, &y) != 4) {
        why = "no geometry in: " + line;
        return false;
    }
    for (int attempt = 0; attempt < 20; attempt++) {
        std::string file = planar.path("real-client.ppm");
        auto result = planar.run({"grim", "-t", "ppm", file}, 20s);
        auto img = result.status == 0 ? image::read_ppm(file) : std::nullopt;
        if (!img) {
            why = "grim failed: " + result.describe();
            return false;
        }
        for (int py = std::max(0, y); py < std::min(img->height, y + h); py += 4) {
            for (int px = std::max(0, x); px < std::min(img->width, x + w); px += 4) {
                if (img->at(px, py) != background) return true;
            }
        }
        std::this_thread::sleep_for(250ms);
    }
    why = "only the background where the window is: " + line;
    return false;
}

class RealClientTest : public PlanarTest, public ::testing::WithParamInterface<int> {};

TEST_P(RealClientTest, ShownThenKilledAtEveryMoment) {
    ASSERT_TRUE(start_headless());
    RealClient client = clients(planar_)[static_cast<size_t>(GetParam())];
    std::string program = client.windowed.front();
    if (!harness::on_path(program) && access(program.c_str(), X_OK) != 0) {
        if (std::getenv("CI") != nullptr) FAIL() << program << " missing in CI (package " << client.package << ")";
        GTEST_SKIP() << program << " not installed (package " << client.package << ")";
    }
    enum class Moment { early, mapped, fullscreen };
    for (Moment moment : {Moment::early, Moment::mapped, Moment::fullscreen}) {
        if (moment == Moment::fullscreen && client.fullscreen.empty()) continue;
        for (int sig : {SIGTERM, SIGKILL}) {
            const char *moment_name = moment == Moment::early ? "early" : moment == Moment::mapped ? "mapped" : "fullscreen";
            SCOPED_TRACE(std::string(client.name) + ", " + moment_name + ", " + (sig == SIGTERM ? "SIGTERM" : "SIGKILL"));
            const auto &argv = moment == Moment::fullscreen ? client.fullscreen : client.windowed;
            harness::Process process =
                planar_.spawn(std::string(client.name) + "-" + moment_name + "-" + std::to_string(sig), argv, client_env);
            if (moment == Moment::early) {
                std::this_thread::sleep_for(100ms);
            } else {
                auto line = window_of(planar_, process.pid(), moment == Moment::fullscreen, 30s);
                ASSERT_TRUE(line) << client.name << " never showed a " << moment_name << " window (log "
                                  << process.log_path() << ")";
                std::string why;
                EXPECT_TRUE(drew_something(planar_, *line, why)) << why;
                // Fullscreen asked for before the first buffer: that buffer
                // already had the output's size (no windowed frame first).
                if (moment == Moment::fullscreen && client.fullscreen_before_first_frame) {
                    EXPECT_NE(line->find("first_buffer=1280x720 "), std::string::npos) << *line;
                }
            }
            kill(process.pid(), sig);
            process.wait_exit(10s);
            ASSERT_TRUE(planar_.running()) << "planar died after " << client.name << " got signal " << sig;
        }
    }
    // planar still serves a new client after all of it.
    test_client::TestClient probe(planar_.socket_path());
    ASSERT_TRUE(probe.map_window(64, 64, 0xff00ff00)) << probe.error();
    EXPECT_GE(probe.run_frame_loop(200ms, false), 1) << probe.error();
}

struct Geometry {
    int w = 0, h = 0, x = 0, y = 0;
    bool focused = false;
    size_t order = 0; // line number in planar-ctl's list, topmost first
};

// The window of planar-ctl's list whose title is `title`.
std::optional<Geometry> window_titled(const std::string &surfaces, const std::string &title) {
    size_t at = surfaces.find("title=\"" + title + "\"");
    if (at == std::string::npos) return std::nullopt;
    Geometry g;
    size_t geometry = surfaces.find("geometry=", at);
    int focused = 0;
    if (sscanf(surfaces.c_str() + geometry, "geometry=%dx%d+%d+%d focused=%d", &g.w, &g.h, &g.x, &g.y, &focused) != 5) {
        return std::nullopt;
    }
    g.focused = focused != 0;
    g.order = static_cast<size_t>(std::count(surfaces.begin(), surfaces.begin() + static_cast<long>(at), '\n'));
    return g;
}

// A GTK dialog (xdg_toplevel.set_parent) opens centred over its parent,
// above it, and takes the focus from it.
TEST_F(PlanarTest, GtkDialogOpensCentredOverItsParent) {
    ASSERT_TRUE(start_headless());
    std::string script = std::string(SOURCE_DIR) + "/gtk_dialog.py";
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import gi; gi.require_version(\"Gtk\", \"3.0\")' 2>/dev/null") != 0) {
        if (std::getenv("CI") != nullptr) FAIL() << "python3-gi and gir1.2-gtk-3.0 missing in CI";
        GTEST_SKIP() << "python3-gi or gir1.2-gtk-3.0 not installed";
    }
    harness::Process process = planar_.spawn("gtk-dialog", {"/usr/bin/python3", script}, client_env);
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    std::optional<Geometry> parent, dialog;
    std::string surfaces;
    harness::wait_for(
        [&] {
            surfaces = planar_.run({ctl, "surfaces"}, 10s).out;
            parent = window_titled(surfaces, "planar-parent");
            dialog = window_titled(surfaces, "planar-dialog");
            return parent && dialog && dialog->w > 0 && dialog->focused;
        },
        30s);
    ASSERT_TRUE(parent && dialog) << surfaces;
    int dx = (dialog->x + dialog->w / 2) - (parent->x + parent->w / 2);
    int dy = (dialog->y + dialog->h / 2) - (parent->y + parent->h / 2);
    EXPECT_LE(std::abs(dx), 2) << surfaces;
    EXPECT_LE(std::abs(dy), 2) << surfaces;
    EXPECT_TRUE(dialog->focused) << surfaces;
    EXPECT_FALSE(parent->focused) << surfaces;
    EXPECT_LT(dialog->order, parent->order) << "the dialog is not above its parent\n" << surfaces;
}

std::string client_name(const ::testing::TestParamInfo<int> &info) {
    static const char *names[] = {"foot", "alacritty", "gtk3demo", "gtk4demo", "qml", "mpv", "waylandsink",
                                  "westonsimpleegl", "es2gears"};
    return names[info.param];
}

INSTANTIATE_TEST_SUITE_P(Everyday, RealClientTest, ::testing::Range(0, 9), client_name);

} // namespace

namespace {

// Where the colour bars of videotestsrc are, roughly: one strongly yellow and
// one strongly blue pixel inside the window prove the YUV was converted (raw
// YUV bytes read as XRGB give neither).
void expect_colour_bars(harness::Compositor &planar, const std::string &line) {
    int w = 0, h = 0, x = 0, y = 0;
    size_t at = line.find("geometry=");
    ASSERT_EQ(sscanf(line.c_str() + at, "geometry=%dx%d+%d+%d", &w, &h, &x, &y), 4) << line;
    bool yellow = false, blue = false;
    for (int attempt = 0; attempt < 20 && !(yellow && blue); attempt++) {
        std::string file = planar.path("bars.ppm");
        auto result = planar.run({"grim", "-t", "ppm", file}, 20s);
        auto img = result.status == 0 ? image::read_ppm(file) : std::nullopt;
        ASSERT_TRUE(img) << result.describe();
        for (int py = y; py < std::min(img->height, y + h); py += 2) {
            for (int px = x; px < std::min(img->width, x + w); px += 2) {
                uint32_t c = img->at(px, py);
                int r = (c >> 16) & 0xff, g = (c >> 8) & 0xff, b = c & 0xff;
                yellow |= r > 160 && g > 160 && b < 60;
                blue |= b > 160 && r < 60 && g < 60;
            }
        }
        if (!(yellow && blue)) std::this_thread::sleep_for(200ms);
    }
    EXPECT_TRUE(yellow && blue) << "no converted colour bars in " << line;
}

// GStreamer offers system-memory YUY2 and NV12 to wl_shm (a webcam's
// pipeline without io-mode=dmabuf): planar converts them as it does dma-bufs.
TEST_F(PlanarTest, WaylandsinkShowsYuy2AndNv12FromWlShm) {
    ASSERT_TRUE(start_headless());
    if (!harness::on_path("gst-launch-1.0")) {
        if (std::getenv("CI") != nullptr) FAIL() << "gst-launch-1.0 missing in CI";
        GTEST_SKIP() << "gst-launch-1.0 not installed (packages gstreamer1.0-tools, gstreamer1.0-plugins-bad)";
    }
    for (const char *format : {"YUY2", "NV12"}) {
        SCOPED_TRACE(format);
        harness::Process sink = planar_.spawn(
            std::string("waylandsink-") + format,
            {"gst-launch-1.0", "-q", "videotestsrc", "!",
             std::string("video/x-raw,format=") + format + ",width=320,height=240", "!", "waylandsink"},
            client_env);
        auto line = window_of(planar_, sink.pid(), false, 30s);
        ASSERT_TRUE(line) << "no window from waylandsink (log " << sink.log_path() << ")";
        expect_colour_bars(planar_, *line);
        kill(sink.pid(), SIGTERM);
        sink.wait_exit(10s);
    }
}

// An NV12 wl_shm buffer whose pool holds its luma only: libwayland checks
// stride * height against the pool, the chroma plane after it is planar's to
// check. It is refused (no texture), nothing outside the pool is read, and
// planar and the client go on.
TEST_F(PlanarTest, Nv12WlShmBufferWithoutRoomForChromaIsRefused) {
    ASSERT_TRUE(start_headless());
    test_client::TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(64, 64, 0xff3366cc)) << client.error();
    constexpr uint32_t wl_shm_format_nv12 = 0x3231564e; // fourcc NV12
    // 256 x 4096: the pool is its luma, 1 MiB, page aligned, so the chroma would
    // start exactly where the mapping ends.
    ASSERT_TRUE(client.commit_raw_shm(wl_shm_format_nv12, 256, 4096, 256, 256 * 4096, 0x80));
    ASSERT_TRUE(client.roundtrip()) << client.error();
    ASSERT_TRUE(planar_.running());
    // Refused means not shown: the window still shows its last good buffer
    // (0x3366cc), not grey from 0x80 bytes read as YUV.
    std::string file = planar_.path("refused.ppm");
    auto result = planar_.run({"grim", "-t", "ppm", file}, 20s);
    auto img = result.status == 0 ? image::read_ppm(file) : std::nullopt;
    ASSERT_TRUE(img) << result.describe();
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    std::string surfaces = planar_.run({ctl, "surfaces"}).out;
    int w = 0, h = 0, x = 0, y = 0;
    ASSERT_EQ(sscanf(surfaces.c_str() + surfaces.find("geometry="), "geometry=%dx%d+%d+%d", &w, &h, &x, &y), 4);
    EXPECT_EQ(img->at(x + 2, y + 2), 0x3366ccu) << surfaces;
}

TEST_F(PlanarTest, WlShmBufferWithAStrideShorterThanARowIsAnError) {
    // wl_shm.invalid_stride at wl_shm_pool.create_buffer (planar's
    // RequestChecks; libwayland compares the stride with the width in
    // pixels): a YUYV row of 64 pixels takes 128 bytes, not 64.
    ASSERT_TRUE(start_headless());
    test_client::TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(64, 64, 0xff3366cc)) << client.error();
    constexpr uint32_t wl_shm_format_yuyv = 0x56595559; // fourcc YUYV
    ASSERT_TRUE(client.commit_raw_shm(wl_shm_format_yuyv, 64, 64, 64, 64 * 64, 0x80));
    EXPECT_FALSE(client.roundtrip());
    // The code of wl_shm.error.invalid_stride; commit_raw_shm has let its
    // pool go already, so the client cannot name the object the error is on.
    EXPECT_EQ(client.error().rfind("protocol error 1 on ", 0), 0u) << client.error();
    EXPECT_TRUE(planar_.running());
}

} // namespace

// Issue 17: the clipboard on the headless seat. wl-copy in one process and
// wl-paste in another get the same bytes (zwlr_data_control_v1), and the
// seat has a keyboard from the start (wl-clipboard refuses a seat without).
TEST_F(PlanarTest, WlCopyAndWlPasteShareTheClipboard) {
    if (!harness::on_path("wl-copy") || !harness::on_path("wl-paste")) {
        GTEST_SKIP() << "wl-clipboard not installed (tests/integration/deps.txt)";
    }
    ASSERT_TRUE(start_headless());
    const std::string text = "planar clipboard \xe2\x9c\x93 1234";
    harness::Process copier = planar_.spawn("wl-copy", {"wl-copy", "--foreground", text});
    harness::RunResult paste;
    for (int i = 0; i < 50; i++) {
        paste = planar_.run({"wl-paste", "--no-newline"}, 5s);
        if (paste.status == 0 && paste.out == text) break;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(paste.status, 0) << paste.describe();
    EXPECT_EQ(paste.out, text) << paste.describe();
    auto types = planar_.run({"wl-paste", "--list-types"}, 5s);
    EXPECT_NE(types.out.find("text/plain"), std::string::npos) << types.describe();
    // A second copy replaces the first; the first wl-copy then exits by itself.
    harness::Process second = planar_.spawn("wl-copy-2", {"wl-copy", "--foreground", "second"});
    EXPECT_TRUE(copier.wait_exit(10s).has_value()) << "the first wl-copy still serves a replaced selection";
    paste = planar_.run({"wl-paste", "--no-newline"}, 5s);
    EXPECT_EQ(paste.out, "second") << paste.describe();
}
