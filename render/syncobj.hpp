// DRM syncobj timelines for wp_linux_drm_syncobj_v1: the device interface the
// protocol talks to (a fake one in the unit tests), the shared timeline that
// outlives its wl_resource while points on it are pending, and the real
// device on a DRM fd with its run-time probe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <wayland-server-core.h>

#include "fence.hpp"
#include "unique_fd.hpp"

namespace render {

class SyncobjDevice {
public:
    virtual ~SyncobjDevice() = default;
    // How acquire points are waited for: "eventfd", "thread" (or "fake").
    virtual const char *wait_path() const = 0;
    // Imports a timeline syncobj fd (borrowed); nullopt when it is not one.
    virtual std::optional<uint32_t> import_timeline(int fd) = 0;
    virtual void destroy_timeline(uint32_t handle) = 0;
    // Waits for `point` to signal (it may not have materialised yet). Null
    // when the wait cannot start (the caller does not hold the commit then).
    virtual std::unique_ptr<Wait> wait(uint32_t handle, uint64_t point, Wait::Done done) = 0;
    // Signals `point` now, or once `fence` (a sync_file, when valid) signals.
    virtual bool signal(uint32_t handle, uint64_t point, UniqueFd fence) = 0;
    // A sync_file of `point`'s fence; invalid when it has not materialised
    // (or the device cannot export one).
    virtual UniqueFd export_sync_file(uint32_t handle, uint64_t point) = 0;
};

// One imported timeline. Shared: wp_linux_drm_syncobj_timeline_v1.destroy
// leaves points already set valid, so the handle lives until the last one.
class Timeline {
public:
    Timeline(SyncobjDevice &device, uint32_t handle) : device_(device), handle_(handle) {}
    ~Timeline() { device_.destroy_timeline(handle_); }
    Timeline(const Timeline &) = delete;
    Timeline &operator=(const Timeline &) = delete;

    SyncobjDevice &device() const { return device_; }
    uint32_t handle() const { return handle_; }

private:
    SyncobjDevice &device_;
    uint32_t handle_;
};

struct TimelinePoint {
    std::shared_ptr<Timeline> timeline;
    uint64_t point = 0;

    explicit operator bool() const { return timeline != nullptr; }
    std::unique_ptr<Wait> wait(Wait::Done done) const {
        return timeline->device().wait(timeline->handle(), point, std::move(done));
    }
    bool signal(UniqueFd fence = {}) const {
        return timeline->device().signal(timeline->handle(), point, std::move(fence));
    }
    UniqueFd export_sync_file() const { return timeline->device().export_sync_file(timeline->handle(), point); }
};

// What the probe of a DRM device found (logged, and shown by tests/vm).
struct SyncobjProbe {
    bool syncobj = false;  // DRM_CAP_SYNCOBJ
    bool timeline = false; // DRM_CAP_SYNCOBJ_TIMELINE
    bool eventfd = false;  // DRM_IOCTL_SYNCOBJ_EVENTFD (Linux 6.6+)
    std::string describe() const;
};

SyncobjProbe probe_syncobj(int drm_fd);

// The device on `drm_fd` (borrowed; duplicated), or null with the reason when
// it has no timeline syncobjs: the global is then not advertised.
std::unique_ptr<SyncobjDevice> open_drm_syncobj_device(int drm_fd, wl_event_loop *loop, std::string &why);

} // namespace render
