// planar's wp_linux_drm_syncobj_manager_v1 (version 1; XML authored in
// protocols/): timelines imported on the main DRM device, per-surface
// acquire/release points. Owns the global (created only where the device has
// timeline syncobjs), the timeline and surface objects and the release
// signallers still waiting for their buffers.
//
// Acquire: the commit is held through the surface's CommitGate until the
// point signals (SyncobjDevice::wait: SYNCOBJ_EVENTFD, or the thread
// fallback), unless the surface is on a KMS plane that takes the fence
// (the plane policy) and
// the point has materialised: its sync_file then goes with the commit
// (CommitGate::pass_to_plane). Release: the point is signalled when planar stops holding the
// commit's wlr_buffer (its `release` signal), with the renderer's completion
// fence where one exists, or at once with KMS's out fence when a flip took
// the buffer off a plane (buffer_off_plane). The commit rules are SyncobjSurfaceState, kept free
// of Wayland so the unit tests drive it with a fake device.
#pragma once

#include <list>
#include <memory>

#include "commit_gate.hpp"
#include "commit_hook.hpp"
#include "fence.hpp"
#include "syncobj.hpp"
#include "wlr.hpp"

namespace proto {

// Commit outcome; each error maps to the wp_linux_drm_syncobj_surface_v1 code
// of the same name.
enum class SyncobjCommitError { none, no_buffer, unsupported_buffer, no_acquire_point, no_release_point,
                                conflicting_points };
const char *describe(SyncobjCommitError error);

struct SyncobjCommit {
    render::TimelinePoint acquire;
    render::TimelinePoint release;
};

// The double-buffered points of one surface and the commit-time rules.
class SyncobjSurfaceState {
public:
    // The last call in a commit cycle wins.
    void set_acquire(render::TimelinePoint point) { acquire_ = std::move(point); }
    void set_release(render::TimelinePoint point) { release_ = std::move(point); }
    // wl_surface.commit: both points exactly when a buffer is attached (a
    // linux-dmabuf one), acquire below release on one timeline. On `none`,
    // `out` holds the points (both empty for a commit without a buffer).
    // The pending points are cleared whatever the outcome.
    SyncobjCommitError commit(bool has_buffer, bool buffer_supported, SyncobjCommit &out);

private:
    render::TimelinePoint acquire_;
    render::TimelinePoint release_;
};

class LinuxDrmSyncobj {
public:
    static constexpr uint32_t version = 1;

    // `plane_policy`: which surfaces' fences go to KMS (empty: none).
    LinuxDrmSyncobj(wl_display *display, std::unique_ptr<render::SyncobjDevice> device,
                    render::CompletionFences *completion = nullptr, CommitGate::PlanePolicy plane_policy = {});
    ~LinuxDrmSyncobj();
    LinuxDrmSyncobj(const LinuxDrmSyncobj &) = delete;
    LinuxDrmSyncobj &operator=(const LinuxDrmSyncobj &) = delete;

    render::SyncobjDevice &device() { return *device_; }
    CommitHook &hook() { return hook_; }
    bool plane_takes_fence(wlr_surface *surface) const { return plane_policy_ && plane_policy_(surface); }
    // Signals `release` once planar stops holding `buffer`.
    void signal_on_release(wlr_buffer *buffer, render::TimelinePoint release);
    // `buffer` left a KMS plane; its release points signal with `fence` (borrowed).
    void buffer_off_plane(wlr_buffer *buffer, int fence);
    // Whether a release point waits for `buffer`.
    bool release_awaited(wlr_buffer *buffer) const;

    void get_surface(wl_resource *manager, uint32_t id, wl_resource *surface);
    void import_timeline(wl_resource *manager, uint32_t id, int32_t fd);

private:
    class ReleaseSignal;
    static void bind(wl_client *client, void *data, uint32_t version, uint32_t id);

    wl_global *global_ = nullptr;
    std::unique_ptr<render::SyncobjDevice> device_;
    render::CompletionFences *completion_;
    CommitGate::PlanePolicy plane_policy_;
    CommitHook hook_;
    std::list<std::unique_ptr<ReleaseSignal>> releases_;
};

} // namespace proto
