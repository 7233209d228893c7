// The params state machine of linux-dmabuf (protocols/dmabuf_params) against
// a fake importer that takes memfds for dma-bufs: every error of the spec at
// the request where the spec raises it.
#include <drm_fourcc.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmabuf_params.hpp"
#include "linux-dmabuf-v1-protocol.h"

namespace {

using proto::DmabufParams;
using proto::ParamsOutcome;

class FakeImporter : public render::Importer {
public:
    bool accept_fds = true;
    const char *name() const override { return "fake"; }
    std::vector<render::FormatPair> formats() const override { return {}; }
    bool is_dmabuf(int) const override { return accept_fds; }
    std::unique_ptr<render::ImportedBuffer> import(const render::DmabufAttributes &, wlr_buffer *,
                                                   std::string &) override {
        return nullptr;
    }
};

UniqueFd memfd(size_t size) {
    UniqueFd fd(memfd_create("params-test", MFD_CLOEXEC));
    EXPECT_EQ(ftruncate(fd.get(), static_cast<off_t>(size)), 0);
    return fd;
}

constexpr uint64_t linear = DRM_FORMAT_MOD_LINEAR;
const proto::Advertised all = [](render::FormatPair) { return true; };

class ParamsTest : public ::testing::Test {
protected:
    ParamsOutcome create(DmabufParams &params, int32_t w = 64, int32_t h = 64,
                         uint32_t format = DRM_FORMAT_XRGB8888, uint32_t flags = 0,
                         const proto::Advertised &advertised = all) {
        return params.create(w, h, format, flags, advertised, importer, attrs);
    }
    void expect_error(const ParamsOutcome &outcome, uint32_t code) {
        EXPECT_EQ(outcome.kind, ParamsOutcome::Kind::error) << outcome.message;
        EXPECT_EQ(outcome.error, code) << outcome.message;
    }
    FakeImporter importer;
    render::DmabufAttributes attrs;
};

TEST_F(ParamsTest, SinglePlaneCreates) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(64 * 256), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
    auto outcome = create(params, 64, 64, DRM_FORMAT_XRGB8888, ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_Y_INVERT);
    ASSERT_EQ(outcome.kind, ParamsOutcome::Kind::ok) << outcome.message;
    EXPECT_EQ(attrs.planes.size(), 1u);
    EXPECT_TRUE(attrs.y_invert);
    EXPECT_EQ(attrs.modifier, linear);
}

TEST_F(ParamsTest, PlaneIdx) {
    DmabufParams params(5);
    expect_error(params.add(memfd(4096), 4, 0, 256, linear), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_PLANE_IDX);
}

TEST_F(ParamsTest, PlaneSet) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(4096), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(params.add(memfd(4096), 0, 0, 256, linear), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_PLANE_SET);
}

TEST_F(ParamsTest, MixedModifiersV5IsInvalidFormatAtAdd) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(1 << 16), 0, 0, 64, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(params.add(memfd(1 << 16), 1, 0, 64, DRM_FORMAT_MOD_INVALID),
                 ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_FORMAT);
}

TEST_F(ParamsTest, MixedModifiersV4IsFailedAtCreate) {
    DmabufParams params(4);
    ASSERT_EQ(params.add(memfd(1 << 16), 0, 0, 64, linear).kind, ParamsOutcome::Kind::ok);
    ASSERT_EQ(params.add(memfd(1 << 16), 1, 0, 64, DRM_FORMAT_MOD_INVALID).kind, ParamsOutcome::Kind::ok);
    EXPECT_EQ(create(params, 64, 64, DRM_FORMAT_NV12).kind, ParamsOutcome::Kind::failed);
}

TEST_F(ParamsTest, IncompleteNoPlanes) {
    DmabufParams params(5);
    expect_error(create(params), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE);
}

TEST_F(ParamsTest, IncompleteGap) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(1 << 16), 1, 0, 64, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE);
}

TEST_F(ParamsTest, IncompleteNv12WithOnePlane) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(1 << 16), 0, 0, 64, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params, 64, 64, DRM_FORMAT_NV12), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE);
}

TEST_F(ParamsTest, IncompleteTooManyPlanes) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(1 << 16), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
    ASSERT_EQ(params.add(memfd(1 << 16), 1, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE);
}

TEST_F(ParamsTest, Nv12Creates) {
    DmabufParams params(5);
    UniqueFd fd = memfd(64 * 64 * 3 / 2);
    ASSERT_EQ(params.add(UniqueFd(dup(fd.get())), 0, 0, 64, linear).kind, ParamsOutcome::Kind::ok);
    ASSERT_EQ(params.add(std::move(fd), 1, 64 * 64, 64, linear).kind, ParamsOutcome::Kind::ok);
    auto outcome = create(params, 64, 64, DRM_FORMAT_NV12);
    EXPECT_EQ(outcome.kind, ParamsOutcome::Kind::ok) << outcome.message;
}

TEST_F(ParamsTest, InvalidDimensions) {
    for (auto [w, h] : {std::pair{0, 64}, std::pair{64, 0}, std::pair{-1, 64}, std::pair{64, -5}}) {
        DmabufParams params(5);
        ASSERT_EQ(params.add(memfd(1 << 16), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
        expect_error(create(params, w, h), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_DIMENSIONS);
    }
}

TEST_F(ParamsTest, UnadvertisedPairV4IsInvalidFormat) {
    DmabufParams params(4);
    ASSERT_EQ(params.add(memfd(1 << 16), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
    proto::Advertised none = [](render::FormatPair) { return false; };
    expect_error(create(params, 64, 64, DRM_FORMAT_XRGB8888, 0, none),
                 ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_FORMAT);
}

TEST_F(ParamsTest, UnadvertisedPairV3IsNotAProtocolError) {
    DmabufParams params(3);
    ASSERT_EQ(params.add(memfd(1 << 16), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
    proto::Advertised none = [](render::FormatPair) { return false; };
    EXPECT_EQ(create(params, 64, 64, DRM_FORMAT_XRGB8888, 0, none).kind, ParamsOutcome::Kind::ok);
}

TEST_F(ParamsTest, OutOfBoundsBeyondSize) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(64 * 256 - 1), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(ParamsTest, OutOfBoundsOffset) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(64 * 256), 0, 16, 256, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(ParamsTest, OutOfBoundsOverflow32) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(4096), 0, 0xfffff000u, 0x10000, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(ParamsTest, OutOfBoundsChromaPlane) {
    DmabufParams params(5);
    UniqueFd fd = memfd(64 * 64 * 3 / 2);
    ASSERT_EQ(params.add(UniqueFd(dup(fd.get())), 0, 0, 64, linear).kind, ParamsOutcome::Kind::ok);
    ASSERT_EQ(params.add(std::move(fd), 1, 64 * 64 + 64, 64, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params, 64, 64, DRM_FORMAT_NV12), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(ParamsTest, AlreadyUsed) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(64 * 256), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
    ASSERT_EQ(create(params).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_ALREADY_USED);
    expect_error(params.add(memfd(4096), 1, 0, 256, linear), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_ALREADY_USED);
}

TEST_F(ParamsTest, AlreadyUsedAfterAFailedCreate) {
    DmabufParams params(5);
    expect_error(create(params), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE);
    expect_error(create(params), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_ALREADY_USED);
}

TEST_F(ParamsTest, FlagsInterlacedBottomFirstUnknownFail) {
    for (uint32_t flags : {2u, 4u, 6u, 8u, 0x80000000u}) {
        DmabufParams params(5);
        ASSERT_EQ(params.add(memfd(64 * 256), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
        EXPECT_EQ(create(params, 64, 64, DRM_FORMAT_XRGB8888, flags).kind, ParamsOutcome::Kind::failed)
            << "flags " << flags;
    }
}

TEST_F(ParamsTest, NonDmabufIsRefusedAfterTheProtocolChecks) {
    importer.accept_fds = false;
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(64 * 256), 0, 0, 256, linear).kind, ParamsOutcome::Kind::ok);
    EXPECT_EQ(create(params).kind, ParamsOutcome::Kind::not_dmabuf);
}

TEST_F(ParamsTest, RealCheckRefusesMemfdPipeSocketFile) {
    UniqueFd mem = memfd(4096);
    EXPECT_FALSE(render::fd_is_dmabuf(mem.get()));
    int pipe_fds[2];
    ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
    UniqueFd r(pipe_fds[0]), w(pipe_fds[1]);
    EXPECT_FALSE(render::fd_is_dmabuf(r.get()));
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    UniqueFd a(sv[0]), b(sv[1]);
    EXPECT_FALSE(render::fd_is_dmabuf(a.get()));
    UniqueFd file(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    EXPECT_FALSE(render::fd_is_dmabuf(file.get()));
}

} // namespace

// Each plane's stride must hold one row of that plane: otherwise a GPU
// sampler or the CPU path reads row_bytes from the last row's start, past
// the bytes the client laid out (the hostile buffer of issue 14: width 8192,
// stride 64, height 4 on a 4 KiB dma-buf, which took down llvmpipe).
TEST_F(ParamsTest, OutOfBoundsStrideShorterThanARow) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(4096), 0, 0, 64, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params, 8192, 4), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(ParamsTest, StrideOfExactlyOneRowCreates) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(64 * 4 * 64), 0, 0, 64 * 4, linear).kind, ParamsOutcome::Kind::ok);
    auto outcome = create(params, 64, 64);
    EXPECT_EQ(outcome.kind, ParamsOutcome::Kind::ok) << outcome.message;
}

TEST_F(ParamsTest, OutOfBoundsStrideOneByteShort) {
    DmabufParams params(5);
    ASSERT_EQ(params.add(memfd(1 << 16), 0, 0, 64 * 4 - 1, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params, 64, 64), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(ParamsTest, OutOfBoundsChromaStrideShorterThanARow) {
    // NV12 64 wide: the CbCr plane's row is 32 pairs = 64 bytes.
    DmabufParams params(5);
    UniqueFd fd = memfd(64 * 64 * 2);
    ASSERT_EQ(params.add(UniqueFd(dup(fd.get())), 0, 0, 64, linear).kind, ParamsOutcome::Kind::ok);
    ASSERT_EQ(params.add(std::move(fd), 1, 64 * 64, 62, linear).kind, ParamsOutcome::Kind::ok);
    expect_error(create(params, 64, 64, DRM_FORMAT_NV12), ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(ParamsTest, OddWidthRowsRoundUpToWholeBlocks) {
    // YUYV 3 pixels wide takes two 4-byte blocks: 8 bytes a row.
    for (auto [stride, ok] : {std::pair{8u, true}, std::pair{6u, false}}) {
        DmabufParams params(5);
        ASSERT_EQ(params.add(memfd(4096), 0, 0, stride, linear).kind, ParamsOutcome::Kind::ok);
        auto outcome = create(params, 3, 4, DRM_FORMAT_YUYV);
        if (ok) {
            EXPECT_EQ(outcome.kind, ParamsOutcome::Kind::ok) << outcome.message;
        } else {
            expect_error(outcome, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
        }
    }
    // NV12 5 wide: Y rows of 5 bytes, CbCr rows of 3 pairs = 6 bytes, 3 chroma rows for 5 lines.
    DmabufParams params(5);
    UniqueFd fd = memfd(5 * 5 + 6 * 3);
    ASSERT_EQ(params.add(UniqueFd(dup(fd.get())), 0, 0, 5, linear).kind, ParamsOutcome::Kind::ok);
    ASSERT_EQ(params.add(std::move(fd), 1, 25, 6, linear).kind, ParamsOutcome::Kind::ok);
    auto outcome = create(params, 5, 5, DRM_FORMAT_NV12);
    EXPECT_EQ(outcome.kind, ParamsOutcome::Kind::ok) << outcome.message;
}
