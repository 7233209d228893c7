// ServerThread: runs a planar::Server's event loop on a thread of its own.
// WLCS needs one: its start() hook must return with the compositor running,
// and the test then makes blocking client calls (roundtrips) on its own
// thread. Everything else the suite asks of the compositor (a client
// connection, a window's position, an input event) goes through call(),
// which hands the work to planar's event loop and waits until it is done, so
// planar itself only ever runs on one thread at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "unique_fd.hpp"

struct wl_event_source;

namespace planar {
class Server;
}

namespace wlcs_planar {

class ServerThread {
public:
    explicit ServerThread(planar::Server &server);
    ~ServerThread();
    ServerThread(const ServerThread &) = delete;
    ServerThread &operator=(const ServerThread &) = delete;

    void start();
    // Returns once the loop has stopped and the thread is gone.
    void stop();
    // Runs `work` on the server's loop and returns when it has returned;
    // runs it here when the loop is not running (before start, after stop).
    void call(std::function<void()> work);

private:
    static int handle_wakeup(int fd, uint32_t mask, void *data);
    void run_queued();

    planar::Server &server_;
    UniqueFd wakeup_; // eventfd: call() writes, the loop reads
    wl_event_source *source_ = nullptr;
    std::thread thread_;

    std::mutex mutex_;
    std::condition_variable finished_;
    std::deque<std::function<void()>> queue_;
    uint64_t queued_ = 0;
    uint64_t done_ = 0;
};

} // namespace wlcs_planar
