// planar-gbm: GPU buffers the way a real client makes them. The DRM device
// and the modifiers come from the surface's linux-dmabuf feedback (the
// scanout tranche first, when there is one); GBM allocates, GLES2 renders into
// the buffer through an EGLImage-backed framebuffer, every plane is exported
// and handed over. A new feedback batch that changes the choice reallocates.
#include <cerrno>
#include <cstring>
#include <drm_fourcc.h>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <unistd.h>
#include <vector>

#include "common/display.hpp"
#include "common/dmabuf_buffer.hpp"
#include "common/drm_names.hpp"
#include "common/feedback.hpp"
#include "common/gpu.hpp"
#include "common/window.hpp"

using namespace client;

namespace {

constexpr int buffer_count = 3;

struct Choice {
    std::string node;
    uint32_t format;
    std::vector<uint64_t> modifiers;
    bool scanout = false;
    bool operator==(const Choice &) const = default;
};

// Tranches are in decreasing preference: the first one offering the format
// on a device we can open wins. --device overrides the device only.
Choice choose(const FeedbackState &fb, uint32_t format, const std::optional<std::string> &device) {
    std::string why = "the compositor advertises " + format_name(format) + " in no tranche";
    for (const Tranche &t : fb.tranches) {
        auto mods = t.modifiers(format);
        if (mods.empty()) continue;
        if (device) return {*device, format, mods, t.scanout()};
        dev_t target = t.target_device ? t.target_device : fb.main_device;
        if (auto node = drm_node_path(target)) return {*node, format, mods, t.scanout()};
        why = "the feedback names no DRM device for " + format_name(format) + " (device " + device_name(target) +
              "); pass --device /dev/dri/NODE";
    }
    fail("%s", why.c_str());
}

std::string modifiers_text(const std::vector<uint64_t> &mods) {
    std::string s;
    for (uint64_t m : mods) s += (s.empty() ? "" : ",") + modifier_name(m);
    return s;
}

} // namespace

int main(int argc, char **argv) {
    std::optional<std::string> device;
    uint32_t format = DRM_FORMAT_XRGB8888;
    std::optional<uint32_t> solid;
    std::vector<ExtraOption> extra = {
        {"device", "PATH", "DRM node to render on (default: from the feedback)", [&](const char *v) {
             device = v;
             return true;
         }},
        {"format", "FOURCC", "buffer format (default XR24)", [&](const char *v) {
             auto f = parse_format(v);
             if (f) format = *f;
             return f.has_value();
         }},
        {"solid", "RRGGBB", "clear every frame to this colour instead of the animation", [&](const char *v) {
             uint32_t c;
             if (!parse_colour(v, &c)) return false;
             solid = c;
             return true;
         }},
    };
    Options opt = parse_options(argc, argv, "planar-gbm", "Renders with GLES2 into GBM buffers shown through linux-dmabuf.",
                                extra);
    Display display;
    display.require_dmabuf(4);
    display.require_shell();

    Window window(display, opt, "planar-gbm");
    bool feedback_changed = false;
    Feedback feedback(zwp_linux_dmabuf_v1_get_surface_feedback(display.dmabuf, window.surface()),
                      Feedback::announce_into(feedback_changed));
    while (!feedback.received() || !window.configured()) display.dispatch();

    std::unique_ptr<Gpu> gpu;
    std::vector<std::unique_ptr<GpuBuffer>> buffers;
    BufferPool pool;
    std::optional<Choice> current;
    zwp_linux_surface_synchronization_v1 *surface_sync = nullptr;

    // A feedback batch that changes nothing we use keeps the buffers.
    auto reallocate = [&](bool force) {
        Choice choice = choose(feedback.state(), format, device);
        if (!force && current && *current == choice) return;
        pool.clear();
        buffers.clear();
        if (!gpu || gpu->path() != choice.node) gpu = Gpu::open(choice.node);
        for (int i = 0; i < buffer_count; i++) {
            auto buf = gpu->allocate(window.width(), window.height(), format, choice.modifiers, choice.scanout);
            std::vector<PlaneRef> planes;
            for (const auto &p : buf->planes) planes.push_back({p.fd.get(), p.offset, p.stride});
            std::string why;
            wl_buffer *wb = create_dmabuf_buffer(display, planes,
                                                 {window.width(), window.height(), format, buf->modifier}, &why);
            if (wb == nullptr)
                fail("%s (%dx%d %s %s from %s)", why.c_str(), window.width(), window.height(),
                     format_name(format).c_str(), modifier_name(buf->modifier).c_str(), choice.node.c_str());
            pool.add(wb);
            buffers.push_back(std::move(buf));
        }
        bool fences = gpu->has_native_fences() && display.explicit_sync;
        if (fences && surface_sync == nullptr)
            surface_sync = zwp_linux_explicit_synchronization_v1_get_synchronization(display.explicit_sync,
                                                                                     window.surface());
        std::string dev = device_name(device_of_path(choice.node).value_or(0));
        say("device %s format %s modifier %s tranche %s (offered %s) renderer %s sync %s", dev.c_str(),
            format_name(format).c_str(), modifier_name(buffers[0]->modifier).c_str(),
            choice.scanout ? "scanout" : "default", modifiers_text(choice.modifiers).c_str(), gpu->renderer().c_str(),
            fences ? "acquire-fence" : "glFinish");
        current = choice;
    };
    window.take_resized();
    reallocate(true);
    feedback_changed = false;

    int n = 0;
    while (!window.finished()) {
        bool resized = window.take_resized();
        if (feedback_changed || resized) {
            feedback_changed = false;
            reallocate(resized);
        }
        int slot = window.waiting_for_frame() ? -1 : pool.acquire();
        if (slot >= 0) {
            int fence = gpu->render(*buffers[slot], n++, solid, surface_sync != nullptr);
            if (fence >= 0) {
                zwp_linux_surface_synchronization_v1_set_acquire_fence(surface_sync, fence);
                close(fence);
            }
            pool.mark_busy(slot);
            window.present(pool.buffer(slot));
        }
        display.dispatch(-1, 1000); // bounded: a signal racing poll() is still seen
    }
    window.drain_feedback(5000);
    window.print_stats();
    pool.clear();
    buffers.clear();
    if (surface_sync) zwp_linux_surface_synchronization_v1_destroy(surface_sync);
    return 0;
}
