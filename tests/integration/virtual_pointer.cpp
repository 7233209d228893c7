// virtual_pointer: a mouse for the tests. Moves planar's pointer and presses
// its buttons through zwlr_virtual_pointer_v1, so the events take the path a
// person's mouse does (planar's seat, click to focus, Super+drag), never a
// shortcut into one client (XTEST). Steps run in order, each one sent and
// answered (a roundtrip) before the next:
//   move X Y        absolute, in layout coordinates (see --extent)
//   press BUTTON    left, right, middle or a Linux input code
//   release BUTTON
//   sleep MS
//   wait-file PATH  until PATH exists: the test says when to go on
// Options: --extent WxH, the layout's size (default 1280x720, one output).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <linux/input-event-codes.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <wayland-client.h>

#include "wlr-virtual-pointer-unstable-v1-client-protocol.h"

namespace {

struct Globals {
    wl_seat *seat = nullptr;
    zwlr_virtual_pointer_manager_v1 *manager = nullptr;
};

void handle_global(void *data, wl_registry *registry, uint32_t name, const char *interface, uint32_t) {
    auto *globals = static_cast<Globals *>(data);
    if (std::strcmp(interface, wl_seat_interface.name) == 0 && globals->seat == nullptr) {
        globals->seat = static_cast<wl_seat *>(wl_registry_bind(registry, name, &wl_seat_interface, 1));
    } else if (std::strcmp(interface, zwlr_virtual_pointer_manager_v1_interface.name) == 0) {
        globals->manager = static_cast<zwlr_virtual_pointer_manager_v1 *>(
            wl_registry_bind(registry, name, &zwlr_virtual_pointer_manager_v1_interface, 1));
    }
}

void handle_global_remove(void *, wl_registry *, uint32_t) {}

const wl_registry_listener registry_listener = {.global = handle_global, .global_remove = handle_global_remove};

uint32_t now_ms() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint32_t>(now.tv_sec * 1000 + now.tv_nsec / 1'000'000);
}

int button_code(const std::string &name) {
    if (name == "left") return BTN_LEFT;
    if (name == "right") return BTN_RIGHT;
    if (name == "middle") return BTN_MIDDLE;
    return std::atoi(name.c_str());
}

int usage() {
    std::fprintf(stderr, "usage: virtual_pointer [--extent WxH] {move X Y | press B | release B | sleep MS | "
                         "wait-file PATH}...\n");
    return 2;
}

} // namespace

int main(int argc, char **argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    unsigned extent_w = 1280, extent_h = 720;
    if (args.size() >= 2 && args[0] == "--extent") {
        if (std::sscanf(args[1].c_str(), "%ux%u", &extent_w, &extent_h) != 2) return usage();
        args.erase(args.begin(), args.begin() + 2);
    }
    wl_display *display = wl_display_connect(nullptr);
    if (display == nullptr) {
        std::fprintf(stderr, "virtual_pointer: cannot connect to the Wayland display\n");
        return 1;
    }
    Globals globals;
    wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, &globals);
    wl_display_roundtrip(display);
    if (globals.manager == nullptr) {
        std::fprintf(stderr, "virtual_pointer: the compositor has no zwlr_virtual_pointer_manager_v1\n");
        return 3;
    }
    zwlr_virtual_pointer_v1 *pointer = zwlr_virtual_pointer_manager_v1_create_virtual_pointer(globals.manager, globals.seat);
    for (size_t i = 0; i < args.size(); i++) {
        const std::string &step = args[i];
        auto operand = [&](size_t n) -> const std::string * { return i + n < args.size() ? &args[i + n] : nullptr; };
        if (step == "move" && operand(2) != nullptr) {
            unsigned x = static_cast<unsigned>(std::atoi(operand(1)->c_str()));
            unsigned y = static_cast<unsigned>(std::atoi(operand(2)->c_str()));
            zwlr_virtual_pointer_v1_motion_absolute(pointer, now_ms(), x, y, extent_w, extent_h);
            zwlr_virtual_pointer_v1_frame(pointer);
            i += 2;
        } else if ((step == "press" || step == "release") && operand(1) != nullptr) {
            zwlr_virtual_pointer_v1_button(pointer, now_ms(), static_cast<uint32_t>(button_code(*operand(1))),
                                           step == "press" ? WL_POINTER_BUTTON_STATE_PRESSED
                                                           : WL_POINTER_BUTTON_STATE_RELEASED);
            zwlr_virtual_pointer_v1_frame(pointer);
            i += 1;
        } else if (step == "sleep" && operand(1) != nullptr) {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(operand(1)->c_str())));
            i += 1;
        } else if (step == "wait-file" && operand(1) != nullptr) {
            while (access(operand(1)->c_str(), F_OK) != 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
            i += 1;
        } else {
            return usage();
        }
        if (wl_display_roundtrip(display) < 0) {
            std::fprintf(stderr, "virtual_pointer: the connection failed at '%s'\n", step.c_str());
            return 1;
        }
    }
    zwlr_virtual_pointer_v1_destroy(pointer);
    zwlr_virtual_pointer_manager_v1_destroy(globals.manager);
    if (globals.seat != nullptr) wl_seat_destroy(globals.seat);
    wl_registry_destroy(registry);
    wl_display_roundtrip(display);
    wl_display_disconnect(display);
    return 0;
}
