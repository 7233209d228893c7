// Clauses of viewporter, primary-selection and wlr-gamma-control that
// wlroots 0.15 leaves open (compositor/protocol_rules.hpp). Each client here
// speaks the raw protocol; each test asserts what a client sees: the
// protocol error, the other client's primary selection, the failed event.
#include <memory>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "harness.hpp"
#include "primary-selection-unstable-v1-client-protocol.h"
#include "raw_client.hpp"
#include "unique_fd.hpp"
#include "viewporter-client-protocol.h"
#include "wlr-gamma-control-unstable-v1-client-protocol.h"

namespace {

using namespace std::chrono_literals;
using harness::PlanarTest;
using test_client::ProtocolError;
using test_client::RawClient;

wl_fixed_t fixed(int value) { return wl_fixed_from_int(value); }

// A new surface of `raw` with a viewport; {} without wp_viewporter.
struct ViewportSurface {
    wl_surface *surface = nullptr;
    wp_viewport *viewport = nullptr;
};
ViewportSurface viewport_surface(RawClient &raw) {
    auto *viewporter = raw.bind<wp_viewporter>(wp_viewporter_interface, 1);
    wl_surface *surface = raw.surface();
    if (viewporter == nullptr || surface == nullptr) return {};
    return {surface, raw.keep(wp_viewporter_get_viewport(viewporter, surface))};
}

// The error a client sees for its viewport's last commit.
void expect_out_of_buffer(RawClient &raw, wp_viewport *viewport) {
    ProtocolError error = raw.protocol_error();
    EXPECT_EQ(error.interface, "wp_viewport");
    EXPECT_EQ(error.code, static_cast<uint32_t>(WP_VIEWPORT_ERROR_OUT_OF_BUFFER));
    EXPECT_EQ(error.object_id, wl_proxy_get_id(reinterpret_cast<wl_proxy *>(viewport)));
}

// viewporter.xml: a source rectangle outside a non-NULL buffer is
// wp_viewport.out_of_buffer when the state is applied; one that fits, or any
// rectangle with no buffer, is not. Buffer coordinates are taken after
// buffer_scale.
TEST_F(PlanarTest, ViewportSourceOutsideTheBufferIsOutOfBuffer) {
    ASSERT_TRUE(start_headless());
    RawClient raw(planar_.socket_path());
    auto [surface, viewport] = viewport_surface(raw);
    ASSERT_NE(viewport, nullptr);
    // No buffer: no error, whatever the rectangle.
    wp_viewport_set_source(viewport, fixed(0), fixed(0), fixed(100), fixed(100));
    wl_surface_commit(surface);
    ASSERT_FALSE(raw.protocol_error().posted());
    // 64x64 buffer, the whole of it and a corner of it: no error.
    wl_surface_attach(surface, raw.shm_buffer(64, 64), 0, 0);
    wp_viewport_set_source(viewport, fixed(0), fixed(0), fixed(64), fixed(64));
    wl_surface_commit(surface);
    ASSERT_FALSE(raw.protocol_error().posted());
    wp_viewport_set_source(viewport, fixed(48), fixed(16), fixed(16), fixed(48));
    wl_surface_commit(surface);
    ASSERT_FALSE(raw.protocol_error().posted());
    // At scale 2 the same buffer is 32x32: 0,0 40x40 reaches past it.
    wl_surface_set_buffer_scale(surface, 2);
    wp_viewport_set_source(viewport, fixed(0), fixed(0), fixed(40), fixed(40));
    wl_surface_commit(surface);
    expect_out_of_buffer(raw, viewport);
}

// The same at scale 1, the rectangle starting inside and ending outside.
TEST_F(PlanarTest, ViewportSourcePartlyOutsideTheBufferIsOutOfBuffer) {
    ASSERT_TRUE(start_headless());
    RawClient raw(planar_.socket_path());
    auto [surface, viewport] = viewport_surface(raw);
    ASSERT_NE(viewport, nullptr);
    wl_surface_attach(surface, raw.shm_buffer(64, 64), 0, 0);
    wp_viewport_set_source(viewport, fixed(32), fixed(0), fixed(64), fixed(64));
    wl_surface_commit(surface);
    expect_out_of_buffer(raw, viewport);
}

// One client's primary selection device: the selections it is told of.
struct SelectionWatcher {
    int selection_events = 0;
    std::vector<std::string> mimes; // of the last selection offer
    zwp_primary_selection_offer_v1 *offer = nullptr;
    std::vector<std::string> next_mimes; // of the offer being announced

    void watch(zwp_primary_selection_device_v1 *device) {
        static const zwp_primary_selection_device_v1_listener listener{
            .data_offer = [](void *data, zwp_primary_selection_device_v1 *, zwp_primary_selection_offer_v1 *offer) {
                static const zwp_primary_selection_offer_v1_listener offer_listener{
                    .offer = [](void *data, zwp_primary_selection_offer_v1 *, const char *mime) {
                        static_cast<SelectionWatcher *>(data)->next_mimes.push_back(mime);
                    },
                };
                static_cast<SelectionWatcher *>(data)->next_mimes.clear();
                zwp_primary_selection_offer_v1_add_listener(offer, &offer_listener, data);
            },
            .selection = [](void *data, zwp_primary_selection_device_v1 *, zwp_primary_selection_offer_v1 *offer) {
                auto *self = static_cast<SelectionWatcher *>(data);
                self->selection_events++;
                if (self->offer != nullptr && self->offer != offer) zwp_primary_selection_offer_v1_destroy(self->offer);
                self->offer = offer;
                self->mimes = offer != nullptr ? self->next_mimes : std::vector<std::string>{};
            },
        };
        zwp_primary_selection_device_v1_add_listener(device, &listener, this);
    }
    ~SelectionWatcher() {
        if (offer != nullptr) zwp_primary_selection_offer_v1_destroy(offer);
    }
};

// wlroots checks a set_selection serial against the client's wl_seat and
// skips the check when the client has none: a client that released its
// wl_seat took the primary selection with any serial. The owner, with the
// keyboard focus, must keep its selection.
TEST_F(PlanarTest, PrimarySelectionFromAClientWithoutASeatIsIgnored) {
    ASSERT_TRUE(start_headless());
    RawClient owner(planar_.socket_path());
    auto *seat = owner.bind<wl_seat>(wl_seat_interface, 5);
    auto *manager = owner.bind<zwp_primary_selection_device_manager_v1>(zwp_primary_selection_device_manager_v1_interface, 1);
    ASSERT_TRUE(seat != nullptr && manager != nullptr);
    // A window over the whole output, and the pointer onto it: the enter's
    // serial is one wlroots gave the owner.
    RawClient::Toplevel window = owner.toplevel("selection-owner");
    ASSERT_TRUE(owner.map(window, 1280, 720));
    test_client::PointerEvents pointer;
    pointer.watch(owner.keep(wl_seat_get_pointer(seat)));
    ASSERT_TRUE(owner.roundtrip());
    auto moved = planar_.run({harness::program_from_env("PLANAR_VIRTUAL_POINTER_EXE"), "move", "600", "300", "move", "640", "360"}, 10s);
    ASSERT_EQ(moved.status, 0) << moved.describe();
    ASSERT_TRUE(owner.dispatch_until([&] { return pointer.enter_serial != 0; }, 5s)) << "no wl_pointer.enter";

    SelectionWatcher seen;
    auto *device = owner.keep(zwp_primary_selection_device_manager_v1_get_device(manager, seat));
    seen.watch(device);
    auto *source = owner.keep(zwp_primary_selection_device_manager_v1_create_source(manager));
    zwp_primary_selection_source_v1_offer(source, "text/x-planar-owner");
    bool cancelled = false;
    static const zwp_primary_selection_source_v1_listener source_listener{
        .send = [](void *, zwp_primary_selection_source_v1 *, const char *, int32_t fd) { UniqueFd owned(fd); },
        .cancelled = [](void *data, zwp_primary_selection_source_v1 *) { *static_cast<bool *>(data) = true; },
    };
    zwp_primary_selection_source_v1_add_listener(source, &source_listener, &cancelled);
    zwp_primary_selection_device_v1_set_selection(device, source, pointer.enter_serial);
    ASSERT_TRUE(owner.dispatch_until([&] { return seen.mimes == std::vector<std::string>{"text/x-planar-owner"}; }, 5s))
        << "the owner's own selection never reached it";
    const int events_before = seen.selection_events;

    // The other client releases its wl_seat, then sets a selection with
    // the owner's serial (not older than the selection's, so wlroots' own
    // "superseded" check lets it by).
    RawClient thief(planar_.socket_path());
    auto *thief_seat = thief.bind<wl_seat>(wl_seat_interface, 5);
    auto *thief_manager =
        thief.bind<zwp_primary_selection_device_manager_v1>(zwp_primary_selection_device_manager_v1_interface, 1);
    ASSERT_TRUE(thief_seat != nullptr && thief_manager != nullptr);
    auto *thief_device = thief.keep(zwp_primary_selection_device_manager_v1_get_device(thief_manager, thief_seat));
    wl_seat_release(thief_seat);
    thief.gone(thief_seat);
    ASSERT_TRUE(thief.roundtrip());
    auto *thief_source = thief.keep(zwp_primary_selection_device_manager_v1_create_source(thief_manager));
    zwp_primary_selection_source_v1_offer(thief_source, "text/x-planar-thief");
    zwp_primary_selection_device_v1_set_selection(thief_device, thief_source, pointer.enter_serial);
    EXPECT_FALSE(thief.protocol_error().posted()); // refused quietly: the spec names no error
    ASSERT_TRUE(owner.roundtrip());
    EXPECT_EQ(seen.selection_events, events_before) << "the owner was told of another selection";
    EXPECT_EQ(seen.mimes, std::vector<std::string>{"text/x-planar-owner"});
    EXPECT_FALSE(cancelled) << "the owner's selection was replaced";
}

// One client's gamma control of the first wl_output.
struct GammaClient {
    RawClient raw;
    zwlr_gamma_control_manager_v1 *manager = nullptr;
    wl_output *output = nullptr;

    explicit GammaClient(const std::string &socket) : raw(socket) {
        output = raw.bind<wl_output>(wl_output_interface, 1);
        manager = raw.bind<zwlr_gamma_control_manager_v1>(zwlr_gamma_control_manager_v1_interface, 1);
    }
    struct Control {
        zwlr_gamma_control_v1 *control = nullptr;
        uint32_t size = 0;
        bool failed = false;
    };
    // Heap-held: the listener's data.
    std::unique_ptr<Control> control() {
        auto c = std::make_unique<Control>();
        c->control = raw.keep(zwlr_gamma_control_manager_v1_get_gamma_control(manager, output));
        static const zwlr_gamma_control_v1_listener listener{
            .gamma_size = [](void *data, zwlr_gamma_control_v1 *, uint32_t size) { static_cast<Control *>(data)->size = size; },
            .failed = [](void *data, zwlr_gamma_control_v1 *) { static_cast<Control *>(data)->failed = true; },
        };
        zwlr_gamma_control_v1_add_listener(c->control, &listener, c.get());
        raw.roundtrip();
        return c;
    }
    // An identity ramp of `size` entries per colour.
    void set_identity(const Control &c) {
        const size_t bytes = 3 * c.size * sizeof(uint16_t);
        UniqueFd fd(memfd_create("gamma", MFD_CLOEXEC));
        std::vector<uint16_t> ramp(3 * c.size);
        for (size_t i = 0; i < ramp.size(); i++) ramp[i] = static_cast<uint16_t>((i % c.size) * 0xffff / (c.size - 1));
        if (!fd || write(fd.get(), ramp.data(), bytes) != static_cast<ssize_t>(bytes)) return;
        lseek(fd.get(), 0, SEEK_SET);
        zwlr_gamma_control_v1_set_gamma(c.control, fd.get());
        raw.roundtrip();
    }
};

// wlr-gamma-control: at most one control per output; a second one is sent
// failed, "another client already has exclusive gamma control". wlroots
// 0.15 sent failed to the first instead and let the second set the ramp.
TEST_F(PlanarTest, SecondGammaControlOfAnOutputFailsAndTheFirstKeepsIt) {
    ASSERT_TRUE(start_headless());
    GammaClient first_client(planar_.socket_path()), second_client(planar_.socket_path());
    ASSERT_TRUE(first_client.manager != nullptr && first_client.output != nullptr && second_client.manager != nullptr);
    auto first = first_client.control();
    ASSERT_FALSE(first->failed) << "the headless output takes a gamma ramp";
    ASSERT_EQ(first->size, 256u);
    auto second = second_client.control();
    EXPECT_TRUE(second->failed) << "a second control of the output was not sent failed";
    EXPECT_EQ(second->size, 0u);
    ASSERT_TRUE(first_client.raw.roundtrip());
    EXPECT_FALSE(first->failed) << "the first control lost the output";
    // The first still sets ramps.
    first_client.set_identity(*first);
    EXPECT_FALSE(first->failed);
    EXPECT_FALSE(first_client.raw.protocol_error().posted());
    EXPECT_FALSE(second_client.raw.protocol_error().posted());
    // Once the first goes, the output is free again.
    zwlr_gamma_control_v1_destroy(first->control);
    first_client.raw.gone(first->control);
    ASSERT_TRUE(first_client.raw.roundtrip());
    auto third = second_client.control();
    EXPECT_FALSE(third->failed);
    EXPECT_EQ(third->size, 256u);
}

} // namespace
