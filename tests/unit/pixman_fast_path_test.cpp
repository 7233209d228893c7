// PixmanFastPath draws a texture moved by whole pixels with a plain copy:
// the pixels must be exactly those wlroots' pixman renderer draws, for
// opaque and translucent formats, clipped by the scissor and by the
// target's edges; anything else (scaled, translucent alpha, a texture it
// was not told the buffer of) is drawn by wlroots.
#include <cstring>
#include <functional>
#include <drm_fourcc.h>
#include <gtest/gtest.h>
#include <random>
#include <vector>

#include "pixman_fast_path.hpp"
#include "wlr.hpp"

namespace {

// Pixels in memory as a wlr_buffer, readable and writable.
struct MemoryBuffer {
    wlr_buffer base; // first member: wlroots hands us &base
    uint32_t format;
    std::vector<uint32_t> pixels;

    static MemoryBuffer *from(wlr_buffer *b) { return reinterpret_cast<MemoryBuffer *>(b); }
    static bool begin(wlr_buffer *b, uint32_t, void **data, uint32_t *format, size_t *stride) {
        *data = from(b)->pixels.data();
        *format = from(b)->format;
        *stride = static_cast<size_t>(b->width) * 4;
        return true;
    }
    static void end(wlr_buffer *) {}
    static void destroy(wlr_buffer *b) { delete from(b); }
    static constexpr wlr_buffer_impl impl = {
        .destroy = destroy, .get_dmabuf = nullptr, .get_shm = nullptr,
        .begin_data_ptr_access = begin, .end_data_ptr_access = end,
    };

    static MemoryBuffer *create(int width, int height, uint32_t format, uint32_t seed) {
        auto *b = new MemoryBuffer{};
        wlr_buffer_init(&b->base, &impl, width, height);
        b->format = format;
        b->pixels.resize(static_cast<size_t>(width) * height);
        std::mt19937 random(seed);
        for (uint32_t &p : b->pixels) p = random();
        return b;
    }
};

class PixmanFastPathTest : public ::testing::Test {
protected:
    void SetUp() override {
        pixman_ = wlr_pixman_renderer_create();
        ASSERT_NE(pixman_, nullptr);
        fast_ = std::make_unique<render::PixmanFastPath>(pixman_);
    }
    void TearDown() override {
        for (wlr_texture *t : textures_) wlr_texture_destroy(t);
        for (MemoryBuffer *b : buffers_) wlr_buffer_drop(&b->base);
        fast_.reset();
        wlr_renderer_destroy(pixman_);
    }

    wlr_texture *texture(int width, int height, uint32_t format, bool tracked = true) {
        MemoryBuffer *source = MemoryBuffer::create(width, height, format, 7);
        if (format == DRM_FORMAT_ARGB8888) {
            // Every kind of alpha, premultiplied as wl_shm's ARGB is.
            for (size_t i = 0; i < source->pixels.size(); i++) {
                uint32_t a = (i * 37) % 256, p = source->pixels[i];
                auto channel = [&](int shift) { return (((p >> shift) & 0xff) * a / 255) << shift; };
                source->pixels[i] = a << 24 | channel(16) | channel(8) | channel(0);
            }
        }
        buffers_.push_back(source);
        wlr_texture *t = wlr_texture_from_buffer(pixman_, &source->base);
        textures_.push_back(t);
        if (tracked) fast_->track(t, &source->base);
        return t;
    }

    // The target after drawing `t` into `box` (output pixels) with `renderer`.
    std::vector<uint32_t> draw(wlr_renderer *renderer, wlr_texture *t, wlr_box box, float alpha,
                               const wlr_box *scissor = nullptr) {
        return frame_of(renderer, [&](wlr_renderer *r) {
            float identity[9], matrix[9];
            wlr_matrix_identity(identity);
            wlr_matrix_project_box(matrix, &box, WL_OUTPUT_TRANSFORM_NORMAL, 0, identity);
            wlr_box clip = scissor ? *scissor : wlr_box{0, 0, 64, 48};
            wlr_renderer_scissor(r, &clip);
            EXPECT_TRUE(wlr_render_texture_with_matrix(r, t, matrix, alpha));
        });
    }

    // Draws through the fast path and through wlroots alone; the pixels must agree.
    void expect_same(wlr_texture *t, wlr_box box, float alpha, const wlr_box *scissor = nullptr) {
        std::vector<uint32_t> ours = draw(fast_->renderer(), t, box, alpha, scissor);
        expect_equal_pixels(ours, draw(pixman_, t, box, alpha, scissor));
        // Something was drawn at all (the target started as noise).
        EXPECT_NE(ours, draw(pixman_, t, wlr_box{200, 200, box.width, box.height}, alpha, scissor));
    }

    // The target after `frame` drew into it with `renderer`, between begin and end.
    std::vector<uint32_t> frame_of(wlr_renderer *renderer, const std::function<void(wlr_renderer *)> &frame) {
        MemoryBuffer *target = MemoryBuffer::create(64, 48, DRM_FORMAT_ARGB8888, 99);
        EXPECT_TRUE(wlr_renderer_begin_with_buffer(renderer, &target->base));
        frame(renderer);
        wlr_renderer_end(renderer);
        std::vector<uint32_t> pixels = target->pixels;
        wlr_buffer_drop(&target->base);
        return pixels;
    }
    // A frame drawn through the fast path and by wlroots alone: the pixels must agree.
    void expect_same_frame(const std::function<void(wlr_renderer *)> &frame) {
        expect_equal_pixels(frame_of(fast_->renderer(), frame), frame_of(pixman_, frame));
    }
    static void expect_equal_pixels(const std::vector<uint32_t> &ours, const std::vector<uint32_t> &theirs) {
        ASSERT_EQ(ours.size(), theirs.size());
        size_t differ = 0;
        for (size_t i = 0; i < ours.size(); i++) differ += ours[i] != theirs[i];
        EXPECT_EQ(differ, 0u) << "of " << ours.size() << " pixels";
    }
    static void draw_at(wlr_renderer *r, wlr_texture *t, wlr_box box, const wlr_box *scissor = nullptr) {
        float identity[9], matrix[9];
        wlr_matrix_identity(identity);
        wlr_matrix_project_box(matrix, &box, WL_OUTPUT_TRANSFORM_NORMAL, 0, identity);
        wlr_renderer_scissor(r, const_cast<wlr_box *>(scissor));
        EXPECT_TRUE(wlr_render_texture_with_matrix(r, t, matrix, 1.0f));
    }

    wlr_renderer *pixman_ = nullptr;
    std::unique_ptr<render::PixmanFastPath> fast_;
    std::vector<MemoryBuffer *> buffers_;
    std::vector<wlr_texture *> textures_;
};

TEST_F(PixmanFastPathTest, OpaqueTextureMovedByWholePixelsIsCopiedExactly) {
    wlr_texture *t = texture(37, 23, DRM_FORMAT_XRGB8888);
    expect_same(t, {13, 7, 37, 23}, 1.0f);
    EXPECT_EQ(fast_->fast_draws(), 1u);
}

TEST_F(PixmanFastPathTest, TranslucentTextureIsBlendedExactly) {
    wlr_texture *t = texture(37, 23, DRM_FORMAT_ARGB8888);
    expect_same(t, {20, 11, 37, 23}, 1.0f);
    EXPECT_EQ(fast_->fast_draws(), 1u);
}

TEST_F(PixmanFastPathTest, ClippedByTheTargetsEdgesAndTheScissor) {
    wlr_texture *t = texture(37, 23, DRM_FORMAT_XRGB8888);
    expect_same(t, {-9, 35, 37, 23}, 1.0f);
    expect_same(t, {40, -5, 37, 23}, 1.0f);
    wlr_box scissor{16, 10, 20, 9};
    expect_same(t, {13, 7, 37, 23}, 1.0f, &scissor);
    EXPECT_EQ(fast_->fast_draws(), 3u);
}

TEST_F(PixmanFastPathTest, ScaledTranslucentOrUntrackedDrawsGoToWlroots) {
    wlr_texture *t = texture(37, 23, DRM_FORMAT_XRGB8888);
    expect_same(t, {13, 7, 50, 23}, 1.0f); // scaled in x
    expect_same(t, {13, 7, 37, 23}, 0.5f); // the surface's opacity
    wlr_texture *untracked = texture(37, 23, DRM_FORMAT_XRGB8888, false);
    expect_same(untracked, {13, 7, 37, 23}, 1.0f);
    EXPECT_EQ(fast_->fast_draws(), 0u);
    EXPECT_EQ(fast_->wlroots_draws(), 3u);
}

// wlr_scene draws overlapping windows bottom to top: what an opaque window
// covers of the one below is not drawn at all, and the frame is the same.
TEST_F(PixmanFastPathTest, WhatAnOpaqueWindowCoversIsNotDrawnBelowIt) {
    wlr_texture *below = texture(30, 20, DRM_FORMAT_XRGB8888);
    wlr_texture *above = texture(25, 15, DRM_FORMAT_XRGB8888);
    expect_same_frame([&](wlr_renderer *r) {
        draw_at(r, below, {5, 5, 30, 20});
        draw_at(r, above, {20, 15, 25, 15});
    });
    // The overlap: x 20..35, y 15..25.
    EXPECT_EQ(fast_->hidden_pixels(), 15u * 10u);
    EXPECT_EQ(fast_->fast_draws(), 2u);
}

TEST_F(PixmanFastPathTest, ATranslucentWindowHidesNothing) {
    wlr_texture *below = texture(30, 20, DRM_FORMAT_XRGB8888);
    wlr_texture *above = texture(25, 15, DRM_FORMAT_ARGB8888);
    expect_same_frame([&](wlr_renderer *r) {
        draw_at(r, below, {5, 5, 30, 20});
        draw_at(r, above, {20, 15, 25, 15});
    });
    EXPECT_EQ(fast_->hidden_pixels(), 0u);
}

// The scene sets a scissor per damage rectangle for each draw; a clear, a
// scaled draw (wlroots') and a border rect take part like windows do.
TEST_F(PixmanFastPathTest, ScissorsClearsRectsAndScaledDrawsKeepTheirPixels) {
    wlr_texture *window = texture(30, 20, DRM_FORMAT_XRGB8888);
    wlr_texture *scaled = texture(10, 10, DRM_FORMAT_XRGB8888);
    const float grey[4] = {0.5f, 0.5f, 0.5f, 1.0f}, glass[4] = {0.2f, 0.0f, 0.0f, 0.5f};
    expect_same_frame([&](wlr_renderer *r) {
        wlr_box left{0, 0, 32, 48}, right{32, 0, 32, 48};
        wlr_renderer_scissor(r, &left);
        wlr_renderer_clear(r, grey);
        draw_at(r, scaled, {2, 2, 40, 30}, &right); // scaled: wlroots draws it, hides nothing
        draw_at(r, window, {10, 10, 30, 20}, &left);
        draw_at(r, window, {10, 10, 30, 20}, &right);
        float identity[9];
        wlr_matrix_identity(identity);
        wlr_renderer_scissor(r, nullptr);
        wlr_box border{8, 8, 34, 2}, band{0, 40, 64, 8};
        wlr_render_rect(r, &border, grey, identity); // opaque
        wlr_render_rect(r, &band, glass, identity);  // translucent: hides nothing
    });
    // Hidden: of the clear, what the window's left part (x 10..32, y 10..30)
    // and the border (x 8..32, y 8..10) cover; of the scaled draw's reach
    // (its scissor), what the window's right part (x 32..40, y 10..30) and
    // the border (x 32..42, y 8..10) cover.
    EXPECT_EQ(fast_->hidden_pixels(), 22u * 20 + 24 * 2 + 8 * 20 + 10 * 2);
    EXPECT_GE(fast_->wlroots_draws(), 1u);
}

// Whatever reads the target mid-frame (screencopy) sees what was drawn so far.
TEST_F(PixmanFastPathTest, ReadingTheTargetMidFrameSeesTheDrawsSoFar) {
    wlr_texture *window = texture(30, 20, DRM_FORMAT_XRGB8888);
    std::vector<uint32_t> read(64 * 48, 0);
    std::vector<uint32_t> target = frame_of(fast_->renderer(), [&](wlr_renderer *r) {
        draw_at(r, window, {5, 5, 30, 20});
        EXPECT_TRUE(wlr_renderer_read_pixels(r, DRM_FORMAT_ARGB8888, nullptr, 64 * 4, 64, 48, 0, 0, 0, 0, read.data()));
    });
    EXPECT_EQ(read, target);
}

TEST(WholePixelOffset, OnlyAUnitScaleWithAWholeTranslation) {
    float identity[9], m[9];
    wlr_matrix_identity(identity);
    int x = 0, y = 0;
    wlr_box box{-4, 17, 10, 6};
    wlr_matrix_project_box(m, &box, WL_OUTPUT_TRANSFORM_NORMAL, 0, identity);
    ASSERT_TRUE(render::whole_pixel_offset(wlr_fbox{0, 0, 10, 6}, m, x, y));
    EXPECT_EQ(x, -4);
    EXPECT_EQ(y, 17);
    EXPECT_FALSE(render::whole_pixel_offset(wlr_fbox{1, 0, 10, 6}, m, x, y)); // a crop
    EXPECT_FALSE(render::whole_pixel_offset(wlr_fbox{0, 0, 5, 6}, m, x, y));  // scaled by 2
    wlr_matrix_project_box(m, &box, WL_OUTPUT_TRANSFORM_90, 0, identity);
    EXPECT_FALSE(render::whole_pixel_offset(wlr_fbox{0, 0, 10, 6}, m, x, y)); // rotated
    wlr_fbox half{0, 0, 10, 6};
    m[2] += 0.5f;
    EXPECT_FALSE(render::whole_pixel_offset(half, m, x, y)); // half a pixel off
}

} // namespace
