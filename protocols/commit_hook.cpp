#include "commit_hook.hpp"

#include <wayland-server-protocol.h>

#include "log.hpp"

namespace proto {

CommitHook::CommitHook(wl_display *display) {
    logger_ = wl_display_add_protocol_logger(display, &CommitHook::log, this);
    if (logger_ == nullptr) plog::error(plog::Scope::sync, "cannot add the commit hook: commit-time checks are off");
}

CommitHook::~CommitHook() {
    if (logger_ != nullptr) wl_protocol_logger_destroy(logger_);
}

void CommitHook::log(void *data, wl_protocol_logger_type type, const wl_protocol_logger_message *message) {
    // closure->message points into the resource's interface: for a wl_surface
    // that is libwayland's own wl_surface_interface.
    if (type != WL_PROTOCOL_LOGGER_REQUEST || message->message != &wl_surface_interface.methods[WL_SURFACE_COMMIT]) {
        return;
    }
    auto *self = static_cast<CommitHook *>(data);
    if (self->clients_.empty()) return;
    auto it = self->clients_.find(message->resource);
    if (it != self->clients_.end()) it->second->before_commit();
}

} // namespace proto
