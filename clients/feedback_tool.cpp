// planar-feedback: linux-dmabuf feedback for people. Prints the default
// feedback and, with --surface, the feedback of a mapped window (which is
// where a compositor offers scanout tranches), with device nodes, format and
// modifier names and tranche flags. --watch keeps printing every new batch.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "common/display.hpp"
#include "common/drm_names.hpp"
#include "common/feedback.hpp"
#include "common/window.hpp"

using namespace client;

namespace {

// `at`: seconds since the tool started; updates say when they came.
void print_feedback(const char *what, const FeedbackState &s, unsigned batch, double at) {
    char update[64] = "";
    if (batch > 1) snprintf(update, sizeof update, " (update %u at %.3f s)", batch - 1, at);
    printf("%s feedback%s:\n", what, update);
    printf("  main device: %s\n", device_name(s.main_device).c_str());
    printf("  format table: %zu entries\n", s.table_entries);
    for (const auto &w : s.warnings) printf("  warning: %s\n", w.c_str());
    if (s.tranches.empty()) printf("  no tranches\n");
    for (size_t i = 0; i < s.tranches.size(); i++) {
        const Tranche &t = s.tranches[i];
        printf("  tranche %zu: target device %s, flags %s, %zu format/modifier pairs\n", i,
               device_name(t.target_device).c_str(), t.scanout() ? "scanout" : "none", t.formats.size());
        // One line per format, its modifiers in the tranche's order.
        std::vector<uint32_t> order;
        std::map<uint32_t, std::string> mods;
        for (const auto &fm : t.formats) {
            if (!mods.count(fm.format)) order.push_back(fm.format);
            std::string &line = mods[fm.format];
            line += (line.empty() ? "" : " ") + modifier_name(fm.modifier);
        }
        for (uint32_t f : order) printf("    %-18s %s\n", format_long_name(f).c_str(), mods[f].c_str());
    }
    fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
    bool watch = false, surface = false;
    std::vector<ExtraOption> extra = {
        {"surface", nullptr, "also map a window and print its per-surface feedback",
         [&](const char *) { return surface = true; }},
        {"watch", nullptr, "keep running and print every feedback update", [&](const char *) {
             return watch = true;
         }},
        {"once", nullptr, "print the current feedback and exit (the default)", [&](const char *) {
             watch = false;
             return true;
         }},
    };
    Options opt = parse_options(argc, argv, "planar-feedback",
                                "Prints the compositor's linux-dmabuf feedback (devices, formats, modifiers, tranches).",
                                extra);
    Display display;
    display.require_dmabuf(4);

    unsigned printed_default = 0, printed_surface = 0;
    const auto started = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
    Feedback def(zwp_linux_dmabuf_v1_get_default_feedback(display.dmabuf));
    std::unique_ptr<Window> window;
    std::unique_ptr<Feedback> per_surface;
    if (surface) {
        window = std::make_unique<Window>(display, opt, "planar-feedback");
        per_surface = std::make_unique<Feedback>(
            zwp_linux_dmabuf_v1_get_surface_feedback(display.dmabuf, window->surface()));
    }
    for (;;) {
        if (def.batches() > printed_default) {
            print_feedback("default", def.state(), def.batches(), seconds());
            printed_default = def.batches();
        }
        if (per_surface && per_surface->batches() > printed_surface) {
            print_feedback("surface", per_surface->state(), per_surface->batches(), seconds());
            printed_surface = per_surface->batches();
        }
        bool all = printed_default > 0 && (!per_surface || printed_surface > 0);
        if (all && !watch) break;
        if ((window && window->closed()) || stop_requested()) break;
        display.dispatch(-1, 1000); // bounded: a signal racing poll() is still seen
    }
    return 0;
}
