#include "protocol_rules.hpp"

namespace planar {

ProtocolRules::ProtocolRules(wl_display *display) : veto_(display) {
    add_viewporter_rules();
    add_primary_selection_rules();
    add_gamma_control_rules();
}

ProtocolRules::~ProtocolRules() = default;

} // namespace planar
