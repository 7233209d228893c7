// IN_FENCE_FD for the primary plane of a DRM output: KMS, not planar, waits
// for a scanned-out buffer's acquire fence (issue 6, DESIGN.md step 4).
//
// wlroots 0.15's DRM backend has no way to pass a fence with a buffer. It
// builds one atomic request per output commit and hands it to libdrm's
// drmModeAtomicCommit; planar defines that function itself (the executable's
// definition wins over libdrm's for every library, libwlroots included) and,
// while a KmsInFence is alive for an output, adds IN_FENCE_FD to the output's
// primary plane before forwarding the request to libdrm. Nothing else in the
// request changes, and it is given back to wlroots as wlroots built it.
//
// Fallback per device: a device never seen committing atomically (legacy
// KMS, WLR_DRM_NO_ATOMIC=1), a primary plane without IN_FENCE_FD, a driver
// that refuses the fence in a test commit (the same request passes without
// it), or PLANAR_KMS_IN_FENCE=0: not supported, and planar waits on the CPU.
#pragma once

#include <cstdint>

#include "wlr.hpp"

namespace backend {

class KmsInFence {
public:
    // Whether `output`'s primary plane can take an IN_FENCE_FD now.
    static bool supported(wlr_output *output);

    // Arms the output's atomic commits with `fence_fd` (a sync_file,
    // borrowed: KMS takes its own reference in each commit) until destroyed.
    // Arm only when supported(output); one at a time.
    KmsInFence(wlr_output *output, int fence_fd);
    ~KmsInFence();
    KmsInFence(const KmsInFence &) = delete;
    KmsInFence &operator=(const KmsInFence &) = delete;

    // Non-test atomic commits that carried the fence; whether the driver
    // refused it in a test (the device then falls back for good).
    int commits() const { return commits_; }
    bool rejected() const { return rejected_; }

    // For the drmModeAtomicCommit interposer: what is armed on `drm_fd`.
    static KmsInFence *armed_for(int drm_fd);
    uint32_t plane() const { return plane_; }
    uint32_t property() const { return property_; }
    int fence_fd() const { return fence_fd_; }
    void committed() { commits_++; }
    void refused();

private:
    int drm_fd_ = -1;
    uint32_t plane_ = 0;
    uint32_t property_ = 0;
    int fence_fd_ = -1;
    int commits_ = 0;
    bool rejected_ = false;
};

} // namespace backend
