// Scoped logging over wlr_log. A scope (dmabuf, sync, kms, scene, input,
// output, config, client) is enabled for debug messages at run time through
// PLANAR_DEBUG=scope,scope (or "all"); errors and info always pass.
#pragma once

#include <string_view>

namespace plog {

enum class Scope : unsigned {
    core, dmabuf, sync, kms, scene, input, output, config, client, count
};

// Parses "dmabuf,sync" (or "all"); unknown names are reported and ignored.
void enable_scopes(std::string_view list);
bool enabled(Scope scope);
std::string_view scope_name(Scope scope);

// wlr_log verbosity: debug when -d was given or any scope is enabled.
void init(bool debug);

void write(int importance, Scope scope, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// Debug lines appear only when their scope is enabled; info and errors always.
void debug(Scope scope, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void info(Scope scope, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error(Scope scope, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

} // namespace plog
