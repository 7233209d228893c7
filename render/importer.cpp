#include "importer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "wlr.hpp"

namespace render {

void DmabufAttributes::borrow_into(wlr_dmabuf_attributes &out) const {
    out = {};
    out.width = width;
    out.height = height;
    out.format = format;
    out.modifier = modifier;
    out.n_planes = static_cast<int>(planes.size());
    for (size_t i = 0; i < planes.size() && i < WLR_DMABUF_MAX_PLANES; i++) {
        out.fd[i] = planes[i].fd.get();
        out.offset[i] = planes[i].offset;
        out.stride[i] = planes[i].stride;
    }
}

bool Importer::is_dmabuf(int fd) const { return fd_is_dmabuf(fd); }

bool fd_is_dmabuf(int fd) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    if (FILE *file = fopen(path, "re")) {
        char line[256];
        bool found = false;
        while (fgets(line, sizeof line, file) != nullptr) {
            if (strncmp(line, "exp_name:", 9) == 0) {
                found = true;
                break;
            }
        }
        fclose(file);
        return found;
    }
    // No /proc: a dma-buf answers DMA_BUF_IOCTL_SYNC with bad flags by EINVAL,
    // anything else (memfd, pipe, socket, file) with ENOTTY. Harmless: the
    // kernel checks the flags before touching the buffer.
    dma_buf_sync sync{};
    sync.flags = ~0ull;
    return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) == -1 && errno == EINVAL;
}

int64_t fd_size(int fd) {
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0) return -1;
    // Leave the (shared) file offset where a client would expect it.
    lseek(fd, 0, SEEK_SET);
    return size;
}

} // namespace render
