// planar: entry point. Parses options and the config file, then runs Server.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config.hpp"
#include "log.hpp"
#include "options.hpp"
#include "server.hpp"

int main(int argc, char **argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    planar::ParsedOptions parsed = planar::parse_options(args);
    if (!parsed.error.empty()) {
        fprintf(stderr, "planar: %s\n", parsed.error.c_str());
        return 2;
    }
    const planar::Options &options = parsed.options;
    if (options.help) {
        fputs(planar::usage_text().c_str(), stdout);
        return 0;
    }
    if (options.version) {
        printf("planar %s\n", PLANAR_VERSION);
        return 0;
    }

    if (const char *scopes = std::getenv("PLANAR_DEBUG")) plog::enable_scopes(scopes);
    plog::init(options.debug);

    planar::ConfigResult config = planar::load_config(options.config_path);
    if (!config.error.empty()) plog::error(plog::Scope::config, "%s", config.error.c_str());

    // A client vanishing mid-write must not kill the compositor.
    signal(SIGPIPE, SIG_IGN);

    int status = 0;
    {
        planar::Server server(options, config.config);
        if (!server.init() || !server.start()) {
            return 1;
        }
        status = server.run();
    }
    plog::info(plog::Scope::core, "exiting with status %d", status);
    return status;
}
