#include "linux_drm_syncobj_v1.hpp"

#include <fcntl.h>
#include <vector>

#include "commit_gate.hpp"
#include "dmabuf_buffer.hpp"
#include "linux-drm-syncobj-v1-protocol.h"
#include "listener.hpp"
#include "log.hpp"
#include "request.hpp"
#include "unique_fd.hpp"

namespace proto {

const char *describe(SyncobjCommitError error) {
    switch (error) {
    case SyncobjCommitError::none: return "none";
    case SyncobjCommitError::no_buffer: return "acquire or release point without an attached buffer";
    case SyncobjCommitError::unsupported_buffer: return "only linux-dmabuf buffers can be synchronized";
    case SyncobjCommitError::no_acquire_point: return "a buffer without an acquire point";
    case SyncobjCommitError::no_release_point: return "a buffer without a release point";
    case SyncobjCommitError::conflicting_points: return "the acquire point is not below the release point";
    }
    return "?";
}

SyncobjCommitError SyncobjSurfaceState::commit(bool has_buffer, bool buffer_supported, SyncobjCommit &out) {
    render::TimelinePoint acquire = std::move(acquire_);
    render::TimelinePoint release = std::move(release_);
    acquire_ = {};
    release_ = {};
    out = {};
    if (!has_buffer) return (acquire || release) ? SyncobjCommitError::no_buffer : SyncobjCommitError::none;
    if (!buffer_supported) return SyncobjCommitError::unsupported_buffer;
    if (!acquire) return SyncobjCommitError::no_acquire_point;
    if (!release) return SyncobjCommitError::no_release_point;
    if (acquire.timeline == release.timeline && acquire.point >= release.point) {
        return SyncobjCommitError::conflicting_points;
    }
    out.acquire = std::move(acquire);
    out.release = std::move(release);
    return SyncobjCommitError::none;
}

namespace {

uint32_t wire_code(SyncobjCommitError error) {
    switch (error) {
    case SyncobjCommitError::no_buffer: return WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_NO_BUFFER;
    case SyncobjCommitError::unsupported_buffer: return WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_UNSUPPORTED_BUFFER;
    case SyncobjCommitError::no_acquire_point: return WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_NO_ACQUIRE_POINT;
    case SyncobjCommitError::no_release_point: return WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_NO_RELEASE_POINT;
    case SyncobjCommitError::conflicting_points: return WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_CONFLICTING_POINTS;
    case SyncobjCommitError::none: break;
    }
    return 0;
}

uint64_t point_of(uint32_t hi, uint32_t lo) { return (static_cast<uint64_t>(hi) << 32) | lo; }

// wp_linux_drm_syncobj_timeline_v1: a reference to the shared timeline.
struct TimelineObject {
    std::shared_ptr<render::Timeline> timeline;
    static void handle_destroy(wl_resource *resource) {
        delete static_cast<TimelineObject *>(wl_resource_get_user_data(resource));
    }
};

const struct wp_linux_drm_syncobj_timeline_v1_interface timeline_impl = {
    .destroy = destroy_request,
};

// A wait that keeps its timeline alive (the client may destroy the
// timeline object while the commit is held).
class PointWait final : public render::Wait {
public:
    PointWait(render::TimelinePoint point, std::unique_ptr<render::Wait> inner)
        : point_(std::move(point)), inner_(std::move(inner)) {}

private:
    render::TimelinePoint point_;
    std::unique_ptr<render::Wait> inner_;
};

// wp_linux_drm_syncobj_surface_v1 of one wl_surface; inert once the surface is gone.
class SyncobjSurface final : public CommitHook::Client {
public:
    SyncobjSurface(wl_resource *resource, wlr_surface *surface, LinuxDrmSyncobj &syncobj)
        : resource_(resource), surface_(surface), syncobj_(syncobj) {
        syncobj_.hook().add(surface_->resource, this);
        on_surface_destroy_.connect(&surface->events.destroy, [this](void *) { surface_gone(); });
    }
    ~SyncobjSurface() {
        if (surface_ != nullptr) syncobj_.hook().remove(surface_->resource);
    }
    static void handle_destroy(wl_resource *resource) {
        delete static_cast<SyncobjSurface *>(wl_resource_get_user_data(resource));
    }

    void set_acquire_point(wl_resource *timeline, uint32_t hi, uint32_t lo) {
        if (auto point = point_for(timeline, hi, lo)) state_.set_acquire(std::move(point));
    }
    void set_release_point(wl_resource *timeline, uint32_t hi, uint32_t lo) {
        if (auto point = point_for(timeline, hi, lo)) state_.set_release(std::move(point));
    }

    void before_commit() override {
        wlr_buffer *buffer =
            (surface_->pending.committed & WLR_SURFACE_STATE_BUFFER) ? surface_->pending.buffer : nullptr;
        SyncobjCommit commit;
        SyncobjCommitError error =
            state_.commit(buffer != nullptr, buffer != nullptr && DmabufBuffer::from_wlr(buffer) != nullptr, commit);
        if (error != SyncobjCommitError::none) {
            post(wire_code(error), describe(error));
            return;
        }
        if (!commit.acquire) return;
        syncobj_.signal_on_release(buffer, std::move(commit.release));
        if (syncobj_.plane_takes_fence(surface_)) {
            // Materialised already: KMS can wait for it as a sync_file.
            if (UniqueFd fence = commit.acquire.export_sync_file()) {
                if (render::polls_readable(fence.get())) return; // signalled: nothing to wait for
                CommitGate::of(surface_).pass_to_plane("drm-syncobj", buffer, std::move(fence));
                return;
            }
        }
        auto acquire = std::make_shared<render::TimelinePoint>(std::move(commit.acquire));
        CommitGate::of(surface_).hold("drm-syncobj", [acquire](render::Wait::Done done) -> std::unique_ptr<render::Wait> {
            auto inner = acquire->wait(std::move(done));
            if (!inner) return nullptr;
            return std::make_unique<PointWait>(std::move(*acquire), std::move(inner));
        });
    }

private:
    render::TimelinePoint point_for(wl_resource *timeline, uint32_t hi, uint32_t lo) {
        if (surface_ == nullptr) {
            post(WP_LINUX_DRM_SYNCOBJ_SURFACE_V1_ERROR_NO_SURFACE, "the wl_surface was destroyed");
            return {};
        }
        auto *object = static_cast<TimelineObject *>(wl_resource_get_user_data(timeline));
        return {object->timeline, point_of(hi, lo)};
    }
    void post(uint32_t code, const char *why) {
        plog::info(plog::Scope::sync, "drm-syncobj: protocol error %u: %s", code, why);
        wl_resource_post_error(resource_, code, "%s", why);
    }
    void surface_gone() {
        syncobj_.hook().remove(surface_->resource);
        surface_ = nullptr;
        state_ = {};
        on_surface_destroy_.disconnect();
    }

    wl_resource *resource_;
    wlr_surface *surface_;
    LinuxDrmSyncobj &syncobj_;
    SyncobjSurfaceState state_;
    wl::Listener on_surface_destroy_;
};

const struct wp_linux_drm_syncobj_surface_v1_interface surface_impl = {
    .destroy = destroy_request,
    .set_acquire_point = request<&SyncobjSurface::set_acquire_point>,
    .set_release_point = request<&SyncobjSurface::set_release_point>,
};

const struct wp_linux_drm_syncobj_manager_v1_interface manager_impl = {
    .destroy = destroy_request,
    .get_surface =
        [](wl_client *, wl_resource *manager, uint32_t id, wl_resource *surface) {
            static_cast<LinuxDrmSyncobj *>(wl_resource_get_user_data(manager))->get_surface(manager, id, surface);
        },
    .import_timeline =
        [](wl_client *, wl_resource *manager, uint32_t id, int32_t fd) {
            static_cast<LinuxDrmSyncobj *>(wl_resource_get_user_data(manager))->import_timeline(manager, id, fd);
        },
};

} // namespace

// Signals a release point once planar stops holding the commit's buffer.
class LinuxDrmSyncobj::ReleaseSignal {
public:
    ReleaseSignal(LinuxDrmSyncobj &owner, wlr_buffer *buffer, render::TimelinePoint point)
        : owner_(owner), point_(std::move(point)), buffer_(buffer) {
        on_release_.connect(&buffer->events.release, [this, buffer](void *) { fire(buffer); });
        on_destroy_.connect(&buffer->events.destroy, [this](void *) { fire(nullptr); });
    }

    wlr_buffer *buffer() const { return buffer_; }

    // KMS's out fence (borrowed) of the flip that took the buffer off a plane.
    void off_plane(int fence) { signal(UniqueFd(fcntl(fence, F_DUPFD_CLOEXEC, 0))); }

private:
    void fire(wlr_buffer *buffer) {
        UniqueFd fence;
        if (owner_.completion_ != nullptr && buffer != nullptr) fence = owner_.completion_->last_read(buffer);
        signal(std::move(fence));
    }
    void signal(UniqueFd fence) {
        if (!point_.signal(std::move(fence))) {
            plog::error(plog::Scope::sync, "drm-syncobj: cannot signal release point %llu",
                        static_cast<unsigned long long>(point_.point));
        }
        owner_.releases_.remove_if([this](const auto &r) { return r.get() == this; }); // deletes this
    }

    LinuxDrmSyncobj &owner_;
    render::TimelinePoint point_;
    wlr_buffer *buffer_;
    wl::Listener on_release_;
    wl::Listener on_destroy_;
};

LinuxDrmSyncobj::LinuxDrmSyncobj(wl_display *display, std::unique_ptr<render::SyncobjDevice> device,
                                 render::CompletionFences *completion, CommitGate::PlanePolicy plane_policy)
    : device_(std::move(device)), completion_(completion), plane_policy_(std::move(plane_policy)), hook_(display) {
    global_ = wl_global_create(display, &wp_linux_drm_syncobj_manager_v1_interface, version, this, bind);
    plog::info(plog::Scope::sync, "wp_linux_drm_syncobj_manager_v1 advertised (acquire waits: %s)",
               device_->wait_path());
}

LinuxDrmSyncobj::~LinuxDrmSyncobj() {
    if (global_ != nullptr) wl_global_destroy(global_);
}

void LinuxDrmSyncobj::signal_on_release(wlr_buffer *buffer, render::TimelinePoint release) {
    releases_.push_back(std::make_unique<ReleaseSignal>(*this, buffer, std::move(release)));
}

bool LinuxDrmSyncobj::release_awaited(wlr_buffer *buffer) const {
    for (const auto &release : releases_) {
        if (release->buffer() == buffer) return true;
    }
    return false;
}

void LinuxDrmSyncobj::buffer_off_plane(wlr_buffer *buffer, int fence) {
    std::vector<ReleaseSignal *> signals;
    for (const auto &release : releases_) {
        if (release->buffer() == buffer) signals.push_back(release.get());
    }
    for (ReleaseSignal *release : signals) release->off_plane(fence); // each removes itself
}

void LinuxDrmSyncobj::bind(wl_client *client, void *data, uint32_t version, uint32_t id) {
    wl_resource *resource = create_resource(client, &wp_linux_drm_syncobj_manager_v1_interface, static_cast<int>(version), id);
    if (resource == nullptr) {
        return;
    }
    wl_resource_set_implementation(resource, &manager_impl, data, nullptr);
}

void LinuxDrmSyncobj::get_surface(wl_resource *manager, uint32_t id, wl_resource *surface_resource) {
    if (hook_.find(surface_resource) != nullptr) {
        plog::info(plog::Scope::sync, "drm-syncobj: protocol error: the surface already has a syncobj surface");
        wl_resource_post_error(manager, WP_LINUX_DRM_SYNCOBJ_MANAGER_V1_ERROR_SURFACE_EXISTS,
                               "the wl_surface already has a syncobj surface");
        return;
    }
    wl_client *client = wl_resource_get_client(manager);
    wl_resource *resource = create_resource(client, &wp_linux_drm_syncobj_surface_v1_interface, wl_resource_get_version(manager), id);
    if (resource == nullptr) {
        return;
    }
    auto *surface = new SyncobjSurface(resource, wlr_surface_from_resource(surface_resource), *this);
    wl_resource_set_implementation(resource, &surface_impl, surface, SyncobjSurface::handle_destroy);
}

void LinuxDrmSyncobj::import_timeline(wl_resource *manager, uint32_t id, int32_t fd) {
    UniqueFd owned(fd);
    auto handle = device_->import_timeline(owned.get());
    if (!handle) {
        plog::info(plog::Scope::sync, "drm-syncobj: protocol error: the fd is not a syncobj of this device");
        wl_resource_post_error(manager, WP_LINUX_DRM_SYNCOBJ_MANAGER_V1_ERROR_INVALID_TIMELINE,
                               "the fd cannot be imported as a DRM syncobj timeline");
        return;
    }
    auto timeline = std::make_shared<render::Timeline>(*device_, *handle);
    wl_client *client = wl_resource_get_client(manager);
    wl_resource *resource = create_resource(client, &wp_linux_drm_syncobj_timeline_v1_interface, wl_resource_get_version(manager), id);
    if (resource == nullptr) {
        return;
    }
    wl_resource_set_implementation(resource, &timeline_impl, new TimelineObject{std::move(timeline)},
                                   TimelineObject::handle_destroy);
}

} // namespace proto
