// Fences in KMS commits for planar's DRM outputs (issue 6, DESIGN.md steps 4
// and 6): IN_FENCE_FD on the primary plane, so that KMS, not planar, waits
// for a scanned-out buffer's acquire fence; OUT_FENCE_PTR on the CRTC, a
// sync_file that signals when the frame is on screen, which is when the
// client buffer it replaced stops being read (a release fence).
//
// wlroots 0.15's DRM backend has no way to pass fences. It builds one atomic
// request per output commit and hands it to libdrm's drmModeAtomicCommit;
// planar defines that function itself (the executable's definition wins over
// libdrm's for every library, libwlroots included) and, while a KmsFences is
// alive for an output, adds the properties to the request before forwarding
// it to libdrm. Nothing else in the request changes, and it is given back to
// wlroots as wlroots built it.
//
// Fallback per device: a device never seen committing atomically (legacy
// KMS, WLR_DRM_NO_ATOMIC=1), a plane or CRTC without the property, a driver
// that refuses the in-fence in a test commit (the same request passes
// without it), or PLANAR_KMS_FENCES=0: planar waits for acquire fences on
// the CPU and releases buffers when the flip that replaced them completed.
#pragma once

#include <cstdint>

#include "unique_fd.hpp"
#include "wlr.hpp"

namespace backend {

class KmsFences {
public:
    // Whether `output`'s primary plane takes an IN_FENCE_FD now.
    static bool takes_in_fence(wlr_output *output);
    // Whether `output`'s CRTC gives an OUT_FENCE_PTR fence.
    static bool gives_out_fence(wlr_output *output);

    // Arms the output's atomic commits until destroyed (one at a time);
    // inert for an output that is not on an atomic DRM device.
    // `want_out_fence`: non-test commits ask for an out fence.
    KmsFences(wlr_output *output, bool want_out_fence);
    ~KmsFences();
    KmsFences(const KmsFences &) = delete;
    KmsFences &operator=(const KmsFences &) = delete;

    // The primary plane's IN_FENCE_FD for the next commits (a sync_file,
    // borrowed: KMS takes its own reference; -1: none).
    void set_in_fence(int fence_fd) { in_fence_ = fence_fd; }
    // Non-test commits that carried the in-fence.
    int in_fence_commits() const { return in_fence_commits_; }
    // The out fence of the last non-test commit, if one was asked for and given.
    UniqueFd take_out_fence() { return std::move(out_fence_); }

    // For the drmModeAtomicCommit interposer (kms_fences.cpp).
    static KmsFences *armed_for(int drm_fd);
    // Adds the armed properties; true when the in-fence is among them.
    bool add_to(drmModeAtomicReq *request, bool test);
    void committed(bool test, bool carried_in_fence);
    void in_fence_refused();

private:
    int drm_fd_ = -1;
    uint32_t plane_ = 0, in_fence_property_ = 0;
    uint32_t crtc_ = 0, out_fence_property_ = 0;
    bool want_out_fence_ = false;
    int in_fence_ = -1;
    int in_fence_commits_ = 0;
    int32_t out_fence_slot_ = -1; // where the kernel writes the out fence (OUT_FENCE_PTR)
    UniqueFd out_fence_;
};

} // namespace backend
