#include "kms_in_fence.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <optional>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "log.hpp"

namespace backend {
namespace {

// What planar has seen of each DRM fd wlroots commits on.
struct Device {
    bool atomic = false;        // an atomic request went through the interposer
    bool refuses_fence = false; // a test passed only without IN_FENCE_FD
};
std::map<int, Device> &devices() {
    static std::map<int, Device> seen;
    return seen;
}

KmsInFence *armed = nullptr;

struct PropertiesDeleter {
    void operator()(drmModeObjectProperties *p) const { drmModeFreeObjectProperties(p); }
};
struct ResourcesDeleter {
    void operator()(drmModeRes *p) const { drmModeFreeResources(p); }
};
struct PlaneResourcesDeleter {
    void operator()(drmModePlaneRes *p) const { drmModeFreePlaneResources(p); }
};
struct PlaneDeleter {
    void operator()(drmModePlane *p) const { drmModeFreePlane(p); }
};

struct Property {
    uint32_t id = 0;
    uint64_t value = 0;
};

std::optional<Property> find_property(int fd, uint32_t object, uint32_t type, const char *name) {
    std::unique_ptr<drmModeObjectProperties, PropertiesDeleter> props(drmModeObjectGetProperties(fd, object, type));
    if (!props) return std::nullopt;
    for (uint32_t i = 0; i < props->count_props; i++) {
        drmModePropertyRes *prop = drmModeGetProperty(fd, props->props[i]);
        if (prop == nullptr) continue;
        bool match = strcmp(prop->name, name) == 0;
        drmModeFreeProperty(prop);
        if (match) return Property{props->props[i], props->prop_values[i]};
    }
    return std::nullopt;
}

struct PrimaryPlane {
    uint32_t plane = 0;
    uint32_t in_fence_property = 0; // 0: the plane has no IN_FENCE_FD
};

// The primary plane wlroots drives for the connector's CRTC. wlroots 0.15
// gives each primary plane, in plane-resource order, to the first CRTC it
// may drive that has none yet; the same walk finds the same plane.
PrimaryPlane primary_plane_of(int fd, uint32_t connector) {
    auto crtc = find_property(fd, connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID");
    if (!crtc || crtc->value == 0) return {};
    std::unique_ptr<drmModeRes, ResourcesDeleter> resources(drmModeGetResources(fd));
    std::unique_ptr<drmModePlaneRes, PlaneResourcesDeleter> planes(drmModeGetPlaneResources(fd));
    if (!resources || !planes) return {};
    int index = -1;
    for (int i = 0; i < resources->count_crtcs && i < 32; i++) {
        if (resources->crtcs[i] == crtc->value) index = i;
    }
    if (index < 0) return {};
    uint32_t taken = 0;
    for (uint32_t i = 0; i < planes->count_planes; i++) {
        uint32_t id = planes->planes[i];
        auto type = find_property(fd, id, DRM_MODE_OBJECT_PLANE, "type");
        if (!type || type->value != DRM_PLANE_TYPE_PRIMARY) continue;
        std::unique_ptr<drmModePlane, PlaneDeleter> plane(drmModeGetPlane(fd, id));
        if (!plane) continue;
        for (int j = 0; j < resources->count_crtcs && j < 32; j++) {
            uint32_t bit = 1u << j;
            if ((plane->possible_crtcs & bit) == 0 || (taken & bit) != 0) continue;
            taken |= bit;
            if (j != index) break;
            auto in_fence = find_property(fd, id, DRM_MODE_OBJECT_PLANE, "IN_FENCE_FD");
            return PrimaryPlane{id, in_fence ? in_fence->id : 0};
        }
    }
    return {};
}

bool disabled_by_environment() {
    static const bool disabled = [] {
        const char *value = getenv("PLANAR_KMS_IN_FENCE");
        return value != nullptr && strcmp(value, "0") == 0;
    }();
    return disabled;
}

} // namespace

bool KmsInFence::supported(wlr_output *output) {
    if (disabled_by_environment() || !wlr_output_is_drm(output)) return false;
    int fd = wlr_backend_get_drm_fd(output->backend);
    auto it = devices().find(fd);
    if (fd < 0 || it == devices().end() || !it->second.atomic || it->second.refuses_fence) return false;
    return primary_plane_of(fd, wlr_drm_connector_get_id(output)).in_fence_property != 0;
}

KmsInFence::KmsInFence(wlr_output *output, int fence_fd) : fence_fd_(fence_fd) {
    if (!wlr_output_is_drm(output)) return;
    drm_fd_ = wlr_backend_get_drm_fd(output->backend);
    PrimaryPlane primary = primary_plane_of(drm_fd_, wlr_drm_connector_get_id(output));
    if (primary.in_fence_property == 0) return;
    plane_ = primary.plane;
    property_ = primary.in_fence_property;
    armed = this;
}

KmsInFence::~KmsInFence() {
    if (armed == this) armed = nullptr;
}

KmsInFence *KmsInFence::armed_for(int drm_fd) {
    return armed != nullptr && armed->drm_fd_ == drm_fd ? armed : nullptr;
}

void KmsInFence::refused() {
    rejected_ = true;
    devices()[drm_fd_].refuses_fence = true;
    plog::info(plog::Scope::kms, "plane %u refuses IN_FENCE_FD: acquire fences are waited for on the CPU", plane_);
}

} // namespace backend

// The interposer (see the header). Called by libwlroots for every atomic
// request; forwards to libdrm's definition.
extern "C" int drmModeAtomicCommit(int fd, drmModeAtomicReqPtr req, uint32_t flags, void *user_data) {
    using Commit = int (*)(int, drmModeAtomicReqPtr, uint32_t, void *);
    static const Commit libdrm_commit = reinterpret_cast<Commit>(dlsym(RTLD_NEXT, "drmModeAtomicCommit"));
    if (libdrm_commit == nullptr) {
        errno = ENOSYS;
        return -ENOSYS;
    }
    backend::devices()[fd].atomic = true;
    backend::KmsInFence *arm = backend::KmsInFence::armed_for(fd);
    if (arm == nullptr) return libdrm_commit(fd, req, flags, user_data);

    int cursor = drmModeAtomicGetCursor(req);
    if (drmModeAtomicAddProperty(req, arm->plane(), arm->property(), static_cast<uint64_t>(arm->fence_fd())) < 0) {
        return libdrm_commit(fd, req, flags, user_data);
    }
    int ret = libdrm_commit(fd, req, flags, user_data);
    int saved_errno = errno;
    drmModeAtomicSetCursor(req, cursor); // wlroots' request as it built it
    bool test = (flags & DRM_MODE_ATOMIC_TEST_ONLY) != 0;
    if (ret == 0 && !test) arm->committed();
    // A refused test: was it the fence? The same request without it tells.
    if (ret != 0 && test && libdrm_commit(fd, req, flags, user_data) == 0) arm->refused();
    errno = saved_errno;
    return ret;
}
