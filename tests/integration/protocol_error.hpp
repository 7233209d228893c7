// What a test client sees after the compositor posted a fatal error: the
// interface and the code, or {"", UINT32_MAX} when the connection is fine.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "raw_client.hpp"

namespace harness {

inline std::pair<std::string, uint32_t> protocol_error(wl_display *display) {
    test_client::ProtocolError error = test_client::protocol_error(display);
    return {error.interface, error.code};
}

} // namespace harness
