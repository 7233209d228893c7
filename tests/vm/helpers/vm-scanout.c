// vm-scanout: which dma-buf the primary plane of the active CRTC scans out.
//   vm-scanout [CARD]   prints "fb FB_ID WxH FOURCC inode INODE"
//   vm-scanout --all [CARD]
//       one line per plane that shows a framebuffer on an active CRTC, in plane id order
//       (on vkms, which has no zpos, that is the stacking order, bottom to top):
//       "plane ID TYPE fb FB_ID WxH FOURCC crtc X,Y WxH inode INODE", TYPE primary, overlay
//       or cursor, X,Y WxH the plane's CRTC_X/Y/W/H properties (where on the CRTC it shows).
//       Exit status 0 when at least one plane shows something.
// The inode is that of the dma-buf behind the framebuffer's GEM object
// (re-exported with PRIME): for a client buffer that planar put on the plane
// directly, it equals the inode of the client's own dma-buf fd, which is how
// the scanout test proves zero-copy without trusting planar's word for it.
// Needs root (GETFB2 hands out handles of another client's framebuffer).
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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

// The value of property NAME of a KMS object; `fallback` when it has none.
static uint64_t property(int fd, uint32_t id, uint32_t type, const char *name, uint64_t fallback) {
    drmModeObjectProperties *props = drmModeObjectGetProperties(fd, id, type);
    uint64_t value = fallback;
    for (uint32_t p = 0; props != NULL && p < props->count_props; p++) {
        drmModePropertyRes *prop = drmModeGetProperty(fd, props->props[p]);
        if (prop != NULL && strcmp(prop->name, name) == 0) value = props->prop_values[p];
        drmModeFreeProperty(prop);
    }
    drmModeFreeObjectProperties(props);
    return value;
}

// Whether the CRTC is on: its atomic ACTIVE property, else a valid mode.
static int crtc_active(int fd, uint32_t crtc_id) {
    uint64_t active = property(fd, crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", UINT64_MAX);
    if (active != UINT64_MAX) return active != 0;
    drmModeCrtc *crtc = drmModeGetCrtc(fd, crtc_id);
    int on = crtc != NULL && crtc->mode_valid;
    drmModeFreeCrtc(crtc);
    return on;
}

static int all_planes(const char *card) {
    int fd = open(card, O_RDWR | O_CLOEXEC);
    if (fd < 0) return fail(card);
    if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) != 0) return fail("universal planes");
    // ACTIVE is visible to atomic clients only; without it a valid mode decides.
    drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1);
    drmModePlaneRes *planes = drmModeGetPlaneResources(fd);
    if (planes == NULL) return fail("drmModeGetPlaneResources");
    int shown = 0;
    for (uint32_t i = 0; i < planes->count_planes; i++) {
        drmModePlane *plane = drmModeGetPlane(fd, planes->planes[i]);
        if (plane == NULL || plane->fb_id == 0 || plane->crtc_id == 0 || !crtc_active(fd, plane->crtc_id)) {
            drmModeFreePlane(plane);
            continue;
        }
        uint32_t id = plane->plane_id;
        uint64_t type = property(fd, id, DRM_MODE_OBJECT_PLANE, "type", UINT64_MAX);
        const char *type_name = type == DRM_PLANE_TYPE_PRIMARY   ? "primary"
                                : type == DRM_PLANE_TYPE_OVERLAY ? "overlay"
                                : type == DRM_PLANE_TYPE_CURSOR  ? "cursor"
                                                                 : "unknown";
        // CRTC_X/Y are signed (a plane may hang off the top or left edge).
        int x = (int)(int64_t)property(fd, id, DRM_MODE_OBJECT_PLANE, "CRTC_X", 0);
        int y = (int)(int64_t)property(fd, id, DRM_MODE_OBJECT_PLANE, "CRTC_Y", 0);
        unsigned w = (unsigned)property(fd, id, DRM_MODE_OBJECT_PLANE, "CRTC_W", 0);
        unsigned h = (unsigned)property(fd, id, DRM_MODE_OBJECT_PLANE, "CRTC_H", 0);
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
        printf("plane %u %s fb %u %ux%u %.4s crtc %d,%d %ux%u inode %lu\n", id, type_name, fb->fb_id, fb->width,
               fb->height, (const char *)&fb->pixel_format, x, y, w, h, (unsigned long)st.st_ino);
        shown++;
        close(dmabuf);
        // Every distinct handle GETFB2 gave out (one per GEM object, shared between planes).
        for (int j = 0; j < 4; j++) {
            int seen = fb->handles[j] == 0;
            for (int k = 0; k < j && !seen; k++) seen = fb->handles[k] == fb->handles[j];
            if (!seen) drmCloseBufferHandle(fd, fb->handles[j]);
        }
        drmModeFreeFB2(fb);
        drmModeFreePlane(plane);
    }
    drmModeFreePlaneResources(planes);
    close(fd);
    if (shown == 0) {
        printf("FAIL: no plane shows a framebuffer on an active CRTC\n");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--all") == 0) return all_planes(argc > 2 ? argv[2] : "/dev/dri/card0");
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
