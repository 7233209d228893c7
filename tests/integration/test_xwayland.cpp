// X11 clients through planar's Xwayland (issue 17, item 1): windows of
// Debian's X11 programs map where planar-ctl says and show on screen, take the
// focus (one activated window across xdg and X11), honour the client's own
// requests (move/resize, fullscreen), show override-redirect windows at their
// X11 coordinates above the others, share the clipboard with Wayland clients,
// and a killed X11 client leaves planar serving. Input goes through planar's
// seat only (virtual keyboard and pointer), never XTEST. Every test skips,
// saying why, where Xwayland or the program it runs is missing.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "harness.hpp"
#include "image.hpp"
#include "test_client.hpp"

namespace {

using namespace std::chrono_literals;

constexpr uint32_t background = 0x303040; // planar's default
constexpr uint32_t xterm_blue = 0x3366cc;

// One line of `planar-ctl surfaces`, by key.
struct Line {
    std::string text;

    // The value of `key=`: a quoted one unescaped, else up to the next space.
    std::string value(const std::string &key) const {
        size_t at = text.find(" " + key + "=");
        size_t start = at == std::string::npos ? (text.rfind(key + "=", 0) == 0 ? 0 : std::string::npos) : at + 1;
        if (start == std::string::npos) return {};
        size_t pos = start + key.size() + 1;
        std::string out;
        if (pos < text.size() && text[pos] == '"') {
            for (pos++; pos < text.size() && text[pos] != '"'; pos++) {
                if (text[pos] == '\\' && pos + 1 < text.size()) pos++;
                out += text[pos];
            }
            return out;
        }
        return text.substr(pos, text.find(' ', pos) - pos);
    }
    int number(const std::string &key) const { return std::atoi(value(key).c_str()); }
    bool flag(const std::string &key) const { return value(key) == "1"; }
    // geometry=WxH+X+Y
    bool geometry(int &w, int &h, int &x, int &y) const {
        return sscanf(value("geometry").c_str(), "%dx%d+%d+%d", &w, &h, &x, &y) == 4;
    }
};

std::vector<Line> lines_of(const std::string &text) {
    std::vector<Line> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(Line{line});
    return lines;
}

class XwaylandTest : public harness::PlanarTest {
protected:
    // Empty when everything is installed, else why the test cannot run.
    static std::string missing(const std::vector<std::string> &programs) {
        if (!harness::on_path("Xwayland")) return "Xwayland not installed (package xwayland)";
        for (const auto &program : programs) {
            if (!harness::on_path(program)) return program + " not installed (tests/integration/deps.txt)";
        }
        return {};
    }

    // planar with its first client a shell that writes down the DISPLAY it
    // was given: what every client planar starts sees.
    bool start(const std::vector<std::string> &extra = {}, const std::map<std::string, std::string> &env = {}) {
        std::vector<std::string> args{"--backend", "headless", "--output", "1280x720@60", "--renderer", "pixman"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"--", "/bin/sh", "-c",
                                 "printf %s \"$DISPLAY\" > \"$XDG_RUNTIME_DIR/display.tmp\" && "
                                 "mv \"$XDG_RUNTIME_DIR/display.tmp\" \"$XDG_RUNTIME_DIR/display\"; exec sleep 100000"});
        if (!planar_.start(args, true, env)) return false;
        bool written = harness::wait_for([&] { return access(planar_.path("display").c_str(), F_OK) == 0; }, 20s);
        if (!written) {
            ADD_FAILURE() << "planar's first client never ran";
            return false;
        }
        std::ifstream in(planar_.path("display"));
        std::getline(in, display_);
        return true;
    }

    std::map<std::string, std::string> x11_env() const { return {{"DISPLAY", display_}}; }

    // The tests' mouse (virtual_pointer.cpp), built beside this binary.
    static std::string virtual_pointer() {
        if (const char *exe = std::getenv("PLANAR_VIRTUAL_POINTER_EXE"); exe != nullptr && *exe != '\0') return exe;
        char self[4096] = {};
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        std::string dir = n > 0 ? std::string(self, static_cast<size_t>(n)) : std::string();
        return dir.substr(0, dir.rfind('/') + 1) + "virtual_pointer";
    }

    // Runs virtual_pointer's steps to their end.
    harness::RunResult pointer(const std::vector<std::string> &steps) {
        std::vector<std::string> argv{virtual_pointer()};
        argv.insert(argv.end(), steps.begin(), steps.end());
        return planar_.run(argv, 20s);
    }

    // Holds `modifier` (wtype's name: ctrl, logo, ...) on planar's seat for
    // `ms`, through a virtual keyboard; returns once the press is in.
    harness::Process hold_modifier(const std::string &modifier, int ms) {
        harness::Process wtype = planar_.spawn("wtype-" + modifier, {"wtype", "-M", modifier, "-s", std::to_string(ms),
                                                                     "-m", modifier});
        // wtype connects, uploads its keymap and presses within a few ms;
        // planar takes the keyboard device on its first key.
        std::this_thread::sleep_for(500ms);
        return wtype;
    }

    // X11's own view of the window titled `title` (read only, x11-utils).
    std::string xwininfo(const std::string &title) {
        return planar_.run({"xwininfo", "-name", title}, 10s, x11_env()).out;
    }

    harness::Process spawn_x11(const std::string &name, const std::vector<std::string> &argv) {
        return planar_.spawn(name, argv, x11_env());
    }

    std::string surfaces() { return planar_.run({harness::program_from_env("PLANAR_CTL_EXE"), "surfaces"}, 10s).out; }

    // The line of the window titled `title` once it is mapped and shown.
    std::optional<Line> shown_window(const std::string &title, std::chrono::milliseconds timeout = 30s) {
        std::optional<Line> found;
        harness::wait_for(
            [&] {
                for (const Line &line : lines_of(surfaces())) {
                    if (line.value("title") != title || line.value("buffer") == "none" ||
                        line.value("first_buffer") == "0x0") {
                        continue;
                    }
                    found = line;
                    return true;
                }
                return false;
            },
            timeout);
        return found;
    }

    // The line of an override-redirect window (a menu) once planar-ctl
    // lists one; `list` gets the last listing either way.
    std::optional<Line> override_redirect_window(std::string &list, std::chrono::milliseconds timeout) {
        std::optional<Line> found;
        harness::wait_for(
            [&] {
                list = surfaces();
                for (const Line &l : lines_of(list)) {
                    if (!l.value("override_redirect").empty()) found = l;
                }
                return found.has_value();
            },
            timeout);
        return found;
    }

    std::optional<image::Image> screenshot() {
        std::string file = planar_.path("xwayland.ppm");
        auto result = planar_.run({"grim", "-t", "ppm", file}, 20s);
        if (result.status != 0) {
            ADD_FAILURE() << "grim: " << result.describe();
            return std::nullopt;
        }
        return image::read_ppm(file);
    }

    // Polls the screen until `check` accepts it (a client draws when it likes).
    bool screen_shows(const std::function<bool(const image::Image &)> &check, std::chrono::milliseconds timeout = 10s) {
        return harness::wait_for(
            [&] {
                auto img = screenshot();
                return img && check(*img);
            },
            timeout);
    }

    std::string display_;
};

// xterm's blue fills exactly its geometry: nothing of it outside, and at
// least `share` of the window is blue (the rest is its text).
bool xterm_blue_fills(const image::Image &img, int w, int h, int x, int y, double share, std::string *why) {
    image::ColourBox box = image::find_colour(img, xterm_blue);
    char text[256];
    snprintf(text, sizeof(text), "blue %ld px in %d,%d..%d,%d; window %dx%d+%d+%d", box.count, box.min_x, box.min_y,
             box.max_x, box.max_y, w, h, x, y);
    if (why != nullptr) *why = text;
    return box.count >= share * w * h && box.min_x == x && box.min_y == y && box.max_x == x + w - 1 &&
           box.max_y == y + h - 1;
}

TEST_F(XwaylandTest, XeyesAndXtermMapAndShowWherePlanarSays) {
    if (auto why = missing({"xterm", "xeyes", "grim"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    ASSERT_FALSE(display_.empty()) << "planar gave its client no DISPLAY";
    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-bg", "#3366cc", "-fg", "#3366cc",
                                                 "-cr", "#3366cc", "+sb", "-geometry", "60x15", "-e", "sh"});
    auto line = shown_window("planar-xterm");
    ASSERT_TRUE(line) << "xterm never showed\n" << surfaces();
    EXPECT_EQ(line->value("shell"), "xwayland") << line->text;
    EXPECT_EQ(line->value("app_id"), "XTerm") << line->text;
    EXPECT_EQ(line->number("pid"), xterm.pid()) << line->text; // the X11 client's, not Xwayland's
    int w = 0, h = 0, x = 0, y = 0;
    ASSERT_TRUE(line->geometry(w, h, x, y)) << line->text;
    // The first window is centred on the only output, as an xdg window would be.
    EXPECT_NEAR(x + w / 2, 640, 1) << line->text;
    EXPECT_NEAR(y + h / 2, 360, 1) << line->text;
    std::string why;
    EXPECT_TRUE(screen_shows([&](const image::Image &img) { return xterm_blue_fills(img, w, h, x, y, 0.95, &why); }))
        << why;

    harness::Process xeyes = spawn_x11("xeyes", {"xeyes", "-geometry", "200x150"});
    auto eyes = shown_window("xeyes");
    ASSERT_TRUE(eyes) << "xeyes never showed\n" << surfaces();
    int ew = 0, eh = 0, ex = 0, ey = 0;
    ASSERT_TRUE(eyes->geometry(ew, eh, ex, ey)) << eyes->text;
    EXPECT_EQ(ew, 200);
    EXPECT_EQ(eh, 150);
    // Placed clear of the xterm, and drawn there: its eyes are white.
    bool overlap = ex < x + w && x < ex + ew && ey < y + h && y < ey + eh;
    EXPECT_FALSE(overlap) << eyes->text << "\n" << line->text;
    EXPECT_TRUE(screen_shows([&](const image::Image &img) {
        for (int py = ey; py < ey + eh; py++) {
            for (int px = ex; px < ex + ew; px++) {
                if (img.at(px, py) == 0xffffff) return true;
            }
        }
        return false;
    })) << "nothing white where xeyes is: " << eyes->text;
    // The xterm is still all there, now behind nothing.
    EXPECT_TRUE(screen_shows([&](const image::Image &img) { return xterm_blue_fills(img, w, h, x, y, 0.95, &why); }))
        << why;
}

// Exactly one activated window across both shells: an X11 window that maps
// takes the focus from an xdg one, and a new xdg window takes it back.
TEST_F(XwaylandTest, OneActivatedWindowAcrossXdgAndX11) {
    if (auto why = missing({"xterm"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    test_client::TestClient wayland(planar_.socket_path());
    ASSERT_TRUE(wayland.map_window(200, 100, 0xff00ff00)) << wayland.error();
    ASSERT_TRUE(wayland.dispatch_until([&] { return wayland.activated(); }, 5s)) << "the xdg window never activated";

    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-e", "sh"});
    auto line = shown_window("planar-xterm");
    ASSERT_TRUE(line) << surfaces();
    std::string list;
    ASSERT_TRUE(harness::wait_for(
        [&] {
            list = surfaces();
            auto lines = lines_of(list);
            return !lines.empty() && lines.front().value("title") == "planar-xterm" && lines.front().flag("focused");
        },
        10s))
        << "the xterm is not the focused, topmost window\n"
        << list;
    // Its xdg_toplevel lost the activated state (a configure says so).
    EXPECT_TRUE(wayland.dispatch_until([&] { return !wayland.activated(); }, 5s)) << list;
    int focused = 0;
    for (const Line &l : lines_of(list)) focused += l.value("surface").empty() ? 0 : l.flag("focused");
    EXPECT_EQ(focused, 1) << list;

    test_client::TestClient second(planar_.socket_path());
    ASSERT_TRUE(second.map_window(100, 100, 0xffff0000)) << second.error();
    ASSERT_TRUE(harness::wait_for(
        [&] {
            list = surfaces();
            auto lines = lines_of(list);
            for (const Line &l : lines) {
                if (l.value("title") == "planar-xterm" && !l.flag("focused")) return lines.front().flag("focused");
            }
            return false;
        },
        10s))
        << "the xterm kept the focus from a new xdg window\n"
        << list;
}

// The client's own requests: xterm's window operations (XTWINOPS) move and
// resize its window with ConfigureRequests, and -fullscreen asks for
// _NET_WM_STATE_FULLSCREEN, which covers the output.
TEST_F(XwaylandTest, ConfigureRequestsAndFullscreenAreHonoured) {
    if (auto why = missing({"xterm"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    // CSI 3;x;y t moves the window, CSI 4;h;w t sizes it in pixels.
    harness::Process mover = spawn_x11(
        "xterm-mover", {"xterm", "-T", "planar-mover", "-xrm", "XTerm*allowWindowOps: true", "-e", "sh", "-c",
                        "sleep 1; printf '\\033[3;100;80t'; sleep 1; printf '\\033[4;200;300t'; exec sleep 100000"});
    std::optional<Line> line;
    std::string list;
    ASSERT_TRUE(harness::wait_for(
        [&] {
            list = surfaces();
            for (const Line &l : lines_of(list)) {
                int w = 0, h = 0, x = 0, y = 0;
                if (l.value("title") == "planar-mover" && l.geometry(w, h, x, y) && x == 100 && y == 80 && w == 300 &&
                    h == 200) {
                    line = l;
                    return true;
                }
            }
            return false;
        },
        30s))
        << "xterm's move to 100,80 and size of 300x200 did not come through\n"
        << list;

    harness::Process full = spawn_x11("xterm-fullscreen", {"xterm", "-T", "planar-full", "-fullscreen", "-e", "sh"});
    ASSERT_TRUE(harness::wait_for(
        [&] {
            list = surfaces();
            for (const Line &l : lines_of(list)) {
                if (l.value("title") == "planar-full" && l.flag("fullscreen") && l.value("geometry") == "1280x720+0+0" &&
                    l.value("size") == "1280x720") {
                    return true;
                }
            }
            return false;
        },
        30s))
        << "xterm -fullscreen did not cover the output\n"
        << list;
}

// Override-redirect windows (menus, tooltips) are where X11 puts them, above
// the managed windows, without a border, and never take the focus. An Xt
// shell with overrideRedirect set opens one at its -geometry.
TEST_F(XwaylandTest, OverrideRedirectWindowIsShownAtItsOwnPlaceAboveTheOthers) {
    if (auto why = missing({"xterm", "xeyes", "grim"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-bg", "#3366cc", "-fg", "#3366cc",
                                                 "-cr", "#3366cc", "+sb", "-geometry", "100x40", "-e", "sh"});
    auto line = shown_window("planar-xterm");
    ASSERT_TRUE(line) << surfaces();
    int w = 0, h = 0, x = 0, y = 0;
    ASSERT_TRUE(line->geometry(w, h, x, y)) << line->text;
    // Over the middle of the xterm.
    int ox = x + w / 2 - 60, oy = y + h / 2 - 45;
    harness::Process eyes = spawn_x11("xeyes-or", {"xeyes", "-xrm", "*overrideRedirect: true", "-geometry",
                                                   "120x90+" + std::to_string(ox) + "+" + std::to_string(oy)});
    std::string list;
    std::optional<Line> menu = override_redirect_window(list, 30s);
    ASSERT_TRUE(menu) << "no override-redirect window in planar-ctl\n" << list;
    EXPECT_EQ(menu->value("geometry"), "120x90+" + std::to_string(ox) + "+" + std::to_string(oy)) << list;
    // Its surface holds its X11 border (Xt's shells have 1 px) around that.
    int sw = 0, sh = 0;
    ASSERT_EQ(sscanf(menu->value("size").c_str(), "%dx%d", &sw, &sh), 2) << list;
    EXPECT_GE(sw, 120);
    EXPECT_GE(sh, 90);
    // Not a view: the xterm is still the one focused window.
    auto lines = lines_of(list);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.front().value("title"), "planar-xterm") << list;
    EXPECT_TRUE(lines.front().flag("focused")) << list;
    // Above the xterm: its eyes (white) cover part of the blue, exactly in
    // its box, and no border (planar's grey or blue) is drawn around it.
    std::string why;
    EXPECT_TRUE(screen_shows([&](const image::Image &img) {
        image::ColourBox white = image::find_colour(img, 0xffffff);
        char text[300];
        snprintf(text, sizeof(text),
                 "white %ld px in %d,%d..%d,%d; outside the box: left %06x right %06x top %06x bottom %06x",
                 white.count, white.min_x, white.min_y, white.max_x, white.max_y, img.at(ox - 1, oy + sh / 2),
                 img.at(ox + sw, oy + sh / 2), img.at(ox + sw / 2, oy - 1), img.at(ox + sw / 2, oy + sh));
        why = text;
        if (white.count == 0 || white.min_x < ox || white.min_y < oy || white.max_x >= ox + sw ||
            white.max_y >= oy + sh) {
            return false;
        }
        // Just outside its surface: the xterm's blue, not a border of planar's.
        return img.at(ox - 1, oy + sh / 2) == xterm_blue && img.at(ox + sw, oy + sh / 2) == xterm_blue &&
               img.at(ox + sw / 2, oy - 1) == xterm_blue && img.at(ox + sw / 2, oy + sh) == xterm_blue;
    })) << why << " (box at " << ox << "," << oy << ")";
    // Gone with its client.
    kill(eyes.pid(), SIGTERM);
    eyes.wait_exit(10s);
    EXPECT_TRUE(harness::wait_for([&] { return surfaces().find("override_redirect=") == std::string::npos; }, 10s));
}

// The CLIPBOARD selection is one for Wayland and X11 clients (wlroots' xwm
// through the seat): what wl-copy offers xclip reads, and the reverse.
// wlroots lets X11 clients read a Wayland selection only while an X11 window
// has the focus (as a person pasting into one would have): an xterm has it.
TEST_F(XwaylandTest, ClipboardIsSharedBetweenWaylandAndX11) {
    if (auto why = missing({"xclip", "xterm", "wl-copy", "wl-paste"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-e", "sh"});
    auto line = shown_window("planar-xterm");
    ASSERT_TRUE(line && line->flag("focused")) << surfaces();
    const std::string to_x11 = "from wayland \xe2\x9c\x93 123";
    harness::Process copier = planar_.spawn("wl-copy", {"wl-copy", "--foreground", to_x11});
    harness::RunResult paste;
    ASSERT_TRUE(harness::wait_for(
        [&] {
            paste = planar_.run({"xclip", "-o", "-selection", "clipboard"}, 10s, x11_env());
            return paste.status == 0 && paste.out == to_x11;
        },
        30s))
        << paste.describe();

    const std::string to_wayland = "from x11 \xc3\xa9 456";
    std::string file = planar_.path("clip.txt");
    std::ofstream(file) << to_wayland;
    harness::Process xclip =
        spawn_x11("xclip-in", {"xclip", "-quiet", "-i", "-selection", "clipboard", file});
    ASSERT_TRUE(harness::wait_for(
        [&] {
            paste = planar_.run({"wl-paste", "--no-newline"}, 10s);
            return paste.status == 0 && paste.out == to_wayland;
        },
        30s))
        << paste.describe();
    // The Wayland owner was replaced: wl-copy exits by itself.
    EXPECT_TRUE(copier.wait_exit(10s).has_value()) << "wl-copy still serves a replaced selection";
}

// An X11 client killed while its window is mapped: planar goes on, and a new
// X11 client (and a Wayland one) map after it.
TEST_F(XwaylandTest, KilledX11ClientLeavesPlanarServing) {
    if (auto why = missing({"xterm", "xeyes"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-e", "sh"});
    ASSERT_TRUE(shown_window("planar-xterm")) << surfaces();
    kill(xterm.pid(), SIGKILL);
    xterm.wait_exit(10s);
    ASSERT_TRUE(planar_.running()) << "planar died with its X11 client";
    EXPECT_TRUE(harness::wait_for([&] { return surfaces().find("planar-xterm") == std::string::npos; }, 10s))
        << surfaces();
    harness::Process xeyes = spawn_x11("xeyes", {"xeyes"});
    ASSERT_TRUE(shown_window("xeyes")) << "no X11 window after the kill\n" << surfaces();
    auto list = lines_of(surfaces());
    ASSERT_FALSE(list.empty());
    EXPECT_TRUE(list.front().flag("focused")) << list.front().text;
    test_client::TestClient probe(planar_.socket_path());
    ASSERT_TRUE(probe.map_window(64, 64, 0xff00ff00)) << probe.error();
}

// --no-xwayland: no X server, no DISPLAY for planar's clients.
TEST_F(XwaylandTest, NoXwaylandOptionLeavesDisplayUnset) {
    ASSERT_TRUE(start({"--no-xwayland"}));
    EXPECT_EQ(display_, "");
    test_client::TestClient probe(planar_.socket_path());
    ASSERT_TRUE(probe.map_window(64, 64, 0xff00ff00)) << probe.error();
}

// A missing Xwayland binary is said once, and planar serves Wayland clients.
TEST_F(XwaylandTest, MissingXwaylandBinaryIsLoggedAndPlanarRuns) {
    ASSERT_TRUE(start({}, {{"WLR_XWAYLAND", "/nonexistent/Xwayland"}}));
    EXPECT_EQ(display_, "");
    test_client::TestClient probe(planar_.socket_path());
    ASSERT_TRUE(probe.map_window(64, 64, 0xff00ff00)) << probe.error();
    std::ifstream log(planar_.path("planar.log"));
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    size_t first = text.find("/nonexistent/Xwayland");
    EXPECT_NE(first, std::string::npos) << text;
    EXPECT_EQ(text.find("/nonexistent/Xwayland", first + 1), std::string::npos) << "said more than once:\n" << text;
}

// Keys typed on planar's seat (wtype: a virtual keyboard, the path a
// keyboard's keys take) reach the focused xterm: its shell runs what was typed.
TEST_F(XwaylandTest, XtermTakesKeyboardInputThroughPlanarsSeat) {
    if (auto why = missing({"xterm", "wtype"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-e", "sh"});
    auto line = shown_window("planar-xterm");
    ASSERT_TRUE(line && line->flag("focused")) << surfaces();
    std::string file = planar_.path("typed");
    // wtype's keymap reaches Xwayland with its first key; typed with no
    // pause at all (-d 0) xterm gets none of the text (xev shows the keys
    // read with the previous keymap, the MappingNotify after them), 5 ms
    // between keys is enough. A keyboard's keymap does not change per key.
    auto typed = planar_.run({"wtype", "-d", "10", "echo typed-through-planar > " + file}, 10s);
    ASSERT_EQ(typed.status, 0) << typed.describe();
    auto enter = planar_.run({"wtype", "-d", "10", "-k", "Return"}, 10s);
    ASSERT_EQ(enter.status, 0) << enter.describe();
    std::string text;
    EXPECT_TRUE(harness::wait_for(
        [&] {
            std::ifstream in(file);
            std::getline(in, text);
            return text == "typed-through-planar";
        },
        15s))
        << "the xterm's shell wrote '" << text << "'";
}

// A click focuses: from an X11 window to an xdg one and back, and X11's
// _NET_ACTIVE_WINDOW follows (None while the xdg window has the focus).
TEST_F(XwaylandTest, ClickMovesTheFocusBetweenXdgAndX11Windows) {
    if (auto why = missing({"xterm", "xprop", "xwininfo"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    test_client::TestClient wayland(planar_.socket_path());
    ASSERT_TRUE(wayland.map_window(200, 100, 0xff00ff00)) << wayland.error();
    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-e", "sh"});
    ASSERT_TRUE(shown_window("planar-xterm")) << surfaces();
    std::string list = surfaces();
    std::optional<Line> xdg, x11;
    for (const Line &l : lines_of(list)) {
        if (l.value("shell") == "xdg") xdg = l;
        if (l.value("shell") == "xwayland") x11 = l;
    }
    ASSERT_TRUE(xdg && x11) << list;
    auto centre = [](const Line &l) {
        int w = 0, h = 0, x = 0, y = 0;
        l.geometry(w, h, x, y);
        return std::vector<std::string>{std::to_string(x + w / 2), std::to_string(y + h / 2)};
    };
    std::string window_id;
    {
        std::istringstream info(xwininfo("planar-xterm"));
        std::string word;
        while (info >> word) {
            if (word == "id:") {
                info >> window_id;
                break;
            }
        }
    }
    ASSERT_FALSE(window_id.empty()) << "xwininfo found no planar-xterm";
    auto active = [&] { return planar_.run({"xprop", "-root", "_NET_ACTIVE_WINDOW"}, 10s, x11_env()).out; };
    auto focused = [&](const std::string &shell) {
        for (const Line &l : lines_of(surfaces())) {
            if (l.value("shell") == shell) return l.flag("focused");
        }
        return false;
    };
    EXPECT_TRUE(harness::wait_for([&] { return active().find(window_id) != std::string::npos; }, 10s)) << active();

    auto c = centre(*xdg);
    auto click = pointer({"move", c[0], c[1], "press", "left", "release", "left"});
    ASSERT_EQ(click.status, 0) << click.describe();
    EXPECT_TRUE(harness::wait_for([&] { return focused("xdg") && !focused("xwayland"); }, 10s)) << surfaces();
    EXPECT_TRUE(harness::wait_for([&] { return active().find(window_id) == std::string::npos; }, 10s)) << active();

    c = centre(*x11);
    click = pointer({"move", c[0], c[1], "press", "left", "release", "left"});
    ASSERT_EQ(click.status, 0) << click.describe();
    EXPECT_TRUE(harness::wait_for([&] { return focused("xwayland") && !focused("xdg"); }, 10s)) << surfaces();
    EXPECT_TRUE(harness::wait_for([&] { return active().find(window_id) != std::string::npos; }, 10s)) << active();
}

// xterm's main menu (Ctrl + left button) is an override-redirect window: it
// opens where the pointer is, above the xterm, while the button is held. Ctrl
// comes from a virtual keyboard and the click from a virtual pointer, both
// through planar's seat; X11's pointer position is right only if planar told
// X11 where the xterm is.
TEST_F(XwaylandTest, CtrlClickOpensXtermsMenuAtThePointer) {
    if (auto why = missing({"xterm", "wtype", "grim"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    // Blue text area; the menu keeps Xaw's white (-bg would colour it too).
    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-xrm", "XTerm*vt100.background: #3366cc",
                                                 "+sb", "-geometry", "100x40", "-e", "sh"});
    auto line = shown_window("planar-xterm");
    ASSERT_TRUE(line && line->flag("focused")) << surfaces();
    int w = 0, h = 0, x = 0, y = 0;
    ASSERT_TRUE(line->geometry(w, h, x, y)) << line->text;
    // Off the centre, so that "at the pointer" is not "in the middle".
    int px = x + w / 3, py = y + h / 3;
    std::string go = planar_.path("release-button");
    harness::Process ctrl = hold_modifier("ctrl", 2500); // held when the button goes down
    harness::Process mouse =
        planar_.spawn("virtual-pointer", {virtual_pointer(), "move", std::to_string(px), std::to_string(py), "press",
                                          "left", "wait-file", go, "release", "left"});
    std::string list;
    std::optional<Line> menu = override_redirect_window(list, 15s);
    ASSERT_TRUE(menu) << "no menu opened\n" << list;
    int mw = 0, mh = 0, mx = 0, my = 0, sw = 0, sh = 0;
    ASSERT_TRUE(menu->geometry(mw, mh, mx, my)) << menu->text;
    ASSERT_EQ(sscanf(menu->value("size").c_str(), "%dx%d", &sw, &sh), 2) << menu->text;
    EXPECT_TRUE(px >= mx && px < mx + sw && py >= my && py < my + sh)
        << "the pointer at " << px << "," << py << " is not on the menu: " << menu->text;
    // Drawn there, above the xterm: its white is inside its box (the part on
    // the output; the pointer's image is on it too), nowhere else, and fills
    // most of it.
    std::string why;
    EXPECT_TRUE(screen_shows([&](const image::Image &img) {
        image::ColourBox white = image::find_colour(img, 0xffffff);
        int visible_w = std::min(mx + sw, img.width) - mx, visible_h = std::min(my + sh, img.height) - my;
        char text[200];
        snprintf(text, sizeof(text), "white %ld px in %d,%d..%d,%d; menu %dx%d+%d+%d", white.count, white.min_x,
                 white.min_y, white.max_x, white.max_y, sw, sh, mx, my);
        why = text;
        return white.count * 2 > static_cast<long>(visible_w) * visible_h && white.min_x >= mx && white.min_y >= my &&
               white.max_x < mx + sw && white.max_y < my + sh;
    })) << why;
    // The keyboard focus stayed with the xterm.
    auto lines = lines_of(list);
    ASSERT_FALSE(lines.empty());
    EXPECT_TRUE(lines.front().value("title") == "planar-xterm" && lines.front().flag("focused")) << list;
    std::ofstream(go) << "go";
    EXPECT_TRUE(mouse.wait_exit(10s).has_value());
    EXPECT_TRUE(harness::wait_for([&] { return surfaces().find("override_redirect=") == std::string::npos; }, 10s))
        << "the menu stayed after the button went up\n"
        << surfaces();
    ctrl.wait_exit(10s);
}

// Super + left drag moves an X11 window as it moves an xdg one, and X11 is
// told where it went (xwininfo's absolute position).
TEST_F(XwaylandTest, SuperDragMovesAnX11Window) {
    if (auto why = missing({"xterm", "wtype", "xwininfo"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-e", "sh"});
    auto line = shown_window("planar-xterm");
    ASSERT_TRUE(line) << surfaces();
    int w = 0, h = 0, x = 0, y = 0;
    ASSERT_TRUE(line->geometry(w, h, x, y)) << line->text;
    harness::Process logo = hold_modifier("logo", 2500);
    auto drag = pointer({"move", std::to_string(x + 20), std::to_string(y + 20), "press", "left", "move",
                         std::to_string(x + 120), std::to_string(y + 70), "release", "left"});
    ASSERT_EQ(drag.status, 0) << drag.describe();
    std::string moved = std::to_string(w) + "x" + std::to_string(h) + "+" + std::to_string(x + 100) + "+" +
                        std::to_string(y + 50);
    std::string list;
    EXPECT_TRUE(harness::wait_for(
        [&] {
            list = surfaces();
            for (const Line &l : lines_of(list)) {
                if (l.value("title") == "planar-xterm") return l.value("geometry") == moved;
            }
            return false;
        },
        10s))
        << "expected " << moved << "\n"
        << list;
    std::string info = xwininfo("planar-xterm");
    EXPECT_NE(info.find("Absolute upper-left X:  " + std::to_string(x + 100) + "\n"), std::string::npos) << info;
    EXPECT_NE(info.find("Absolute upper-left Y:  " + std::to_string(y + 50) + "\n"), std::string::npos) << info;
    logo.wait_exit(10s);
}

// Super+Q on a focused X11 window asks it to close (WM_DELETE_WINDOW): xterm
// exits by itself.
TEST_F(XwaylandTest, SuperQClosesTheFocusedX11Window) {
    if (auto why = missing({"xterm", "wtype"}); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(start());
    harness::Process xterm = spawn_x11("xterm", {"xterm", "-T", "planar-xterm", "-e", "sh"});
    auto line = shown_window("planar-xterm");
    ASSERT_TRUE(line && line->flag("focused")) << surfaces();
    auto keys = planar_.run({"wtype", "-M", "logo", "q", "-m", "logo"}, 10s);
    ASSERT_EQ(keys.status, 0) << keys.describe();
    EXPECT_TRUE(xterm.wait_exit(10s).has_value()) << "xterm is still running after Super+Q";
    EXPECT_TRUE(harness::wait_for([&] { return surfaces().find("planar-xterm") == std::string::npos; }, 10s))
        << surfaces();
    EXPECT_TRUE(planar_.running());
}

} // namespace
