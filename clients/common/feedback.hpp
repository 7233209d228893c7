// linux-dmabuf v4 feedback, parsed into plain data. Events arrive in batches
// ending with `done`; a batch after the first replaces the previous state
// whole, except the format table, which stays valid until a new one is sent.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "linux-dmabuf-v1-client-protocol.h"

namespace client {

struct FormatModifier {
    uint32_t format;
    uint64_t modifier;
    bool operator==(const FormatModifier &) const = default;
};

struct Tranche {
    dev_t target_device = 0;
    uint32_t flags = 0; // ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT
    std::vector<FormatModifier> formats;
    bool scanout() const { return flags & ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT; }
    bool has(uint32_t format, uint64_t modifier) const;
    std::vector<uint64_t> modifiers(uint32_t format) const;
    bool operator==(const Tranche &) const = default;
};

struct FeedbackState {
    dev_t main_device = 0;
    size_t table_entries = 0;
    std::vector<Tranche> tranches; // decreasing preference
    // Problems with the batch (a tranche index beyond the table...), for people.
    std::vector<std::string> warnings;
    // The first tranche offering format+modifier, or nullptr.
    const Tranche *find(uint32_t format, uint64_t modifier) const;
    bool operator==(const FeedbackState &o) const {
        return main_device == o.main_device && tranches == o.tranches;
    }
};

// One line for people: "2 tranches, first scanout on /dev/dri/card0".
std::string describe(const FeedbackState &state);

class Feedback {
public:
    using DoneFn = std::function<void(const FeedbackState &)>;
    // Takes ownership of `proxy` (from get_default_feedback / get_surface_feedback).
    Feedback(zwp_linux_dmabuf_feedback_v1 *proxy, DoneFn on_done = {});
    ~Feedback();
    Feedback(const Feedback &) = delete;
    Feedback &operator=(const Feedback &) = delete;

    bool received() const { return batches_ > 0; }
    unsigned batches() const { return batches_; }
    const FeedbackState &state() const { return state_; }

    // A DoneFn for clients that follow their feedback: prints each batch
    // ("feedback at 2.41 s: ...", seconds since this call) and sets `changed`.
    static DoneFn announce_into(bool &changed);

private:
    static const zwp_linux_dmabuf_feedback_v1_listener listener;
    void begin_batch();

    zwp_linux_dmabuf_feedback_v1 *proxy_;
    DoneFn on_done_;
    std::vector<FormatModifier> table_;
    FeedbackState state_, pending_;
    Tranche tranche_;
    bool in_batch_ = false;
    unsigned batches_ = 0;
};

} // namespace client
