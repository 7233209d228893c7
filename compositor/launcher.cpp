#include "launcher.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "log.hpp"
#include "server.hpp"

namespace planar {

int exit_status_from_wait(int wait_status) {
    if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
    return 1;
}

Launcher::Launcher(Server &server) : server_(server) {
    sigchld_ = wl_event_loop_add_signal(server_.event_loop(), SIGCHLD, handle_sigchld, this);
}

Launcher::~Launcher() {
    shutdown();
    if (sigchld_ != nullptr) wl_event_source_remove(sigchld_);
}

int Launcher::handle_sigchld(int, void *data) {
    static_cast<Launcher *>(data)->reap();
    return 0;
}

void Launcher::reap() {
    // Only planar's own clients, by pid: wlroots forks too (the process that
    // starts Xwayland) and waits for that child itself; a waitpid(-1) here
    // would take its status first, and wlroots would give up on the X server.
    std::vector<std::pair<pid_t, int>> exited;
    for (pid_t child : children_) {
        int status = 0;
        if (waitpid(child, &status, WNOHANG) == child) exited.emplace_back(child, status);
    }
    for (auto [pid, status] : exited) {
        children_.erase(pid);
        int code = exit_status_from_wait(status);
        plog::debug(plog::Scope::client, "child %d exited with status %d", pid, code);
        if (pid == main_client_) {
            main_client_ = -1;
            plog::info(plog::Scope::client, "client exited with status %d", code);
            if (exit_with_client_) server_.terminate(code);
        }
    }
}

pid_t Launcher::spawn(const std::vector<std::string> &argv) {
    if (argv.empty()) return -1;
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    // An exec failure is reported through a close-on-exec pipe, so that a
    // typo in the command is a clear message and not a silent exit 127.
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        plog::error(plog::Scope::client, "fork: %s", strerror(errno));
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        // wl_event_loop_add_signal blocked these in planar; clients get a clean mask.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        signal(SIGPIPE, SIG_DFL);
        setsid();
        execvp(args[0], args.data());
        int error = errno;
        ssize_t ignored = write(report[1], &error, sizeof(error));
        (void)ignored;
        _exit(127);
    }
    close(report[1]);
    int error = 0;
    ssize_t n = read(report[0], &error, sizeof(error));
    close(report[0]);
    if (n == sizeof(error)) {
        plog::error(plog::Scope::client, "cannot run '%s': %s", argv[0].c_str(), strerror(error));
        // The child exits 127 at once; SIGCHLD reaps it.
        children_.insert(pid);
        return -1;
    }
    children_.insert(pid);
    plog::debug(plog::Scope::client, "started '%s' as pid %d", argv[0].c_str(), pid);
    return pid;
}

pid_t Launcher::spawn_shell(const std::string &command) {
    if (command.empty()) return -1;
    return spawn({"/bin/sh", "-c", command});
}

bool Launcher::start_main_client(const std::vector<std::string> &argv, bool exit_with_client) {
    exit_with_client_ = exit_with_client;
    main_client_ = spawn(argv);
    if (main_client_ < 0) {
        if (exit_with_client) server_.terminate(127);
        return !exit_with_client;
    }
    return true;
}

void Launcher::shutdown() {
    if (children_.empty()) return;
    for (pid_t pid : children_) kill(pid, SIGTERM);
    timespec start{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (!children_.empty()) {
        // By pid, as in reap().
        for (auto it = children_.begin(); it != children_.end();) {
            pid_t pid = waitpid(*it, nullptr, WNOHANG);
            it = pid == *it || (pid < 0 && errno == ECHILD) ? children_.erase(it) : std::next(it);
        }
        if (children_.empty()) break;
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= 2) {
            for (pid_t child : children_) kill(child, SIGKILL);
            for (pid_t child : children_) waitpid(child, nullptr, 0);
            children_.clear();
            break;
        }
        usleep(10 * 1000);
    }
}

} // namespace planar
