#include "linux_explicit_synchronization_v1.hpp"

#include <memory>
#include <vector>

#include "commit_gate.hpp"
#include "dmabuf_buffer.hpp"
#include "linux-explicit-synchronization-unstable-v1-protocol.h"
#include "listener.hpp"
#include "log.hpp"
#include "request.hpp"
#include "unique_fd.hpp"

namespace proto {
namespace {
class SurfaceSync;
} // namespace

// zwp_linux_buffer_release_v1: pending on its SurfaceSync until a commit
// gives it a buffer, then waits for that buffer's release, or for KMS's
// fence of the frame that took the buffer off a plane (off_plane). Sends
// exactly one event, then destroys its resource (both events are destructors).
class BufferRelease {
public:
    BufferRelease(wl_resource *resource, SurfaceSync *pending_for, LinuxExplicitSync *sync)
        : resource_(resource), pending_for_(pending_for), sync_(sync) {}
    ~BufferRelease();

    static void handle_destroy(wl_resource *resource) {
        delete static_cast<BufferRelease *>(wl_resource_get_user_data(resource));
    }

    // The commit that carried this release object attached `buffer` (locked
    // by the pending state, so its release signal is still to come).
    void follow(wlr_buffer *buffer) {
        pending_for_ = nullptr;
        on_release_.connect(&buffer->events.release, [this](void *) { send(buffer_); });
        // A buffer destroyed without a release (never locked again) is not
        // read either.
        on_buffer_destroy_.connect(&buffer->events.destroy, [this](void *) { send(nullptr); });
        buffer_ = buffer;
        if (sync_ != nullptr) sync_->following_.emplace(buffer, this);
    }
    void surface_sync_gone() { pending_for_ = nullptr; }
    void manager_gone() { sync_ = nullptr; }

    // `fence` (borrowed) signals when planar stops reading the buffer.
    void off_plane(int fence) {
        zwp_linux_buffer_release_v1_send_fenced_release(resource_, fence);
        wl_resource_destroy(resource_); // deletes this
    }

private:
    void send(wlr_buffer *buffer) {
        UniqueFd fence;
        render::CompletionFences *completion = sync_ != nullptr ? sync_->completion() : nullptr;
        if (completion != nullptr && buffer != nullptr) fence = completion->last_read(buffer);
        if (fence) {
            zwp_linux_buffer_release_v1_send_fenced_release(resource_, fence.get());
        } else {
            zwp_linux_buffer_release_v1_send_immediate_release(resource_);
        }
        wl_resource_destroy(resource_); // deletes this
    }

    wl_resource *resource_;
    SurfaceSync *pending_for_;
    LinuxExplicitSync *sync_;
    wlr_buffer *buffer_ = nullptr;
    wl::Listener on_release_;
    wl::Listener on_buffer_destroy_;
};

namespace {

// zwp_linux_surface_synchronization_v1 of one wl_surface. Inert (surface_
// null) once the surface is destroyed: requests then post no_surface.
class SurfaceSync final : public CommitHook::Client {
public:
    SurfaceSync(wl_resource *resource, wlr_surface *surface, LinuxExplicitSync &sync)
        : resource_(resource), surface_(surface), sync_(sync) {
        sync_.hook().add(surface_->resource, this);
        on_surface_destroy_.connect(&surface->events.destroy, [this](void *) { surface_gone(); });
    }
    ~SurfaceSync() {
        // destroy: "any fence set since the last commit is discarded"; a
        // pending release object stays, inert, until the client frees it.
        if (pending_release_ != nullptr) pending_release_->surface_sync_gone();
        if (surface_ != nullptr) sync_.hook().remove(surface_->resource);
    }

    static void handle_destroy(wl_resource *resource) {
        delete static_cast<SurfaceSync *>(wl_resource_get_user_data(resource));
    }

    void set_acquire_fence(int32_t fd) {
        UniqueFd fence(fd);
        if (surface_ == nullptr) {
            post(ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_NO_SURFACE, "the wl_surface was destroyed");
        } else if (pending_fence_) {
            post(ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_DUPLICATE_FENCE, "an acquire fence is already set");
        } else if (!render::is_sync_file(fence.get())) {
            post(ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_INVALID_FENCE, "the fd is not a sync_file");
        } else {
            pending_fence_ = std::move(fence);
        }
    }

    void get_release(uint32_t id) {
        if (surface_ == nullptr) {
            post(ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_NO_SURFACE, "the wl_surface was destroyed");
            return;
        }
        if (pending_release_ != nullptr) {
            post(ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_DUPLICATE_RELEASE, "a release object is already pending");
            return;
        }
        wl_client *client = wl_resource_get_client(resource_);
        wl_resource *resource = create_resource(client, &zwp_linux_buffer_release_v1_interface, wl_resource_get_version(resource_), id);
        if (resource == nullptr) {
            return;
        }
        pending_release_ = new BufferRelease(resource, this, &sync_);
        wl_resource_set_implementation(resource, nullptr, pending_release_, BufferRelease::handle_destroy);
    }

    void release_gone(BufferRelease *release) {
        if (pending_release_ == release) pending_release_ = nullptr;
    }

    // linux-explicit-synchronization: the fence and the release object apply
    // to the buffer attached at commit time; no buffer → no_buffer, a buffer
    // that cannot be synchronized (only linux-dmabuf ones can) → unsupported_buffer.
    void before_commit() override {
        if (!pending_fence_ && pending_release_ == nullptr) return;
        wlr_buffer *buffer =
            (surface_->pending.committed & WLR_SURFACE_STATE_BUFFER) ? surface_->pending.buffer : nullptr;
        if (buffer == nullptr) {
            post(ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_NO_BUFFER,
                 "an acquire fence or release object without an attached buffer");
            return;
        }
        if (DmabufBuffer::from_wlr(buffer) == nullptr) {
            post(ZWP_LINUX_SURFACE_SYNCHRONIZATION_V1_ERROR_UNSUPPORTED_BUFFER,
                 "explicit synchronization needs a linux-dmabuf buffer");
            return;
        }
        if (pending_release_ != nullptr) {
            std::exchange(pending_release_, nullptr)->follow(buffer);
        }
        if (pending_fence_) {
            UniqueFd fence = std::move(pending_fence_);
            if (render::polls_readable(fence.get())) return; // signalled already: nothing to hold
            if (sync_.plane_takes_fence(surface_)) {
                CommitGate::of(surface_).pass_to_plane("explicit-sync", buffer, std::move(fence));
                return;
            }
            auto shared = std::make_shared<UniqueFd>(std::move(fence));
            wl_event_loop *loop = sync_.event_loop();
            CommitGate::of(surface_).hold("explicit-sync", [loop, shared](render::Wait::Done done) {
                auto wait = std::make_unique<render::FenceWait>(loop, std::move(*shared), std::move(done));
                return wait->ok() ? std::unique_ptr<render::Wait>(std::move(wait)) : nullptr;
            });
        }
    }

private:
    void post(uint32_t code, const char *why) {
        plog::info(plog::Scope::sync, "explicit-sync: protocol error %u: %s", code, why);
        wl_resource_post_error(resource_, code, "%s", why);
    }
    void surface_gone() {
        sync_.hook().remove(surface_->resource);
        surface_ = nullptr;
        pending_fence_.reset();
        on_surface_destroy_.disconnect();
    }

    wl_resource *resource_;
    wlr_surface *surface_;
    LinuxExplicitSync &sync_;
    UniqueFd pending_fence_;
    BufferRelease *pending_release_ = nullptr;
    wl::Listener on_surface_destroy_;
};

} // namespace

BufferRelease::~BufferRelease() {
    if (pending_for_ != nullptr) pending_for_->release_gone(this);
    if (sync_ != nullptr && buffer_ != nullptr) {
        auto [first, last] = sync_->following_.equal_range(buffer_);
        for (auto it = first; it != last; ++it) {
            if (it->second == this) {
                sync_->following_.erase(it);
                break;
            }
        }
    }
}

namespace {

const struct zwp_linux_surface_synchronization_v1_interface surface_sync_impl = {
    .destroy = destroy_request,
    .set_acquire_fence = request<&SurfaceSync::set_acquire_fence>,
    .get_release = request<&SurfaceSync::get_release>,
};

const struct zwp_linux_explicit_synchronization_v1_interface manager_impl = {
    .destroy = destroy_request,
    .get_synchronization =
        [](wl_client *, wl_resource *resource, uint32_t id, wl_resource *surface) {
            static_cast<LinuxExplicitSync *>(wl_resource_get_user_data(resource))
                ->get_synchronization(resource, id, surface);
        },
};

} // namespace

LinuxExplicitSync::LinuxExplicitSync(wl_display *display, render::CompletionFences *completion,
                                     CommitGate::PlanePolicy plane_policy)
    : loop_(wl_display_get_event_loop(display)), completion_(completion), plane_policy_(std::move(plane_policy)),
      hook_(display) {
    global_ = wl_global_create(display, &zwp_linux_explicit_synchronization_v1_interface, version, this, bind);
}

LinuxExplicitSync::~LinuxExplicitSync() {
    if (global_ != nullptr) wl_global_destroy(global_);
    // Release objects live until their clients go, which can be later.
    for (auto &[buffer, release] : following_) release->manager_gone();
}

void LinuxExplicitSync::buffer_off_plane(wlr_buffer *buffer, int fence) {
    auto [first, last] = following_.equal_range(buffer);
    std::vector<BufferRelease *> releases;
    for (auto it = first; it != last; ++it) releases.push_back(it->second);
    // Each one unregisters itself as its resource is destroyed.
    for (BufferRelease *release : releases) release->off_plane(fence);
    if (!releases.empty()) {
        plog::debug(plog::Scope::sync, "explicit-sync: %zu fenced release(s) from KMS's out fence", releases.size());
    }
}

void LinuxExplicitSync::bind(wl_client *client, void *data, uint32_t version, uint32_t id) {
    wl_resource *resource = create_resource(client, &zwp_linux_explicit_synchronization_v1_interface, static_cast<int>(version), id);
    if (resource == nullptr) {
        return;
    }
    wl_resource_set_implementation(resource, &manager_impl, data, nullptr);
}

void LinuxExplicitSync::get_synchronization(wl_resource *manager, uint32_t id, wl_resource *surface_resource) {
    if (hook_.find(surface_resource) != nullptr) {
        plog::info(plog::Scope::sync, "explicit-sync: protocol error: the surface already has a synchronization object");
        wl_resource_post_error(manager, ZWP_LINUX_EXPLICIT_SYNCHRONIZATION_V1_ERROR_SYNCHRONIZATION_EXISTS,
                               "the wl_surface already has a synchronization object");
        return;
    }
    wl_client *client = wl_resource_get_client(manager);
    wl_resource *resource = create_resource(client, &zwp_linux_surface_synchronization_v1_interface, wl_resource_get_version(manager), id);
    if (resource == nullptr) {
        return;
    }
    auto *sync = new SurfaceSync(resource, wlr_surface_from_resource(surface_resource), *this);
    wl_resource_set_implementation(resource, &surface_sync_impl, sync, SurfaceSync::handle_destroy);
    plog::debug(plog::Scope::sync, "explicit-sync: surface %p synchronized", static_cast<void *>(surface_resource));
}

} // namespace proto
