#include "protocol_rules.hpp"

namespace planar {

ProtocolRules::ProtocolRules(RequestVeto &veto) : veto_(veto) {
    add_viewporter_rules();
    add_primary_selection_rules();
    add_gamma_control_rules();
}

ProtocolRules::~ProtocolRules() = default;

} // namespace planar
