#include "fence.hpp"

#include <linux/sync_file.h>
#include <poll.h>
#include <sys/ioctl.h>

#include "log.hpp"

namespace render {

bool is_sync_file(int fd) {
    if (fd < 0) return false;
    // num_fences = 0: the kernel only fills in the file's own info.
    sync_file_info info{};
    return ioctl(fd, SYNC_IOC_FILE_INFO, &info) == 0;
}

bool polls_readable(int fd) {
    pollfd pfd{.fd = fd, .events = POLLIN, .revents = 0};
    return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

FenceWait::FenceWait(wl_event_loop *loop, UniqueFd fd, Done done) : fd_(std::move(fd)), done_(std::move(done)) {
    source_ = wl_event_loop_add_fd(loop, fd_.get(), WL_EVENT_READABLE, handle_readable, this);
    if (source_ == nullptr) plog::error(plog::Scope::sync, "cannot add fence fd %d to the event loop", fd_.get());
}

FenceWait::~FenceWait() {
    if (source_ != nullptr) wl_event_source_remove(source_);
}

int FenceWait::handle_readable(int, uint32_t mask, void *data) {
    auto *self = static_cast<FenceWait *>(data);
    // A fence that signalled with an error still ends the wait: holding the
    // commit forever would punish the surface for a driver fault.
    if (mask & (WL_EVENT_ERROR | WL_EVENT_HANGUP)) {
        plog::info(plog::Scope::sync, "fence fd %d reported an error (mask 0x%x); not waiting longer", self->fd_.get(),
                   mask);
    }
    wl_event_source_remove(self->source_);
    self->source_ = nullptr;
    auto done = std::move(self->done_);
    done(); // may destroy self
    return 0;
}

} // namespace render
