#include "server_thread.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sys/eventfd.h>
#include <wayland-server-core.h>

#include "server.hpp"

namespace wlcs_planar {

ServerThread::ServerThread(planar::Server &server)
    : server_(server), wakeup_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!wakeup_) {
        perror("planar-wlcs: eventfd");
        abort();
    }
    source_ = wl_event_loop_add_fd(server_.event_loop(), wakeup_.get(), WL_EVENT_READABLE, handle_wakeup, this);
}

ServerThread::~ServerThread() {
    stop();
    wl_event_source_remove(source_);
}

void ServerThread::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { server_.run(); });
}

void ServerThread::stop() {
    if (!thread_.joinable()) return;
    call([this] { server_.terminate(0); });
    thread_.join();
}

void ServerThread::call(std::function<void()> work) {
    if (!thread_.joinable()) {
        work();
        return;
    }
    std::unique_lock lock(mutex_);
    queue_.push_back(std::move(work));
    uint64_t ticket = ++queued_;
    uint64_t one = 1;
    if (write(wakeup_.get(), &one, sizeof one) != sizeof one && errno != EAGAIN) {
        perror("planar-wlcs: eventfd write");
        abort();
    }
    finished_.wait(lock, [&] { return done_ >= ticket; });
}

int ServerThread::handle_wakeup(int fd, uint32_t, void *data) {
    uint64_t count = 0;
    (void)!read(fd, &count, sizeof count);
    static_cast<ServerThread *>(data)->run_queued();
    return 0;
}

void ServerThread::run_queued() {
    std::unique_lock lock(mutex_);
    while (!queue_.empty()) {
        std::function<void()> work = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        work(); // what it sends goes out when the loop flushes, before it reads the next request
        lock.lock();
        done_++;
        finished_.notify_all();
    }
}

} // namespace wlcs_planar
