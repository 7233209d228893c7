#include "headless.hpp"

#include <cerrno>
#include <cinttypes>
#include <cstdlib>
#include <cstring>
#include <list>
#include <string>
#include <sys/timerfd.h>

#include "log.hpp"
#include "unique_fd.hpp"
#include "wlr.hpp"

namespace backend {
namespace {

constexpr int64_t ns_per_s = 1'000'000'000;

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * ns_per_s + ts.tv_nsec;
}

timespec to_timespec(int64_t ns) {
    return timespec{static_cast<time_t>(ns / ns_per_s), static_cast<long>(ns % ns_per_s)};
}

struct HeadlessBackend;

struct HeadlessOutput {
    wlr_output base; // first member: wlroots hands us &base
    HeadlessBackend *backend = nullptr;
    int64_t period_ns = ns_per_s / 60;
    int64_t epoch_ns = 0;      // vblank 0 of the current mode
    int64_t armed_vblank = -1; // vblank number the timer waits for, -1 when idle
    UniqueFd timer;
    wl_event_source *timer_source = nullptr;
    // A buffer committed since the last vblank, to be presented at the next one.
    bool present_pending = false;
    uint32_t present_commit_seq = 0;
    // The pending frame is a client's buffer (a fullscreen surface passed
    // through, see compositor/scene_frame.cpp): presented as it is, copied
    // by nobody.
    bool present_zero_copy = false;

    void set_mode(int width, int height, int refresh_mhz);
    void arm_next_vblank();
    void on_vblank();
};

struct HeadlessInput {
    wlr_input_device base; // first member: wlroots hands us &base
    HeadlessBackend *backend = nullptr;
};

struct HeadlessBackend {
    wlr_backend base; // first member: wlroots hands us &base
    wl_display *display = nullptr;
    std::list<HeadlessOutput *> outputs;
    std::list<HeadlessInput *> inputs;
    bool started = false;
    size_t last_output_number = 0;
};

HeadlessOutput *output_from(wlr_output *output);

void HeadlessOutput::set_mode(int width, int height, int refresh_mhz) {
    if (refresh_mhz <= 0) {
        refresh_mhz = 60000;
    }
    // A new mode's vblanks are aligned to now, and their numbering goes on
    // from the old mode's: presentation feedback's sequence never goes
    // back, and a vblank armed under the old mode keeps a timestamp near its
    // deadline. (Restarting at 0 gave the armed vblank a time seconds in the
    // future, and the frame scheduler then waited for it: a mode change
    // froze the output.)
    int64_t now = now_ns();
    int64_t elapsed = epoch_ns != 0 ? (now - epoch_ns) / period_ns : 0;
    period_ns = ns_per_s * 1000 / refresh_mhz;
    epoch_ns = now - elapsed * period_ns;
    wlr_output_update_custom_mode(&base, width, height, refresh_mhz);
}

void HeadlessOutput::arm_next_vblank() {
    int64_t now = now_ns();
    int64_t next = (now - epoch_ns) / period_ns + 1;
    if (armed_vblank == next) {
        return;
    }
    armed_vblank = next;
    itimerspec spec{};
    spec.it_value = to_timespec(epoch_ns + next * period_ns);
    if (timerfd_settime(timer.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
        plog::error(plog::Scope::output, "%s: cannot arm frame clock: %s", base.name, strerror(errno));
    }
}

void HeadlessOutput::on_vblank() {
    uint64_t expirations = 0;
    if (read(timer.get(), &expirations, sizeof(expirations)) != sizeof(expirations)) {
        return;
    }
    int64_t vblank = armed_vblank;
    armed_vblank = -1;
    if (present_pending) {
        present_pending = false;
        timespec when = to_timespec(epoch_ns + vblank * period_ns);
        wlr_output_event_present event{};
        event.commit_seq = present_commit_seq;
        event.presented = true;
        event.when = &when;
        event.seq = static_cast<unsigned>(vblank);
        event.refresh = static_cast<int>(period_ns);
        // The virtual display latches at its vblank: VSYNC is true. The
        // timestamp is a computed deadline, not a hardware clock reading.
        event.flags = WLR_OUTPUT_PRESENT_VSYNC | (present_zero_copy ? WLR_OUTPUT_PRESENT_ZERO_COPY : 0);
        wlr_output_send_present(&base, &event);
    }
    // The frame after this one may start rendering now.
    wlr_output_send_frame(&base);
}

bool output_test(wlr_output *wlr_output) {
    constexpr uint32_t supported = WLR_OUTPUT_STATE_BUFFER | WLR_OUTPUT_STATE_DAMAGE |
                                   WLR_OUTPUT_STATE_MODE | WLR_OUTPUT_STATE_ENABLED |
                                   WLR_OUTPUT_STATE_SCALE | WLR_OUTPUT_STATE_TRANSFORM |
                                   WLR_OUTPUT_STATE_RENDER_FORMAT | WLR_OUTPUT_STATE_GAMMA_LUT;
    const wlr_output_state &pending = wlr_output->pending;
    if (pending.committed & ~supported) {
        plog::debug(plog::Scope::output, "%s: unsupported state 0x%" PRIx32, wlr_output->name,
                    pending.committed & ~supported);
        return false;
    }
    if ((pending.committed & WLR_OUTPUT_STATE_MODE) &&
        pending.mode_type != WLR_OUTPUT_STATE_MODE_CUSTOM) {
        return false;
    }
    // A client's buffer is as good a frame as planar's own: nothing here
    // reads it (wlr_output_commit has checked its size against the mode).
    return true;
}

bool output_commit(wlr_output *wlr_output) {
    HeadlessOutput *output = output_from(wlr_output);
    if (!output_test(wlr_output)) {
        return false;
    }
    const wlr_output_state &pending = wlr_output->pending;
    if (pending.committed & WLR_OUTPUT_STATE_MODE) {
        output->set_mode(pending.custom_mode.width, pending.custom_mode.height,
                         pending.custom_mode.refresh);
    }
    if (pending.committed & WLR_OUTPUT_STATE_ENABLED) {
        wlr_output_update_enabled(wlr_output, pending.enabled);
    }
    if (pending.committed & WLR_OUTPUT_STATE_BUFFER) {
        // wlr_output_commit increments commit_seq after we return.
        output->present_pending = true;
        output->present_commit_seq = wlr_output->commit_seq + 1;
        output->present_zero_copy = pending.buffer != nullptr && wlr_client_buffer_get(pending.buffer) != nullptr;
        output->arm_next_vblank();
    }
    return true;
}

void output_destroy(wlr_output *wlr_output) {
    HeadlessOutput *output = output_from(wlr_output);
    if (output->present_pending) {
        wlr_output_event_present event{};
        event.commit_seq = output->present_commit_seq;
        event.presented = false;
        wlr_output_send_present(wlr_output, &event);
    }
    // wlroots 0.15's wlr_output_destroy frees no pending gamma ramp: one set
    // since the last commit (a gamma control that went resets it) leaked.
    free(wlr_output->pending.gamma_lut);
    wlr_output->pending.gamma_lut = nullptr;
    wl_event_source_remove(output->timer_source);
    output->backend->outputs.remove(output);
    delete output;
}

// A gamma LUT of a common CRTC's size, taken and applied to nothing (there
// is no display): gamma-control clients are served as on KMS, so the tests
// can see zwlr_gamma_control_v1 work.
size_t output_gamma_size(wlr_output *) { return 256; }

const wlr_output_impl output_impl = {
    .destroy = output_destroy,
    .test = output_test,
    .commit = output_commit,
    .get_gamma_size = output_gamma_size,
};

HeadlessOutput *output_from(wlr_output *output) {
    return reinterpret_cast<HeadlessOutput *>(output);
}

HeadlessBackend *backend_from(wlr_backend *backend) {
    return reinterpret_cast<HeadlessBackend *>(backend);
}

void announce(HeadlessBackend *backend, HeadlessOutput *output) {
    output->epoch_ns = now_ns();
    wlr_output_update_enabled(&output->base, true);
    wl_signal_emit(&backend->base.events.new_output, &output->base);
}

bool backend_start(wlr_backend *wlr_backend) {
    HeadlessBackend *backend = backend_from(wlr_backend);
    backend->started = true;
    // Copy: a new_output handler may destroy an output.
    auto outputs = backend->outputs;
    for (HeadlessOutput *output : outputs) {
        announce(backend, output);
    }
    auto inputs = backend->inputs;
    for (HeadlessInput *input : inputs) {
        wl_signal_emit(&backend->base.events.new_input, &input->base);
    }
    return true;
}

void backend_destroy(wlr_backend *wlr_backend) {
    HeadlessBackend *backend = backend_from(wlr_backend);
    while (!backend->inputs.empty()) {
        wlr_input_device_destroy(&backend->inputs.front()->base);
    }
    while (!backend->outputs.empty()) {
        wlr_output_destroy(&backend->outputs.front()->base);
    }
    wlr_backend_finish(wlr_backend);
    delete backend;
}

clockid_t backend_presentation_clock(wlr_backend *) { return CLOCK_MONOTONIC; }

int backend_drm_fd(wlr_backend *) { return -1; }

uint32_t backend_buffer_caps(wlr_backend *) {
    return WLR_BUFFER_CAP_DATA_PTR | WLR_BUFFER_CAP_DMABUF | WLR_BUFFER_CAP_SHM;
}

const wlr_backend_impl backend_impl = {
    .start = backend_start,
    .destroy = backend_destroy,
    .get_presentation_clock = backend_presentation_clock,
    .get_drm_fd = backend_drm_fd,
    .get_buffer_caps = backend_buffer_caps,
};

void input_destroy(wlr_input_device *device) {
    auto *input = reinterpret_cast<HeadlessInput *>(device);
    input->backend->inputs.remove(input);
    delete input;
}

const wlr_input_device_impl input_impl = {
    .destroy = input_destroy,
};

int handle_timer(int, uint32_t, void *data) {
    static_cast<HeadlessOutput *>(data)->on_vblank();
    return 0;
}

} // namespace

wlr_backend *headless_create(wl_display *display) {
    auto *backend = new HeadlessBackend{}; // value-initialised: wlr_backend_init does not zero the base
    wlr_backend_init(&backend->base, &backend_impl);
    backend->display = display;
    return &backend->base;
}

bool is_headless(wlr_backend *backend) { return backend->impl == &backend_impl; }

wlr_output *headless_add_output(wlr_backend *wlr_backend, const OutputMode &mode) {
    HeadlessBackend *backend = backend_from(wlr_backend);
    auto *output = new HeadlessOutput{}; // value-initialised: wlr_output_init does not zero the base
    output->backend = backend;
    output->timer.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!output->timer) {
        plog::error(plog::Scope::output, "timerfd_create: %s", strerror(errno));
        delete output;
        return nullptr;
    }
    wlr_output_init(&output->base, wlr_backend, &output_impl, backend->display);
    output->set_mode(mode.width, mode.height, mode.refresh_mhz);
    strncpy(output->base.make, "planar", sizeof(output->base.make) - 1);
    strncpy(output->base.model, "headless", sizeof(output->base.model) - 1);
    std::string name = "HEADLESS-" + std::to_string(++backend->last_output_number);
    wlr_output_set_name(&output->base, name.c_str());
    std::string description = "planar headless output " + std::to_string(backend->last_output_number);
    wlr_output_set_description(&output->base, description.c_str());

    wl_event_loop *loop = wl_display_get_event_loop(backend->display);
    output->timer_source =
        wl_event_loop_add_fd(loop, output->timer.get(), WL_EVENT_READABLE, handle_timer, output);
    backend->outputs.push_back(output);
    if (backend->started) {
        announce(backend, output);
    }
    return &output->base;
}

int64_t headless_refresh_ns(wlr_output *output) { return output_from(output)->period_ns; }

wlr_input_device *headless_add_input(wlr_backend *wlr_backend, InputKind kind, const char *name) {
    HeadlessBackend *backend = backend_from(wlr_backend);
    auto *input = new HeadlessInput{}; // value-initialised: wlr_input_device_init does not zero the base
    input->backend = backend;
    wlr_input_device *device = &input->base;
    // The per-type objects have no impl: wlroots frees them with free(), so
    // they come from calloc.
    switch (kind) {
    case InputKind::keyboard:
        wlr_input_device_init(device, WLR_INPUT_DEVICE_KEYBOARD, &input_impl, name, 0, 0);
        device->keyboard = static_cast<wlr_keyboard *>(calloc(1, sizeof(wlr_keyboard)));
        wlr_keyboard_init(device->keyboard, nullptr);
        break;
    case InputKind::pointer:
        wlr_input_device_init(device, WLR_INPUT_DEVICE_POINTER, &input_impl, name, 0, 0);
        device->pointer = static_cast<wlr_pointer *>(calloc(1, sizeof(wlr_pointer)));
        wlr_pointer_init(device->pointer, nullptr);
        break;
    case InputKind::touch:
        wlr_input_device_init(device, WLR_INPUT_DEVICE_TOUCH, &input_impl, name, 0, 0);
        device->touch = static_cast<wlr_touch *>(calloc(1, sizeof(wlr_touch)));
        wlr_touch_init(device->touch, nullptr);
        break;
    }
    backend->inputs.push_back(input);
    if (backend->started) {
        wl_signal_emit(&backend->base.events.new_input, device);
    }
    return device;
}

} // namespace backend
