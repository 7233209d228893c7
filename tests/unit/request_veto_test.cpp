// RequestVeto on a real libwayland connection: a test-local wl_compositor
// hands out wl_regions whose requests the test vets, and a client in the
// same thread sends them. What is asserted is what the region's handlers
// saw (a request ran or not, after which preparation) and what the client
// got (a protocol error or none).
#include <cerrno>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <wayland-client.h>
#include <wayland-server-protocol.h>

#include "request_veto.hpp"

namespace {

using planar::RequestVeto;
using Verdict = RequestVeto::Verdict;

// What ran, in order, on the server.
using Journal = std::vector<std::string>;

Journal &journal_of(wl_resource *resource) { return *static_cast<Journal *>(wl_resource_get_user_data(resource)); }

void region_destroy(wl_client *, wl_resource *resource) { wl_resource_destroy(resource); }
void region_add(wl_client *, wl_resource *resource, int32_t, int32_t, int32_t, int32_t) {
    journal_of(resource).push_back("add");
}
void region_subtract(wl_client *, wl_resource *resource, int32_t, int32_t, int32_t, int32_t) {
    journal_of(resource).push_back("subtract");
}
const struct wl_region_interface region_impl = {region_destroy, region_add, region_subtract};

void create_surface(wl_client *client, wl_resource *, uint32_t) { wl_client_post_no_memory(client); }
void create_region(wl_client *client, wl_resource *compositor, uint32_t id) {
    wl_resource *region = wl_resource_create(client, &wl_region_interface, 1, id);
    wl_resource_set_implementation(region, &region_impl, wl_resource_get_user_data(compositor), nullptr);
}
const struct wl_compositor_interface compositor_impl = {create_surface, create_region};

class RequestVetoTest : public ::testing::Test {
protected:
    void SetUp() override {
        int fds[2];
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        server_ = wl_display_create();
        veto_ = std::make_unique<RequestVeto>(server_);
        wl_global_create(server_, &wl_compositor_interface, 1, &journal_,
                         [](wl_client *client, void *data, uint32_t version, uint32_t id) {
            wl_resource *compositor = wl_resource_create(client, &wl_compositor_interface, version, id);
            wl_resource_set_implementation(compositor, &compositor_impl, data, nullptr);
        });
        ASSERT_NE(wl_client_create(server_, fds[0]), nullptr);
        client_ = wl_display_connect_to_fd(fds[1]);
        ASSERT_NE(client_, nullptr);

        wl_registry *registry = wl_display_get_registry(client_);
        static const wl_registry_listener listener{
            .global = [](void *data, wl_registry *r, uint32_t name, const char *, uint32_t) {
                *static_cast<wl_compositor **>(data) =
                    static_cast<wl_compositor *>(wl_registry_bind(r, name, &wl_compositor_interface, 1));
            },
            .global_remove = [](void *, wl_registry *, uint32_t) {},
        };
        wl_registry_add_listener(registry, &listener, &compositor_);
        pump();
        wl_registry_destroy(registry);
        ASSERT_NE(compositor_, nullptr);
        region_ = wl_compositor_create_region(compositor_);
        pump();
    }
    void TearDown() override {
        if (region_ != nullptr) wl_region_destroy(region_);
        if (compositor_ != nullptr) wl_compositor_destroy(compositor_);
        if (client_ != nullptr) wl_display_disconnect(client_);
        wl_display_destroy_clients(server_);
        veto_.reset();
        wl_display_destroy(server_);
    }

    // Client and server in turn until both have read what the other sent.
    void pump() {
        for (int round = 0; round < 4; round++) {
            wl_display_flush(client_);
            wl_event_loop_dispatch(wl_display_get_event_loop(server_), 0);
            wl_display_flush_clients(server_);
            if (wl_display_prepare_read(client_) != 0) {
                wl_display_dispatch_pending(client_);
                continue;
            }
            pollfd readable{wl_display_get_fd(client_), POLLIN, 0};
            if (poll(&readable, 1, 0) == 1) {
                wl_display_read_events(client_);
            } else {
                wl_display_cancel_read(client_);
            }
            wl_display_dispatch_pending(client_);
        }
    }

    // The code of the protocol error the client got on a wl_region, or -1.
    int region_error() {
        if (wl_display_get_error(client_) != EPROTO) return -1;
        const wl_interface *interface = nullptr;
        uint32_t code = wl_display_get_protocol_error(client_, &interface, nullptr);
        return interface != nullptr && std::string(interface->name) == "wl_region" ? static_cast<int>(code) : -2;
    }

    wl_display *server_ = nullptr;
    std::unique_ptr<RequestVeto> veto_;
    Journal journal_;
    wl_display *client_ = nullptr;
    wl_compositor *compositor_ = nullptr;
    wl_region *region_ = nullptr;
};

TEST_F(RequestVetoTest, ARequestWithoutARuleRuns) {
    veto_->add_rule("wl_region", "subtract", [](wl_resource *, const wl_argument *) { return Verdict::ignore("test"); });
    wl_region_add(region_, 0, 0, 1, 1);
    pump();
    EXPECT_EQ(journal_, Journal{"add"});
}

TEST_F(RequestVetoTest, APreparationRunsOnceEveryCheckAllowedJustBeforeTheRequest) {
    veto_->add_preparation("wl_region", "add", [this](wl_resource *, const wl_argument *args) {
        journal_.push_back("prepare " + std::to_string(args[2].i));
    });
    veto_->add_rule("wl_region", "add", [this](wl_resource *, const wl_argument *) {
        journal_.push_back("check");
        return Verdict::allow();
    });
    wl_region_add(region_, 0, 0, 5, 1);
    pump();
    EXPECT_EQ(journal_, (Journal{"check", "prepare 5", "add"}));
    EXPECT_EQ(region_error(), -1);
}

TEST_F(RequestVetoTest, AnIgnoredRequestRunsNeitherItselfNorItsPreparations) {
    bool ignore = true;
    veto_->add_rule("wl_region", "add", [&](wl_resource *, const wl_argument *) {
        return ignore ? Verdict::ignore("test") : Verdict::allow();
    });
    veto_->add_preparation("wl_region", "add", [this](wl_resource *, const wl_argument *) { journal_.push_back("prepare"); });
    wl_region_add(region_, 0, 0, 1, 1);
    pump();
    EXPECT_TRUE(journal_.empty());
    // The object keeps working: its next request runs.
    ignore = false;
    wl_region_add(region_, 0, 0, 1, 1);
    wl_region_subtract(region_, 0, 0, 1, 1);
    pump();
    EXPECT_EQ(journal_, (Journal{"prepare", "add", "subtract"}));
    EXPECT_EQ(region_error(), -1);
}

TEST_F(RequestVetoTest, TheFirstCheckThatDoesNotAllowDecides) {
    auto check = [this](std::string name, Verdict verdict) {
        return [this, name, verdict](wl_resource *, const wl_argument *) {
            journal_.push_back(name);
            return verdict;
        };
    };
    veto_->add_rule("wl_region", "add", check("first", Verdict::allow()));
    veto_->add_rule("wl_region", "add", [this](wl_resource *region, const wl_argument *) {
        journal_.push_back("second");
        return Verdict::error(region, 7, "test");
    });
    veto_->add_rule("wl_region", "add", check("third", Verdict::ignore("test")));
    wl_region_add(region_, 0, 0, 1, 1);
    pump();
    EXPECT_EQ(journal_, (Journal{"first", "second"}));
    EXPECT_EQ(region_error(), 7);
}

} // namespace
