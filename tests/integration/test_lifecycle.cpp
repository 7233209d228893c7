// planar's life: clean exit on SIGTERM with clients connected, the exit
// status of --exit-with-client, and surviving a client that speaks garbage.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <sys/un.h>

#include "harness.hpp"
#include "test_client.hpp"
#include "unique_fd.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::TestClient;

TEST_F(PlanarTest, SigtermExitsZeroWithAClientConnected) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, 0xff3366cc)) << client.error();
    ASSERT_TRUE(client.roundtrip()) << client.error();
    EXPECT_EQ(planar_.stop(), 0);
    // The client sees the compositor go away rather than hanging.
    EXPECT_FALSE(client.dispatch_until([] { return false; }, 10s));
    EXPECT_FALSE(client.connected());
}

TEST_F(PlanarTest, ExitWithClientReturnsTheClientsStatus) {
    ASSERT_TRUE(planar_.start({"--backend", "headless", "--renderer", "pixman", "--exit-with-client", "--", "sh", "-c",
                               "exit 7"},
                              false));
    auto status = planar_.wait_exit(20s);
    ASSERT_TRUE(status) << "planar did not exit after its client did";
    EXPECT_EQ(*status, 7);
}

TEST_F(PlanarTest, ExitWithClientReturnsZeroForAWaylandClient) {
    if (!harness::on_path("wayland-info")) GTEST_SKIP() << "wayland-info not installed (package wayland-utils)";
    // The client really talks to planar before planar follows it out.
    ASSERT_TRUE(planar_.start({"--backend", "headless", "--renderer", "pixman", "--exit-with-client", "--",
                               "wayland-info"},
                              false));
    auto status = planar_.wait_exit(20s);
    ASSERT_TRUE(status) << "planar did not exit after its client did";
    EXPECT_EQ(*status, 0);
}

TEST_F(PlanarTest, GarbageOnTheSocketDisconnectsOnlyThatClient) {
    ASSERT_TRUE(start_headless());
    // A good client connected before, during and after the bad one.
    TestClient bystander(planar_.socket_path());
    ASSERT_TRUE(bystander.map_window(320, 240, 0xff3366cc)) << bystander.error();

    UniqueFd bad(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = planar_.socket_path();
    ASSERT_LT(path.size(), sizeof(addr.sun_path));
    strcpy(addr.sun_path, path.c_str());
    ASSERT_EQ(connect(bad.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0) << strerror(errno);

    // Fixed seed: a failure is reproducible byte for byte.
    std::mt19937 random(0x706c616e);
    std::vector<unsigned char> garbage(64 * 1024);
    for (auto &byte : garbage) byte = static_cast<unsigned char>(random());
    size_t sent = 0;
    bool disconnected = false;
    auto deadline = harness::Clock::now() + 20s;
    // Keep sending until planar hangs up: whatever the first "message" header
    // claims, the stream soon holds one libwayland must reject.
    while (!disconnected && harness::Clock::now() < deadline) {
        if (sent < garbage.size()) {
            ssize_t n = send(bad.get(), garbage.data() + sent, garbage.size() - sent, MSG_NOSIGNAL);
            if (n > 0) sent += static_cast<size_t>(n);
            if (n < 0 && errno != EAGAIN) disconnected = errno == EPIPE || errno == ECONNRESET;
        }
        pollfd p{bad.get(), POLLIN, 0};
        if (poll(&p, 1, 100) > 0) {
            char buf[4096];
            ssize_t n = recv(bad.get(), buf, sizeof(buf), 0);
            // Planar may first send a wl_display.error event; EOF follows.
            if (n == 0 || (n < 0 && errno == ECONNRESET)) disconnected = true;
        }
    }
    EXPECT_TRUE(disconnected) << "planar kept a client that sent " << sent << " bytes of garbage";
    ASSERT_TRUE(planar_.running()) << "planar died of a client's garbage";

    EXPECT_TRUE(bystander.roundtrip()) << bystander.error();
    TestClient after(planar_.socket_path());
    ASSERT_TRUE(after.connected()) << after.error();
    EXPECT_TRUE(after.map_window(100, 100, 0xff00ff00)) << after.error();
    EXPECT_TRUE(after.dispatch_until([&] { return after.activated(); }, 10s)) << after.error();
}

} // namespace
