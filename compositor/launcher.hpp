// Launcher: starts clients (the command after "--", the terminal binding),
// reaps them on SIGCHLD, ends planar with the main client's status when
// --exit-with-client asks for it, and stops them all when planar exits.
#pragma once

#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

struct wl_event_source;

namespace planar {

class Server;

class Launcher {
public:
    explicit Launcher(Server &server);
    ~Launcher();
    Launcher(const Launcher &) = delete;
    Launcher &operator=(const Launcher &) = delete;

    bool start_main_client(const std::vector<std::string> &argv, bool exit_with_client);
    // Runs `command` through /bin/sh -c; returns the pid or -1.
    pid_t spawn_shell(const std::string &command);
    pid_t spawn(const std::vector<std::string> &argv);
    // SIGTERM to every child still running, then reap them (SIGKILL after 2 s).
    void shutdown();

private:
    void reap();
    static int handle_sigchld(int signal, void *data);

    Server &server_;
    wl_event_source *sigchld_ = nullptr;
    std::set<pid_t> children_;
    pid_t main_client_ = -1;
    bool exit_with_client_ = false;
};

// Exit status of a shell-like convention: the code, or 128 + signal.
int exit_status_from_wait(int wait_status);

} // namespace planar
