#include "kms_fences.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "log.hpp"

namespace backend {
namespace {

// What planar has seen of each DRM fd wlroots commits on.
struct Device {
    bool atomic = false;        // an atomic request went through the interposer
    bool refuses_in_fence = false; // a test passed only without IN_FENCE_FD
};
std::map<int, Device> &devices() {
    static std::map<int, Device> seen;
    return seen;
}

KmsFences *armed = nullptr;

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

// Where the fences of an output's commits go.
struct Targets {
    uint32_t crtc = 0, out_fence_property = 0; // 0: no OUT_FENCE_PTR
    uint32_t plane = 0, in_fence_property = 0; // 0: no IN_FENCE_FD
};

// The connector's CRTC and the primary plane wlroots drives for it. wlroots
// 0.15 gives each primary plane, in plane-resource order, to the first CRTC
// it may drive that has none yet; the same walk finds the same plane.
Targets targets_of(int fd, uint32_t connector) {
    Targets targets;
    auto crtc = find_property(fd, connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID");
    if (!crtc || crtc->value == 0) return targets;
    targets.crtc = static_cast<uint32_t>(crtc->value);
    if (auto out = find_property(fd, targets.crtc, DRM_MODE_OBJECT_CRTC, "OUT_FENCE_PTR")) {
        targets.out_fence_property = out->id;
    }
    std::unique_ptr<drmModeRes, ResourcesDeleter> resources(drmModeGetResources(fd));
    std::unique_ptr<drmModePlaneRes, PlaneResourcesDeleter> planes(drmModeGetPlaneResources(fd));
    if (!resources || !planes) return targets;
    int index = -1;
    for (int i = 0; i < resources->count_crtcs && i < 32; i++) {
        if (resources->crtcs[i] == targets.crtc) index = i;
    }
    if (index < 0) return targets;
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
            targets.plane = id;
            if (auto in = find_property(fd, id, DRM_MODE_OBJECT_PLANE, "IN_FENCE_FD")) {
                targets.in_fence_property = in->id;
            }
            return targets;
        }
    }
    return targets;
}

bool disabled_by_environment() {
    static const bool disabled = [] {
        const char *value = getenv("PLANAR_KMS_FENCES");
        return value != nullptr && strcmp(value, "0") == 0;
    }();
    return disabled;
}

std::optional<uint64_t> property_value(int fd, uint32_t object, uint32_t type, uint32_t property) {
    std::unique_ptr<drmModeObjectProperties, PropertiesDeleter> props(drmModeObjectGetProperties(fd, object, type));
    if (!props) return std::nullopt;
    for (uint32_t i = 0; i < props->count_props; i++) {
        if (props->props[i] == property) return props->prop_values[i];
    }
    return std::nullopt;
}

// targets_of costs a few ioctls per property of every plane: done again only
// when the connector's CRTC changed (property ids never change).
Targets cached_targets_of(int fd, uint32_t connector) {
    struct Cached {
        uint32_t crtc_id_property = 0;
        Targets targets;
    };
    static std::map<std::pair<int, uint32_t>, Cached> cache;
    Cached &cached = cache[{fd, connector}];
    if (cached.crtc_id_property != 0 &&
        property_value(fd, connector, DRM_MODE_OBJECT_CONNECTOR, cached.crtc_id_property) == cached.targets.crtc) {
        return cached.targets;
    }
    auto crtc = find_property(fd, connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID");
    cached.crtc_id_property = crtc ? crtc->id : 0;
    cached.targets = targets_of(fd, connector);
    return cached.targets;
}

// The atomic DRM fd of `output`, or -1 where planar cannot add fences.
int atomic_fd(wlr_output *output) {
    if (disabled_by_environment() || !wlr_output_is_drm(output)) return -1;
    int fd = wlr_backend_get_drm_fd(output->backend);
    auto it = devices().find(fd);
    return fd >= 0 && it != devices().end() && it->second.atomic ? fd : -1;
}

} // namespace

bool KmsFences::takes_in_fence(wlr_output *output) {
    int fd = atomic_fd(output);
    if (fd < 0 || devices()[fd].refuses_in_fence) return false;
    return cached_targets_of(fd, wlr_drm_connector_get_id(output)).in_fence_property != 0;
}

bool KmsFences::gives_out_fence(wlr_output *output) {
    int fd = atomic_fd(output);
    return fd >= 0 && cached_targets_of(fd, wlr_drm_connector_get_id(output)).out_fence_property != 0;
}

KmsFences::KmsFences(wlr_output *output, bool want_out_fence) {
    int fd = atomic_fd(output);
    if (fd < 0) return;
    Targets targets = cached_targets_of(fd, wlr_drm_connector_get_id(output));
    drm_fd_ = fd;
    plane_ = targets.plane;
    in_fence_property_ = devices()[fd].refuses_in_fence ? 0 : targets.in_fence_property;
    crtc_ = targets.crtc;
    out_fence_property_ = targets.out_fence_property;
    want_out_fence_ = want_out_fence;
    armed = this;
}

KmsFences::~KmsFences() {
    if (armed == this) armed = nullptr;
}

KmsFences *KmsFences::armed_for(int drm_fd) {
    return armed != nullptr && armed->drm_fd_ == drm_fd ? armed : nullptr;
}

bool KmsFences::add_to(drmModeAtomicReq *request, bool test) {
    bool in_fence = in_fence_ >= 0 && in_fence_property_ != 0 &&
                    drmModeAtomicAddProperty(request, plane_, in_fence_property_, static_cast<uint64_t>(in_fence_)) >= 0;
    if (!test && want_out_fence_ && out_fence_property_ != 0) {
        out_fence_slot_ = -1;
        drmModeAtomicAddProperty(request, crtc_, out_fence_property_,
                                 static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&out_fence_slot_)));
    }
    return in_fence;
}

void KmsFences::committed(bool test, bool carried_in_fence) {
    if (test) return;
    if (carried_in_fence) in_fence_commits_++;
    if (out_fence_slot_ >= 0) out_fence_.reset(std::exchange(out_fence_slot_, -1));
}

void KmsFences::in_fence_refused() {
    devices()[drm_fd_].refuses_in_fence = true;
    in_fence_property_ = 0;
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
    backend::KmsFences *arm = backend::KmsFences::armed_for(fd);
    if (arm == nullptr) return libdrm_commit(fd, req, flags, user_data);

    bool test = (flags & DRM_MODE_ATOMIC_TEST_ONLY) != 0;
    int cursor = drmModeAtomicGetCursor(req);
    bool carried_in_fence = arm->add_to(req, test);
    int ret = libdrm_commit(fd, req, flags, user_data);
    int saved_errno = errno;
    drmModeAtomicSetCursor(req, cursor); // wlroots' request as it built it
    if (ret == 0) arm->committed(test, carried_in_fence);
    // A refused test with the in-fence: was it the fence? The same request without it tells.
    if (ret != 0 && test && carried_in_fence && libdrm_commit(fd, req, flags, user_data) == 0) arm->in_fence_refused();
    errno = saved_errno;
    return ret;
}
