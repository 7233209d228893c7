// The sample clients against planar headless on a machine without the
// devices they need (the CI host: no /dev/dri, no dma-heap, no udmabuf, no
// camera): each exits with status 1 and exactly one line that says why, never
// a crash. planar-feedback prints the default feedback planar offers, and a
// clear reason against a compositor without linux-dmabuf (weston with pixman).
// The real runs, with devices, are tests/vm/guest/tests/clients-*.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.hpp"

using namespace harness;

namespace {

bool exists(const char *path) { return std::filesystem::exists(path); }

// Status 1, nothing on stdout but the lines a client prints before failing,
// and one stderr line "PROGRAM: REASON" containing `reason`.
void expect_one_line_failure(const RunResult &r, const std::string &program, const std::string &reason) {
    EXPECT_FALSE(r.timed_out) << r.describe();
    EXPECT_EQ(r.status, 1) << r.describe();
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    EXPECT_EQ(err.find('\n'), std::string::npos) << "more than one line on stderr: " << r.describe();
    EXPECT_EQ(err.rfind(program + ": ", 0), 0u) << r.describe();
    EXPECT_NE(err.find(reason), std::string::npos) << "expected '" << reason << "': " << r.describe();
}

class ClientsTest : public PlanarTest {
protected:
    std::string exe(const char *var) { return program_from_env(var); }
};

TEST_F(ClientsTest, HeapWithoutDmaHeapSaysSo) {
    if (exists("/dev/dma_heap/system")) GTEST_SKIP() << "this machine has /dev/dma_heap/system (see tests/vm)";
    ASSERT_TRUE(start_headless());
    auto r = planar_.run({exe("PLANAR_HEAP_EXE"), "--frames", "3"});
    expect_one_line_failure(r, "planar-heap", "cannot open /dev/dma_heap/system");
}

TEST_F(ClientsTest, HeapWithoutUdmabufSaysSo) {
    if (exists("/dev/udmabuf")) GTEST_SKIP() << "this machine has /dev/udmabuf (see tests/vm)";
    ASSERT_TRUE(start_headless());
    auto r = planar_.run({exe("PLANAR_HEAP_EXE"), "--source", "udmabuf", "--format", "AR24", "--frames", "3"});
    expect_one_line_failure(r, "planar-heap", "cannot open /dev/udmabuf");
}

TEST_F(ClientsTest, CameraWithoutDeviceSaysSo) {
    ASSERT_TRUE(start_headless());
    auto r = planar_.run({exe("PLANAR_CAMERA_EXE"), "--device", "/dev/video-planar-missing", "--frames", "3"});
    expect_one_line_failure(r, "planar-camera", "cannot open /dev/video-planar-missing");
    if (!exists("/dev/video0")) {
        auto d = planar_.run({exe("PLANAR_CAMERA_EXE"), "--frames", "3"});
        expect_one_line_failure(d, "planar-camera", "cannot open /dev/video0");
    }
}

TEST_F(ClientsTest, GbmWithoutDrmDeviceSaysSo) {
    if (exists("/dev/dri")) GTEST_SKIP() << "this machine has DRM devices (see tests/vm)";
    ASSERT_TRUE(start_headless());
    // planar on pixman names no DRM node in its feedback.
    auto r = planar_.run({exe("PLANAR_GBM_EXE"), "--frames", "3"});
    expect_one_line_failure(r, "planar-gbm", "names no DRM device");
    auto d = planar_.run({exe("PLANAR_GBM_EXE"), "--device", "/dev/dri/card0", "--frames", "3"});
    expect_one_line_failure(d, "planar-gbm", "cannot open /dev/dri/card0");
}

TEST_F(ClientsTest, EveryClientSaysSoWithoutACompositor) {
    ASSERT_TRUE(start_headless());
    for (const char *var : {"PLANAR_HEAP_EXE", "PLANAR_CAMERA_EXE", "PLANAR_GBM_EXE", "PLANAR_FEEDBACK_EXE"}) {
        std::string path = exe(var);
        std::string name = std::filesystem::path(path).filename();
        auto r = planar_.run({path}, 30s, {{"WAYLAND_DISPLAY", "planar-no-such-socket"}});
        expect_one_line_failure(r, name, "cannot connect to a Wayland compositor");
    }
}

TEST_F(ClientsTest, BadOptionsAreOneLineErrors) {
    ASSERT_TRUE(start_headless());
    expect_one_line_failure(planar_.run({exe("PLANAR_HEAP_EXE"), "--size", "big"}), "planar-heap", "--size");
    expect_one_line_failure(planar_.run({exe("PLANAR_HEAP_EXE"), "--format", "YUYV"}), "planar-heap", "--format");
    expect_one_line_failure(planar_.run({exe("PLANAR_GBM_EXE"), "--frames"}), "planar-gbm", "needs a value");
}

TEST_F(ClientsTest, FeedbackPrintsDefaultFeedback) {
    ASSERT_TRUE(start_headless());
    auto r = planar_.run({exe("PLANAR_FEEDBACK_EXE"), "--once"});
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_NE(r.out.find("default feedback:\n  main device: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  format table: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  tranche 0: target device "), std::string::npos) << r.out;
    // planar's CPU importer reads XRGB8888 LINEAR buffers (and implicit ones, read as linear).
    EXPECT_NE(r.out.find("    XR24 (XRGB8888)    LINEAR INVALID\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("warning:"), std::string::npos) << r.out;
}

TEST_F(ClientsTest, FeedbackPrintsSurfaceFeedback) {
    ASSERT_TRUE(start_headless());
    auto r = planar_.run({exe("PLANAR_FEEDBACK_EXE"), "--surface"});
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_NE(r.out.find("default feedback:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("surface feedback:\n  main device: "), std::string::npos) << r.out;
}

TEST_F(ClientsTest, FeedbackWithoutLinuxDmabufSaysSo) {
    // A compositor without linux-dmabuf: weston's headless backend with
    // pixman (planar always offers the global).
    if (!on_path("weston")) GTEST_SKIP() << "weston is not installed";
    Process weston = planar_.spawn("weston", {"weston", "--backend=headless-backend.so", "--socket=weston-clients",
                                              "--idle-time=0", "--no-config"});
    ASSERT_TRUE(wait_for([&] { return exists(planar_.path("weston-clients").c_str()); }, 30s))
        << "weston did not start";
    auto r = planar_.run({exe("PLANAR_FEEDBACK_EXE")}, 30s, {{"WAYLAND_DISPLAY", "weston-clients"}});
    expect_one_line_failure(r, "planar-feedback", "offers no zwp_linux_dmabuf_v1");
    auto h = planar_.run({exe("PLANAR_HEAP_EXE")}, 30s, {{"WAYLAND_DISPLAY", "weston-clients"}});
    expect_one_line_failure(h, "planar-heap", "offers no zwp_linux_dmabuf_v1");
}

} // namespace
