#include "syncobj.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <thread>
#include <xf86drm.h>

#include "log.hpp"

namespace render {
namespace {

// DRM_IOCTL_SYNCOBJ_EVENTFD (Linux 6.6, include/uapi/drm/drm.h): neither
// Debian 12's libdrm nor its kernel headers have it, so it is defined here
// and probed at run time.
struct DrmSyncobjEventfd {
    uint32_t handle;
    uint32_t flags; // 0: signalled; DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE: materialised
    uint64_t point;
    int32_t fd;
    uint32_t pad;
};
constexpr unsigned long drm_ioctl_syncobj_eventfd = DRM_IOWR(0xCF, DrmSyncobjEventfd);

int64_t monotonic_ns_from_now(int64_t delta_ns) {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec + delta_ns;
}

// A sync_file for `point` of `handle` (it must have materialised).
UniqueFd export_point(int drm_fd, uint32_t handle, uint64_t point) {
    uint32_t binary = 0;
    if (drmSyncobjCreate(drm_fd, 0, &binary) != 0) return {};
    int fd = -1;
    if (drmSyncobjTransfer(drm_fd, binary, 0, handle, point, 0) == 0) drmSyncobjExportSyncFile(drm_fd, binary, &fd);
    drmSyncobjDestroy(drm_fd, binary);
    return UniqueFd(fd);
}

// Fallback wait where the kernel has no SYNCOBJ_EVENTFD: the only way to learn
// that a point materialised without an eventfd is a blocking
// DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT(WAIT_AVAILABLE), so a worker thread does
// that wait (in 100 ms slices, so a cancelled wait ends) and then wakes the
// loop through an eventfd; the main thread exports the point as a sync_file
// and polls it like any other fence. The thread touches only `Shared`.
class ThreadWait final : public Wait {
public:
    ThreadWait(wl_event_loop *loop, int drm_fd, uint32_t handle, uint64_t point, Done done)
        : loop_(loop), drm_fd_(drm_fd), handle_(handle), point_(point), done_(std::move(done)) {}
    ~ThreadWait() override { shared_->cancelled = true; }

    bool start() {
        UniqueFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        shared_->drm_fd = UniqueFd(fcntl(drm_fd_, F_DUPFD_CLOEXEC, 0));
        if (!wake || !shared_->drm_fd) return false;
        shared_->wake = UniqueFd(dup(wake.get()));
        if (!shared_->wake) return false;
        std::thread([shared = shared_, handle = handle_, point = point_] {
            uint32_t h = handle;
            uint64_t p = point;
            while (!shared->cancelled) {
                int ret = drmSyncobjTimelineWait(shared->drm_fd.get(), &h, &p, 1, monotonic_ns_from_now(100'000'000),
                                                 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE, nullptr);
                if (ret == 0 || errno != ETIME) break; // materialised, or the handle is gone
            }
            uint64_t one = 1;
            if (write(shared->wake.get(), &one, sizeof one) < 0) { /* the loop side is gone */ }
        }).detach();
        wait_ = std::make_unique<FenceWait>(loop_, std::move(wake), [this] { materialised(); });
        return wait_->ok();
    }

private:
    struct Shared {
        std::atomic<bool> cancelled{false};
        UniqueFd drm_fd;
        UniqueFd wake;
    };
    void materialised() {
        UniqueFd fence = export_point(drm_fd_, handle_, point_);
        if (!fence) {
            plog::info(plog::Scope::sync, "syncobj point %llu cannot be exported; not waiting longer",
                       static_cast<unsigned long long>(point_));
            auto done = std::move(done_);
            done();
            return;
        }
        wait_ = std::make_unique<FenceWait>(loop_, std::move(fence), [this] {
            auto done = std::move(done_);
            done();
        });
    }

    wl_event_loop *loop_;
    int drm_fd_;
    uint32_t handle_;
    uint64_t point_;
    Done done_;
    std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
    std::unique_ptr<FenceWait> wait_;
};

class DrmSyncobjDevice final : public SyncobjDevice {
public:
    DrmSyncobjDevice(UniqueFd fd, wl_event_loop *loop, bool eventfd) : fd_(std::move(fd)), loop_(loop), eventfd_(eventfd) {}

    const char *wait_path() const override { return eventfd_ ? "eventfd" : "thread"; }

    std::optional<uint32_t> import_timeline(int fd) override {
        uint32_t handle = 0;
        if (drmSyncobjFDToHandle(fd_.get(), fd, &handle) != 0) return std::nullopt;
        return handle;
    }
    void destroy_timeline(uint32_t handle) override { drmSyncobjDestroy(fd_.get(), handle); }

    std::unique_ptr<Wait> wait(uint32_t handle, uint64_t point, Wait::Done done) override {
        if (eventfd_) {
            UniqueFd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
            DrmSyncobjEventfd args{.handle = handle, .flags = 0, .point = point, .fd = efd.get(), .pad = 0};
            if (!efd || drmIoctl(fd_.get(), drm_ioctl_syncobj_eventfd, &args) != 0) {
                plog::error(plog::Scope::sync, "SYNCOBJ_EVENTFD on point %llu failed: %s",
                            static_cast<unsigned long long>(point), strerror(errno));
                return nullptr;
            }
            auto wait = std::make_unique<FenceWait>(loop_, std::move(efd), std::move(done));
            return wait->ok() ? std::move(wait) : nullptr;
        }
        auto wait = std::make_unique<ThreadWait>(loop_, fd_.get(), handle, point, std::move(done));
        return wait->start() ? std::move(wait) : nullptr;
    }

    bool signal(uint32_t handle, uint64_t point, UniqueFd fence) override {
        if (fence) {
            // Attach the fence to the point: import it into a binary syncobj
            // and transfer that to the timeline.
            uint32_t binary = 0;
            if (drmSyncobjCreate(fd_.get(), 0, &binary) != 0) return false;
            bool ok = drmSyncobjImportSyncFile(fd_.get(), binary, fence.get()) == 0 &&
                      drmSyncobjTransfer(fd_.get(), handle, point, binary, 0, 0) == 0;
            drmSyncobjDestroy(fd_.get(), binary);
            return ok;
        }
        return drmSyncobjTimelineSignal(fd_.get(), &handle, &point, 1) == 0;
    }

    UniqueFd export_sync_file(uint32_t handle, uint64_t point) override { return export_point(fd_.get(), handle, point); }

private:
    UniqueFd fd_;
    wl_event_loop *loop_;
    bool eventfd_;
};

} // namespace

std::string SyncobjProbe::describe() const {
    return std::string("syncobj ") + (syncobj ? "yes" : "no") + ", timeline " + (timeline ? "yes" : "no") +
           ", eventfd " + (eventfd ? "yes" : "no");
}

SyncobjProbe probe_syncobj(int drm_fd) {
    SyncobjProbe probe;
    uint64_t value = 0;
    probe.syncobj = drmGetCap(drm_fd, DRM_CAP_SYNCOBJ, &value) == 0 && value != 0;
    value = 0;
    probe.timeline = drmGetCap(drm_fd, DRM_CAP_SYNCOBJ_TIMELINE, &value) == 0 && value != 0;
    if (!probe.timeline) return probe;
    // The eventfd ioctl on a real syncobj: a kernel without it says ENOTTY/EINVAL.
    uint32_t handle = 0;
    if (drmSyncobjCreate(drm_fd, 0, &handle) != 0) return probe;
    UniqueFd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    DrmSyncobjEventfd args{.handle = handle, .flags = 0, .point = 1, .fd = efd.get(), .pad = 0};
    probe.eventfd = efd && drmIoctl(drm_fd, drm_ioctl_syncobj_eventfd, &args) == 0;
    drmSyncobjDestroy(drm_fd, handle);
    return probe;
}

std::unique_ptr<SyncobjDevice> open_drm_syncobj_device(int drm_fd, wl_event_loop *loop, std::string &why) {
    if (drm_fd < 0) {
        why = "no DRM device";
        return nullptr;
    }
    SyncobjProbe probe = probe_syncobj(drm_fd);
    if (!probe.timeline) {
        why = "the DRM device has no timeline syncobjs (" + probe.describe() + ")";
        return nullptr;
    }
    UniqueFd fd(fcntl(drm_fd, F_DUPFD_CLOEXEC, 0));
    if (!fd) {
        why = std::string("cannot duplicate the DRM fd: ") + strerror(errno);
        return nullptr;
    }
    plog::info(plog::Scope::sync, "DRM syncobj: %s", probe.describe().c_str());
    bool eventfd = probe.eventfd;
    // PLANAR_SYNCOBJ_WAIT=thread: the fallback wait even where the kernel has
    // SYNCOBJ_EVENTFD, so that tests/vm (sync-syncobj) runs both paths on one device.
    if (const char *forced = getenv("PLANAR_SYNCOBJ_WAIT"); forced != nullptr && forced[0] != '\0') {
        if (strcmp(forced, "thread") == 0) {
            eventfd = false;
        } else if (strcmp(forced, "eventfd") != 0) {
            plog::error(plog::Scope::sync, "PLANAR_SYNCOBJ_WAIT=%s ignored (eventfd or thread)", forced);
        } else if (!probe.eventfd) {
            plog::error(plog::Scope::sync, "PLANAR_SYNCOBJ_WAIT=eventfd ignored: the kernel has no SYNCOBJ_EVENTFD");
        }
    }
    return std::make_unique<DrmSyncobjDevice>(std::move(fd), loop, eventfd);
}

} // namespace render
