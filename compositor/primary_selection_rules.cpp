#include "protocol_rules.hpp"

namespace planar {

void ProtocolRules::add_primary_selection_rules() {
    // zwp_primary_selection_device_v1.set_selection(source, serial)
    veto_.add_rule("zwp_primary_selection_device_v1", "set_selection", [](wl_resource *resource, const wl_argument *) {
        auto *device = static_cast<wlr_primary_selection_v1_device *>(wl_resource_get_user_data(resource));
        if (device == nullptr) return RequestVeto::Verdict::allow(); // inert: wlroots ignores it
        // With a seat client wlroots checks the serial against the serials
        // it gave that client (wlr_seat_request_set_primary_selection).
        if (wlr_seat_client_for_wl_client(device->seat, wl_resource_get_client(resource)) != nullptr) {
            return RequestVeto::Verdict::allow();
        }
        return RequestVeto::Verdict::ignore("the client has no wl_seat: its serial cannot be checked");
    });
}

} // namespace planar
