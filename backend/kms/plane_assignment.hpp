// Plane assignment (issue 12, step 2): which visible surfaces of one output
// frame go on which KMS planes, and why the others are composited. A pure
// function of the frame and the output's planes; the only outside question
// is "does the device take this layout?", asked through PlaneTester (an
// atomic TEST_ONLY commit in the backend, a fake in the unit tests).
//
// Rules (Weston's and gamescope's, for a driver with or without zpos):
// - only a layer that nothing composited above it overlaps may leave the
//   composition (the composited image is the primary plane, under overlays);
// - a layer goes only on a plane above every plane of the layers under it:
//   ordered by zpos where the driver has it, by plane id where it has none
//   (vkms); the primary plane takes the composition, or the bottom layer
//   when that layer alone covers the output;
// - a layer is refused before any test for what its plane cannot show:
//   format/modifier (IN_FORMATS), scaling, y_invert, an unsignalled acquire
//   fence unless the layer is alone (one fence must never hold another
//   surface's flips), opacity;
// - the device has the last word: a layout it refuses is not tried again
//   while the frame's layout stays the same (the cache).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kms {

struct Rect {
    int x = 0, y = 0, width = 0, height = 0;
    bool intersects(const Rect &o) const {
        return x < o.x + o.width && o.x < x + width && y < o.y + o.height && o.y < y + height;
    }
    bool operator==(const Rect &) const = default;
};

struct FormatModifier {
    uint32_t format = 0;
    uint64_t modifier = 0;
    auto operator<=>(const FormatModifier &) const = default;
};

struct Plane {
    enum class Type { primary, overlay, cursor };
    uint32_t id = 0;
    Type type = Type::overlay;
    std::optional<uint64_t> zpos;        // the driver's (immutable or default), absent on vkms
    std::vector<FormatModifier> formats; // IN_FORMATS
    bool scales = false;                 // src size may differ from dst size
    bool reflects_y = false;             // rotation has reflect-y
    bool alpha = false;                  // has an "alpha" property
    bool operator==(const Plane &) const = default;
};

// One visible surface of the frame (top to bottom in Frame::layers).
struct Layer {
    uint32_t surface = 0;   // the caller's id, echoed in the result
    FormatModifier buffer;  // format and modifier of the surface's dma-buf
    bool dmabuf = true;     // false: shm or anything no plane can show
    Rect dst;               // in output coordinates
    int src_width = 0, src_height = 0; // buffer pixels shown
    bool y_invert = false;
    float opacity = 1.0f;
    bool fence_unsignalled = false; // acquire fence not signalled yet
    bool operator==(const Layer &) const = default;
};

struct Frame {
    Rect output;
    std::vector<Layer> layers; // topmost first
};

enum class Reason { none, not_dmabuf, covered, format, scaling, y_invert, opacity, fence, no_plane, test_failed };
const char *reason_name(Reason reason);

struct Placement {
    uint32_t surface = 0;
    uint32_t plane = 0;        // 0: composited
    Reason reason = Reason::none; // why composited
};

struct Assignment {
    std::vector<Placement> layers; // in Frame::layers order
    bool composition = true;        // the primary plane shows planar's composition
    uint32_t primary = 0;           // the primary plane's id
};

class PlaneTester {
public:
    virtual ~PlaneTester() = default;
    // Whether the device takes this assignment (an atomic TEST_ONLY commit).
    virtual bool test(const Assignment &assignment) = 0;
};

// Results of tests for layouts seen before: a layout is the planes chosen
// plus every layer's geometry, format and modifier. Kept by the output.
class TestCache {
public:
    std::optional<bool> find(const std::string &key) const;
    void remember(const std::string &key, bool ok);
    size_t size() const { return results_.size(); }

private:
    std::map<std::string, bool> results_;
};

Assignment assign_planes(const Frame &frame, const std::vector<Plane> &planes, PlaneTester &tester,
                         TestCache *cache = nullptr);

} // namespace kms
