// tests/vm/helpers/vm-devices: checks one device of the test guest and says what it found.
//
//   vm-devices kms        vkms card: 1 primary + 8 overlay + 1 cursor planes, a writeback connector
//   vm-devices udmabuf    /dev/udmabuf turns a sealed memfd into an mmap-able dma-buf
//   vm-devices heap       /dev/dma_heap/system allocates an mmap-able dma-buf
//   vm-devices vivid      /dev/video0 is the vivid driver
//   vm-devices sw_sync    a sw_sync fence is pending, then signalled after SW_SYNC_IOC_INC
//   vm-devices prime_map  vkms maps an imported udmabuf with MAP_DUMB (tests/vm/patches, 1.)
//   vm-devices writeback  an atomic commit with the writeback connector captures the primary
//                         plane (tests/vm/patches, 2.)
//
// Prints "ok: ..." lines; on failure "FAIL: reason" and exit status 1.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

// drivers/dma-buf/sw_sync.c: the ioctls of /sys/kernel/debug/sync/sw_sync (no uapi header).
struct sw_sync_create_fence_data {
	uint32_t value;
	char name[32];
	int32_t fence;
};
#define SW_SYNC_IOC_MAGIC 'W'
#define SW_SYNC_IOC_CREATE_FENCE _IOWR(SW_SYNC_IOC_MAGIC, 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW(SW_SYNC_IOC_MAGIC, 1, uint32_t)

#include "vm-fail.h"
#include "vm-kms.h"

static int poll_fence(int fence, int timeout_ms)
{
	struct pollfd pfd = {.fd = fence, .events = POLLIN};
	int n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		fail("poll on a sync_file: %s", strerror(errno));
	return n > 0 && (pfd.revents & POLLIN);
}

static uint64_t plane_type(int fd, uint32_t plane_id)
{
	drmModeObjectPropertiesPtr props =
		drmModeObjectGetProperties(fd, plane_id, DRM_MODE_OBJECT_PLANE);
	if (!props)
		fail("no properties on plane %u: %s", plane_id, strerror(errno));
	uint64_t type = UINT64_MAX;
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[i]);
		if (prop && strcmp(prop->name, "type") == 0)
			type = props->prop_values[i];
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	if (type == UINT64_MAX)
		fail("plane %u has no type property", plane_id);
	return type;
}

static void check_kms(void)
{
	int fd = open_vkms();
	printf("ok: vkms is open\n");
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) ||
	    drmSetClientCap(fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1))
		fail("client caps (universal planes, atomic, writeback): %s", strerror(errno));

	drmModePlaneResPtr planes = drmModeGetPlaneResources(fd);
	if (!planes)
		fail("drmModeGetPlaneResources: %s", strerror(errno));
	unsigned counts[3] = {0};
	for (uint32_t i = 0; i < planes->count_planes; i++) {
		uint64_t type = plane_type(fd, planes->planes[i]);
		if (type > DRM_PLANE_TYPE_CURSOR)
			fail("plane %u has unknown type %llu", planes->planes[i],
			     (unsigned long long)type);
		counts[type]++;
	}
	drmModeFreePlaneResources(planes);
	printf("ok: planes: %u primary, %u overlay, %u cursor\n", counts[DRM_PLANE_TYPE_PRIMARY],
	       counts[DRM_PLANE_TYPE_OVERLAY], counts[DRM_PLANE_TYPE_CURSOR]);
	if (counts[DRM_PLANE_TYPE_PRIMARY] != 1 || counts[DRM_PLANE_TYPE_OVERLAY] != 8 ||
	    counts[DRM_PLANE_TYPE_CURSOR] != 1)
		fail("vkms planes: %u primary, %u overlay, %u cursor; want 1, 8, 1",
		     counts[DRM_PLANE_TYPE_PRIMARY], counts[DRM_PLANE_TYPE_OVERLAY],
		     counts[DRM_PLANE_TYPE_CURSOR]);

	drmModeResPtr res = drmModeGetResources(fd);
	if (!res)
		fail("drmModeGetResources: %s", strerror(errno));
	int writeback = 0, virtual_connected = 0;
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnectorPtr c = drmModeGetConnector(fd, res->connectors[i]);
		if (!c)
			continue;
		if (c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK)
			writeback++;
		if (c->connector_type == DRM_MODE_CONNECTOR_VIRTUAL &&
		    c->connection == DRM_MODE_CONNECTED && c->count_modes > 0)
			virtual_connected++;
		drmModeFreeConnector(c);
	}
	printf("ok: %d CRTC, %d writeback connector, %d connected virtual connector\n",
	       res->count_crtcs, writeback, virtual_connected);
	drmModeFreeResources(res);
	if (writeback != 1)
		fail("vkms has %d writeback connectors; want 1", writeback);
	if (virtual_connected != 1)
		fail("vkms has %d connected virtual connectors with modes; want 1", virtual_connected);

	uint64_t prime = 0;
	if (drmGetCap(fd, DRM_CAP_PRIME, &prime) ||
	    (prime & (DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT)) !=
		    (DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT))
		fail("vkms lacks PRIME import and export");
	printf("ok: PRIME import and export\n");
	close(fd);
}

// Writes a pattern through a dma-buf mapping (bracketed by DMA_BUF_IOCTL_SYNC) and checks it
// through `check` (another mapping of the same memory) when given, else through the same one.
static void check_dmabuf_mapping(int dmabuf, size_t size, const uint8_t *check, const char *what)
{
	uint8_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	if (map == MAP_FAILED)
		fail("%s: mmap of the dma-buf: %s", what, strerror(errno));
	struct dma_buf_sync sync = {.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW};
	if (ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync))
		fail("%s: DMA_BUF_IOCTL_SYNC start: %s", what, strerror(errno));
	for (size_t i = 0; i < size; i++)
		map[i] = (uint8_t)(i * 7 + 3);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	if (ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync))
		fail("%s: DMA_BUF_IOCTL_SYNC end: %s", what, strerror(errno));
	const uint8_t *back = check ? check : map;
	for (size_t i = 0; i < size; i++)
		if (back[i] != (uint8_t)(i * 7 + 3))
			fail("%s: byte %zu reads %u, wrote %u", what, i, back[i], (uint8_t)(i * 7 + 3));
	munmap(map, size);
}

// A dma-buf of `size` bytes over a sealed memfd; the memfd comes back in *memfd_out.
static int create_udmabuf(size_t size, int *memfd_out)
{
	int memfd = memfd_create("vm-devices", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, (off_t)size))
		fail("memfd: %s", strerror(errno));
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		fail("memfd F_SEAL_SHRINK: %s", strerror(errno));
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		fail("/dev/udmabuf: %s", strerror(errno));
	struct udmabuf_create create = {
		.memfd = (uint32_t)memfd, .flags = UDMABUF_FLAGS_CLOEXEC, .offset = 0, .size = size};
	int dmabuf = ioctl(dev, UDMABUF_CREATE, &create);
	if (dmabuf < 0)
		fail("UDMABUF_CREATE: %s", strerror(errno));
	close(dev);
	*memfd_out = memfd;
	return dmabuf;
}

static void check_udmabuf(void)
{
	const size_t size = 16 * 4096;
	int memfd;
	int dmabuf = create_udmabuf(size, &memfd);
	uint8_t *direct = mmap(NULL, size, PROT_READ, MAP_SHARED, memfd, 0);
	if (direct == MAP_FAILED)
		fail("mmap of the memfd: %s", strerror(errno));
	check_dmabuf_mapping(dmabuf, size, direct, "udmabuf");
	printf("ok: udmabuf: %zu-byte dma-buf from a sealed memfd, CPU writes seen through the memfd\n",
	       size);
	munmap(direct, size);
	close(dmabuf);
	close(memfd);
}

// Mesa's kms_swrast maps imported dma-bufs through DRM_IOCTL_MODE_MAP_DUMB on the KMS node.
static void check_prime_map(void)
{
	const size_t size = 4 * 4096;
	int memfd;
	int dmabuf = create_udmabuf(size, &memfd);
	uint8_t *direct = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (direct == MAP_FAILED)
		fail("mmap of the memfd: %s", strerror(errno));
	for (size_t i = 0; i < size; i++)
		direct[i] = (uint8_t)(i * 13 + 1);

	int fd = open_vkms();
	uint32_t handle;
	if (drmPrimeFDToHandle(fd, dmabuf, &handle))
		fail("vkms cannot import a udmabuf: %s", strerror(errno));
	struct drm_mode_map_dumb map = {.handle = handle};
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		fail("MAP_DUMB of an imported dma-buf: %s (is the vkms patch applied?)",
		     strerror(errno));
	uint8_t *through = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, (off_t)map.offset);
	if (through == MAP_FAILED)
		fail("mmap of the imported dma-buf through vkms: %s", strerror(errno));
	for (size_t i = 0; i < size; i++)
		if (through[i] != (uint8_t)(i * 13 + 1))
			fail("imported dma-buf mapped through vkms: byte %zu differs", i);
	printf("ok: vkms imports a udmabuf and maps it with MAP_DUMB\n");
	munmap(through, size);
	munmap(direct, size);
	drmCloseBufferHandle(fd, handle);
	close(fd);
	close(dmabuf);
	close(memfd);
}

static uint32_t prop_id(int fd, uint32_t object, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, object, type);
	uint32_t id = 0;
	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[i]);
		if (prop && strcmp(prop->name, name) == 0)
			id = prop->prop_id;
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	if (!id)
		fail("object %u has no property %s", object, name);
	return id;
}

struct dumb {
	uint32_t handle, fb, pitch;
	uint64_t size;
	uint32_t *pixels;
};

static struct dumb create_dumb(int fd, uint32_t width, uint32_t height)
{
	struct dumb d = {0};
	struct drm_mode_create_dumb create = {.width = width, .height = height, .bpp = 32};
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		fail("CREATE_DUMB: %s", strerror(errno));
	d.handle = create.handle;
	d.pitch = create.pitch;
	d.size = create.size;
	struct drm_mode_map_dumb map = {.handle = d.handle};
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		fail("MAP_DUMB: %s", strerror(errno));
	d.pixels = mmap(NULL, d.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
	if (d.pixels == MAP_FAILED)
		fail("mmap of a dumb buffer: %s", strerror(errno));
	uint32_t handles[4] = {d.handle}, pitches[4] = {d.pitch}, offsets[4] = {0};
	if (drmModeAddFB2(fd, width, height, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &d.fb,
			  0))
		fail("AddFB2 XR24 %ux%u: %s", width, height, strerror(errno));
	return d;
}

// One real commit: the primary plane shows a colour, the writeback connector captures the CRTC.
static void check_writeback(void)
{
	int fd = open_vkms();
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) ||
	    drmSetClientCap(fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1))
		fail("client caps: %s", strerror(errno));

	drmModeResPtr res = drmModeGetResources(fd);
	if (!res || res->count_crtcs < 1)
		fail("no CRTC");
	uint32_t crtc = res->crtcs[0], output = 0, writeback = 0;
	drmModeModeInfo mode = {0};
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnectorPtr c = drmModeGetConnector(fd, res->connectors[i]);
		if (!c)
			continue;
		if (c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK)
			writeback = c->connector_id;
		else if (c->connection == DRM_MODE_CONNECTED && c->count_modes > 0 && !output) {
			output = c->connector_id;
			mode = c->modes[0];
			for (int m = 0; m < c->count_modes; m++)
				if (c->modes[m].type & DRM_MODE_TYPE_PREFERRED)
					mode = c->modes[m];
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	if (!output || !writeback)
		fail("need a connected output and a writeback connector");

	uint32_t primary = 0;
	drmModePlaneResPtr planes = drmModeGetPlaneResources(fd);
	for (uint32_t i = 0; planes && i < planes->count_planes && !primary; i++)
		if (plane_type(fd, planes->planes[i]) == DRM_PLANE_TYPE_PRIMARY)
			primary = planes->planes[i];
	drmModeFreePlaneResources(planes);
	if (!primary)
		fail("no primary plane");

	uint32_t w = mode.hdisplay, h = mode.vdisplay;
	struct dumb scanout = create_dumb(fd, w, h), capture = create_dumb(fd, w, h);
	const uint32_t colour = 0x00336699;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			scanout.pixels[y * (scanout.pitch / 4) + x] = colour;
	memset(capture.pixels, 0, capture.size);

	uint32_t blob;
	if (drmModeCreatePropertyBlob(fd, &mode, sizeof(mode), &blob))
		fail("mode blob: %s", strerror(errno));
	int32_t out_fence = -1;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	const uint32_t C = DRM_MODE_OBJECT_CRTC, K = DRM_MODE_OBJECT_CONNECTOR,
		       P = DRM_MODE_OBJECT_PLANE;
	drmModeAtomicAddProperty(req, crtc, prop_id(fd, crtc, C, "MODE_ID"), blob);
	drmModeAtomicAddProperty(req, crtc, prop_id(fd, crtc, C, "ACTIVE"), 1);
	drmModeAtomicAddProperty(req, output, prop_id(fd, output, K, "CRTC_ID"), crtc);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "FB_ID"), scanout.fb);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "CRTC_ID"), crtc);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "SRC_X"), 0);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "SRC_Y"), 0);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "SRC_W"), (uint64_t)w << 16);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "SRC_H"), (uint64_t)h << 16);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "CRTC_X"), 0);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "CRTC_Y"), 0);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "CRTC_W"), w);
	drmModeAtomicAddProperty(req, primary, prop_id(fd, primary, P, "CRTC_H"), h);
	drmModeAtomicAddProperty(req, writeback, prop_id(fd, writeback, K, "CRTC_ID"), crtc);
	drmModeAtomicAddProperty(req, writeback, prop_id(fd, writeback, K, "WRITEBACK_FB_ID"),
				 capture.fb);
	drmModeAtomicAddProperty(req, writeback,
				 prop_id(fd, writeback, K, "WRITEBACK_OUT_FENCE_PTR"),
				 (uint64_t)(uintptr_t)&out_fence);
	if (drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL))
		fail("atomic commit with writeback: %s (is the vkms patch applied?)", strerror(errno));
	drmModeAtomicFree(req);
	if (out_fence < 0)
		fail("the writeback commit returned no out-fence");
	if (!poll_fence(out_fence, 20000))
		fail("the writeback out-fence did not signal within 20 s");
	uint32_t got = capture.pixels[(h / 2) * (capture.pitch / 4) + w / 2] & 0x00ffffff;
	if (got != colour)
		fail("writeback captured 0x%06x at the centre, the primary plane shows 0x%06x", got,
		     colour);
	printf("ok: atomic commit %ux%u with writeback; the capture shows the primary plane\n", w,
	       h);
	close(out_fence);
	close(fd);
}

static void check_heap(void)
{
	const size_t size = 64 * 1024;
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		fail("/dev/dma_heap/system: %s", strerror(errno));
	struct dma_heap_allocation_data alloc = {.len = size, .fd_flags = O_RDWR | O_CLOEXEC};
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc))
		fail("DMA_HEAP_IOCTL_ALLOC: %s", strerror(errno));
	check_dmabuf_mapping((int)alloc.fd, size, NULL, "system heap");
	printf("ok: system heap: %zu-byte dma-buf, mmap read/write\n", size);
	close((int)alloc.fd);
	close(heap);
}

static void check_vivid(void)
{
	int fd = open("/dev/video0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fail("/dev/video0: %s", strerror(errno));
	struct v4l2_capability cap = {0};
	if (ioctl(fd, VIDIOC_QUERYCAP, &cap))
		fail("VIDIOC_QUERYCAP: %s", strerror(errno));
	if (strcmp((const char *)cap.driver, "vivid") != 0)
		fail("/dev/video0 is driven by '%s', not vivid", (const char *)cap.driver);
	printf("ok: /dev/video0 is vivid (%s)\n", (const char *)cap.card);
	close(fd);
}

static void check_sw_sync(void)
{
	int timeline = open("/sys/kernel/debug/sync/sw_sync", O_RDWR | O_CLOEXEC);
	if (timeline < 0)
		fail("/sys/kernel/debug/sync/sw_sync: %s", strerror(errno));
	struct sw_sync_create_fence_data data = {.value = 1};
	snprintf(data.name, sizeof(data.name), "vm-devices");
	if (ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &data))
		fail("SW_SYNC_IOC_CREATE_FENCE: %s", strerror(errno));
	if (poll_fence(data.fence, 0))
		fail("a new sw_sync fence at value 1 is already signalled");
	uint32_t inc = 1;
	if (ioctl(timeline, SW_SYNC_IOC_INC, &inc))
		fail("SW_SYNC_IOC_INC: %s", strerror(errno));
	if (!poll_fence(data.fence, 10000))
		fail("the sw_sync fence is not signalled 10 s after SW_SYNC_IOC_INC");
	printf("ok: sw_sync fence pending, then signalled after SW_SYNC_IOC_INC\n");
	close(data.fence);
	close(timeline);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*check)(void);
	} checks[] = {
		{"kms", check_kms},	      {"udmabuf", check_udmabuf}, {"heap", check_heap},
		{"vivid", check_vivid},	      {"sw_sync", check_sw_sync}, {"prime_map", check_prime_map},
		{"writeback", check_writeback},
	};
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: %s kms|udmabuf|heap|vivid|sw_sync|prime_map|writeback\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (strcmp(argv[1], checks[i].name) == 0) {
			checks[i].check();
			return 0;
		}
	}
	fprintf(stderr, "%s: unknown check '%s'\n", argv[0], argv[1]);
	return 2;
}
