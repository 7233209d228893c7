#include "virtual_input.hpp"

#include "client_pid.hpp"
#include "log.hpp"
#include "request_veto.hpp"
#include "seat.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unique_fd.hpp"

namespace planar {

// wlroots 0.15 (types/wlr_virtual_keyboard_v1.c) allocates the wlr_keyboard
// of a virtual keyboard and never frees it: its keyboard_impl.destroy is
// empty, so wlr_keyboard_destroy releases the keymap and state but not the
// struct (352 bytes per wtype run). Once the virtual keyboard is gone,
// wlroots is done with it too (the free comes from an idle callback, after
// wlr_input_device_destroy has returned), and planar frees it.
class VirtualInput::KeyboardReaper {
public:
    KeyboardReaper(wl_event_loop *loop, wlr_virtual_keyboard_v1 *keyboard)
        : loop_(loop), keyboard_(keyboard->input_device.keyboard) {
        on_destroy_.connect(&keyboard->events.destroy, [this](void *) {
            wl_event_loop_add_idle(loop_, [](void *kb) { std::free(kb); }, keyboard_);
            delete this;
        });
    }

private:
    wl_event_loop *loop_;
    wlr_keyboard *keyboard_;
    wl::Listener on_destroy_;
};

namespace {

// zwp_virtual_keyboard_v1.keymap: wlroots 0.15 maps `size` bytes of the
// client's fd and hands them to xkbcommon as a string. A file shorter than
// `size` makes that read fault (SIGBUS, found by fuzz-wayland_stream), and a
// keymap without a NUL inside `size` is read past the mapping. Before the
// request runs, the fd number is pointed (dup2) at planar's own copy: the
// client's bytes that exist, zeros after them, a NUL at the end. The
// client's file is not touched, and the keymap it meant is parsed as before.
// keymap(format, fd, size); the fd is the client's, borrowed: wlroots closes it.
void copy_keymap(wl_resource *, const wl_argument *args) {
    int fd = args[1].h;
    uint32_t size = args[2].u;
    if (size == 0) return; // wlroots maps nothing: its own refusal
    // A sparse copy of exactly `size` bytes, whatever the client's fd is:
    // every byte wlroots reads exists, and the last one ends the string.
    UniqueFd copy(memfd_create("planar-keymap", MFD_CLOEXEC));
    if (!copy || ftruncate(copy.get(), size) != 0) return;
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        // Keymaps are text of some kilobytes; more than 16 MiB is not read.
        size_t wanted = std::min<size_t>({size, static_cast<size_t>(st.st_size), size_t{16} << 20});
        std::vector<char> bytes(wanted);
        ssize_t got = pread(fd, bytes.data(), wanted, 0);
        if (got > 0) (void)!pwrite(copy.get(), bytes.data(), static_cast<size_t>(got), 0);
    }
    const char nul = '\0';
    (void)!pwrite(copy.get(), &nul, 1, size - 1);
    dup3(copy.get(), fd, O_CLOEXEC); // wlroots maps and closes `fd`, now the copy
}

} // namespace

VirtualInput::VirtualInput(wl_display *display, Seat &seat, RequestVeto &veto)
    : display_(display), seat_(seat), keyboards_(wlr_virtual_keyboard_manager_v1_create(display)),
      pointers_(wlr_virtual_pointer_manager_v1_create(display)) {
    veto.add_preparation("zwp_virtual_keyboard_v1", "keymap", copy_keymap);
    on_new_keyboard_.connect_as<wlr_virtual_keyboard_v1>(
        &keyboards_->events.new_virtual_keyboard, [this](wlr_virtual_keyboard_v1 *keyboard) {
            // planar has one seat: a keyboard made for another one still
            // types into this one (wlroots binds it to the seat the client named).
            plog::info(plog::Scope::input, "virtual keyboard of pid %d", client_pid(keyboard->resource));
            new KeyboardReaper(wl_display_get_event_loop(display_), keyboard);
            seat_.add_input(&keyboard->input_device);
        });
    on_new_pointer_.connect_as<wlr_virtual_pointer_v1_new_pointer_event>(
        &pointers_->events.new_virtual_pointer, [this](wlr_virtual_pointer_v1_new_pointer_event *event) {
            plog::info(plog::Scope::input, "virtual pointer of pid %d", client_pid(event->new_pointer->resource));
            seat_.add_input(&event->new_pointer->input_device);
        });
}

} // namespace planar
