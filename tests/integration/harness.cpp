#include "harness.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "unique_fd.hpp"

extern char **environ;

namespace harness {
namespace {

int ms_left(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for `pid` to exit: poll on a pidfd, so the wait ends the moment it
// exits. Kernels without pidfd_open (< 5.3) fall back to a WNOHANG loop.
std::optional<int> wait_child(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    for (;;) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return exit_status_from_wait(status);
        if (r < 0 && errno != EINTR) return std::nullopt; // not our child any more
        int left = ms_left(deadline);
        if (left == 0) return std::nullopt;
        if (pidfd) {
            pollfd p{pidfd.get(), POLLIN, 0};
            poll(&p, 1, left);
        } else {
            std::this_thread::sleep_for(std::min(10ms, std::chrono::milliseconds(left)));
        }
    }
}

// fork + exec with stdin from /dev/null, in its own process group so that a
// kill at a deadline also reaches what it started (timeout(1), sh -c ...).
pid_t fork_exec(const std::vector<std::string> &argv, const std::vector<std::string> &env, int out_fd,
                int err_fd) {
    std::vector<char *> args, envp;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    for (const auto &e : env) envp.push_back(const_cast<char *>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int null_fd = open("/dev/null", O_RDONLY);
        dup2(null_fd, STDIN_FILENO);
        dup2(out_fd, STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        execvpe(args[0], args.data(), envp.data());
        dprintf(STDERR_FILENO, "exec %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool socket_accepts(const std::string &path) {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path)) return false;
    strcpy(addr.sun_path, path.c_str());
    return connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
}

} // namespace

int exit_status_from_wait(int wait_status) {
    if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
    return -1;
}

bool wait_for(const std::function<bool()> &condition, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!condition()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

std::string program_from_env(const char *name) {
    const char *value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        ADD_FAILURE() << name << " is not set: run the suite through `meson test`";
        return {};
    }
    return value;
}

bool on_path(const std::string &program) {
    const char *path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    }
    return false;
}

std::string RunResult::describe() const {
    std::ostringstream s;
    s << "status " << status << (timed_out ? " (killed at the deadline)" : "") << "\n--- stdout ---\n"
      << out.substr(0, 4000) << "\n--- stderr ---\n" << err.substr(0, 4000);
    return s.str();
}

Process::~Process() {
    if (pid_ > 0 && !status_) terminate(5s);
}

Process::Process(Process &&other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(other.status_), log_path_(std::move(other.log_path_)) {}

Process &Process::operator=(Process &&other) noexcept {
    if (this != &other) {
        if (pid_ > 0 && !status_) terminate(5s);
        pid_ = std::exchange(other.pid_, -1);
        status_ = other.status_;
        log_path_ = std::move(other.log_path_);
    }
    return *this;
}

bool Process::running() {
    if (pid_ <= 0 || status_) return false;
    status_ = wait_child(pid_, 0ms);
    return !status_;
}

std::optional<int> Process::wait_exit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return std::nullopt;
    if (!status_) status_ = wait_child(pid_, timeout);
    return status_;
}

int Process::terminate(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return -1;
    if (!status_) {
        kill(pid_, SIGTERM);
        status_ = wait_child(pid_, grace);
        if (!status_) {
            ADD_FAILURE() << "pid " << pid_ << " ignored SIGTERM for " << grace.count() << " ms; killing it";
            kill(-pid_, SIGKILL);
            status_ = wait_child(pid_, 5s);
        }
    }
    return status_.value_or(-1);
}

Compositor::Compositor() {
    const char *tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/planar-it-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
        ADD_FAILURE() << "mkdtemp " << templ << ": " << strerror(errno);
        return;
    }
    // libwayland refuses a runtime directory others can read; mkdtemp gives 0700.
    chmod(templ.c_str(), 0700);
    runtime_dir_ = templ;
}

Compositor::~Compositor() {
    if (!finished_) finish_test();
    if (!runtime_dir_.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(runtime_dir_, ignored);
    }
}

std::vector<std::string> Compositor::environment(const std::map<std::string, std::string> &extra) const {
    std::map<std::string, std::string> vars;
    for (char **e = environ; *e != nullptr; e++) {
        std::string entry = *e;
        size_t eq = entry.find('=');
        if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    // The host's display must not leak in: `--backend auto` and every tool
    // would pick it up instead of the instance under test.
    vars.erase("DISPLAY");
    vars.erase("WAYLAND_SOCKET");
    vars["XDG_RUNTIME_DIR"] = runtime_dir_;
    vars["WAYLAND_DISPLAY"] = socket_;
    vars["XDG_CONFIG_HOME"] = runtime_dir_ + "/config"; // absent: planar uses its defaults
    for (const auto &[name, value] : extra) {
        if (value.empty()) {
            vars.erase(name);
        } else {
            vars[name] = value;
        }
    }
    std::vector<std::string> env;
    for (const auto &[name, value] : vars) env.push_back(name + "=" + value);
    return env;
}

bool Compositor::start(const std::vector<std::string> &args, bool wait_socket,
                       const std::map<std::string, std::string> &extra_env) {
    std::string exe = program_from_env("PLANAR_EXE");
    if (exe.empty() || runtime_dir_.empty()) return false;
    std::vector<std::string> argv{exe, "--socket", socket_};
    argv.insert(argv.end(), args.begin(), args.end());
    // planar's own environment has no WAYLAND_DISPLAY: it is the server here.
    std::map<std::string, std::string> env{{"WAYLAND_DISPLAY", ""}};
    for (const auto &[name, value] : extra_env) env[name] = value;
    planar_ = spawn("planar", argv, env);
    if (!wait_socket) return true;
    bool exited = false;
    bool ready = wait_for(
        [&] {
            exited = !planar_.running();
            return exited || socket_accepts(socket_path());
        },
        20s);
    if (exited) {
        ADD_FAILURE() << "planar exited with status " << planar_.wait_exit(0ms).value_or(-1)
                      << " before its socket was ready";
        return false;
    }
    if (!ready) ADD_FAILURE() << "planar's socket " << socket_path() << " did not appear within 20 s";
    return ready;
}

int Compositor::stop() { return planar_.terminate(); }

RunResult Compositor::run(const std::vector<std::string> &argv, std::chrono::milliseconds timeout,
                          const std::map<std::string, std::string> &extra_env) {
    RunResult result;
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        ADD_FAILURE() << "pipe2: " << strerror(errno);
        return result;
    }
    UniqueFd out_read(out_pipe[0]), out_write(out_pipe[1]), err_read(err_pipe[0]), err_write(err_pipe[1]);
    pid_t pid = fork_exec(argv, environment(extra_env), out_write.get(), err_write.get());
    out_write.reset();
    err_write.reset();
    auto deadline = Clock::now() + timeout;
    // Read both pipes until the child and everything it started close them.
    while (out_read || err_read) {
        pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
        int left = ms_left(deadline);
        if (left == 0 || poll(fds, 2, left) == 0) {
            result.timed_out = true;
            kill(-pid, SIGKILL);
            break;
        }
        UniqueFd *fd_of[2] = {&out_read, &err_read};
        std::string *text_of[2] = {&result.out, &result.err};
        for (int i = 0; i < 2; i++) {
            if (fds[i].revents == 0) continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof(buf));
            if (n > 0) {
                text_of[i]->append(buf, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                fd_of[i]->reset();
            }
        }
    }
    auto status = wait_child(pid, result.timed_out ? 5s : std::chrono::milliseconds(ms_left(deadline) + 1000));
    if (!status) {
        result.timed_out = true;
        kill(-pid, SIGKILL);
        status = wait_child(pid, 5s);
    }
    result.status = status.value_or(-1);
    return result;
}

Process Compositor::spawn(const std::string &name, const std::vector<std::string> &argv,
                          const std::map<std::string, std::string> &extra_env) {
    std::string log = path(name + ".log");
    UniqueFd log_fd(open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    pid_t pid = fork_exec(argv, environment(extra_env), log_fd.get(), log_fd.get());
    return Process(pid, log);
}

void Compositor::check_sanitizer_reports() {
    static const char *markers[] = {"ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer"};
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(runtime_dir_, ec)) {
        if (entry.path().extension() != ".log") continue;
        std::string text = read_file(entry.path());
        for (const char *marker : markers) {
            if (text.find(marker) != std::string::npos) {
                ADD_FAILURE() << entry.path().filename().string() << " holds a sanitizer report (\"" << marker
                              << "\")";
            }
        }
    }
}

void Compositor::dump_logs() {
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(runtime_dir_, ec)) {
        if (entry.path().extension() != ".log") continue;
        std::string text = read_file(entry.path());
        // The end of a log is where a crash or a sanitizer report is.
        if (text.size() > 20000) text = "[...]\n" + text.substr(text.size() - 20000);
        fprintf(stderr, "===== %s =====\n%s\n===== end of %s =====\n", entry.path().filename().c_str(),
                text.c_str(), entry.path().filename().c_str());
    }
}

void Compositor::finish_test() {
    finished_ = true;
    if (runtime_dir_.empty()) return;
    if (planar_.running()) {
        int status = stop();
        EXPECT_EQ(status, 0) << "planar did not exit cleanly on SIGTERM at the end of the test";
    }
    check_sanitizer_reports();
    if (::testing::Test::HasFailure()) dump_logs();
}

bool PlanarTest::start_headless(const std::vector<std::string> &extra) {
    std::vector<std::string> args{"--backend", "headless", "--output", "1280x720@60", "--renderer", "pixman"};
    args.insert(args.end(), extra.begin(), extra.end());
    return planar_.start(args);
}

} // namespace harness
