// render/: what planar does with a client's dma-buf once the protocol layer
// has validated it. The protocol code (protocols/linux_dmabuf_v1) talks only
// to the Importer interface below; the EGL importer (gles2 renderer) and the
// CPU importer (pixman renderer: mmap + DMA_BUF_IOCTL_SYNC) implement it.
// render/ also owns the format table shared with clients (format_table.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <pixman.h>
#include <string>
#include <vector>

#include "unique_fd.hpp"

struct wlr_buffer;
struct wlr_dmabuf_attributes;

namespace render {

// linux-dmabuf allows up to 4 planes (EGL_EXT_image_dma_buf_import_modifiers).
constexpr uint32_t max_planes = 4;

struct DmabufPlane {
    UniqueFd fd;
    uint32_t offset = 0;
    uint32_t stride = 0;
};

// A validated dma-buf: every plane present, one modifier for all planes.
struct DmabufAttributes {
    int32_t width = 0;
    int32_t height = 0;
    uint32_t format = 0;
    uint64_t modifier = 0;
    // linux-dmabuf flag y_invert: rows stored bottom to top; composition flips.
    bool y_invert = false;
    std::vector<DmabufPlane> planes;

    // Fills wlroots' view of it; the fds stay owned by this object.
    void borrow_into(wlr_dmabuf_attributes &out) const;
};

struct FormatPair {
    uint32_t format = 0;
    uint64_t modifier = 0;
    friend auto operator<=>(const FormatPair &, const FormatPair &) = default;
};

// The importer's state for one buffer, alive as long as the wl_buffer's
// wlr_buffer. Released before the planes' fds are closed.
class ImportedBuffer {
public:
    virtual ~ImportedBuffer() = default;
    // CPU access for the pixman renderer; false where this importer has none.
    virtual bool begin_read(void **data, uint32_t *format, size_t *stride) { return false; }
    virtual void end_read() {}
    // A surface's commit made this buffer its content: the client may have
    // (re)written it. `buffer_damage` (buffer coordinates) bounds what
    // changed; null: unknown, all of it. Told before the first read that uses
    // the commit's pixels (ShmYuvRenderer::on_committed).
    virtual void content_changed(const pixman_region32_t *buffer_damage) {}
    // Called whenever a renderer asks the buffer for its dma-buf.
    virtual void dmabuf_requested(wlr_buffer *buffer) {}
    // False when planar shows a converted copy (YUV the GPU cannot sample
    // here): then no renderer and no KMS plane may use the dma-buf itself.
    virtual bool shares_dmabuf() const { return true; }
    // Real imports of this buffer so far (EGLImages created, planes mapped):
    // one per buffer lifetime is the goal, never one per frame.
    virtual unsigned import_count() const = 0;
};

class Importer {
public:
    virtual ~Importer() = default;
    virtual const char *name() const = 0;
    // Pairs that really import, for the format table. Sorted, no duplicates.
    virtual std::vector<FormatPair> formats() const = 0;
    // Whether `fd` (borrowed) is a dma-buf; the fake importer of the unit
    // tests accepts memfds here.
    virtual bool is_dmabuf(int fd) const;
    // Imports `attrs` for `buffer` (whose get_dmabuf already answers with
    // attrs). Returns null with a reason when the buffer cannot be used.
    virtual std::unique_ptr<ImportedBuffer> import(const DmabufAttributes &attrs, wlr_buffer *buffer,
                                                   std::string &why) = 0;
};

// A dma-buf, and not a memfd, pipe, socket or regular file: the kernel's
// fdinfo of a dma-buf names its exporter ("exp_name:").
bool fd_is_dmabuf(int fd);

// Size of the object behind fd, from lseek(SEEK_END) (dma-bufs and memfds
// support it); -1 when unknown.
int64_t fd_size(int fd);

} // namespace render
