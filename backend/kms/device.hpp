// What one atomic KMS device offers, read once: connectors with their modes,
// CRTCs, planes with the properties planar sets and the formats they take
// (IN_FORMATS). Property ids never change while the device is open; values
// that do (a connector's status and modes) are read again on hotplug.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <xf86drmMode.h>

#include "plane_assignment.hpp"

namespace kms {

struct ConnectorInfo {
    uint32_t id = 0;
    std::string name; // "Virtual-1", "HDMI-A-2": type name and type id, as other compositors name them
    bool connected = false;
    std::vector<drmModeModeInfo> modes; // the first preferred one first when there is one
    uint32_t possible_crtcs = 0;        // bit i: the CRTC of index i (through the encoders)
    uint32_t crtc_id_property = 0;
    uint32_t current_crtc = 0; // CRTC_ID when read (what a previous master left)
    int mm_width = 0, mm_height = 0;
    uint32_t subpixel = 0; // DRM_MODE_SUBPIXEL_*
    std::string make = "Unknown", model = "Unknown", serial;
};

struct CrtcInfo {
    uint32_t id = 0;
    int index = 0;
    uint32_t mode_id_property = 0, active_property = 0;
    uint32_t out_fence_property = 0; // OUT_FENCE_PTR, 0 when absent
    uint32_t gamma_lut_property = 0; // 0 when absent
    uint64_t gamma_lut_size = 0;
};

struct PlaneInfo {
    Plane plane; // what the assignment knows of it (id, type, zpos, formats, ...)
    uint32_t possible_crtcs = 0;
    uint32_t fb_id = 0, crtc_id = 0, src_x = 0, src_y = 0, src_w = 0, src_h = 0;
    uint32_t crtc_x = 0, crtc_y = 0, crtc_w = 0, crtc_h = 0;
    uint32_t in_fence_fd = 0; // 0 when absent
    uint32_t current_crtc = 0; // CRTC_ID when read
    // Stacking position among all planes: zpos where any plane has one,
    // else the plane list's order with primary < overlays < cursor (the
    // order vkms blends in; Weston invents the same).
    uint64_t order = 0;
};

class Device {
public:
    // Reads `fd` (not owned). Null with `why_not` set when the device has no
    // atomic KMS or cannot be read.
    static std::optional<Device> read(int fd, std::string &why_not);
    // Reads the connectors again (hotplug); property ids stay.
    void reread_connectors();

    int fd() const { return fd_; }
    const std::vector<ConnectorInfo> &connectors() const { return connectors_; }
    const std::vector<CrtcInfo> &crtcs() const { return crtcs_; }
    const std::vector<PlaneInfo> &planes() const { return planes_; }
    const CrtcInfo *crtc(uint32_t id) const;
    const PlaneInfo *plane(uint32_t id) const;
    // Primary and overlay planes `crtc` may use, bottom to top, for
    // assign_planes; the primary is the first primary plane that may drive it
    // and is not `taken` by another CRTC.
    std::vector<const PlaneInfo *> planes_for(const CrtcInfo &crtc, const std::vector<uint32_t> &taken) const;
    const PlaneInfo *cursor_for(const CrtcInfo &crtc) const;
    bool timestamps_monotonic() const { return monotonic_; }

private:
    int fd_ = -1;
    bool monotonic_ = false;
    std::vector<ConnectorInfo> connectors_;
    std::vector<CrtcInfo> crtcs_;
    std::vector<PlaneInfo> planes_;
};

// Refresh rate of a mode in mHz, as wlroots computes it.
int refresh_mhz(const drmModeModeInfo &mode);

} // namespace kms
