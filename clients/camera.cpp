// planar-camera: a V4L2 camera straight into the compositor. MMAP capture
// buffers are exported once with VIDIOC_EXPBUF and each becomes one wl_buffer;
// a V4L2 buffer goes back to the driver only when the compositor releases its
// wl_buffer, so the camera never writes into a frame being shown. With
// --follow-feedback a scanout tranche that does not offer the capture format
// restarts the capture in one it offers (the camera's own order decides).
#include <cerrno>
#include <cstring>
#include <memory>
#include <drm_fourcc.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <optional>
#include <sys/ioctl.h>
#include <unistd.h>
#include <vector>

#include "common/display.hpp"
#include "common/dmabuf_buffer.hpp"
#include "common/drm_names.hpp"
#include "common/feedback.hpp"
#include "common/window.hpp"
#include "unique_fd.hpp"

using namespace client;

namespace {

constexpr unsigned buffer_count = 4;

struct PixelFormat {
    uint32_t v4l2;
    uint32_t drm;
    int planes; // DRM planes inside the single V4L2 plane
};
// V4L2 names bytes in memory order, DRM little-endian words: V4L2 XBGR32
// (B,G,R,X in memory) is DRM XRGB8888.
constexpr PixelFormat formats[] = {
    {V4L2_PIX_FMT_XBGR32, DRM_FORMAT_XRGB8888, 1}, {V4L2_PIX_FMT_ABGR32, DRM_FORMAT_ARGB8888, 1},
    {V4L2_PIX_FMT_BGR32, DRM_FORMAT_XRGB8888, 1},  {V4L2_PIX_FMT_YUYV, DRM_FORMAT_YUYV, 1},
    {V4L2_PIX_FMT_UYVY, DRM_FORMAT_UYVY, 1},       {V4L2_PIX_FMT_NV12, DRM_FORMAT_NV12, 2},
    {V4L2_PIX_FMT_RGB565, DRM_FORMAT_RGB565, 1},
};

const PixelFormat *by_v4l2(uint32_t v4l2) {
    for (const auto &f : formats)
        if (f.v4l2 == v4l2) return &f;
    return nullptr;
}

int xioctl(int fd, unsigned long request, void *arg) {
    int r;
    do r = ioctl(fd, request, arg);
    while (r < 0 && errno == EINTR);
    return r;
}

std::string fourcc(uint32_t f) {
    return {char(f & 0xff), char((f >> 8) & 0xff), char((f >> 16) & 0xff), char((f >> 24) & 0xff)};
}

// One capture session: the device opened, a format set, buffers exported and
// wrapped in wl_buffers, streaming. A new format is a new session: vb2 frees
// a queue whose buffers are still exported only when its file closes, and
// the compositor may still hold (and show) the old dma-bufs meanwhile.
class Capture {
public:
    Capture(Display &display, const std::string &path, const PixelFormat &format, uint64_t modifier,
            const Options &opt, bool keep_size_of_driver)
        : format_(format), modifier_(modifier), pool_([this](int index) { queue(index); }) {
        cam_ = UniqueFd(open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
        if (!cam_) fail("cannot open %s: %s", path.c_str(), strerror(errno));
        v4l2_format fmt{};
        fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        fmt.fmt.pix.width = uint32_t(opt.width);
        fmt.fmt.pix.height = uint32_t(opt.height);
        fmt.fmt.pix.pixelformat = format.v4l2;
        fmt.fmt.pix.field = V4L2_FIELD_NONE;
        if (keep_size_of_driver) {
            v4l2_format current{.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
            if (xioctl(cam_.get(), VIDIOC_G_FMT, &current) == 0) {
                fmt.fmt.pix.width = current.fmt.pix.width;
                fmt.fmt.pix.height = current.fmt.pix.height;
            }
        }
        if (xioctl(cam_.get(), VIDIOC_S_FMT, &fmt) != 0)
            fail("VIDIOC_S_FMT %s: %s", fourcc(format.v4l2).c_str(), strerror(errno));
        if (fmt.fmt.pix.pixelformat != format.v4l2)
            fail("%s switched to %s instead of %s", path.c_str(), fourcc(fmt.fmt.pix.pixelformat).c_str(),
                 fourcc(format.v4l2).c_str());
        if (fmt.fmt.pix.field != V4L2_FIELD_NONE)
            fail("%s captures interlaced fields; only progressive is shown", path.c_str());
        width_ = int(fmt.fmt.pix.width);
        height_ = int(fmt.fmt.pix.height);
        const uint32_t stride = fmt.fmt.pix.bytesperline;

        v4l2_requestbuffers req{};
        req.count = buffer_count;
        req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        req.memory = V4L2_MEMORY_MMAP;
        if (xioctl(cam_.get(), VIDIOC_REQBUFS, &req) != 0 || req.count < 2)
            fail("VIDIOC_REQBUFS: %s", req.count < 2 ? "fewer than 2 buffers" : strerror(errno));
        count_ = req.count;
        for (unsigned i = 0; i < req.count; i++) {
            v4l2_exportbuffer exp{};
            exp.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            exp.index = i;
            exp.flags = O_RDONLY | O_CLOEXEC;
            if (xioctl(cam_.get(), VIDIOC_EXPBUF, &exp) != 0) fail("VIDIOC_EXPBUF %u: %s", i, strerror(errno));
            exported_.emplace_back(exp.fd);
            std::vector<PlaneRef> planes = {{exp.fd, 0, stride}};
            // Single-planar NV12: the chroma plane follows the luma plane.
            if (format.planes == 2) planes.push_back({exp.fd, stride * uint32_t(height_), stride});
            std::string why;
            wl_buffer *wb = create_dmabuf_buffer(display, planes, {width_, height_, format.drm, modifier}, &why);
            if (wb == nullptr)
                fail("%s (%dx%d %s from %s)", why.c_str(), width_, height_, format_name(format.drm).c_str(), path.c_str());
            pool_.add(wb);
            queue(int(i));
        }
        int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(cam_.get(), VIDIOC_STREAMON, &type) != 0) fail("VIDIOC_STREAMON: %s", strerror(errno));
    }

    ~Capture() {
        int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        xioctl(cam_.get(), VIDIOC_STREAMOFF, &type);
        // wl_buffers first: no release may reach a queue that is gone.
        pool_.clear();
    }
    Capture(const Capture &) = delete;
    Capture &operator=(const Capture &) = delete;

    int fd() const { return cam_.get(); }
    const PixelFormat &format() const { return format_; }
    uint64_t modifier() const { return modifier_; }
    int width() const { return width_; }
    int height() const { return height_; }
    unsigned count() const { return count_; }

    // The newest captured frame is shown when the window may take one; an
    // older one not yet attached goes straight back to the camera.
    void show_ready(Window &window) {
        if (ready_ < 0 || window.waiting_for_frame()) return;
        pool_.mark_busy(ready_);
        window.present(pool_.buffer(ready_));
        ready_ = -1;
    }
    // A frame the camera finished, if any (the device is readable).
    void take_frame() {
        v4l2_buffer buf{};
        buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buf.memory = V4L2_MEMORY_MMAP;
        if (xioctl(cam_.get(), VIDIOC_DQBUF, &buf) != 0) {
            if (errno == EAGAIN) return;
            fail("VIDIOC_DQBUF: %s", strerror(errno));
        }
        captured_++;
        if (ready_ >= 0) queue(ready_);
        ready_ = int(buf.index);
    }
    int captured() const { return captured_; }

private:
    void queue(int index) {
        v4l2_buffer buf{};
        buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buf.memory = V4L2_MEMORY_MMAP;
        buf.index = uint32_t(index);
        if (xioctl(cam_.get(), VIDIOC_QBUF, &buf) != 0) fail("VIDIOC_QBUF %d: %s", index, strerror(errno));
    }

    UniqueFd cam_;
    PixelFormat format_;
    uint64_t modifier_;
    int width_ = 0, height_ = 0;
    unsigned count_ = 0;
    BufferPool pool_;
    std::vector<UniqueFd> exported_;
    int ready_ = -1; // newest captured frame not shown yet
    int captured_ = 0;
};

} // namespace

int main(int argc, char **argv) {
    std::string path = "/dev/video0";
    std::optional<uint32_t> wanted;
    bool follow_feedback = false;
    std::vector<ExtraOption> extra = {
        {"device", "PATH", "V4L2 capture device (default /dev/video0)", [&](const char *v) {
             path = v;
             return true;
         }},
        {"format", "FOURCC", "DRM format to capture in (XR24, AR24, YUYV, UYVY, NV12, RG16)",
         [&](const char *v) {
             wanted = parse_format(v);
             return wanted.has_value();
         }},
        {"follow-feedback", nullptr, "restart the capture in a scanout tranche's format when the feedback offers one",
         [&](const char *) {
             follow_feedback = true;
             return true;
         }},
    };
    Options opt = parse_options(argc, argv, "planar-camera", "Shows a V4L2 camera through linux-dmabuf.", extra);

    Display display;
    display.require_dmabuf(4);
    display.require_shell();

    v4l2_capability cap{};
    std::vector<const PixelFormat *> camera_formats; // the driver's order: its preference
    std::string offered;
    {
        UniqueFd cam(open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
        if (!cam) fail("cannot open %s: %s", path.c_str(), strerror(errno));
        if (xioctl(cam.get(), VIDIOC_QUERYCAP, &cap) != 0) fail("%s is not a V4L2 device: %s", path.c_str(), strerror(errno));
        uint32_t caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
        if (!(caps & V4L2_CAP_VIDEO_CAPTURE))
            fail("%s (%s) has no single-planar video capture%s", path.c_str(), cap.card,
                 caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE ? " (multi-planar only, not supported)" : "");
        if (!(caps & V4L2_CAP_STREAMING)) fail("%s (%s) cannot stream", path.c_str(), cap.card);
        for (v4l2_fmtdesc desc{.index = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
             xioctl(cam.get(), VIDIOC_ENUM_FMT, &desc) == 0; desc.index++) {
            offered += (offered.empty() ? "" : " ") + fourcc(desc.pixelformat);
            if (const PixelFormat *f = by_v4l2(desc.pixelformat)) camera_formats.push_back(f);
        }
    }

    Window window(display, opt, "planar-camera");
    bool feedback_changed = false;
    Feedback feedback(zwp_linux_dmabuf_v1_get_surface_feedback(display.dmabuf, window.surface()),
                      Feedback::announce_into(feedback_changed));
    while (!feedback.received() || !window.configured()) display.dispatch();

    // The first format in the driver's order that the compositor takes.
    // Camera memory is plain LINEAR; MOD_INVALID (implicit) only where LINEAR
    // is not offered.
    const PixelFormat *chosen = nullptr;
    uint64_t modifier = DRM_FORMAT_MOD_LINEAR;
    for (const PixelFormat *f : camera_formats) {
        if (chosen || (wanted && f->drm != *wanted)) continue;
        for (uint64_t mod : {DRM_FORMAT_MOD_LINEAR, DRM_FORMAT_MOD_INVALID}) {
            if (feedback.state().find(f->drm, mod)) {
                chosen = f;
                modifier = mod;
                break;
            }
        }
    }
    if (chosen == nullptr)
        fail("no format of %s (%s) %sis advertised by the compositor (camera offers: %s)", path.c_str(), cap.card,
             wanted ? ("matching " + format_name(*wanted) + " ").c_str() : "", offered.c_str());

    auto capture = std::make_unique<Capture>(display, path, *chosen, modifier, opt, !opt.size_given);
    say("device %s (%s) format %s modifier %s source v4l2 %dx%d, %u buffers, compositor device %s", path.c_str(),
        cap.card, format_name(chosen->drm).c_str(), modifier_name(modifier).c_str(), capture->width(),
        capture->height(), capture->count(), device_name(feedback.state().main_device).c_str());
    feedback_changed = false;
    int captured_before = 0; // by captures a new format replaced

    // A scanout tranche first that does not offer the capture format: the
    // first camera format it offers LINEAR, if any, becomes the capture's.
    auto follow = [&]() {
        const auto &tranches = feedback.state().tranches;
        if (tranches.empty() || !tranches.front().scanout()) return;
        const Tranche &first = tranches.front();
        if (first.has(capture->format().drm, capture->modifier())) return;
        for (const PixelFormat *f : camera_formats) {
            if (!first.has(f->drm, DRM_FORMAT_MOD_LINEAR)) continue;
            say("reallocating: %s -> %s LINEAR (the scanout tranche on %s): capture restarted",
                format_name(capture->format().drm).c_str(), format_name(f->drm).c_str(),
                device_name(first.target_device).c_str());
            int captured = capture->captured();
            capture.reset(); // the device is free again before it opens anew
            capture = std::make_unique<Capture>(display, path, *f, DRM_FORMAT_MOD_LINEAR, opt, !opt.size_given);
            captured_before += captured;
            return;
        }
        say("the scanout tranche offers none of the camera's formats (%s): staying in %s", offered.c_str(),
            format_name(capture->format().drm).c_str());
    };

    while (!window.finished()) {
        if (feedback_changed) {
            feedback_changed = false;
            if (follow_feedback) follow();
        }
        capture->show_ready(window);
        if (display.dispatch(capture->fd(), 10000)) capture->take_frame();
    }
    window.drain_feedback(5000);
    say("%d frames captured", captured_before + capture->captured());
    window.print_stats();
    return 0;
}
