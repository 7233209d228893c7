// linux-explicit-synchronization and linux-drm-syncobj as a client sees them
// on the host: every error that needs no dma-buf or sync_file, read back from
// the wire (interface + code). No sync_file can be created here (no sw_sync,
// no dma-buf exporter), so duplicate_fence, a fence on a dma-buf and the
// fence gating display run in tests/vm (sync-*); without a DRM device the
// syncobj global must be absent.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <wayland-client.h>

#include "harness.hpp"
#include "protocol_error.hpp"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"

namespace {

class SyncClient {
public:
    explicit SyncClient(const std::string &socket_path) {
        display_ = wl_display_connect(socket_path.c_str());
        if (display_ == nullptr) return;
        registry_ = wl_display_get_registry(display_);
        static const wl_registry_listener listener = {
            .global = [](void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t v) {
                auto *self = static_cast<SyncClient *>(data);
                self->globals.push_back(interface);
                if (strcmp(interface, zwp_linux_explicit_synchronization_v1_interface.name) == 0) {
                    self->advertised_version = v;
                    self->sync = static_cast<zwp_linux_explicit_synchronization_v1 *>(
                        wl_registry_bind(registry, name, &zwp_linux_explicit_synchronization_v1_interface, 2));
                } else if (strcmp(interface, wl_compositor_interface.name) == 0) {
                    self->compositor =
                        static_cast<wl_compositor *>(wl_registry_bind(registry, name, &wl_compositor_interface, 4));
                } else if (strcmp(interface, wl_shm_interface.name) == 0) {
                    self->shm = static_cast<wl_shm *>(wl_registry_bind(registry, name, &wl_shm_interface, 1));
                }
            },
            .global_remove = [](void *, wl_registry *, uint32_t) {},
        };
        wl_registry_add_listener(registry_, &listener, this);
        wl_display_roundtrip(display_);
    }
    ~SyncClient() {
        for (auto it = owned_.rbegin(); it != owned_.rend(); ++it) wl_proxy_destroy(*it);
        for (auto *p : {reinterpret_cast<wl_proxy *>(sync), reinterpret_cast<wl_proxy *>(compositor),
                        reinterpret_cast<wl_proxy *>(shm), reinterpret_cast<wl_proxy *>(registry_)}) {
            if (p != nullptr) wl_proxy_destroy(p);
        }
        if (display_ != nullptr) wl_display_disconnect(display_);
    }
    bool ok() const { return display_ != nullptr && sync != nullptr && compositor != nullptr && shm != nullptr; }
    template <typename T>
    T *own(T *proxy) {
        owned_.push_back(reinterpret_cast<wl_proxy *>(proxy));
        return proxy;
    }
    template <typename T>
    void destroyed(T *proxy) {
        std::erase(owned_, reinterpret_cast<wl_proxy *>(proxy));
    }
    wl_surface *surface() { return own(wl_compositor_create_surface(compositor)); }
    zwp_linux_surface_synchronization_v1 *synchronization(wl_surface *surface) {
        return own(zwp_linux_explicit_synchronization_v1_get_synchronization(sync, surface));
    }
    wl_buffer *shm_buffer(int width = 16, int height = 16) {
        int stride = width * 4, size = stride * height;
        int fd = memfd_create("sync-test", MFD_CLOEXEC);
        EXPECT_EQ(ftruncate(fd, size), 0);
        wl_shm_pool *pool = wl_shm_create_pool(shm, fd, size);
        wl_buffer *buffer = own(wl_shm_pool_create_buffer(pool, 0, width, height, stride, WL_SHM_FORMAT_XRGB8888));
        wl_shm_pool_destroy(pool);
        close(fd);
        return buffer;
    }
    int roundtrip() { return wl_display_roundtrip(display_); }
    // After a fatal error: the interface and code the compositor posted.
    std::pair<std::string, uint32_t> protocol_error() { return harness::protocol_error(display_); }
    bool healthy() { return roundtrip() >= 0 && wl_display_get_error(display_) == 0; }

    std::vector<std::string> globals;
    uint32_t advertised_version = 0;
    zwp_linux_explicit_synchronization_v1 *sync = nullptr;
    wl_compositor *compositor = nullptr;
    wl_shm *shm = nullptr;

private:
    wl_display *display_ = nullptr;
    wl_registry *registry_ = nullptr;
    std::vector<wl_proxy *> owned_;
};

constexpr const char *surface_sync = "zwp_linux_surface_synchronization_v1";

class SyncTest : public harness::PlanarTest {
protected:
    void SetUp() override {
        ASSERT_TRUE(start_headless());
        client_ = std::make_unique<SyncClient>(planar_.socket_path());
        ASSERT_TRUE(client_->ok());
    }
    void TearDown() override {
        client_.reset();
        harness::PlanarTest::TearDown();
    }
    void expect_error(const char *interface, uint32_t code) {
        auto [got_interface, got] = client_->protocol_error();
        EXPECT_EQ(got_interface, interface);
        EXPECT_EQ(got, code);
    }
    std::unique_ptr<SyncClient> client_;
};

TEST_F(SyncTest, AdvertisesVersion2) { EXPECT_EQ(client_->advertised_version, 2u); }

TEST_F(SyncTest, SyncobjNotAdvertisedWithoutTimelineDevice) {
    // This host has no DRM device: the global exists only where the probe succeeds.
    for (const auto &name : client_->globals) EXPECT_NE(name, "wp_linux_drm_syncobj_manager_v1");
}

TEST_F(SyncTest, SynchronizationExists) {
    wl_surface *surface = client_->surface();
    client_->synchronization(surface);
    client_->synchronization(surface);
    expect_error("zwp_linux_explicit_synchronization_v1",
                 ZWP_LINUX_EXPLICIT_SYNCHRONIZATION_V1_ERROR_SYNCHRONIZATION_EXISTS);
}

TEST_F(SyncTest, NewSynchronizationAfterDestroy) {
    wl_surface *surface = client_->surface();
    auto *sync = client_->synchronization(surface);
    client_->destroyed(sync);
    zwp_linux_surface_synchronization_v1_destroy(sync);
    client_->synchronization(surface);
    EXPECT_TRUE(client_->healthy());
}

TEST_F(SyncTest, InvalidFencePipe) {
    auto *sync = client_->synchronization(client_->surface());
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    zwp_linux_surface_synchronization_v1_set_acquire_fence(sync, fds[0]);
    close(fds[0]);
    close(fds[1]);
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_INVALID_FENCE);
}

TEST_F(SyncTest, InvalidFenceMemfd) {
    auto *sync = client_->synchronization(client_->surface());
    int fd = memfd_create("not-a-fence", MFD_CLOEXEC);
    zwp_linux_surface_synchronization_v1_set_acquire_fence(sync, fd);
    close(fd);
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_INVALID_FENCE);
}

TEST_F(SyncTest, DuplicateRelease) {
    auto *sync = client_->synchronization(client_->surface());
    client_->own(zwp_linux_surface_synchronization_v1_get_release(sync));
    client_->own(zwp_linux_surface_synchronization_v1_get_release(sync));
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_DUPLICATE_RELEASE);
}

TEST_F(SyncTest, ReleasePerCommitCycleIsNoDuplicate) {
    wl_surface *surface = client_->surface();
    auto *sync = client_->synchronization(surface);
    // A commit consumes the pending release (here with a shm buffer: the
    // error is unsupported_buffer, not duplicate_release).
    client_->own(zwp_linux_surface_synchronization_v1_get_release(sync));
    wl_surface_attach(surface, client_->shm_buffer(), 0, 0);
    wl_surface_commit(surface);
    client_->own(zwp_linux_surface_synchronization_v1_get_release(sync));
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_UNSUPPORTED_BUFFER);
}

TEST_F(SyncTest, NoSurfaceOnSetAcquireFence) {
    wl_surface *surface = client_->surface();
    auto *sync = client_->synchronization(surface);
    client_->destroyed(surface);
    wl_surface_destroy(surface);
    int fd = memfd_create("fence", MFD_CLOEXEC); // no_surface is checked first
    zwp_linux_surface_synchronization_v1_set_acquire_fence(sync, fd);
    close(fd);
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_NO_SURFACE);
}

TEST_F(SyncTest, NoSurfaceOnGetRelease) {
    wl_surface *surface = client_->surface();
    auto *sync = client_->synchronization(surface);
    client_->destroyed(surface);
    wl_surface_destroy(surface);
    client_->own(zwp_linux_surface_synchronization_v1_get_release(sync));
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_NO_SURFACE);
}

TEST_F(SyncTest, DestroyAfterSurfaceIsFine) {
    wl_surface *surface = client_->surface();
    auto *sync = client_->synchronization(surface);
    client_->destroyed(surface);
    wl_surface_destroy(surface);
    client_->destroyed(sync);
    zwp_linux_surface_synchronization_v1_destroy(sync);
    EXPECT_TRUE(client_->healthy());
}

TEST_F(SyncTest, NoBufferReleaseWithoutAttach) {
    wl_surface *surface = client_->surface();
    auto *sync = client_->synchronization(surface);
    client_->own(zwp_linux_surface_synchronization_v1_get_release(sync));
    wl_surface_commit(surface);
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_NO_BUFFER);
}

TEST_F(SyncTest, NoBufferReleaseWithNullAttach) {
    wl_surface *surface = client_->surface();
    auto *sync = client_->synchronization(surface);
    client_->own(zwp_linux_surface_synchronization_v1_get_release(sync));
    wl_surface_attach(surface, nullptr, 0, 0);
    wl_surface_commit(surface);
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_NO_BUFFER);
}

TEST_F(SyncTest, NoBufferWhenTheBufferWasAttachedInAnEarlierCommit) {
    wl_surface *surface = client_->surface();
    auto *sync = client_->synchronization(surface);
    wl_surface_attach(surface, client_->shm_buffer(), 0, 0);
    wl_surface_commit(surface);
    ASSERT_TRUE(client_->healthy());
    client_->own(zwp_linux_surface_synchronization_v1_get_release(sync));
    wl_surface_commit(surface); // the buffer is current, not attached in this commit
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_NO_BUFFER);
}

TEST_F(SyncTest, UnsupportedBufferShm) {
    wl_surface *surface = client_->surface();
    auto *sync = client_->synchronization(surface);
    client_->own(zwp_linux_surface_synchronization_v1_get_release(sync));
    wl_surface_attach(surface, client_->shm_buffer(), 0, 0);
    wl_surface_commit(surface);
    expect_error(surface_sync, ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_UNSUPPORTED_BUFFER);
}

TEST_F(SyncTest, ShmCommitsWithoutSyncStateAreUntouched) {
    wl_surface *surface = client_->surface();
    client_->synchronization(surface);
    for (int i = 0; i < 20; ++i) {
        wl_surface_attach(surface, client_->shm_buffer(), 0, 0);
        wl_surface_damage(surface, 0, 0, 16, 16);
        wl_surface_commit(surface);
    }
    EXPECT_TRUE(client_->healthy());
}

TEST_F(SyncTest, DisconnectWithPendingReleaseFreesEverything) {
    // Leaks show under the sanitizer build (finish_test scans planar's log).
    for (int i = 0; i < 10; ++i) {
        SyncClient client(planar_.socket_path());
        ASSERT_TRUE(client.ok());
        wl_surface *surface = client.surface();
        auto *sync = client.synchronization(surface);
        client.own(zwp_linux_surface_synchronization_v1_get_release(sync));
        ASSERT_TRUE(client.healthy());
    }
    EXPECT_TRUE(client_->healthy());
}

} // namespace
