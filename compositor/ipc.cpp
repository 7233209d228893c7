#include "ipc.hpp"

#include <cstdio>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "inspect.hpp"
#include "log.hpp"
#include "server.hpp"

namespace planar {

// A local client may not hold planar's fds: past this many connections at
// once the oldest is closed; one that has not finished within this long
// (said nothing, or read nothing) is closed.
constexpr size_t max_connections = 16;
constexpr int idle_timeout_ms = 5000;

struct IpcServer::Connection {
    IpcServer *owner = nullptr;
    UniqueFd fd;
    wl_event_source *source = nullptr;
    wl_event_source *timeout = nullptr;
    CommandReader reader;
    std::string output;
    size_t written = 0;
    bool answering = false;
};

CommandReader::State CommandReader::feed(const char *data, size_t size) {
    if (state_ != State::incomplete) return state_;
    input_.append(data, size);
    size_t newline = input_.find('\n');
    if (newline == std::string::npos) {
        if (input_.size() > max_command) state_ = State::too_long;
        return state_;
    }
    if (newline > max_command) return state_ = State::too_long;
    command_ = input_.substr(0, newline);
    while (!command_.empty() && (command_.back() == '\r' || command_.back() == ' ')) command_.pop_back();
    input_.clear();
    return state_ = State::complete;
}

Command parse_command(const std::string &line) {
    if (line == "surfaces") return Command::surfaces;
    if (line == "outputs") return Command::outputs;
    if (line == "version") return Command::version;
    return Command::unknown;
}

std::optional<MoveRequest> parse_move(const std::string &line) {
    MoveRequest request;
    unsigned surface = 0;
    int x = 0, y = 0, used = 0;
    if (sscanf(line.c_str(), "move %u %d %d%n", &surface, &x, &y, &used) != 3 || static_cast<size_t>(used) != line.size()) {
        return std::nullopt;
    }
    // Layout coordinates stay far from int overflow in wlroots' box maths.
    if (surface == 0 || x < -1'000'000 || x > 1'000'000 || y < -1'000'000 || y > 1'000'000) return std::nullopt;
    request.surface = surface;
    request.x = x;
    request.y = y;
    return request;
}

std::string IpcServer::path_for(const std::string &wayland_socket) {
    const char *runtime = std::getenv("XDG_RUNTIME_DIR");
    return std::string(runtime != nullptr ? runtime : "/tmp") + "/" + wayland_socket + ".planar";
}

IpcServer::IpcServer(Server &server, std::string path) : server_(server), path_(std::move(path)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(address.sun_path)) {
        plog::error(plog::Scope::core, "ipc: socket path too long: %s", path_.c_str());
        return;
    }
    strcpy(address.sun_path, path_.c_str());
    listen_fd_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    // A stale socket of a crashed planar with the same Wayland socket name:
    // the Wayland socket's lock file already proved no planar owns it now.
    unlink(path_.c_str());
    if (!listen_fd_ || bind(listen_fd_.get(), reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0 ||
        listen(listen_fd_.get(), 8) != 0) {
        plog::error(plog::Scope::core, "ipc: cannot listen on %s: %s", path_.c_str(), strerror(errno));
        listen_fd_.reset();
        return;
    }
    // Only the user: the runtime directory usually is 0700 already, but the
    // socket does not rely on it (a --socket in a shared directory).
    if (chmod(path_.c_str(), 0600) != 0) {
        plog::error(plog::Scope::core, "ipc: chmod %s: %s", path_.c_str(), strerror(errno));
    }
    listen_source_ = wl_event_loop_add_fd(server_.event_loop(), listen_fd_.get(), WL_EVENT_READABLE,
                                          handle_accept, this);
}

IpcServer::~IpcServer() {
    while (!connections_.empty()) close_connection(connections_.front().get());
    if (listen_source_ != nullptr) {
        wl_event_source_remove(listen_source_);
        unlink(path_.c_str());
    }
}

int IpcServer::handle_accept(int fd, uint32_t, void *data) {
    auto *self = static_cast<IpcServer *>(data);
    UniqueFd client(accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!client) return 0;
    if (self->connections_.size() >= max_connections) {
        // The oldest goes: a flood of silent connections cannot lock the
        // socket against a planar-ctl that asks and reads at once.
        plog::info(plog::Scope::core, "ipc: %zu connections open, closing the oldest", self->connections_.size());
        self->close_connection(self->connections_.front().get());
    }
    auto connection = std::make_unique<Connection>();
    connection->owner = self;
    connection->fd = std::move(client);
    connection->source = wl_event_loop_add_fd(self->server_.event_loop(), connection->fd.get(), WL_EVENT_READABLE,
                                              handle_connection, connection.get());
    if (connection->source == nullptr) return 0;
    connection->timeout = wl_event_loop_add_timer(self->server_.event_loop(), handle_timeout, connection.get());
    if (connection->timeout != nullptr) wl_event_source_timer_update(connection->timeout, idle_timeout_ms);
    self->connections_.push_back(std::move(connection));
    return 0;
}

int IpcServer::handle_timeout(void *data) {
    auto *c = static_cast<Connection *>(data);
    plog::info(plog::Scope::core, "ipc: a connection idle for %d ms closed", idle_timeout_ms);
    c->owner->close_connection(c);
    return 0;
}

void IpcServer::close_connection(Connection *connection) {
    wl_event_source_remove(connection->source);
    if (connection->timeout != nullptr) wl_event_source_remove(connection->timeout);
    connections_.remove_if([connection](const auto &c) { return c.get() == connection; });
}

int IpcServer::handle_connection(int fd, uint32_t mask, void *data) {
    auto *c = static_cast<Connection *>(data);
    IpcServer *self = c->owner;
    if (!c->answering) {
        char buffer[128];
        ssize_t n = read(fd, buffer, sizeof(buffer));
        if (n <= 0 && !(n < 0 && errno == EAGAIN)) {
            self->close_connection(c);
            return 0;
        }
        CommandReader::State state = c->reader.feed(buffer, n > 0 ? static_cast<size_t>(n) : 0);
        if (state == CommandReader::State::too_long) {
            self->close_connection(c);
            return 0;
        }
        if (state == CommandReader::State::incomplete) return 0;
        c->output = self->answer(c->reader.command());
        c->answering = true;
        wl_event_source_fd_update(c->source, WL_EVENT_WRITABLE);
    }
    if (c->answering && ((mask & WL_EVENT_WRITABLE) || c->written == 0)) {
        ssize_t n = send(fd, c->output.data() + c->written, c->output.size() - c->written, MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN) return 0;
        if (n <= 0) {
            self->close_connection(c);
            return 0;
        }
        c->written += static_cast<size_t>(n);
        if (c->written == c->output.size()) self->close_connection(c);
    }
    return 0;
}

std::string IpcServer::answer(const std::string &command) {
    switch (parse_command(command)) {
    case Command::surfaces: return describe_surfaces(server_);
    case Command::outputs: return describe_outputs(server_);
    case Command::version: return std::string("planar ") + PLANAR_VERSION + "\n";
    case Command::unknown: break;
    }
    if (auto move = parse_move(command)) return move_surface(server_, move->surface, move->x, move->y);
    return "error: unknown command '" + command + "' (known: surfaces, outputs, version, move SURFACE X Y)\n";
}

} // namespace planar
