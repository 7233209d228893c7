#include "device.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <drm_fourcc.h>
#include <xf86drm.h>

#include "log.hpp"

namespace kms {
namespace {

template <typename T, void (*Free)(T *)> struct Freer {
    void operator()(T *p) const { Free(p); }
};
template <typename T, void (*Free)(T *)> using Owned = std::unique_ptr<T, Freer<T, Free>>;
using Resources = Owned<drmModeRes, drmModeFreeResources>;
using PlaneResources = Owned<drmModePlaneRes, drmModeFreePlaneResources>;
using ObjectProperties = Owned<drmModeObjectProperties, drmModeFreeObjectProperties>;
using PropertyRes = Owned<drmModePropertyRes, drmModeFreeProperty>;
using ConnectorRes = Owned<drmModeConnector, drmModeFreeConnector>;
using EncoderRes = Owned<drmModeEncoder, drmModeFreeEncoder>;
using PlaneRes = Owned<drmModePlane, drmModeFreePlane>;
using Blob = Owned<drmModePropertyBlobRes, drmModeFreePropertyBlob>;

struct Property {
    uint32_t id = 0;
    uint64_t value = 0;
};

// name -> (id, value) of every property of one object.
std::map<std::string, Property> properties_of(int fd, uint32_t object, uint32_t type) {
    std::map<std::string, Property> result;
    ObjectProperties props(drmModeObjectGetProperties(fd, object, type));
    if (!props) return result;
    for (uint32_t i = 0; i < props->count_props; i++) {
        PropertyRes prop(drmModeGetProperty(fd, props->props[i]));
        if (prop) result[prop->name] = Property{props->props[i], props->prop_values[i]};
    }
    return result;
}

uint32_t id_of(const std::map<std::string, Property> &props, const char *name) {
    auto it = props.find(name);
    return it != props.end() ? it->second.id : 0;
}

std::vector<FormatModifier> in_formats(int fd, uint64_t blob_id) {
    std::vector<FormatModifier> result;
    Blob blob(drmModeGetPropertyBlob(fd, static_cast<uint32_t>(blob_id)));
    if (!blob) return result;
    drmModeFormatModifierIterator iter{};
    while (drmModeFormatModifierBlobIterNext(blob.get(), &iter)) {
        result.push_back({iter.fmt, iter.mod});
    }
    return result;
}

std::optional<PlaneInfo> read_plane(int fd, uint32_t id) {
    PlaneRes res(drmModeGetPlane(fd, id));
    if (!res) return std::nullopt;
    auto props = properties_of(fd, id, DRM_MODE_OBJECT_PLANE);
    PlaneInfo info;
    info.plane.id = id;
    auto type = props.find("type");
    if (type == props.end()) return std::nullopt;
    info.plane.type = type->second.value == DRM_PLANE_TYPE_PRIMARY  ? Plane::Type::primary
                      : type->second.value == DRM_PLANE_TYPE_CURSOR ? Plane::Type::cursor
                                                                    : Plane::Type::overlay;
    if (auto zpos = props.find("zpos"); zpos != props.end()) info.plane.zpos = zpos->second.value;
    if (auto blob = props.find("IN_FORMATS"); blob != props.end() && blob->second.value != 0) {
        info.plane.formats = in_formats(fd, blob->second.value);
    } else {
        // No modifiers: the formats of the plane with an implicit (linear) layout.
        for (uint32_t i = 0; i < res->count_formats; i++) info.plane.formats.push_back({res->formats[i], DRM_FORMAT_MOD_LINEAR});
    }
    info.plane.alpha = props.count("alpha") != 0;
    // planar does not write "rotation" yet, so a y_invert buffer stays
    // composited even where the plane could reflect it.
    info.plane.reflects_y = false;
    // Whether a plane scales is known only by asking; planar does not yet
    // scale on planes, so it says no (vkms: DRM_PLANE_NO_SCALING).
    info.plane.scales = false;
    info.possible_crtcs = res->possible_crtcs;
    info.fb_id = id_of(props, "FB_ID");
    info.crtc_id = id_of(props, "CRTC_ID");
    info.src_x = id_of(props, "SRC_X");
    info.src_y = id_of(props, "SRC_Y");
    info.src_w = id_of(props, "SRC_W");
    info.src_h = id_of(props, "SRC_H");
    info.crtc_x = id_of(props, "CRTC_X");
    info.crtc_y = id_of(props, "CRTC_Y");
    info.crtc_w = id_of(props, "CRTC_W");
    info.crtc_h = id_of(props, "CRTC_H");
    info.in_fence_fd = id_of(props, "IN_FENCE_FD");
    info.current_crtc = res->crtc_id;
    if (info.fb_id == 0 || info.crtc_id == 0 || info.src_w == 0 || info.crtc_w == 0) return std::nullopt;
    return info;
}

// Stacking order: zpos where any plane has one, else list order by type.
void order_planes(std::vector<PlaneInfo> &planes) {
    bool any_zpos = std::any_of(planes.begin(), planes.end(), [](const PlaneInfo &p) { return p.plane.zpos.has_value(); });
    for (size_t i = 0; i < planes.size(); i++) {
        PlaneInfo &p = planes[i];
        uint64_t rank = p.plane.type == Plane::Type::primary ? 0 : p.plane.type == Plane::Type::overlay ? 1 : 2;
        p.order = any_zpos ? (p.plane.zpos.value_or(rank) << 16) | i : (rank << 16) | i;
    }
}

std::string connector_name(const drmModeConnector &c) {
    const char *type = drmModeGetConnectorTypeName(c.connector_type);
    return std::string(type != nullptr ? type : "Unknown") + "-" + std::to_string(c.connector_type_id);
}

// The three-letter PNP id and the monitor name of an EDID, when present.
void parse_edid(const uint8_t *edid, size_t size, ConnectorInfo &info) {
    if (size < 128) return;
    uint16_t id = static_cast<uint16_t>(edid[8] << 8 | edid[9]);
    char pnp[4] = {static_cast<char>('A' + ((id >> 10) & 0x1f) - 1), static_cast<char>('A' + ((id >> 5) & 0x1f) - 1),
                   static_cast<char>('A' + (id & 0x1f) - 1), 0};
    info.make = pnp;
    for (size_t d = 54; d + 18 <= 126; d += 18) {
        const uint8_t *desc = edid + d;
        if (desc[0] != 0 || desc[1] != 0) continue;
        std::string text(reinterpret_cast<const char *>(desc + 5), 13);
        text = text.substr(0, text.find_first_of("\n"));
        if (desc[3] == 0xfc) info.model = text;
        if (desc[3] == 0xff) info.serial = text;
    }
}

std::optional<ConnectorInfo> read_connector(int fd, uint32_t id, const drmModeRes &resources) {
    ConnectorRes res(drmModeGetConnector(fd, id));
    if (!res) return std::nullopt;
    ConnectorInfo info;
    info.id = id;
    info.name = connector_name(*res);
    info.connected = res->connection == DRM_MODE_CONNECTED;
    info.mm_width = static_cast<int>(res->mmWidth);
    info.mm_height = static_cast<int>(res->mmHeight);
    info.subpixel = res->subpixel;
    for (int i = 0; i < res->count_modes; i++) {
        const drmModeModeInfo &mode = res->modes[i];
        if (mode.type & DRM_MODE_TYPE_PREFERRED) {
            info.modes.insert(info.modes.begin(), mode);
        } else {
            info.modes.push_back(mode);
        }
    }
    for (int e = 0; e < res->count_encoders; e++) {
        EncoderRes encoder(drmModeGetEncoder(fd, res->encoders[e]));
        if (encoder) info.possible_crtcs |= encoder->possible_crtcs;
    }
    (void)resources;
    auto props = properties_of(fd, id, DRM_MODE_OBJECT_CONNECTOR);
    info.crtc_id_property = id_of(props, "CRTC_ID");
    if (auto crtc = props.find("CRTC_ID"); crtc != props.end()) info.current_crtc = static_cast<uint32_t>(crtc->second.value);
    if (auto edid = props.find("EDID"); edid != props.end() && edid->second.value != 0) {
        Blob blob(drmModeGetPropertyBlob(fd, static_cast<uint32_t>(edid->second.value)));
        if (blob) parse_edid(static_cast<const uint8_t *>(blob->data), blob->length, info);
    }
    return info;
}

} // namespace

int refresh_mhz(const drmModeModeInfo &mode) {
    if (mode.htotal == 0 || mode.vtotal == 0) return 0;
    int64_t refresh = (mode.clock * 1'000'000LL / mode.htotal + mode.vtotal / 2) / mode.vtotal;
    if (mode.flags & DRM_MODE_FLAG_INTERLACE) refresh *= 2;
    if (mode.flags & DRM_MODE_FLAG_DBLSCAN) refresh /= 2;
    if (mode.vscan > 1) refresh /= mode.vscan;
    return static_cast<int>(refresh);
}

std::optional<Device> Device::read(int fd, std::string &why_not) {
    if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) != 0 || drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0) {
        why_not = "the driver has no atomic modesetting";
        return std::nullopt;
    }
    Resources resources(drmModeGetResources(fd));
    PlaneResources plane_resources(drmModeGetPlaneResources(fd));
    if (!resources || !plane_resources) {
        why_not = std::string("cannot read the KMS resources: ") + strerror(errno);
        return std::nullopt;
    }
    Device device;
    device.fd_ = fd;
    uint64_t cap = 0;
    device.monotonic_ = drmGetCap(fd, DRM_CAP_TIMESTAMP_MONOTONIC, &cap) == 0 && cap != 0;
    for (int i = 0; i < resources->count_crtcs && i < 32; i++) {
        CrtcInfo crtc;
        crtc.id = resources->crtcs[i];
        crtc.index = i;
        auto props = properties_of(fd, crtc.id, DRM_MODE_OBJECT_CRTC);
        crtc.mode_id_property = id_of(props, "MODE_ID");
        crtc.active_property = id_of(props, "ACTIVE");
        crtc.out_fence_property = id_of(props, "OUT_FENCE_PTR");
        crtc.gamma_lut_property = id_of(props, "GAMMA_LUT");
        if (auto size = props.find("GAMMA_LUT_SIZE"); size != props.end()) crtc.gamma_lut_size = size->second.value;
        if (crtc.mode_id_property == 0 || crtc.active_property == 0) {
            why_not = "CRTC " + std::to_string(crtc.id) + " has no MODE_ID/ACTIVE property";
            return std::nullopt;
        }
        device.crtcs_.push_back(crtc);
    }
    for (uint32_t i = 0; i < plane_resources->count_planes; i++) {
        if (auto plane = read_plane(fd, plane_resources->planes[i])) device.planes_.push_back(std::move(*plane));
    }
    order_planes(device.planes_);
    std::sort(device.planes_.begin(), device.planes_.end(), [](const PlaneInfo &a, const PlaneInfo &b) { return a.order < b.order; });
    device.reread_connectors();
    return device;
}

void Device::reread_connectors() {
    connectors_.clear();
    Resources resources(drmModeGetResources(fd_));
    if (!resources) return;
    for (int i = 0; i < resources->count_connectors; i++) {
        if (auto connector = read_connector(fd_, resources->connectors[i], *resources)) connectors_.push_back(std::move(*connector));
    }
}

const CrtcInfo *Device::crtc(uint32_t id) const {
    for (const CrtcInfo &c : crtcs_) {
        if (c.id == id) return &c;
    }
    return nullptr;
}

const PlaneInfo *Device::plane(uint32_t id) const {
    for (const PlaneInfo &p : planes_) {
        if (p.plane.id == id) return &p;
    }
    return nullptr;
}

std::vector<const PlaneInfo *> Device::planes_for(const CrtcInfo &crtc, const std::vector<uint32_t> &taken) const {
    std::vector<const PlaneInfo *> result;
    uint32_t bit = 1u << crtc.index;
    bool have_primary = false;
    for (const PlaneInfo &p : planes_) {
        if (!(p.possible_crtcs & bit) || p.plane.type == Plane::Type::cursor) continue;
        if (std::find(taken.begin(), taken.end(), p.plane.id) != taken.end()) continue;
        if (p.plane.type == Plane::Type::primary) {
            if (have_primary) continue;
            have_primary = true;
        }
        result.push_back(&p);
    }
    if (!have_primary) result.clear();
    return result;
}

const PlaneInfo *Device::cursor_for(const CrtcInfo &crtc) const {
    for (const PlaneInfo &p : planes_) {
        if (p.plane.type == Plane::Type::cursor && (p.possible_crtcs & (1u << crtc.index))) return &p;
    }
    return nullptr;
}

} // namespace kms
