// Remote access (issue 17): wayvnc serves planar's output over VNC on
// loopback. What a VNC client sees must be what grim sees, and a click and a
// key sent over VNC must reach a window through wayvnc's virtual pointer and
// keyboard (zwlr_virtual_pointer_v1, zwp_virtual_keyboard_v1).
//
// gvnccapture (gvncviewer) takes the frame; it cannot send input, and Debian
// has no command-line VNC client that can, so the input goes through the few
// RFB messages below (RFC 6143), over the same TCP port.
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.hpp"
#include "image.hpp"
#include "test_client.hpp"
#include "unique_fd.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;

// A TCP port on loopback that nothing listens on now (the kernel's pick).
int free_port() {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd.get(), reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        return -1;
    }
    return ntohs(addr.sin_port);
}

UniqueFd connect_loopback(int port) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) return {};
    return fd;
}

// The client half of RFB 3.8 with security type None, then input events only:
// it never asks for a framebuffer update, so the server sends nothing more.
class RfbInput {
public:
    // Handshake up to ServerInit; false with error() set.
    bool open(int port) {
        fd_ = connect_loopback(port);
        if (!fd_) return failed(std::string("connect: ") + strerror(errno));
        std::string version;
        if (!read_exact(12, version)) return false;
        if (version.rfind("RFB 003.", 0) != 0) return failed("not an RFB server: '" + version + "'");
        if (!write_all("RFB 003.008\n")) return false;
        std::string count, types;
        if (!read_exact(1, count)) return false;
        if (count[0] == 0) return failed("the server refused the connection");
        if (!read_exact(static_cast<unsigned char>(count[0]), types)) return false;
        if (types.find('\x01') == std::string::npos) return failed("security type None not offered");
        std::string result;
        if (!write_all(std::string(1, '\x01')) || !read_exact(4, result)) return false;
        if (result != std::string(4, '\0')) return failed("security handshake failed");
        // ClientInit (shared), then ServerInit: size, pixel format, name.
        std::string init, name;
        if (!write_all(std::string(1, '\x01')) || !read_exact(24, init)) return false;
        width_ = be16(init, 0);
        height_ = be16(init, 2);
        return read_exact(be32(init, 20), name);
    }

    // PointerEvent: `buttons` is the mask (bit 0: left).
    bool pointer(int x, int y, uint8_t buttons) {
        std::string m{'\x05', static_cast<char>(buttons)};
        put16(m, x);
        put16(m, y);
        return write_all(m);
    }
    // KeyEvent with an X keysym.
    bool key(uint32_t keysym, bool down) {
        std::string m{'\x04', static_cast<char>(down), '\0', '\0'};
        put16(m, static_cast<int>(keysym >> 16));
        put16(m, static_cast<int>(keysym & 0xffff));
        return write_all(m);
    }

    int width() const { return width_; }
    int height() const { return height_; }
    const std::string &error() const { return error_; }

private:
    bool failed(const std::string &why) {
        error_ = why;
        return false;
    }
    static int be16(const std::string &s, size_t at) {
        return (static_cast<unsigned char>(s[at]) << 8) | static_cast<unsigned char>(s[at + 1]);
    }
    static uint32_t be32(const std::string &s, size_t at) {
        return (uint32_t(be16(s, at)) << 16) | uint32_t(be16(s, at + 2));
    }
    static void put16(std::string &s, int v) {
        s += static_cast<char>((v >> 8) & 0xff);
        s += static_cast<char>(v & 0xff);
    }
    bool write_all(const std::string &data) {
        if (send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size())) return true;
        return failed(std::string("send: ") + strerror(errno));
    }
    // Reads exactly n bytes within 10 s.
    bool read_exact(size_t n, std::string &out) {
        out.clear();
        auto deadline = harness::Clock::now() + 10s;
        while (out.size() < n) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - harness::Clock::now());
            pollfd p{fd_.get(), POLLIN, 0};
            if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return failed("no answer from the server within 10 s");
            }
            char buf[256];
            ssize_t got = read(fd_.get(), buf, std::min(sizeof(buf), n - out.size()));
            if (got <= 0) return failed("the server closed the connection");
            out.append(buf, static_cast<size_t>(got));
        }
        return true;
    }

    UniqueFd fd_;
    int width_ = 0, height_ = 0;
    std::string error_;
};

struct Geometry {
    int width = 0, height = 0, x = 0, y = 0;
    bool contains(int px, int py) const { return px >= x && px < x + width && py >= y && py < y + height; }
};

// The geometry planar-ctl gives the window of client `pid`, once it has one.
std::optional<Geometry> window_geometry(harness::Compositor &planar, pid_t pid) {
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    auto result = planar.run({ctl, "surfaces"}, 10s);
    size_t at = result.out.find(" pid=" + std::to_string(pid) + " ");
    if (at == std::string::npos) return std::nullopt;
    at = result.out.find("geometry=", at);
    Geometry g;
    if (at == std::string::npos ||
        sscanf(result.out.c_str() + at, "geometry=%dx%d+%d+%d", &g.width, &g.height, &g.x, &g.y) != 4) {
        return std::nullopt;
    }
    return g;
}

constexpr uint32_t below_colour = 0xcc3333, above_colour = 0x33aa55;
// X keysyms (keysymdef.h) of the fullscreen binding, Logo+F.
constexpr uint32_t keysym_super_l = 0xffeb, keysym_f = 0x0066;
// Per channel: ZRLE, which wayvnc picks for gvnccapture, and raw are lossless
// at 24 bits, so the frames should be equal (0 seen); 2 leaves room for a
// rounding in a pixel-format conversion but not for a lossy encoding (tight
// JPEG) or a reduced depth (16 bpp is off by up to 7), which must fail.
constexpr int tolerance = 2;

TEST_F(PlanarTest, WayvncServesTheOutputAndTakesInput) {
    for (const char *program : {"wayvnc", "gvnccapture", "grim"}) {
        if (!harness::on_path(program)) {
            if (std::getenv("CI") != nullptr) FAIL() << program << " missing in CI (tests/integration/deps.txt)";
            GTEST_SKIP() << program << " not installed (packages wayvnc, gvncviewer, grim)";
        }
    }
    ASSERT_TRUE(start_headless());
    // Two windows: the one below stays in this process to see its own
    // configures; the one above (mapped last, so focused) is smaller.
    test_client::TestClient below(planar_.socket_path());
    ASSERT_TRUE(below.map_window(400, 300, 0xff000000u | below_colour)) << below.error();
    std::string solid_window = harness::program_from_env("PLANAR_SOLID_WINDOW_EXE");
    char colour[16];
    snprintf(colour, sizeof(colour), "0x%06x", above_colour);
    harness::Process above = planar_.spawn("solid_window", {solid_window, "--colour", colour, "--size", "200x150"});
    std::optional<Geometry> below_at, above_at;
    ASSERT_TRUE(harness::wait_for([&] { return (above_at = window_geometry(planar_, above.pid())).has_value(); }, 20s))
        << "solid_window's window never appeared in planar-ctl surfaces";
    ASSERT_TRUE(below.dispatch_until([&] { return !below.activated(); }, 10s))
        << "the first window stayed activated after the second was mapped";
    below_at = window_geometry(planar_, getpid());
    ASSERT_TRUE(below_at.has_value());
    // A point of the window below that the one above does not cover.
    std::optional<std::pair<int, int>> click;
    for (int y = below_at->y + 5; y < below_at->y + below_at->height && !click; y += 10) {
        for (int x = below_at->x + 5; x < below_at->x + below_at->width && !click; x += 10) {
            if (!above_at->contains(x, y)) click = {x, y};
        }
    }
    ASSERT_TRUE(click.has_value()) << "the window above covers the one below";

    // wayvnc on a free loopback port; another process may take the port
    // between the pick and wayvnc's bind, so a wayvnc that exits is retried.
    harness::Process wayvnc;
    int port = -1;
    for (int attempt = 0; attempt < 3 && port < 0; attempt++) {
        int candidate = free_port();
        ASSERT_GT(candidate, 5900) << "no free loopback port (gvnccapture counts displays from 5900)";
        wayvnc = planar_.spawn("wayvnc", {"wayvnc", "--log-level=info", "127.0.0.1", std::to_string(candidate)});
        bool exited = false;
        harness::wait_for(
            [&] {
                exited = !wayvnc.running();
                return exited || connect_loopback(candidate).valid();
            },
            20s);
        if (!exited && wayvnc.running()) port = candidate;
    }
    ASSERT_GT(port, 0) << "wayvnc never listened (see wayvnc.log)";

    // The frame over VNC, then grim's of the same (still) scene.
    // wayvnc serves a blank frame to a viewer that connects before its own
    // first capture of the output has come (seen on a loaded machine): the
    // viewer connects again until the windows are in it, as a person would.
    std::string png = planar_.path("vnc.png"), ppm = planar_.path("grim.ppm");
    std::string why;
    std::optional<image::Image> vnc_frame;
    for (int attempt = 0; attempt < 5; attempt++) {
        auto capture = planar_.run({"gvnccapture", "127.0.0.1:" + std::to_string(port - 5900), png}, 30s);
        ASSERT_EQ(capture.status, 0) << capture.describe();
        vnc_frame = image::read_png(png, &why);
        ASSERT_TRUE(vnc_frame.has_value()) << why;
        if (image::find_colour(*vnc_frame, above_colour).count > 0) break;
        std::this_thread::sleep_for(1s);
    }
    auto grim = planar_.run({"grim", "-t", "ppm", ppm}, 30s);
    ASSERT_EQ(grim.status, 0) << grim.describe();
    auto grim_frame = image::read_ppm(ppm, &why);
    ASSERT_TRUE(grim_frame.has_value()) << why;
    ASSERT_EQ(vnc_frame->width, grim_frame->width);
    ASSERT_EQ(vnc_frame->height, grim_frame->height);
    int worst = 0;
    long differing = 0;
    std::string first_bad;
    for (int y = 0; y < grim_frame->height; y++) {
        for (int x = 0; x < grim_frame->width; x++) {
            uint32_t a = vnc_frame->at(x, y), b = grim_frame->at(x, y);
            int d = 0;
            for (int shift : {16, 8, 0}) d = std::max(d, std::abs(int((a >> shift) & 0xff) - int((b >> shift) & 0xff)));
            if (d == 0) continue;
            differing++;
            worst = std::max(worst, d);
            if (d > tolerance && first_bad.empty()) {
                char text[96];
                snprintf(text, sizeof(text), "(%d,%d): VNC 0x%06x, grim 0x%06x", x, y, a, b);
                first_bad = text;
            }
        }
    }
    RecordProperty("vnc_max_channel_difference", worst);
    RecordProperty("vnc_pixels_differing", static_cast<int>(differing));
    EXPECT_LE(worst, tolerance) << differing << " pixels differ, first beyond the tolerance at " << first_bad;
    // Not two blank frames: both windows are in the picture.
    EXPECT_EQ(image::find_colour(*vnc_frame, above_colour).count, 200 * 150);
    EXPECT_GT(image::find_colour(*vnc_frame, below_colour).count, 0);

    // A click over VNC on the window below activates it (click to focus).
    RfbInput rfb;
    ASSERT_TRUE(rfb.open(port)) << rfb.error();
    EXPECT_EQ(rfb.width(), grim_frame->width);
    EXPECT_EQ(rfb.height(), grim_frame->height);
    ASSERT_TRUE(rfb.pointer(click->first, click->second, 0) && rfb.pointer(click->first, click->second, 1) &&
                rfb.pointer(click->first, click->second, 0))
        << rfb.error();
    EXPECT_TRUE(below.dispatch_until([&] { return below.activated(); }, 10s))
        << "a click over VNC at (" << click->first << "," << click->second
        << ") did not activate the window below (" << below.error() << ")";

    // Logo+F over VNC: planar's binding makes the focused window fullscreen.
    ASSERT_TRUE(rfb.key(keysym_super_l, true) && rfb.key(keysym_f, true) && rfb.key(keysym_f, false) &&
                rfb.key(keysym_super_l, false))
        << rfb.error();
    EXPECT_TRUE(below.dispatch_until(
        [&] { return !below.configures().empty() && below.configures().back().fullscreen; }, 10s))
        << "Logo+F over VNC did not make the focused window fullscreen (" << below.error() << ")";

    // wayvnc 0.5 quits cleanly on SIGINT (SIGTERM kills it).
    kill(wayvnc.pid(), SIGINT);
    EXPECT_EQ(wayvnc.wait_exit(10s), std::optional<int>(0)) << "wayvnc did not exit cleanly on SIGINT";
    EXPECT_TRUE(planar_.running());
}

} // namespace
