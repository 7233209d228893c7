// ProtocolRules: clauses of three protocols that wlroots 0.15 serves for
// planar and leaves open (none is a crash; an audit found them). Each is
// answered as its spec says:
// - wp_viewport (viewporter.xml): a source rectangle partly or wholly
//   outside a non-NULL buffer is wp_viewport.out_of_buffer, posted on the
//   wp_viewport when the surface state is applied. wlroots 0.15 compares the
//   rectangle with the pending state after the commit has moved the buffer
//   out of it, so it never posts the error. Checked on
//   wlr_surface.events.commit, which wlroots emits just after it applied the
//   state (for a synchronized sub-surface, when its parent's commit applies
//   it); viewporter_rules.cpp.
// - zwp_primary_selection_device_v1.set_selection from a client that has no
//   wl_seat (it released it): ignored, as a request with a serial planar
//   cannot check. wlroots checks the serial against the client's seat
//   client and skips the check when there is none, so such a client took
//   the primary selection with any serial; primary_selection_rules.cpp.
// - zwlr_gamma_control_manager_v1.get_gamma_control for an output that has
//   a gamma control: the new control is sent failed at once and the first
//   keeps its exclusive access (the spec: at most one control per output;
//   failed when another client has it). wlroots 0.15 sent failed to the
//   first and let the new one, never told its gamma_size, set the ramp;
//   gamma_control_rules.cpp.
// The requests are seen before they run through the server's RequestVeto.
#pragma once

#include <memory>
#include <unordered_map>

#include "listener.hpp"
#include "request_veto.hpp"
#include "wlr.hpp"

namespace planar {

class ProtocolRules {
public:
    explicit ProtocolRules(RequestVeto &veto);
    ~ProtocolRules();
    ProtocolRules(const ProtocolRules &) = delete;
    ProtocolRules &operator=(const ProtocolRules &) = delete;

private:
    class Viewport;
    void add_viewporter_rules();
    void add_primary_selection_rules();
    void add_gamma_control_rules();
    // Meets the wp_viewport resources wlroots makes for `client`.
    void watch_resources_of(wl_client *client);
    void resource_created(wl_resource *resource);

    RequestVeto &veto_;
    // The wp_viewporter.get_viewport being run now: the id wlroots is about
    // to create and the wl_surface it is for.
    struct Making {
        wl_client *client = nullptr;
        uint32_t id = 0;
        wl_resource *surface = nullptr;
    } making_;
    // Clients that asked for a viewport, until they go.
    struct Watch {
        wl::Listener created, destroyed;
    };
    std::unordered_map<wl_client *, std::unique_ptr<Watch>> watches_;
};

} // namespace planar
