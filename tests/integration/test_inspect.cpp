// planar-ctl: what a person sees of planar's surfaces and outputs over IPC.
#include "harness.hpp"
#include "test_client.hpp"

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
