// Integration harness: runs planar on a private XDG_RUNTIME_DIR and drives it
// with subprocesses (Debian's Wayland tools, our solid_window client) and the
// in-process TestClient. Owns every process it starts; none outlives a test.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <gtest/gtest.h>

namespace harness {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Exit status the way a shell reports it: the code, or 128 + signal.
int exit_status_from_wait(int wait_status);

// Polls `condition` (which should be cheap) until it holds or `timeout` ends.
// For conditions with no fd to wait on: a socket file, a lock file.
bool wait_for(const std::function<bool()> &condition, std::chrono::milliseconds timeout);

// Path of a program from meson (env var `name`), or empty with a test failure.
std::string program_from_env(const char *name);

// True when `program` is found on PATH.
bool on_path(const std::string &program);

struct RunResult {
    int status = -1;        // exit code, or 128 + signal
    bool timed_out = false; // killed by the harness at the deadline
    std::string out;
    std::string err;
    std::string describe() const; // for assertion messages
};

// A background process with stdout and stderr sent to a log file. Stopped
// with SIGTERM (then SIGKILL after a grace period) when destroyed.
class Process {
public:
    Process() = default;
    Process(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
    ~Process();
    Process(Process &&other) noexcept;
    Process &operator=(Process &&other) noexcept;
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;

    bool running();
    // Waits for the process to exit by itself; nullopt at the deadline.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    // SIGTERM, then wait; SIGKILL after `grace`. Returns the exit status.
    int terminate(std::chrono::milliseconds grace = 10s);
    pid_t pid() const { return pid_; }
    const std::string &log_path() const { return log_path_; }

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::string log_path_;
};

// One planar instance and the private runtime directory it lives in. Every
// process started through it sees XDG_RUNTIME_DIR, WAYLAND_DISPLAY and an
// empty XDG_CONFIG_HOME, so the host's settings cannot leak into a test.
// In the `extra_env` maps below, an empty value unsets the variable.
class Compositor {
public:
    Compositor();  // creates the runtime directory only
    ~Compositor(); // stops everything and removes the directory

    // Starts planar with `args` plus --socket; waits for the socket unless
    // `wait_socket` is false. Returns false (with a test failure) if planar
    // exits first or the socket never appears.
    bool start(const std::vector<std::string> &args, bool wait_socket = true,
               const std::map<std::string, std::string> &extra_env = {});
    // SIGTERM; returns planar's exit status.
    int stop();
    // For planar started with --exit-with-client: its own exit.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout) { return planar_.wait_exit(timeout); }
    bool running() { return planar_.running(); }

    // Runs argv to completion (killed at `timeout`), capturing its output.
    RunResult run(const std::vector<std::string> &argv, std::chrono::milliseconds timeout = 30s,
                  const std::map<std::string, std::string> &extra_env = {});
    // Starts argv in the background; its output goes to `<name>.log`, which
    // the sanitizer scan and the failure dump read like planar's own log.
    Process spawn(const std::string &name, const std::vector<std::string> &argv,
                  const std::map<std::string, std::string> &extra_env = {});

    const std::string &runtime_dir() const { return runtime_dir_; }
    const std::string &socket_name() const { return socket_; }
    std::string socket_path() const { return runtime_dir_ + "/" + socket_; }
    std::string path(const std::string &file) const { return runtime_dir_ + "/" + file; }

    // To call from TearDown: stops planar if still running, fails the test if
    // any log holds a sanitizer report, and prints every log if it failed.
    void finish_test();

private:
    std::vector<std::string> environment(const std::map<std::string, std::string> &extra) const;
    void check_sanitizer_reports();
    void dump_logs();

    std::string runtime_dir_;
    std::string socket_ = "planar-test";
    Process planar_;
    bool finished_ = false;
};

// The fixture every integration test uses: one Compositor, finished in TearDown.
class PlanarTest : public ::testing::Test {
protected:
    void TearDown() override { planar_.finish_test(); }

    // The usual instance: one 1280x720@60 headless output, pixman for exact pixels.
    bool start_headless(const std::vector<std::string> &extra = {});

    Compositor planar_;
};

} // namespace harness
