// IpcServer: a unix socket beside the Wayland socket
// ($XDG_RUNTIME_DIR/<wayland socket>.planar) answering one-line text
// commands for planar-ctl and tests: `surfaces`, `outputs`, `version`.
// Each connection sends one command and gets the answer, then planar closes
// it. Read-only by design: it reports, it does not steer. The socket is the
// user's alone (0600); a connection that says nothing for 5 s, sends more
// than a command's worth without a newline, or is the oldest of too many (16)
// is closed, so no local client can hold planar's fds or its attention.
#pragma once

#include <list>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>

#include "unique_fd.hpp"

struct wl_event_source;

namespace planar {

class Server;

// The request side of the protocol, without sockets (fuzzed by
// fuzz/ipc_request.cpp): bytes in, at most one command line out.
class CommandReader {
public:
    // A command longer than this is not one of ours: the client is dropped.
    static constexpr size_t max_command = 256;
    enum class State { incomplete, complete, too_long };
    // Appends what arrived; once complete (or too long) more bytes change nothing.
    State feed(const char *data, size_t size);
    // The line, without its newline and trailing spaces or CRs (when complete).
    const std::string &command() const { return command_; }

private:
    std::string input_;
    std::string command_;
    State state_ = State::incomplete;
};

enum class Command { surfaces, outputs, version, unknown };
Command parse_command(const std::string &line);

// "move SURFACE X Y": puts the window of surface id SURFACE (as planar-ctl
// surfaces prints it) at layout position X, Y (its geometry's top-left).
struct MoveRequest {
    uint32_t surface = 0;
    int x = 0, y = 0;
};
std::optional<MoveRequest> parse_move(const std::string &line);

class IpcServer {
public:
    IpcServer(Server &server, std::string path);
    ~IpcServer();
    IpcServer(const IpcServer &) = delete;
    IpcServer &operator=(const IpcServer &) = delete;

    bool listening() const { return listen_source_ != nullptr; }
    const std::string &path() const { return path_; }

    // The socket path for a Wayland socket name.
    static std::string path_for(const std::string &wayland_socket);

private:
    struct Connection;
    static int handle_accept(int fd, uint32_t mask, void *data);
    static int handle_connection(int fd, uint32_t mask, void *data);
    static int handle_timeout(void *data);
    void close_connection(Connection *connection);
    std::string answer(const std::string &command);

    Server &server_;
    std::string path_;
    UniqueFd listen_fd_;
    wl_event_source *listen_source_ = nullptr;
    std::list<std::unique_ptr<Connection>> connections_;
};

} // namespace planar
