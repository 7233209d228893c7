// The CPU importer's YUV shadow (render/cpu_importer.cpp) on memfds, which it
// maps as it maps dma-bufs: reads convert only the rows commits said changed
// (content_changed), once, and reads without a commit convert nothing; and
// the commit path that says so (ShmYuvRenderer::on_committed). The source is
// rewritten underneath between steps, so every row shows which conversion
// it last went through.
#include <drm_fourcc.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wayland-client.h>

#include <cstring>
#include <optional>

#include "cpu_importer.hpp"
#include "dmabuf_buffer.hpp"
#include "linux-dmabuf-v1-client-protocol.h"
#include "linux_dmabuf_v1.hpp"
#include "shm_yuv.hpp"
#include "yuv.hpp"

namespace {

constexpr int32_t width = 16, height = 32;

struct Colour {
    uint8_t y, cb, cr;
    uint32_t xrgb() const { return render::ycbcr_to_xrgb(y, cb, cr); }
};
constexpr Colour red{81, 90, 240}, blue{41, 240, 110}, green{145, 54, 34};

// An NV12 (Y plane, then CbCr) or YUYV image in one memfd, written through
// a mapping of its own.
class Source {
public:
    explicit Source(uint32_t format) : format_(format) {
        size_ = format == DRM_FORMAT_NV12 ? width * height * 3 / 2 : width * 2 * height;
        fd_ = UniqueFd(memfd_create("cpu-yuv-test", MFD_CLOEXEC));
        EXPECT_EQ(ftruncate(fd_.get(), static_cast<off_t>(size_)), 0);
        void *map = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
        EXPECT_NE(map, MAP_FAILED);
        bytes_ = static_cast<uint8_t *>(map);
    }
    ~Source() { munmap(bytes_, size_); }

    void fill(Colour c) {
        for (int32_t row = 0; row < height; row++) {
            for (int32_t col = 0; col < width; col++) {
                if (format_ == DRM_FORMAT_NV12) {
                    bytes_[row * width + col] = c.y;
                    uint8_t *chroma = bytes_ + width * height + (row / 2) * width + (col / 2) * 2;
                    chroma[0] = c.cb;
                    chroma[1] = c.cr;
                } else {
                    uint8_t *pair = bytes_ + row * width * 2 + (col / 2) * 4;
                    pair[col & 1 ? 2 : 0] = c.y;
                    pair[1] = c.cb;
                    pair[3] = c.cr;
                }
            }
        }
    }

    std::unique_ptr<render::ImportedBuffer> import() {
        render::DmabufAttributes attrs;
        attrs.width = width;
        attrs.height = height;
        attrs.format = format_;
        attrs.modifier = DRM_FORMAT_MOD_LINEAR;
        if (format_ == DRM_FORMAT_NV12) {
            attrs.planes.push_back({UniqueFd(dup(fd_.get())), 0, width});
            attrs.planes.push_back({UniqueFd(dup(fd_.get())), width * height, width});
        } else {
            attrs.planes.push_back({UniqueFd(dup(fd_.get())), 0, width * 2});
        }
        std::string why;
        auto buffer = render::CpuImporter().import(attrs, nullptr, why);
        EXPECT_NE(buffer, nullptr) << why;
        attrs_ = std::move(attrs); // the planes' fds outlive the import, as in DmabufBuffer
        return buffer;
    }

    // The same image as a client's linux-dmabuf wl_buffer.
    wl_buffer *create_wl_buffer(zwp_linux_dmabuf_v1 *dmabuf) {
        zwp_linux_buffer_params_v1 *params = zwp_linux_dmabuf_v1_create_params(dmabuf);
        uint32_t hi = DRM_FORMAT_MOD_LINEAR >> 32, lo = DRM_FORMAT_MOD_LINEAR & 0xffffffff;
        if (format_ == DRM_FORMAT_NV12) {
            zwp_linux_buffer_params_v1_add(params, fd_.get(), 0, 0, width, hi, lo);
            zwp_linux_buffer_params_v1_add(params, fd_.get(), 1, width * height, width, hi, lo);
        } else {
            zwp_linux_buffer_params_v1_add(params, fd_.get(), 0, 0, width * 2, hi, lo);
        }
        wl_buffer *buffer = zwp_linux_buffer_params_v1_create_immed(params, width, height, format_, 0);
        zwp_linux_buffer_params_v1_destroy(params);
        return buffer;
    }

private:
    uint32_t format_;
    size_t size_ = 0;
    UniqueFd fd_;
    uint8_t *bytes_ = nullptr;
    render::DmabufAttributes attrs_;
};

// The colour of each row of what a read hands out (0 where a row is mixed).
std::vector<uint32_t> read_rows(render::ImportedBuffer &buffer) {
    void *data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    std::vector<uint32_t> rows(height, 0);
    if (!buffer.begin_read(&data, &format, &stride)) {
        ADD_FAILURE() << "begin_read failed";
        return rows;
    }
    EXPECT_EQ(format, DRM_FORMAT_XRGB8888);
    for (int32_t row = 0; row < height; row++) {
        const auto *pixels = reinterpret_cast<const uint32_t *>(static_cast<const uint8_t *>(data) + row * stride);
        bool uniform = true;
        for (int32_t col = 1; col < width; col++) uniform = uniform && pixels[col] == pixels[0];
        rows[static_cast<size_t>(row)] = uniform ? pixels[0] : 0;
    }
    buffer.end_read();
    return rows;
}

// `colour` on rows [first, end), `other` elsewhere.
std::vector<uint32_t> rows_of(Colour other, int32_t first = 0, int32_t end = 0, Colour colour = {}) {
    std::vector<uint32_t> rows(height, other.xrgb());
    for (int32_t row = first; row < end; row++) rows[static_cast<size_t>(row)] = colour.xrgb();
    return rows;
}

class Damage {
public:
    Damage() { pixman_region32_init(&region_); }
    ~Damage() { pixman_region32_fini(&region_); }
    Damage &add(int32_t x, int32_t y, int32_t w, int32_t h) {
        pixman_region32_union_rect(&region_, &region_, x, y, static_cast<uint32_t>(w), static_cast<uint32_t>(h));
        return *this;
    }
    const pixman_region32_t *get() const { return &region_; }

private:
    pixman_region32_t region_;
};

class CpuYuv : public ::testing::TestWithParam<uint32_t> {};

INSTANTIATE_TEST_SUITE_P(Formats, CpuYuv, ::testing::Values(DRM_FORMAT_NV12, DRM_FORMAT_YUYV),
                         [](const auto &info) { return info.param == DRM_FORMAT_NV12 ? "Nv12" : "Yuyv"; });

TEST_P(CpuYuv, ReadsConvertOnceAfterEachCommit) {
    Source source(GetParam());
    source.fill(red);
    auto buffer = source.import();
    ASSERT_NE(buffer, nullptr);
    buffer->content_changed(nullptr); // the first commit: all of it
    EXPECT_EQ(read_rows(*buffer), rows_of(red));
    source.fill(blue);
    // Draws of one commit, once per damage rectangle and again for a
    // capture: the source is not looked at again.
    EXPECT_EQ(read_rows(*buffer), rows_of(red));
    EXPECT_EQ(read_rows(*buffer), rows_of(red));
    buffer->content_changed(nullptr); // committed again, damage unknown
    EXPECT_EQ(read_rows(*buffer), rows_of(blue));
}

TEST_P(CpuYuv, CommitConvertsOnlyItsDamagedRows) {
    Source source(GetParam());
    source.fill(red);
    auto buffer = source.import();
    ASSERT_NE(buffer, nullptr);
    buffer->content_changed(nullptr);
    EXPECT_EQ(read_rows(*buffer), rows_of(red));
    source.fill(blue);
    buffer->content_changed(Damage().add(0, 10, width, 10).get()); // rows 10-19
    EXPECT_EQ(read_rows(*buffer), rows_of(red, 10, 20, blue));
    source.fill(green);
    EXPECT_EQ(read_rows(*buffer), rows_of(red, 10, 20, blue)) << "converted once, not at each read";
}

TEST_P(CpuYuv, DamageOfCommitsNotYetReadAddsUpBandByBand) {
    Source source(GetParam());
    source.fill(red);
    auto buffer = source.import();
    ASSERT_NE(buffer, nullptr);
    buffer->content_changed(nullptr);
    EXPECT_EQ(read_rows(*buffer), rows_of(red));
    source.fill(blue);
    buffer->content_changed(Damage().add(3, 2, 4, 2).get());
    buffer->content_changed(Damage().add(0, 24, 1, 2).get());
    std::vector<uint32_t> want = rows_of(red, 2, 4, blue);
    for (int32_t row = 24; row < 26; row++) want[static_cast<size_t>(row)] = blue.xrgb();
    EXPECT_EQ(read_rows(*buffer), want) << "rows between the bands stay as they were";
}

TEST_P(CpuYuv, DamageIsClippedToTheImage) {
    Source source(GetParam());
    source.fill(red);
    auto buffer = source.import();
    ASSERT_NE(buffer, nullptr);
    buffer->content_changed(nullptr);
    EXPECT_EQ(read_rows(*buffer), rows_of(red));
    source.fill(blue);
    buffer->content_changed(Damage().add(width, 0, 8, height).add(-8, 0, 8, height).get());
    EXPECT_EQ(read_rows(*buffer), rows_of(red)) << "beside the image: nothing to convert";
    buffer->content_changed(Damage().add(0, -6, width, 8).add(0, height - 2, width, 40).get());
    std::vector<uint32_t> want = rows_of(red, 0, 2, blue);
    for (int32_t row = height - 2; row < height; row++) want[static_cast<size_t>(row)] = blue.xrgb();
    EXPECT_EQ(read_rows(*buffer), want);
}

TEST_P(CpuYuv, NothingIsConvertedBeforeTheFirstCommit) {
    // pixman makes its texture (a read) before planar hears of the commit.
    Source source(GetParam());
    source.fill(red);
    auto buffer = source.import();
    ASSERT_NE(buffer, nullptr);
    EXPECT_EQ(read_rows(*buffer), std::vector<uint32_t>(height, 0u));
    buffer->content_changed(nullptr);
    EXPECT_EQ(read_rows(*buffer), rows_of(red));
}

// What a `format` buffer shows after a commit damaging rows 11-12 of a red
// picture the client repainted blue.
std::vector<uint32_t> rows_after_damaging_11_and_12(uint32_t format) {
    Source source(format);
    source.fill(red);
    auto buffer = source.import();
    if (buffer == nullptr) {
        ADD_FAILURE() << "the import failed";
        return {};
    }
    buffer->content_changed(nullptr);
    EXPECT_EQ(read_rows(*buffer), rows_of(red));
    source.fill(blue);
    buffer->content_changed(Damage().add(0, 11, width, 2).get());
    return read_rows(*buffer);
}

TEST(CpuYuvNv12, DamagedRowsRoundOutToWholeChromaRows) {
    // Rows 11-12 touch the chroma rows of 10-11 and 12-13.
    EXPECT_EQ(rows_after_damaging_11_and_12(DRM_FORMAT_NV12), rows_of(red, 10, 14, blue));
}

TEST(CpuYuvYuyv, DamagedRowsAreExact) {
    EXPECT_EQ(rows_after_damaging_11_and_12(DRM_FORMAT_YUYV), rows_of(red, 11, 13, blue));
}

// The commit path: a client commits a linux-dmabuf NV12 wl_buffer to a
// wl_surface of a wlr_compositor that uploads through ShmYuvRenderer over
// the pixman renderer, with planar's linux-dmabuf and CPU importer (memfds
// standing in for dma-bufs). A read of the buffer stands for a draw.
class MemfdCpuImporter : public render::CpuImporter {
public:
    bool is_dmabuf(int) const override { return true; }
};

class CommitPath : public ::testing::Test {
protected:
    struct Told {
        wlr_buffer *buffer;
        std::optional<pixman_box32_t> damage; // extents; none: all of it
    };

    void SetUp() override {
        display_ = wl_display_create();
        renderer_ = wlr_pixman_renderer_create();
        ASSERT_NE(renderer_, nullptr);
        shm_yuv_ = std::make_unique<render::ShmYuvRenderer>(renderer_);
        wlr_compositor *compositor = wlr_compositor_create(display_, shm_yuv_->renderer());
        shm_yuv_->watch(compositor);
        shm_yuv_->on_committed([this](wlr_buffer *buffer, const pixman_region32_t *damage) {
            told_.push_back({buffer, damage ? std::optional(*pixman_region32_extents(damage)) : std::nullopt});
            proto::DmabufBuffer::committed(buffer, damage);
        });
        dmabuf_ = std::make_unique<proto::LinuxDmabuf>(display_, importer_, 0);

        int fds[2];
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        ASSERT_NE(wl_client_create(display_, fds[0]), nullptr);
        client_ = wl_display_connect_to_fd(fds[1]);
        ASSERT_NE(client_, nullptr);
        wl_registry *registry = wl_display_get_registry(client_);
        static const wl_registry_listener listener = {
            .global =
                [](void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t) {
                    auto *self = static_cast<CommitPath *>(data);
                    if (strcmp(interface, wl_compositor_interface.name) == 0) {
                        self->compositor_ = static_cast<wl_compositor *>(
                            wl_registry_bind(registry, name, &wl_compositor_interface, 4));
                    } else if (strcmp(interface, zwp_linux_dmabuf_v1_interface.name) == 0) {
                        self->dmabuf_client_ = static_cast<zwp_linux_dmabuf_v1 *>(
                            wl_registry_bind(registry, name, &zwp_linux_dmabuf_v1_interface, 3));
                    }
                },
            .global_remove = [](void *, wl_registry *, uint32_t) {},
        };
        wl_registry_add_listener(registry, &listener, this);
        roundtrip();
        wl_registry_destroy(registry);
        ASSERT_NE(compositor_, nullptr);
        ASSERT_NE(dmabuf_client_, nullptr);
        surface_ = wl_compositor_create_surface(compositor_);
    }

    void TearDown() override {
        if (surface_ != nullptr) wl_surface_destroy(surface_);
        if (dmabuf_client_ != nullptr) zwp_linux_dmabuf_v1_destroy(dmabuf_client_);
        if (compositor_ != nullptr) wl_compositor_destroy(compositor_);
        if (client_ != nullptr) wl_display_disconnect(client_);
        wl_display_destroy_clients(display_);
        dmabuf_.reset();
        shm_yuv_.reset();
        wlr_renderer_destroy(renderer_);
        wl_display_destroy(display_);
    }

    // The client's requests handled and the server's events read.
    void roundtrip() {
        bool done = false;
        static const wl_callback_listener listener = {
            .done = [](void *data, wl_callback *, uint32_t) { *static_cast<bool *>(data) = true; },
        };
        wl_callback *callback = wl_display_sync(client_);
        wl_callback_add_listener(callback, &listener, &done);
        for (int i = 0; i < 100 && !done; i++) {
            wl_display_flush(client_);
            wl_event_loop_dispatch(wl_display_get_event_loop(display_), 0);
            wl_display_flush_clients(display_);
            if (wl_display_prepare_read(client_) == 0) {
                pollfd readable{wl_display_get_fd(client_), POLLIN, 0};
                if (poll(&readable, 1, 10) > 0) {
                    wl_display_read_events(client_);
                } else {
                    wl_display_cancel_read(client_);
                }
            }
            wl_display_dispatch_pending(client_);
        }
        wl_callback_destroy(callback);
        EXPECT_TRUE(done);
    }

    void commit(wl_buffer *buffer, int32_t damage_y, int32_t damage_height) {
        wl_surface_attach(surface_, buffer, 0, 0);
        wl_surface_damage_buffer(surface_, 0, damage_y, width, damage_height);
        wl_surface_commit(surface_);
        roundtrip();
    }

    // The first pixel of each row, as pixman's draw reads the buffer
    // (render_subtexture_with_matrix).
    static std::vector<uint32_t> draw(wlr_buffer *buffer) {
        proto::DmabufBuffer *dmabuf = proto::DmabufBuffer::from_wlr(buffer);
        if (dmabuf == nullptr) {
            ADD_FAILURE() << "not a linux-dmabuf buffer";
            return {};
        }
        void *data = nullptr;
        uint32_t format = 0;
        size_t stride = 0;
        std::vector<uint32_t> rows(height, 0);
        if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride)) {
            ADD_FAILURE() << "no data pointer";
            return rows;
        }
        for (int32_t row = 0; row < height; row++) {
            rows[static_cast<size_t>(row)] =
                *reinterpret_cast<const uint32_t *>(static_cast<const uint8_t *>(data) + row * stride);
        }
        wlr_buffer_end_data_ptr_access(buffer);
        return rows;
    }

    wl_display *display_ = nullptr;
    wlr_renderer *renderer_ = nullptr;
    std::unique_ptr<render::ShmYuvRenderer> shm_yuv_;
    MemfdCpuImporter importer_;
    std::unique_ptr<proto::LinuxDmabuf> dmabuf_;
    wl_display *client_ = nullptr;
    wl_compositor *compositor_ = nullptr;
    zwp_linux_dmabuf_v1 *dmabuf_client_ = nullptr;
    wl_surface *surface_ = nullptr;
    std::vector<Told> told_;
};

TEST_F(CommitPath, EachCommitTellsTheImportWhatItDamaged) {
    Source a(DRM_FORMAT_NV12), b(DRM_FORMAT_NV12);
    a.fill(red);
    b.fill(green);
    wl_buffer *buffer_a = a.create_wl_buffer(dmabuf_client_);
    wl_buffer *buffer_b = b.create_wl_buffer(dmabuf_client_);

    commit(buffer_a, 0, height);
    ASSERT_EQ(told_.size(), 1u);
    wlr_buffer *wlr_a = told_[0].buffer;
    EXPECT_FALSE(told_[0].damage.has_value()) << "the surface's first buffer: all of it";
    EXPECT_EQ(draw(wlr_a), rows_of(red));

    // The same buffer again, rows 10-19 damaged. The client's GPU finishes
    // only after the commit was applied (an acquire fence passed to a KMS
    // plane): the draw, not the texture made at commit, converts.
    a.fill(blue);
    commit(buffer_a, 10, 10);
    ASSERT_EQ(told_.size(), 2u);
    EXPECT_EQ(told_[1].buffer, wlr_a);
    ASSERT_TRUE(told_[1].damage.has_value());
    EXPECT_EQ(told_[1].damage->y1, 10);
    EXPECT_EQ(told_[1].damage->y2, 20);
    a.fill(green);
    EXPECT_EQ(draw(wlr_a), rows_of(red, 10, 20, green));
    a.fill(blue);
    EXPECT_EQ(draw(wlr_a), rows_of(red, 10, 20, green)) << "one conversion per commit";

    // Damage is relative to the surface's previous buffer: after B, A's
    // damage does not bound what changed in A.
    commit(buffer_b, 0, height);
    commit(buffer_a, 0, 2);
    ASSERT_EQ(told_.size(), 4u);
    EXPECT_FALSE(told_[2].damage.has_value());
    EXPECT_EQ(told_[3].buffer, wlr_a);
    EXPECT_FALSE(told_[3].damage.has_value());
    EXPECT_EQ(draw(wlr_a), rows_of(blue));

    wl_buffer_destroy(buffer_a);
    wl_buffer_destroy(buffer_b);
}

} // namespace
