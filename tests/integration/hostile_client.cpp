// hostile_client: request sequences that wlroots 0.15.1 would run into a
// crash or a write into freed memory (RequestGuards keeps them from running
// as sent). `hostile_client SCENARIO` sends one, then prints what it saw,
// one line each: `popup_done` for every xdg_popup.popup_done, then
// `ok` (the connection is fine), `error INTERFACE CODE` (a protocol error)
// or `broken ERRNO` (the compositor went away). Exit status 0 unless the
// scenario could not be sent (2: usage, 3: a global is missing).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

#include "raw_client.hpp"
#include "virtual-keyboard-unstable-v1-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"
// get_layer_surface has an argument named `namespace`.
#define namespace namespace_
#include "wlr-layer-shell-unstable-v1-client-protocol.h"
#undef namespace

namespace {

struct Globals {
    wl_compositor *compositor = nullptr;
    wl_subcompositor *subcompositor = nullptr;
    wl_seat *seat = nullptr;
    xdg_wm_base *wm_base = nullptr;
    zxdg_decoration_manager_v1 *decorations = nullptr;
    zwlr_layer_shell_v1 *layer_shell = nullptr;
    zwp_virtual_keyboard_manager_v1 *keyboards = nullptr;
};

void handle_popup_configure(void *, xdg_popup *, int32_t, int32_t, int32_t, int32_t) {}
void handle_popup_done(void *, xdg_popup *) { std::printf("popup_done\n"); }
void handle_repositioned(void *, xdg_popup *, uint32_t) {}
const xdg_popup_listener popup_listener = {
    .configure = handle_popup_configure, .popup_done = handle_popup_done, .repositioned = handle_repositioned};

class Scenario {
public:
    Scenario(wl_display *display, const Globals &g) : display_(display), g_(g) {}

    wl_surface *surface() { return wl_compositor_create_surface(g_.compositor); }
    xdg_surface *xdg(wl_surface *surface) { return xdg_wm_base_get_xdg_surface(g_.wm_base, surface); }
    xdg_surface *xdg() { return xdg(surface()); }
    // A positioner wlroots takes as complete.
    xdg_positioner *positioner() {
        xdg_positioner *p = xdg_wm_base_create_positioner(g_.wm_base);
        xdg_positioner_set_size(p, 10, 10);
        xdg_positioner_set_anchor_rect(p, 0, 0, 1, 1);
        return p;
    }
    xdg_popup *popup(xdg_surface *surface, xdg_surface *parent) {
        xdg_popup *p = xdg_surface_get_popup(surface, parent, positioner());
        xdg_popup_add_listener(p, &popup_listener, nullptr);
        return p;
    }
    zwlr_layer_surface_v1 *layer(wl_surface *surface) {
        return zwlr_layer_shell_v1_get_layer_surface(g_.layer_shell, surface, nullptr, ZWLR_LAYER_SHELL_V1_LAYER_TOP,
                                                    "hostile");
    }
    // False once the connection is broken: the rest is not sent.
    bool roundtrip() { return wl_display_roundtrip(display_) >= 0; }
    const Globals &globals() const { return g_; }

private:
    wl_display *display_;
    const Globals &g_;
};

// Case numbers are those of the wlroots 0.15.1 audit.
const std::map<std::string, std::function<void(Scenario &)>> scenarios = {
    // 1: every xdg_toplevel request but destroy after its wl_surface is gone.
    {"toplevel-inert", [](Scenario &s) {
         wl_surface *surface = s.surface();
         xdg_surface *xdg = s.xdg(surface);
         xdg_toplevel *toplevel = xdg_surface_get_toplevel(xdg);
         wl_surface_destroy(surface);
         wl_seat *seat = s.globals().seat;
         xdg_toplevel_set_parent(toplevel, nullptr);
         xdg_toplevel_set_title(toplevel, "inert");
         xdg_toplevel_set_app_id(toplevel, "inert");
         xdg_toplevel_show_window_menu(toplevel, seat, 0, 0, 0);
         xdg_toplevel_move(toplevel, seat, 0);
         xdg_toplevel_resize(toplevel, seat, 0, XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM);
         xdg_toplevel_set_max_size(toplevel, 100, 100);
         xdg_toplevel_set_min_size(toplevel, 10, 10);
         xdg_toplevel_set_maximized(toplevel);
         xdg_toplevel_unset_maximized(toplevel);
         xdg_toplevel_set_fullscreen(toplevel, nullptr);
         xdg_toplevel_unset_fullscreen(toplevel);
         xdg_toplevel_set_minimized(toplevel);
         if (!s.roundtrip()) return;
         xdg_toplevel_destroy(toplevel);
         xdg_surface_destroy(xdg);
     }},
    // 2: a decoration for such a toplevel, used and destroyed.
    {"decoration-inert", [](Scenario &s) {
         wl_surface *surface = s.surface();
         xdg_surface *xdg = s.xdg(surface);
         xdg_toplevel *toplevel = xdg_surface_get_toplevel(xdg);
         wl_surface_destroy(surface);
         zxdg_toplevel_decoration_v1 *decoration =
             zxdg_decoration_manager_v1_get_toplevel_decoration(s.globals().decorations, toplevel);
         if (!s.roundtrip()) return;
         zxdg_toplevel_decoration_v1_set_mode(decoration, ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
         zxdg_toplevel_decoration_v1_unset_mode(decoration);
         zxdg_toplevel_decoration_v1_destroy(decoration);
         xdg_toplevel_destroy(toplevel);
         xdg_surface_destroy(xdg);
     }},
    // 3: a popup that is its own parent.
    {"popup-self-parent", [](Scenario &s) {
         xdg_surface *xdg = s.xdg();
         s.popup(xdg, xdg);
     }},
    // 3: two popups, each the other's parent (the second closes the cycle).
    {"popup-cycle", [](Scenario &s) {
         xdg_surface *a = s.xdg(), *b = s.xdg();
         xdg_popup *pa = s.popup(a, b);
         xdg_popup_grab(pa, s.globals().seat, 0);
         s.popup(b, a);
     }},
    // 4: a popup grabs twice and goes; another popup grabs.
    {"popup-grab-twice", [](Scenario &s) {
         xdg_surface *parent = s.xdg();
         xdg_surface_get_toplevel(parent);
         xdg_popup *first = s.popup(s.xdg(), parent);
         xdg_popup_grab(first, s.globals().seat, 0);
         xdg_popup_grab(first, s.globals().seat, 0);
         if (!s.roundtrip()) return;
         xdg_popup_destroy(first);
         xdg_popup *second = s.popup(s.xdg(), parent);
         xdg_popup_grab(second, s.globals().seat, 0);
     }},
    // 5: a layer surface takes a popup whose wl_surface is gone.
    {"layer-popup-inert", [](Scenario &s) {
         zwlr_layer_surface_v1 *layer = s.layer(s.surface());
         wl_surface *popup_surface = s.surface();
         xdg_popup *popup = s.popup(s.xdg(popup_surface), nullptr);
         wl_surface_destroy(popup_surface);
         zwlr_layer_surface_v1_get_popup(layer, popup);
     }},
    // 6: a sub-surface restacked after its parent is gone.
    {"subsurface-orphan", [](Scenario &s) {
         wl_surface *parent = s.surface(), *child = s.surface(), *other = s.surface();
         wl_subsurface *subsurface = wl_subcompositor_get_subsurface(s.globals().subcompositor, child, parent);
         wl_surface_destroy(parent);
         wl_subsurface_place_above(subsurface, other);
         wl_subsurface_place_below(subsurface, other);
     }},
    // 7: a layer surface takes a popup of a toplevel, and one popup twice;
    // then each goes, its parent after it.
    {"layer-popup-parented", [](Scenario &s) {
         zwlr_layer_surface_v1 *layer = s.layer(s.surface());
         xdg_surface *parent = s.xdg();
         xdg_toplevel *toplevel = xdg_surface_get_toplevel(parent);
         xdg_popup *of_toplevel = s.popup(s.xdg(), parent);
         zwlr_layer_surface_v1_get_popup(layer, of_toplevel);
         xdg_popup *twice = s.popup(s.xdg(), nullptr);
         zwlr_layer_surface_v1_get_popup(layer, twice);
         zwlr_layer_surface_v1_get_popup(layer, twice);
         if (!s.roundtrip()) return;
         xdg_popup_destroy(of_toplevel);
         xdg_toplevel_destroy(toplevel);
         xdg_popup_destroy(twice);
         zwlr_layer_surface_v1_destroy(layer);
     }},
    // 8: a popup whose parent has no role; the parent goes first.
    {"popup-roleless-parent", [](Scenario &s) {
         xdg_surface *parent = s.xdg();
         xdg_popup *popup = s.popup(s.xdg(), parent);
         xdg_surface_destroy(parent);
         xdg_popup_destroy(popup);
     }},
    // 10: a layer surface with a popup goes before it is mapped: by its
    // destroy request, by its wl_surface's destroy, with the client.
    {"layer-destroyed-unmapped", [](Scenario &s) {
         zwlr_layer_surface_v1 *layer = s.layer(s.surface());
         xdg_popup *popup = s.popup(s.xdg(), nullptr);
         zwlr_layer_surface_v1_get_popup(layer, popup);
         zwlr_layer_surface_v1_destroy(layer);
         if (!s.roundtrip()) return;
         xdg_popup_destroy(popup);
     }},
    {"layer-surface-destroyed-unmapped", [](Scenario &s) {
         wl_surface *surface = s.surface();
         zwlr_layer_surface_v1 *layer = s.layer(surface);
         xdg_popup *popup = s.popup(s.xdg(), nullptr);
         zwlr_layer_surface_v1_get_popup(layer, popup);
         wl_surface_destroy(surface);
         if (!s.roundtrip()) return;
         xdg_popup_destroy(popup);
         zwlr_layer_surface_v1_destroy(layer);
     }},
    // A virtual keyboard's keymap whose file is shorter than the size the
    // client gives: wlroots maps that size and xkbcommon reads the text up
    // to its NUL. The file is one whole page of keymap text, padded with
    // blanks and without a NUL, so that read goes on into the next page,
    // which is past the file's end (SIGBUS).
    {"keymap-short", [](Scenario &s) {
         zwp_virtual_keyboard_v1 *keyboard =
             zwp_virtual_keyboard_manager_v1_create_virtual_keyboard(s.globals().keyboards, s.globals().seat);
         std::string text = "xkb_keymap { xkb_keycodes { include \"evdev\" }; xkb_types { include \"complete\" }; "
                            "xkb_compat { include \"complete\" }; xkb_symbols { include \"pc+us\" }; };\n";
         text.resize(static_cast<size_t>(sysconf(_SC_PAGESIZE)), ' ');
         int fd = memfd_create("hostile-keymap", MFD_CLOEXEC);
         if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return;
         zwp_virtual_keyboard_v1_keymap(keyboard, WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1, fd,
                                        static_cast<uint32_t>(text.size()) + (1u << 20));
         close(fd);
         s.roundtrip();
     }},
    {"layer-disconnect-unmapped", [](Scenario &s) {
         zwlr_layer_surface_v1 *layer = s.layer(s.surface());
         xdg_popup *popup = s.popup(s.xdg(), nullptr);
         zwlr_layer_surface_v1_get_popup(layer, popup);
     }},
};

int usage() {
    std::fprintf(stderr, "usage: hostile_client SCENARIO; one of:");
    for (const auto &[name, run] : scenarios) std::fprintf(stderr, " %s", name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 2) return usage();
    auto scenario = scenarios.find(argv[1]);
    if (scenario == scenarios.end()) return usage();
    // Lines in the order they happened, also when stdout is a pipe.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    test_client::RawClient client;
    if (client.display() == nullptr) {
        std::fprintf(stderr, "hostile_client: cannot connect to the Wayland display\n");
        return 1;
    }
    Globals globals{
        .compositor = client.compositor(),
        .subcompositor = client.bind<wl_subcompositor>(wl_subcompositor_interface, 1),
        .seat = client.bind<wl_seat>(wl_seat_interface, 1),
        .wm_base = client.wm_base(),
        .decorations = client.bind<zxdg_decoration_manager_v1>(zxdg_decoration_manager_v1_interface, 1),
        .layer_shell = client.bind<zwlr_layer_shell_v1>(zwlr_layer_shell_v1_interface, 4),
        .keyboards = client.bind<zwp_virtual_keyboard_manager_v1>(zwp_virtual_keyboard_manager_v1_interface, 1),
    };
    if (globals.compositor == nullptr || globals.subcompositor == nullptr || globals.seat == nullptr ||
        globals.wm_base == nullptr || globals.decorations == nullptr || globals.layer_shell == nullptr ||
        globals.keyboards == nullptr) {
        std::fprintf(stderr, "hostile_client: a global is missing\n");
        return 3;
    }
    Scenario s(client.display(), globals);
    scenario->second(s);
    // Whatever the scenario left is destroyed with the connection.
    test_client::ProtocolError error = client.protocol_error();
    if (error.error == EPROTO) {
        std::printf("error %s %u\n", error.interface.empty() ? "?" : error.interface.c_str(), error.code);
    } else if (error.error != 0) {
        std::printf("broken %s\n", std::strerror(error.error));
    } else {
        std::printf("ok\n");
    }
    return 0;
}
