// CommitHook: runs planar's commit-time checks of a wl_surface.commit before
// wlroots applies or caches that commit, so that an explicit-sync protocol can
// post its commit-time errors and lock the pending state
// (wlr_surface_lock_pending) while the commit is still pending.
//
// Why a protocol logger: wlroots 0.15 emits wlr_surface.events.commit after
// it applied (or cached) the state and has no earlier signal, and its
// wl_surface implementation cannot be swapped (wlr_surface_from_resource
// checks the implementation pointer). libwayland's
// wl_display_add_protocol_logger is documented and, in 1.21
// (wayland-server.c, wl_client_connection_data), calls its loggers for every
// request after demarshalling and before wl_closure_invoke. It runs for every
// message of every client, so the callback is one pointer comparison (the
// message is wl_surface.commit) and one hash lookup for those only.
// Errors posted from the hook reach the client; wlroots then still runs its
// commit on a client that is already being disconnected.
#pragma once

#include <unordered_map>

#include "wlr.hpp"

namespace proto {

class CommitHook {
public:
    // Called just before wlroots handles wl_surface.commit of its surface.
    class Client {
    public:
        virtual void before_commit() = 0;

    protected:
        ~Client() = default;
    };

    explicit CommitHook(wl_display *display);
    ~CommitHook();
    CommitHook(const CommitHook &) = delete;
    CommitHook &operator=(const CommitHook &) = delete;

    // One client per wl_surface resource; remove it before it goes away.
    void add(wl_resource *surface, Client *client) { clients_[surface] = client; }
    void remove(wl_resource *surface) { clients_.erase(surface); }
    Client *find(wl_resource *surface) const {
        auto it = clients_.find(surface);
        return it == clients_.end() ? nullptr : it->second;
    }

private:
    static void log(void *data, wl_protocol_logger_type type, const wl_protocol_logger_message *message);

    wl_protocol_logger *logger_ = nullptr;
    std::unordered_map<wl_resource *, Client *> clients_;
};

} // namespace proto
