// Names for people: DRM devices from the dev_t values linux-dmabuf feedback
// carries, formats and modifiers as libdrm spells them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

namespace client {

// "/dev/dri/card0 (226:0)"; a dev_t that is no DRM node is named from sysfs
// ("/dev/dma_heap/system (253:0, not a DRM device)"), 0 is "none (0:0)".
std::string device_name(dev_t device);

// The node to open for a DRM dev_t: its render node when the device has one
// (and `prefer_render`), else the node the dev_t names. nullopt when the
// dev_t is not a DRM device.
std::optional<std::string> drm_node_path(dev_t device, bool prefer_render = true);

// dev_t of an open fd or a path; nullopt if not a character device.
std::optional<dev_t> device_of_path(const std::string &path);

std::string format_name(uint32_t format);         // "XR24"
std::string format_long_name(uint32_t format);    // "XR24 (XRGB8888)" where known
std::string modifier_name(uint64_t modifier);     // "LINEAR", "INVALID", "X_TILED", else hex
// Parses "XR24", "XRGB8888", "NV12"...; nullopt if unknown.
std::optional<uint32_t> parse_format(const std::string &text);

} // namespace client
