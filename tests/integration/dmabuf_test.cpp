// linux-dmabuf as a client sees it on the host (no dma-buf exporter here):
// every params error raised by a real client and read back from the wire
// (interface + code), memfds for the bounds checks and as refused
// non-dma-bufs, the default feedback parsed, wayland-info's view, and fd
// hygiene over 1,000 params cycles. Real imports are tested in tests/vm.
#include <dirent.h>
#include <libdrm/drm_fourcc.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include <wayland-client.h>

#include "harness.hpp"
#include "protocol_error.hpp"
#include "linux-dmabuf-v1-client-protocol.h"

namespace {

constexpr uint64_t linear = DRM_FORMAT_MOD_LINEAR;

int memfd_of(size_t size) {
    int fd = memfd_create("dmabuf-test", MFD_CLOEXEC);
    EXPECT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
    return fd;
}

// A raw wayland-client connection with zwp_linux_dmabuf_v1 bound at `version`.
class DmabufClient {
public:
    DmabufClient(const std::string &socket_path, uint32_t version) : version_(version) {
        display_ = wl_display_connect(socket_path.c_str());
        if (display_ == nullptr) return;
        registry_ = wl_display_get_registry(display_);
        static const wl_registry_listener listener = {
            .global = [](void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t v) {
                auto *self = static_cast<DmabufClient *>(data);
                if (strcmp(interface, zwp_linux_dmabuf_v1_interface.name) == 0) {
                    self->advertised_version = v;
                    self->dmabuf = static_cast<zwp_linux_dmabuf_v1 *>(
                        wl_registry_bind(registry, name, &zwp_linux_dmabuf_v1_interface, std::min(v, self->version_)));
                } else if (strcmp(interface, wl_compositor_interface.name) == 0) {
                    self->compositor = static_cast<wl_compositor *>(
                        wl_registry_bind(registry, name, &wl_compositor_interface, 4));
                }
            },
            .global_remove = [](void *, wl_registry *, uint32_t) {},
        };
        wl_registry_add_listener(registry_, &listener, this);
        wl_display_roundtrip(display_);
    }
    ~DmabufClient() {
        // Proxies are client-side memory: free them all (also after an error).
        for (auto it = owned_.rbegin(); it != owned_.rend(); ++it) wl_proxy_destroy(*it);
        if (dmabuf != nullptr) wl_proxy_destroy(reinterpret_cast<wl_proxy *>(dmabuf));
        if (compositor != nullptr) wl_proxy_destroy(reinterpret_cast<wl_proxy *>(compositor));
        if (registry_ != nullptr) wl_proxy_destroy(reinterpret_cast<wl_proxy *>(registry_));
        if (display_ != nullptr) wl_display_disconnect(display_);
    }
    template <typename T>
    T *own(T *proxy) {
        owned_.push_back(reinterpret_cast<wl_proxy *>(proxy));
        return proxy;
    }
    // Sends the destructor request of a params object created by params().
    void destroy(zwp_linux_buffer_params_v1 *params) {
        std::erase(owned_, reinterpret_cast<wl_proxy *>(params));
        zwp_linux_buffer_params_v1_destroy(params);
    }
    bool ok() const { return display_ != nullptr && dmabuf != nullptr; }
    int roundtrip() { return wl_display_roundtrip(display_); }
    wl_display *display() { return display_; }

    // After a fatal error: the interface and code the compositor posted.
    std::pair<std::string, uint32_t> protocol_error() { return harness::protocol_error(display_); }

    zwp_linux_buffer_params_v1 *params() { return own(zwp_linux_dmabuf_v1_create_params(dmabuf)); }

    uint32_t advertised_version = 0;
    zwp_linux_dmabuf_v1 *dmabuf = nullptr;
    wl_compositor *compositor = nullptr;

private:
    wl_display *display_ = nullptr;
    wl_registry *registry_ = nullptr;
    uint32_t version_;
    std::vector<wl_proxy *> owned_;
};

// created / failed outcome of a params object.
struct CreateResult {
    bool created = false;
    bool failed = false;
};
const zwp_linux_buffer_params_v1_listener params_listener = {
    .created = [](void *data, zwp_linux_buffer_params_v1 *, wl_buffer *) {
        static_cast<CreateResult *>(data)->created = true;
    },
    .failed = [](void *data, zwp_linux_buffer_params_v1 *) { static_cast<CreateResult *>(data)->failed = true; },
};

void add_plane(zwp_linux_buffer_params_v1 *params, int fd, uint32_t idx, uint32_t offset, uint32_t stride,
               uint64_t modifier = linear) {
    zwp_linux_buffer_params_v1_add(params, fd, idx, offset, stride, static_cast<uint32_t>(modifier >> 32),
                                   static_cast<uint32_t>(modifier & 0xffffffff));
    close(fd); // libwayland sent a copy
}

class DmabufTest : public harness::PlanarTest {
protected:
    std::unique_ptr<DmabufClient> connect(uint32_t version = 5) {
        return std::make_unique<DmabufClient>(planar_.socket_path(), version);
    }
    void SetUp() override { ASSERT_TRUE(start_headless()); }

    void expect_error(DmabufClient &client, uint32_t code) {
        auto [interface, got] = client.protocol_error();
        EXPECT_EQ(interface, "zwp_linux_buffer_params_v1");
        EXPECT_EQ(got, code);
    }
};

TEST_F(DmabufTest, AdvertisesVersion5) {
    auto client = connect();
    ASSERT_TRUE(client->ok());
    EXPECT_EQ(client->advertised_version, 5u);
}

TEST_F(DmabufTest, PlaneIdx) {
    auto client = connect();
    ASSERT_TRUE(client->ok());
    add_plane(client->params(), memfd_of(4096), 4, 0, 256);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_PLANE_IDX);
}

TEST_F(DmabufTest, PlaneSet) {
    auto client = connect();
    auto *params = client->params();
    add_plane(params, memfd_of(4096), 0, 0, 256);
    add_plane(params, memfd_of(4096), 0, 0, 256);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_PLANE_SET);
}

TEST_F(DmabufTest, Incomplete) {
    auto client = connect();
    auto *params = client->params();
    add_plane(params, memfd_of(1 << 16), 1, 0, 256); // plane 0 missing
    zwp_linux_buffer_params_v1_create(params, 64, 64, DRM_FORMAT_XRGB8888, 0);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE);
}

TEST_F(DmabufTest, InvalidFormatUnadvertisedPair) {
    auto client = connect();
    auto *params = client->params();
    // A tiled layout the CPU path never advertises (it offers LINEAR and implicit).
    add_plane(params, memfd_of(1 << 16), 0, 0, 256, I915_FORMAT_MOD_X_TILED);
    zwp_linux_buffer_params_v1_create(params, 64, 64, DRM_FORMAT_XRGB8888, 0);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_FORMAT);
}

TEST_F(DmabufTest, InvalidFormatMixedModifiersV5) {
    auto client = connect();
    auto *params = client->params();
    add_plane(params, memfd_of(1 << 16), 0, 0, 64, linear);
    add_plane(params, memfd_of(1 << 16), 1, 0, 64, DRM_FORMAT_MOD_INVALID);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_FORMAT);
}

TEST_F(DmabufTest, InvalidDimensions) {
    auto client = connect();
    auto *params = client->params();
    add_plane(params, memfd_of(1 << 16), 0, 0, 256);
    zwp_linux_buffer_params_v1_create(params, 0, 64, DRM_FORMAT_XRGB8888, 0);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_DIMENSIONS);
}

TEST_F(DmabufTest, OutOfBoundsBeyondTheMemfd) {
    auto client = connect();
    auto *params = client->params();
    add_plane(params, memfd_of(64 * 256 - 1), 0, 0, 256);
    zwp_linux_buffer_params_v1_create(params, 64, 64, DRM_FORMAT_XRGB8888, 0);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

// The hostile buffer that took planar down on a GPU (issue 14): 8192 pixels
// a row in 64-byte strides on a 4 KiB buffer. Refused at create, on the wire.
TEST_F(DmabufTest, OutOfBoundsStrideShorterThanARow) {
    auto client = connect();
    auto *params = client->params();
    add_plane(params, memfd_of(4096), 0, 0, 64);
    zwp_linux_buffer_params_v1_create(params, 8192, 4, DRM_FORMAT_XRGB8888, 0);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(DmabufTest, CreateImmedStrideShorterThanARowIsOutOfBounds) {
    auto client = connect();
    auto *params = client->params();
    add_plane(params, memfd_of(4096), 0, 0, 64);
    client->own(zwp_linux_buffer_params_v1_create_immed(params, 8192, 4, DRM_FORMAT_XRGB8888, 0));
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(DmabufTest, OutOfBoundsOverflow32) {
    auto client = connect();
    auto *params = client->params();
    add_plane(params, memfd_of(4096), 0, 0xfffff000u, 0x10000);
    zwp_linux_buffer_params_v1_create(params, 64, 64, DRM_FORMAT_XRGB8888, 0);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS);
}

TEST_F(DmabufTest, AlreadyUsed) {
    auto client = connect();
    auto *params = client->params();
    CreateResult result;
    zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &result);
    add_plane(params, memfd_of(64 * 256), 0, 0, 256);
    zwp_linux_buffer_params_v1_create(params, 64, 64, DRM_FORMAT_XRGB8888, 0);
    zwp_linux_buffer_params_v1_create(params, 64, 64, DRM_FORMAT_XRGB8888, 0);
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_ALREADY_USED);
}

TEST_F(DmabufTest, MemfdIsRefusedWithFailed) {
    auto client = connect();
    auto *params = client->params();
    CreateResult result;
    zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &result);
    add_plane(params, memfd_of(64 * 256), 0, 0, 256);
    zwp_linux_buffer_params_v1_create(params, 64, 64, DRM_FORMAT_XRGB8888, 0);
    ASSERT_NE(client->roundtrip(), -1);
    EXPECT_TRUE(result.failed);
    EXPECT_FALSE(result.created);
    client->destroy(params);
    EXPECT_NE(client->roundtrip(), -1); // not fatal
}

TEST_F(DmabufTest, InterlacedIsFailed) {
    auto client = connect();
    auto *params = client->params();
    CreateResult result;
    zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &result);
    add_plane(params, memfd_of(64 * 256), 0, 0, 256);
    zwp_linux_buffer_params_v1_create(params, 64, 64, DRM_FORMAT_XRGB8888,
                                      ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_INTERLACED);
    ASSERT_NE(client->roundtrip(), -1);
    EXPECT_TRUE(result.failed);
}

TEST_F(DmabufTest, CreateImmedWithAMemfdIsInvalidWlBuffer) {
    auto client = connect();
    auto *params = client->params();
    add_plane(params, memfd_of(64 * 256), 0, 0, 256);
    client->own(zwp_linux_buffer_params_v1_create_immed(params, 64, 64, DRM_FORMAT_XRGB8888, 0));
    expect_error(*client, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_WL_BUFFER);
}

TEST_F(DmabufTest, CreateImmedInterlacedIsFailedNotFatal) {
    auto client = connect();
    auto *params = client->params();
    CreateResult result;
    zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &result);
    add_plane(params, memfd_of(64 * 256), 0, 0, 256);
    wl_buffer *buffer = client->own(zwp_linux_buffer_params_v1_create_immed(params, 64, 64, DRM_FORMAT_XRGB8888,
                                                                ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_INTERLACED));
    ASSERT_NE(client->roundtrip(), -1);
    EXPECT_TRUE(result.failed);
    ASSERT_NE(buffer, nullptr);
    EXPECT_NE(client->roundtrip(), -1);
}

// Feedback as a client parses it.
struct ParsedFeedback {
    std::vector<std::pair<uint32_t, uint64_t>> table;
    bool main_device = false;
    dev_t main = 0;
    std::vector<std::vector<uint16_t>> tranches;
    std::vector<uint16_t> current;
    int done = 0;
};

const zwp_linux_dmabuf_feedback_v1_listener feedback_listener = {
    .done = [](void *data, zwp_linux_dmabuf_feedback_v1 *) { static_cast<ParsedFeedback *>(data)->done++; },
    .format_table =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *, int32_t fd, uint32_t size) {
            auto *parsed = static_cast<ParsedFeedback *>(data);
            parsed->table.clear();
            if (size > 0) {
                void *map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
                EXPECT_NE(map, MAP_FAILED);
                if (map != MAP_FAILED) {
                    for (uint32_t i = 0; i < size / 16; i++) {
                        uint32_t format;
                        uint64_t modifier;
                        memcpy(&format, static_cast<char *>(map) + i * 16, 4);
                        memcpy(&modifier, static_cast<char *>(map) + i * 16 + 8, 8);
                        parsed->table.emplace_back(format, modifier);
                    }
                    munmap(map, size);
                }
            }
            // Read-only: the client cannot write to the shared table.
            EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
            close(fd);
        },
    .main_device =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *, wl_array *device) {
            auto *parsed = static_cast<ParsedFeedback *>(data);
            EXPECT_EQ(device->size, sizeof(dev_t));
            parsed->main_device = true;
            memcpy(&parsed->main, device->data, sizeof(dev_t));
        },
    .tranche_done =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *) {
            auto *parsed = static_cast<ParsedFeedback *>(data);
            parsed->tranches.push_back(std::move(parsed->current));
            parsed->current.clear();
        },
    .tranche_target_device = [](void *, zwp_linux_dmabuf_feedback_v1 *, wl_array *) {},
    .tranche_formats =
        [](void *data, zwp_linux_dmabuf_feedback_v1 *, wl_array *indices) {
            auto *parsed = static_cast<ParsedFeedback *>(data);
            auto *begin = static_cast<uint16_t *>(indices->data);
            parsed->current.insert(parsed->current.end(), begin, begin + indices->size / sizeof(uint16_t));
        },
    .tranche_flags = [](void *, zwp_linux_dmabuf_feedback_v1 *, uint32_t) {},
};

void expect_valid_feedback(const ParsedFeedback &parsed) {
    EXPECT_EQ(parsed.done, 1);
    EXPECT_TRUE(parsed.main_device);
    ASSERT_FALSE(parsed.table.empty());
    ASSERT_FALSE(parsed.tranches.empty());
    std::set<uint16_t> used;
    for (const auto &tranche : parsed.tranches) {
        std::set<uint16_t> seen;
        for (uint16_t index : tranche) {
            EXPECT_LT(index, parsed.table.size());
            EXPECT_TRUE(seen.insert(index).second) << "duplicate pair in a tranche";
            used.insert(index);
        }
    }
    // Default feedback: the table is exactly the advertised pairs.
    EXPECT_EQ(used.size(), parsed.table.size());
    // CPU importer: LINEAR, and implicit (read as linear) for EGL stacks
    // that report no modifiers.
    for (const auto &[format, modifier] : parsed.table) {
        EXPECT_TRUE(modifier == linear || modifier == DRM_FORMAT_MOD_INVALID) << std::hex << modifier;
    }
    for (uint64_t modifier : {linear, uint64_t{DRM_FORMAT_MOD_INVALID}}) {
        EXPECT_NE(std::find(parsed.table.begin(), parsed.table.end(), std::pair{DRM_FORMAT_XRGB8888, modifier}),
                  parsed.table.end());
    }
}

TEST_F(DmabufTest, DefaultFeedbackParses) {
    auto client = connect();
    ParsedFeedback parsed;
    auto *feedback = client->own(zwp_linux_dmabuf_v1_get_default_feedback(client->dmabuf));
    zwp_linux_dmabuf_feedback_v1_add_listener(feedback, &feedback_listener, &parsed);
    ASSERT_NE(client->roundtrip(), -1);
    expect_valid_feedback(parsed);
    EXPECT_NE(std::find(parsed.table.begin(), parsed.table.end(), std::pair{DRM_FORMAT_XRGB8888, linear}),
              parsed.table.end());
}

TEST_F(DmabufTest, SurfaceFeedbackParsesAndSurvivesItsSurface) {
    auto client = connect();
    ASSERT_NE(client->compositor, nullptr);
    wl_surface *surface = wl_compositor_create_surface(client->compositor);
    ParsedFeedback parsed;
    auto *feedback = zwp_linux_dmabuf_v1_get_surface_feedback(client->dmabuf, surface);
    ASSERT_NE(feedback, nullptr);
    zwp_linux_dmabuf_feedback_v1_add_listener(feedback, &feedback_listener, &parsed);
    ASSERT_NE(client->roundtrip(), -1);
    expect_valid_feedback(parsed);
    wl_surface_destroy(surface);
    ASSERT_NE(client->roundtrip(), -1);
    zwp_linux_dmabuf_feedback_v1_destroy(feedback); // inert, still destroyable
    EXPECT_NE(client->roundtrip(), -1);
}

TEST_F(DmabufTest, Version3GetsModifierEvents) {
    struct Seen {
        int formats = 0;
        int modifiers = 0;
    } seen;
    static const zwp_linux_dmabuf_v1_listener listener = {
        .format = [](void *data, zwp_linux_dmabuf_v1 *, uint32_t) { static_cast<Seen *>(data)->formats++; },
        .modifier = [](void *data, zwp_linux_dmabuf_v1 *, uint32_t, uint32_t,
                       uint32_t) { static_cast<Seen *>(data)->modifiers++; },
    };
    auto *display = wl_display_connect(planar_.socket_path().c_str());
    ASSERT_NE(display, nullptr);
    struct Bind {
        zwp_linux_dmabuf_v1 *dmabuf = nullptr;
    } bind;
    static const wl_registry_listener registry_listener = {
        .global = [](void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t) {
            if (strcmp(interface, zwp_linux_dmabuf_v1_interface.name) == 0) {
                static_cast<Bind *>(data)->dmabuf = static_cast<zwp_linux_dmabuf_v1 *>(
                    wl_registry_bind(registry, name, &zwp_linux_dmabuf_v1_interface, 3));
            }
        },
        .global_remove = [](void *, wl_registry *, uint32_t) {},
    };
    wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, &bind);
    wl_display_roundtrip(display);
    ASSERT_NE(bind.dmabuf, nullptr);
    zwp_linux_dmabuf_v1_add_listener(bind.dmabuf, &listener, &seen);
    wl_display_roundtrip(display);
    EXPECT_GT(seen.formats, 0);
    EXPECT_EQ(seen.modifiers, 2 * seen.formats); // LINEAR and implicit per format on the CPU path
    wl_proxy_destroy(reinterpret_cast<wl_proxy *>(bind.dmabuf));
    wl_registry_destroy(registry);
    wl_display_disconnect(display);
}

TEST_F(DmabufTest, WaylandInfoShowsTheGlobal) {
    if (!harness::on_path("wayland-info")) GTEST_SKIP() << "wayland-info not installed (package wayland-utils)";
    auto result = planar_.run({"wayland-info", "-i", "zwp_linux_dmabuf_v1"});
    ASSERT_EQ(result.status, 0) << result.describe();
    EXPECT_NE(result.out.find("'zwp_linux_dmabuf_v1',"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("version:  5"), std::string::npos) << result.out;
    // Without any DRM node, dma-heap or udmabuf main_device is dev_t 0, which
    // wayland-info 1.1 takes for "no feedback" (server.cpp explains the
    // choice); where a device exists it prints the tranche.
    bool has_device = access("/dev/dri", F_OK) == 0 || access("/dev/dma_heap/system", F_OK) == 0 ||
                      access("/dev/udmabuf", F_OK) == 0;
    if (has_device) {
        EXPECT_NE(result.out.find("main device:"), std::string::npos) << result.out;
        EXPECT_NE(result.out.find("'XR24'; 0x0000000000000000 = LINEAR"), std::string::npos) << result.out;
    }
}

int count_fds(pid_t pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/fd";
    DIR *dir = opendir(path.c_str());
    if (dir == nullptr) return -1;
    int count = 0;
    while (dirent *entry = readdir(dir)) {
        if (entry->d_name[0] != '.') count++;
    }
    closedir(dir);
    return count;
}

TEST_F(DmabufTest, ThousandParamsCyclesLeakNoFd) {
    auto client = connect();
    ucred cred{};
    socklen_t len = sizeof cred;
    ASSERT_EQ(getsockopt(wl_display_get_fd(client->display()), SOL_SOCKET, SO_PEERCRED, &cred, &len), 0);
    ASSERT_NE(client->roundtrip(), -1);
    int before = count_fds(cred.pid);
    ASSERT_GT(before, 0);
    for (int i = 0; i < 1000; i++) {
        auto *params = client->params();
        CreateResult result;
        zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &result);
        add_plane(params, memfd_of(64 * 256), 0, 0, 256);
        if (i % 2 == 0) zwp_linux_buffer_params_v1_create(params, 64, 64, DRM_FORMAT_XRGB8888, 0);
        client->destroy(params);
        if (i % 50 == 0) {
            ASSERT_NE(client->roundtrip(), -1);
        }
    }
    ASSERT_NE(client->roundtrip(), -1);
    EXPECT_EQ(count_fds(cred.pid), before);
}

} // namespace
