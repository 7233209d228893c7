// vm-scanout: which dma-buf the primary plane of the active CRTC scans out.
//   vm-scanout [CARD]   prints "fb FB_ID WxH FOURCC inode INODE"
// The inode is that of the dma-buf behind the framebuffer's GEM object
// (re-exported with PRIME): for a client buffer that planar put on the plane
// directly, it equals the inode of the client's own dma-buf fd, which is how
// the scanout test proves zero-copy without trusting planar's word for it.
// Needs root (GETFB2 hands out handles of another client's framebuffer).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

static int fail(const char *what) {
    printf("FAIL: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv) {
    const char *card = argc > 1 ? argv[1] : "/dev/dri/card0";
    int fd = open(card, O_RDWR | O_CLOEXEC);
    if (fd < 0) return fail(card);
    if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) != 0) return fail("universal planes");
    drmModePlaneRes *planes = drmModeGetPlaneResources(fd);
    if (planes == NULL) return fail("drmModeGetPlaneResources");
    for (uint32_t i = 0; i < planes->count_planes; i++) {
        drmModePlane *plane = drmModeGetPlane(fd, planes->planes[i]);
        if (plane == NULL || plane->fb_id == 0 || plane->crtc_id == 0) {
            drmModeFreePlane(plane);
            continue;
        }
        // The primary plane: the one whose "type" property says so.
        drmModeObjectProperties *props = drmModeObjectGetProperties(fd, plane->plane_id, DRM_MODE_OBJECT_PLANE);
        int primary = 0;
        for (uint32_t p = 0; props != NULL && p < props->count_props; p++) {
            drmModePropertyRes *prop = drmModeGetProperty(fd, props->props[p]);
            if (prop != NULL && strcmp(prop->name, "type") == 0 && props->prop_values[p] == DRM_PLANE_TYPE_PRIMARY) {
                primary = 1;
            }
            drmModeFreeProperty(prop);
        }
        drmModeFreeObjectProperties(props);
        if (!primary) {
            drmModeFreePlane(plane);
            continue;
        }
        drmModeFB2 *fb = drmModeGetFB2(fd, plane->fb_id);
        if (fb == NULL) return fail("drmModeGetFB2");
        if (fb->handles[0] == 0) {
            printf("FAIL: no GEM handle for fb %u (not root?)\n", fb->fb_id);
            return 1;
        }
        int dmabuf = -1;
        if (drmPrimeHandleToFD(fd, fb->handles[0], O_CLOEXEC, &dmabuf) != 0) return fail("PRIME export");
        struct stat st;
        if (fstat(dmabuf, &st) != 0) return fail("fstat");
        printf("fb %u %ux%u %.4s inode %lu\n", fb->fb_id, fb->width, fb->height, (const char *)&fb->pixel_format,
               (unsigned long)st.st_ino);
        close(dmabuf);
        drmCloseBufferHandle(fd, fb->handles[0]);
        drmModeFreeFB2(fb);
        drmModeFreePlane(plane);
        drmModeFreePlaneResources(planes);
        return 0;
    }
    printf("FAIL: no primary plane shows a framebuffer\n");
    return 1;
}
