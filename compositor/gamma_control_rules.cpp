#include "protocol_rules.hpp"

#include "request.hpp"
#include "unique_fd.hpp"
#include "wlr-gamma-control-unstable-v1-protocol.h"

namespace planar {
namespace {

// A control that failed from the start: set_gamma is ignored.
void ignore_set_gamma(wl_client *, wl_resource *, int32_t fd) { UniqueFd owned(fd); }
const struct zwlr_gamma_control_v1_interface failed_control = {
    .set_gamma = ignore_set_gamma,
    .destroy = proto::destroy_request,
};

} // namespace

void ProtocolRules::add_gamma_control_rules() {
    // zwlr_gamma_control_manager_v1.get_gamma_control(id, output)
    veto_.add_rule("zwlr_gamma_control_manager_v1", "get_gamma_control", [](wl_resource *resource, const wl_argument *args) {
        auto *manager = static_cast<wlr_gamma_control_manager_v1 *>(wl_resource_get_user_data(resource));
        wlr_output *output = wlr_output_from_resource(reinterpret_cast<wl_resource *>(args[1].o));
        if (manager == nullptr || output == nullptr) return RequestVeto::Verdict::allow(); // wlroots fails it
        bool taken = false;
        wlr_gamma_control_v1 *control;
        wl_list_for_each(control, &manager->controls, link) taken |= control->output == output;
        if (!taken) return RequestVeto::Verdict::allow();
        // wlr-gamma-control: at most one control per output, with exclusive
        // access; failed when "another client already has exclusive gamma
        // control for this output". The new id is bound here, as the
        // request does not run.
        wl_resource *failed = proto::create_resource(wl_resource_get_client(resource), &zwlr_gamma_control_v1_interface,
                                                     wl_resource_get_version(resource), args[0].n);
        if (failed != nullptr) {
            wl_resource_set_implementation(failed, &failed_control, nullptr, nullptr);
            zwlr_gamma_control_v1_send_failed(failed);
        }
        return RequestVeto::Verdict::ignore(std::string("output ") + output->name + " has a gamma control already");
    });
}

} // namespace planar
