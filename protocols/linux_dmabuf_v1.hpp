// planar's zwp_linux_dmabuf_v1 (up to version 5): the global, the params
// objects (validation in dmabuf_params.hpp), the feedback objects and the
// compositor-side API that decides what each surface's feedback says.
// wlroots' own linux-dmabuf is never created: it refuses to exist without a
// render node and does not enforce the v4 rules.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <sys/types.h>
#include <vector>

#include "format_table.hpp"
#include "importer.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace proto {

class Feedback;

// One tranche of a feedback: pairs on `target_device`, most preferred first.
struct Tranche {
    dev_t target_device = 0;
    uint32_t flags = 0; // zwp_linux_dmabuf_feedback_v1 tranche_flags (scanout = 1)
    std::vector<render::FormatPair> formats;
};

class LinuxDmabuf {
public:
    static constexpr uint32_t version = 5;

    // `main_device`: see Server::dmabuf_main_device() for how it is chosen.
    LinuxDmabuf(wl_display *display, render::Importer &importer, dev_t main_device);
    ~LinuxDmabuf();
    LinuxDmabuf(const LinuxDmabuf &) = delete;
    LinuxDmabuf &operator=(const LinuxDmabuf &) = delete;

    // Replaces the advertised pairs: a new table, every feedback resent.
    void set_formats(std::vector<render::FormatPair> pairs);
    // A surface's tranches (empty: the default feedback). Pairs missing from
    // the table are dropped: only pairs that import may be offered.
    void set_surface_tranches(wlr_surface *surface, std::vector<Tranche> tranches);

    render::Importer &importer() { return importer_; }
    const render::FormatTable *table() const { return table_.get(); }
    dev_t main_device() const { return main_device_; }
    // The batch a feedback object sends: the surface's tranches, or the default.
    std::vector<Tranche> tranches_for(wlr_surface *surface) const;

    // Bookkeeping of the feedback objects (called by Feedback itself).
    void add_feedback(Feedback *feedback) { feedbacks_.push_back(feedback); }
    void remove_feedback(Feedback *feedback) { feedbacks_.remove(feedback); }

private:
    struct SurfacePolicy {
        std::vector<Tranche> tranches;
        wl::Listener on_destroy;
    };
    static void bind(wl_client *client, void *data, uint32_t version, uint32_t id);
    void resend_all();

    wl_global *global_ = nullptr;
    render::Importer &importer_;
    dev_t main_device_;
    std::shared_ptr<const render::FormatTable> table_;
    std::list<Feedback *> feedbacks_;
    std::map<wlr_surface *, std::unique_ptr<SurfacePolicy>> surfaces_;
};

} // namespace proto
