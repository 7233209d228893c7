#include "drm_names.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <drm_fourcc.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <xf86drm.h>

namespace client {

namespace {

struct KnownFormat {
    uint32_t format;
    const char *name;
};
// The formats these clients produce or commonly meet in feedback; anything
// else is shown by its fourcc only.
constexpr KnownFormat known_formats[] = {
    {DRM_FORMAT_XRGB8888, "XRGB8888"}, {DRM_FORMAT_ARGB8888, "ARGB8888"}, {DRM_FORMAT_XBGR8888, "XBGR8888"},
    {DRM_FORMAT_ABGR8888, "ABGR8888"}, {DRM_FORMAT_RGBX8888, "RGBX8888"}, {DRM_FORMAT_RGBA8888, "RGBA8888"},
    {DRM_FORMAT_BGRX8888, "BGRX8888"}, {DRM_FORMAT_BGRA8888, "BGRA8888"}, {DRM_FORMAT_RGB565, "RGB565"},
    {DRM_FORMAT_XRGB2101010, "XRGB2101010"}, {DRM_FORMAT_ARGB2101010, "ARGB2101010"},
    {DRM_FORMAT_XBGR2101010, "XBGR2101010"}, {DRM_FORMAT_ABGR2101010, "ABGR2101010"},
    {DRM_FORMAT_XRGB16161616, "XRGB16161616"}, {DRM_FORMAT_ARGB16161616, "ARGB16161616"},
    {DRM_FORMAT_XBGR16161616F, "XBGR16161616F"}, {DRM_FORMAT_ABGR16161616F, "ABGR16161616F"},
    {DRM_FORMAT_NV12, "NV12"}, {DRM_FORMAT_NV21, "NV21"}, {DRM_FORMAT_P010, "P010"},
    {DRM_FORMAT_YUYV, "YUYV"}, {DRM_FORMAT_UYVY, "UYVY"}, {DRM_FORMAT_YUV420, "YUV420"},
};

std::string numbers(dev_t device) {
    char buf[32];
    snprintf(buf, sizeof buf, "%u:%u", major(device), minor(device));
    return buf;
}

// DEVNAME from /sys/dev/char/M:m/uevent: the name any character device has.
std::optional<std::string> sysfs_devname(dev_t device) {
    std::ifstream uevent("/sys/dev/char/" + numbers(device) + "/uevent");
    std::string line;
    while (std::getline(uevent, line))
        if (line.rfind("DEVNAME=", 0) == 0) return "/dev/" + line.substr(8);
    return std::nullopt;
}

} // namespace

std::optional<dev_t> device_of_path(const std::string &path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) return std::nullopt;
    return st.st_rdev;
}

std::optional<std::string> drm_node_path(dev_t device, bool prefer_render) {
    drmDevicePtr dev = nullptr;
    if (device == 0 || drmGetDeviceFromDevId(device, 0, &dev) != 0) return std::nullopt;
    std::optional<std::string> exact, render;
    for (int type = 0; type < DRM_NODE_MAX; type++) {
        if (!(dev->available_nodes & (1 << type))) continue;
        if (type == DRM_NODE_RENDER) render = dev->nodes[type];
        if (device_of_path(dev->nodes[type]) == device) exact = dev->nodes[type];
    }
    drmFreeDevice(&dev);
    if (prefer_render && render) return render;
    return exact;
}

std::string device_name(dev_t device) {
    if (device == 0) return "none (0:0)";
    if (auto node = drm_node_path(device, false)) return *node + " (" + numbers(device) + ")";
    if (auto name = sysfs_devname(device)) return *name + " (" + numbers(device) + ", not a DRM device)";
    return "unknown device (" + numbers(device) + ")";
}

std::string format_name(uint32_t format) {
    char *name = drmGetFormatName(format);
    std::string result = name ? name : "?";
    free(name);
    while (!result.empty() && result.back() == ' ') result.pop_back();
    return result;
}

std::string format_long_name(uint32_t format) {
    for (const auto &k : known_formats)
        if (k.format == format && format_name(format) != k.name) return format_name(format) + " (" + k.name + ")";
    return format_name(format);
}

std::string modifier_name(uint64_t modifier) {
    char *name = drmGetFormatModifierName(modifier);
    if (name != nullptr) {
        std::string result = name;
        free(name);
        char *vendor = drmGetFormatModifierVendor(modifier);
        if (vendor != nullptr && modifier != DRM_FORMAT_MOD_LINEAR && modifier != DRM_FORMAT_MOD_INVALID)
            result = std::string(vendor) + ":" + result;
        free(vendor);
        return result;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "0x%016" PRIx64, modifier);
    return buf;
}

std::optional<uint32_t> parse_format(const std::string &text) {
    for (const auto &k : known_formats)
        if (text == k.name || text == format_name(k.format)) return k.format;
    if (text.size() == 4) return fourcc_code(text[0], text[1], text[2], text[3]);
    return std::nullopt;
}

} // namespace client
