#include "log.hpp"

#include <array>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "wlr.hpp"

namespace plog {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Scope::count)> names = {
    "core", "dmabuf", "sync", "kms", "scene", "input", "output", "config", "client",
};

std::array<bool, static_cast<size_t>(Scope::count)> scopes_on{};

void vwrite(int importance, Scope scope, const char *fmt, va_list args) {
    char message[1024];
    vsnprintf(message, sizeof(message), fmt, args);
    _wlr_log(static_cast<wlr_log_importance>(importance), "[%s] %s",
             std::string(scope_name(scope)).c_str(), message);
}

} // namespace

std::string_view scope_name(Scope scope) { return names[static_cast<size_t>(scope)]; }

bool enabled(Scope scope) { return scopes_on[static_cast<size_t>(scope)]; }

void enable_scopes(std::string_view list) {
    while (!list.empty()) {
        size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (item.empty()) {
            continue;
        }
        if (item == "all") {
            scopes_on.fill(true);
            continue;
        }
        bool known = false;
        for (size_t i = 0; i < names.size(); i++) {
            if (names[i] == item) {
                scopes_on[i] = true;
                known = true;
            }
        }
        if (!known) {
            fprintf(stderr, "planar: unknown debug scope '%.*s' (known: core, dmabuf, sync, kms, "
                            "scene, input, output, config, client, all)\n",
                    static_cast<int>(item.size()), item.data());
        }
    }
}

void init(bool debug) {
    bool any = false;
    for (bool on : scopes_on) {
        any = any || on;
    }
    if (debug) {
        scopes_on.fill(true);
    }
    wlr_log_init(debug ? WLR_DEBUG : (any ? WLR_DEBUG : WLR_INFO), nullptr);
}

void write(int importance, Scope scope, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vwrite(importance, scope, fmt, args);
    va_end(args);
}

void debug(Scope scope, const char *fmt, ...) {
    if (!enabled(scope)) {
        return;
    }
    va_list args;
    va_start(args, fmt);
    vwrite(WLR_DEBUG, scope, fmt, args);
    va_end(args);
}

void info(Scope scope, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vwrite(WLR_INFO, scope, fmt, args);
    va_end(args);
}

void error(Scope scope, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vwrite(WLR_ERROR, scope, fmt, args);
    va_end(args);
}

} // namespace plog
