// Inside planar's KMS backend: the backend of one device and its outputs.
// backend.cpp opens the device, makes and removes outputs (hotplug) and
// follows the session (VT switch); output.cpp builds each output's atomic
// requests and turns page flips into present and frame events.
#pragma once

#include <list>
#include <memory>
#include <optional>
#include <vector>

#include "device.hpp"
#include "framebuffer.hpp"
#include "kms.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace kms {

struct KmsBackend;

// A buffer a plane shows (or will show once the flip completes), locked
// while it is there.
class LockedBuffer {
public:
    LockedBuffer() = default;
    explicit LockedBuffer(wlr_buffer *buffer) : buffer_(buffer != nullptr ? wlr_buffer_lock(buffer) : nullptr) {}
    ~LockedBuffer() { reset(); }
    LockedBuffer(LockedBuffer &&o) noexcept : buffer_(std::exchange(o.buffer_, nullptr)) {}
    LockedBuffer &operator=(LockedBuffer &&o) noexcept {
        if (this != &o) {
            reset();
            buffer_ = std::exchange(o.buffer_, nullptr);
        }
        return *this;
    }
    LockedBuffer(const LockedBuffer &) = delete;
    LockedBuffer &operator=(const LockedBuffer &) = delete;
    wlr_buffer *get() const { return buffer_; }
    void reset() {
        if (buffer_ != nullptr) wlr_buffer_unlock(std::exchange(buffer_, nullptr));
    }

private:
    wlr_buffer *buffer_ = nullptr;
};

// What the planes of one CRTC show after a commit.
struct PlaneContent {
    uint32_t plane = 0;
    LockedBuffer buffer; // null: off
    uint32_t fb = 0;
    bool in_fence = false;
    // A client buffer's source, which the framebuffer is kept with: locked
    // too, so that a client destroying its wl_buffer while the plane shows
    // it cannot take the framebuffer off the screen before the next flip.
    LockedBuffer source;
};

struct KmsOutput {
    wlr_output base; // first member: wlroots hands us &base
    KmsBackend *backend = nullptr;
    uint32_t connector = 0;
    uint32_t crtc = 0;
    std::vector<uint32_t> planes; // primary first, then overlays bottom to top
    uint32_t cursor_plane = 0;    // 0: none (wlroots draws the cursor in composition)
    wlr_drm_format_set cursor_formats{};
    LockedBuffer cursor_buffer;   // set_cursor's image, null: hidden
    int cursor_x = 0, cursor_y = 0, cursor_hotspot_x = 0, cursor_hotspot_y = 0;
    bool cursor_changed = false;  // since the last commit
    uint32_t mode_blob = 0;
    uint32_t new_mode_blob = 0, new_gamma_blob = 0; // made for the commit being built
    wlr_drm_format_set primary_formats{};
    bool modeset_needed = true; // first commit, resume, or a mode change
    bool active = false;
    bool flip_pending = false;
    uint32_t flip_commit_seq = 0;
    bool flip_zero_copy = false;
    NextFrame next;
    std::vector<PlaneContent> shown;   // what the screen shows
    std::vector<PlaneContent> queued;  // what the pending flip will show
    int32_t out_fence_slot = -1;
    UniqueFd out_fence;

    const CrtcInfo &crtc_info() const;
    bool build(drmModeAtomicReq *request, bool test, const NextFrame &frame, bool &zero_copy,
               std::vector<PlaneContent> *contents);
    bool commit(bool test);
    void refuses_in_fence_test();
    void page_flipped(unsigned seq, unsigned tv_sec, unsigned tv_usec);
    void disable_now();
};

struct KmsBackend {
    wlr_backend base; // first member: wlroots hands us &base
    wl_display *display = nullptr;
    wlr_session *session = nullptr;
    wlr_device *device = nullptr;
    std::optional<Device> model;
    std::unique_ptr<FramebufferCache> framebuffers;
    std::list<KmsOutput *> outputs;
    wl_event_source *drm_source = nullptr;
    bool started = false;
    bool planes_enabled = true; // PLANAR_KMS_PLANES=0: the primary plane only
    // PLANAR_KMS_FENCES=0, or the driver refused IN_FENCE_FD in a test that
    // passed without it: acquire fences are waited for on the CPU, no out fences.
    bool fences_enabled = true;
    wl::Listener on_session_active;
    wl::Listener on_device_change;

    void scan_connectors();
    KmsOutput *output_for_crtc(uint32_t crtc);
};

// `planes`: the primary plane, then the overlays this output may use, bottom to top.
KmsOutput *create_output(KmsBackend *backend, const ConnectorInfo &connector, uint32_t crtc, std::vector<uint32_t> planes);
KmsOutput *kms_output_from(wlr_output *output); // null unless a KMS output

} // namespace kms
