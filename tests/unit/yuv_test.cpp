#include <gtest/gtest.h>

#include <vector>

#include "yuv.hpp"

namespace {

using render::ycbcr_to_xrgb;

TEST(Yuv, LimitedRangeBlackWhiteAndGrey) {
    EXPECT_EQ(ycbcr_to_xrgb(16, 128, 128), 0xff000000u);
    EXPECT_EQ(ycbcr_to_xrgb(235, 128, 128), 0xffffffffu);
    EXPECT_EQ(ycbcr_to_xrgb(126, 128, 128), 0xff808080u);
}

TEST(Yuv, Bt601Primaries) {
    // 75% colour bars' reference values would need rounding slack; full
    // primaries from the BT.601 equations land within one step.
    auto near = [](uint32_t got, uint32_t want) {
        for (int shift : {0, 8, 16}) {
            int a = (got >> shift) & 0xff, b = (want >> shift) & 0xff;
            if (std::abs(a - b) > 2) return false;
        }
        return true;
    };
    EXPECT_TRUE(near(ycbcr_to_xrgb(81, 90, 240), 0xffff0000u)) << std::hex << ycbcr_to_xrgb(81, 90, 240);
    EXPECT_TRUE(near(ycbcr_to_xrgb(145, 54, 34), 0xff00ff00u)) << std::hex << ycbcr_to_xrgb(145, 54, 34);
    EXPECT_TRUE(near(ycbcr_to_xrgb(41, 240, 110), 0xff0000ffu)) << std::hex << ycbcr_to_xrgb(41, 240, 110);
}

TEST(Yuv, Nv12ChromaCoversTwoByTwo) {
    // 4x2 image: left half red chroma, right half blue chroma.
    std::vector<uint8_t> y(4 * 2, 81), uv = {90, 240, 240, 110};
    std::vector<uint32_t> out(4 * 2);
    render::nv12_to_xrgb(y.data(), 4, uv.data(), 4, 4, 2, out.data(), 4);
    EXPECT_EQ(out[0], out[1]);
    EXPECT_EQ(out[0], out[4 + 1]);
    EXPECT_NE(out[1], out[2]);
    EXPECT_EQ(out[2], out[7]);
}

TEST(Yuv, YuyvPairsShareChroma) {
    const uint8_t row[8] = {16, 128, 235, 128, 126, 128, 126, 128};
    std::vector<uint32_t> out(4);
    render::yuyv_to_xrgb(row, 8, 4, 1, out.data(), 4);
    EXPECT_EQ(out[0], 0xff000000u);
    EXPECT_EQ(out[1], 0xffffffffu);
    EXPECT_EQ(out[2], 0xff808080u);
    EXPECT_EQ(out[3], 0xff808080u);
}

TEST(Yuv, HonoursStrides) {
    // Y stride 8 for a 2-pixel-wide image; output stride 3 pixels.
    std::vector<uint8_t> y = {235, 235, 0, 0, 0, 0, 0, 0, 16, 16, 0, 0, 0, 0, 0, 0};
    std::vector<uint8_t> uv = {128, 128, 0, 0, 0, 0, 0, 0};
    std::vector<uint32_t> out(3 * 2, 0);
    render::nv12_to_xrgb(y.data(), 8, uv.data(), 8, 2, 2, out.data(), 3);
    EXPECT_EQ(out[0], 0xffffffffu);
    EXPECT_EQ(out[1], 0xffffffffu);
    EXPECT_EQ(out[2], 0u) << "padding left untouched";
    EXPECT_EQ(out[3], 0xff000000u);
}
} // namespace
