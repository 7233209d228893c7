// planar-ctl: what a person sees of planar's surfaces and outputs over IPC.
#include <cstring>
#include <set>
#include <sstream>
#include <thread>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.hpp"
#include "test_client.hpp"
#include "unique_fd.hpp"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::TestClient;

TEST_F(PlanarTest, CtlDescribesAShmWindow) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, 0xff3366cc)) << client.error();
    ASSERT_TRUE(client.roundtrip());
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    auto result = planar_.run({ctl, "surfaces"});
    ASSERT_EQ(result.status, 0) << result.describe();
    // One line for the one window, its buffer described by name.
    EXPECT_NE(result.out.find("geometry=320x240+"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("buffer=shm size=320x240 format=XR24 modifier=- planes=1"), std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("focused=1"), std::string::npos) << result.out;
}

TEST_F(PlanarTest, CtlMovesAWindowAndSaysWhyItIsNotOnAPlane) {
    ASSERT_TRUE(start_headless());
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(320, 240, 0xff3366cc)) << client.error();
    ASSERT_TRUE(client.roundtrip());
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    // Headless outputs have no KMS planes: composited, and planar says why
    // (once a frame showed the window).
    auto surfaces = planar_.run({ctl, "surfaces"});
    for (int i = 0; i < 50 && surfaces.out.find(" plane=0 plane_reason=no-planes") == std::string::npos; i++) {
        std::this_thread::sleep_for(40ms);
        surfaces = planar_.run({ctl, "surfaces"});
    }
    ASSERT_EQ(surfaces.status, 0) << surfaces.describe();
    EXPECT_NE(surfaces.out.find(" plane=0 plane_reason=no-planes"), std::string::npos) << surfaces.out;
    std::string id = surfaces.out.substr(strlen("surface="), surfaces.out.find(' ') - strlen("surface="));
    auto moved = planar_.run({ctl, "move", id, "100", "50"});
    ASSERT_EQ(moved.status, 0) << moved.describe();
    EXPECT_EQ(moved.out, "ok\n");
    surfaces = planar_.run({ctl, "surfaces"});
    EXPECT_NE(surfaces.out.find("geometry=320x240+100+50 "), std::string::npos) << surfaces.out;
    auto missing = planar_.run({ctl, "move", "99999", "0", "0"});
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.err.find("no window with surface id 99999"), std::string::npos) << missing.describe();
    auto malformed = planar_.run({ctl, "move", id, "1e3", "0"});
    EXPECT_EQ(malformed.status, 1) << malformed.describe();
}

// Two clients' first wl_surfaces have the same protocol id; planar-ctl's
// ids tell their windows apart, and a move moves the one named.
TEST_F(PlanarTest, CtlSurfaceIdsAreUniqueAcrossClients) {
    ASSERT_TRUE(start_headless());
    TestClient first(planar_.socket_path()), second(planar_.socket_path());
    ASSERT_TRUE(first.map_window(320, 240, 0xff3366cc)) << first.error();
    ASSERT_TRUE(second.map_window(200, 100, 0xffcc6633)) << second.error();
    ASSERT_TRUE(first.roundtrip() && second.roundtrip());
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    auto surfaces = planar_.run({ctl, "surfaces"});
    ASSERT_EQ(surfaces.status, 0) << surfaces.describe();
    std::string id_of_second;
    std::set<std::string> ids;
    std::istringstream lines(surfaces.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("surface=", 0) != 0) continue;
        std::string id = line.substr(strlen("surface="), line.find(' ') - strlen("surface="));
        ids.insert(id);
        if (line.find(" geometry=200x100+") != std::string::npos) id_of_second = id;
    }
    EXPECT_EQ(ids.size(), 2u) << surfaces.out;
    ASSERT_FALSE(id_of_second.empty()) << surfaces.out;
    auto moved = planar_.run({ctl, "move", id_of_second, "700", "400"});
    ASSERT_EQ(moved.out, "ok\n") << moved.describe();
    surfaces = planar_.run({ctl, "surfaces"});
    EXPECT_NE(surfaces.out.find("geometry=200x100+700+400 "), std::string::npos) << surfaces.out;
    EXPECT_EQ(surfaces.out.find("geometry=320x240+700+400 "), std::string::npos) << surfaces.out;
}

TEST_F(PlanarTest, CtlListsOutputsLeftToRight) {
    ASSERT_TRUE(planar_.start({"--backend", "headless", "--renderer", "pixman", "--output", "800x600@60", "--output", "640x480@30"}));
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    auto result = planar_.run({ctl, "outputs"});
    ASSERT_EQ(result.status, 0) << result.describe();
    EXPECT_NE(result.out.find("output=HEADLESS-1 mode=800x600@60.000 position=0,0"), std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("output=HEADLESS-2 mode=640x480@30.000 position=800,0"), std::string::npos)
        << result.out;
    // Headless outputs have no planes: they never scan a client buffer out.
    EXPECT_NE(result.out.find("enabled=1 direct_scanout=0"), std::string::npos) << result.out;
}

TEST_F(PlanarTest, CtlRejectsAnUnknownCommand) {
    ASSERT_TRUE(start_headless());
    std::string ctl = harness::program_from_env("PLANAR_CTL_EXE");
    auto result = planar_.run({ctl, "reboot"});
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.err.find("unknown command 'reboot'"), std::string::npos) << result.describe();
}
} // namespace

namespace {

// A raw connection to planar's IPC socket.
UniqueFd connect_ipc(const std::string &path) {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (connect(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) return UniqueFd();
    timeval timeout{10, 0};
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    return fd;
}

// Everything planar sends until it closes the connection (or 10 s pass).
std::string read_all(int fd) {
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, static_cast<size_t>(n));
    return text;
}

// The IPC socket's path, once planar made it (just after the Wayland socket).
std::string ipc_path(harness::Compositor &planar) {
    std::string path = planar.path(planar.socket_name() + ".planar");
    harness::wait_for([&] { return access(path.c_str(), F_OK) == 0; }, 10s);
    return path;
}

void expect_ctl_answers(harness::Compositor &planar) {
    auto result = planar.run({harness::program_from_env("PLANAR_CTL_EXE"), "version"});
    EXPECT_EQ(result.status, 0) << result.describe();
    EXPECT_NE(result.out.find("planar "), std::string::npos) << result.describe();
}

TEST_F(PlanarTest, CtlSocketIsTheUsersAloneBesideTheWaylandSocket) {
    ASSERT_TRUE(start_headless());
    struct stat st {};
    ASSERT_EQ(stat(ipc_path(planar_).c_str(), &st), 0) << ipc_path(planar_);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_uid, getuid());
}

TEST_F(PlanarTest, CtlSocketAnswersGarbageAndDropsWhatIsNoCommand) {
    ASSERT_TRUE(start_headless());
    TestClient bystander(planar_.socket_path());
    ASSERT_TRUE(bystander.map_window(64, 64, 0xff3366cc)) << bystander.error();
    {
        // Binary garbage ending a line: an error line, then the close.
        UniqueFd fd = connect_ipc(ipc_path(planar_));
        ASSERT_TRUE(fd);
        const char garbage[] = "\x01\xff\x7f\x00zz\x1b[2J\n";
        ASSERT_EQ(write(fd.get(), garbage, sizeof(garbage) - 1), static_cast<ssize_t>(sizeof(garbage) - 1));
        EXPECT_EQ(read_all(fd.get()).rfind("error: unknown command", 0), 0u);
    }
    {
        // 64 KiB with no newline: dropped, not buffered.
        UniqueFd fd = connect_ipc(ipc_path(planar_));
        ASSERT_TRUE(fd);
        std::string flood(64 * 1024, 'x');
        ssize_t sent = send(fd.get(), flood.data(), flood.size(), MSG_NOSIGNAL);
        EXPECT_GT(sent, 0);
        EXPECT_EQ(read_all(fd.get()), "");
    }
    {
        // Half a command, then gone.
        UniqueFd fd = connect_ipc(ipc_path(planar_));
        ASSERT_TRUE(fd);
        ASSERT_EQ(write(fd.get(), "surf", 4), 4);
    }
    expect_ctl_answers(planar_);
    EXPECT_GE(bystander.run_frame_loop(200ms, false), 1) << bystander.error();
}

TEST_F(PlanarTest, SilentCtlConnectionsNeitherHoldFdsNorLockTheSocket) {
    ASSERT_TRUE(start_headless());
    std::vector<UniqueFd> silent;
    for (int i = 0; i < 100; i++) {
        silent.push_back(connect_ipc(ipc_path(planar_)));
        ASSERT_TRUE(silent.back()) << "connection " << i;
    }
    // planar keeps at most 16 of them: planar-ctl still gets its answer.
    expect_ctl_answers(planar_);
    TestClient client(planar_.socket_path());
    ASSERT_TRUE(client.map_window(64, 64, 0xff3366cc)) << client.error();
    // The ones it kept are closed after 5 s of silence.
    char byte = 0;
    EXPECT_EQ(read(silent.back().get(), &byte, 1), 0) << "still open after the idle timeout";
}

} // namespace
