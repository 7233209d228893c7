// OutputManager: zwlr_output_manager_v1, so that wlr-randr and kanshi can list
// outputs and change their mode, position, scale, transform and enabled state.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace planar {

class Server;

class OutputManager {
public:
    explicit OutputManager(Server &server);
    OutputManager(const OutputManager &) = delete;
    OutputManager &operator=(const OutputManager &) = delete;

    // Sends the current state of every output to the clients.
    void update();

private:
    // Tests (test_only) or applies a client's configuration, all or nothing.
    bool apply(wlr_output_configuration_v1 *config, bool test_only);

    Server &server_;
    wlr_output_manager_v1 *manager_;
    wl::Listener on_apply_, on_test_;
};

} // namespace planar
