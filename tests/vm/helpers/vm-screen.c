// tests/vm/helpers/vm-screen: checks what the display shows, from a screenshot and from KMS.
//
//   vm-screen ppm FILE BACKGROUND [COLOUR WxH]...
//       FILE is a binary PPM (P6, maxval 255; `grim -t ppm`). For each window COLOUR (0xRRGGBB)
//       of size WxH: exactly W*H pixels have that colour and they form one WxH rectangle. Every
//       other pixel is BACKGROUND, except in a 4-pixel ring around each window (a border the
//       compositor may draw). Prints "ok: ..." with the window positions.
//   vm-screen primary
//       the vkms card's primary plane: "primary PLANE_ID fb FB_ID WxH crtc CRTC_ID mode WxH"
//       (FB 0 and sizes 0x0 when the plane is off). Needs no DRM master.
// Problems: "FAIL: reason" and exit status 1.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "vm-fail.h"
#include "vm-kms.h"

static uint32_t parse_colour(const char *text)
{
	char *end = NULL;
	unsigned long v = strtoul(text, &end, 16);
	if (end == text || *end != '\0' || v > 0xffffff)
		fail("bad colour '%s' (want 0xRRGGBB)", text);
	return (uint32_t)v;
}

// Reads one header token of a PPM, skipping whitespace and comments.
static int ppm_token(FILE *f)
{
	int c, value = 0, digits = 0;
	while ((c = fgetc(f)) != EOF) {
		if (c == '#') {
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		} else if (c >= '0' && c <= '9') {
			value = value * 10 + (c - '0');
			digits++;
		} else if (digits) {
			break; // the single whitespace after the last token is consumed here
		}
	}
	if (!digits)
		fail("truncated PPM header");
	return value;
}

struct window {
	uint32_t colour;
	int w, h;
	int x0, y0, x1, y1; // found bounding box, inclusive
	long count;
};

static int check_ppm(int argc, char **argv)
{
	if (argc < 2 || argc % 2 != 0)
		fail("usage: vm-screen ppm FILE BACKGROUND [COLOUR WxH]...");
	FILE *f = fopen(argv[0], "rb");
	if (!f)
		fail("cannot open %s: %s", argv[0], strerror(errno));
	uint32_t background = parse_colour(argv[1]);
	int nwin = (argc - 2) / 2;
	struct window win[8];
	if (nwin > 8)
		fail("at most 8 windows");
	for (int i = 0; i < nwin; i++) {
		win[i].colour = parse_colour(argv[2 + 2 * i]);
		if (sscanf(argv[3 + 2 * i], "%dx%d", &win[i].w, &win[i].h) != 2 || win[i].w <= 0 ||
		    win[i].h <= 0)
			fail("bad size '%s'", argv[3 + 2 * i]);
		win[i].x0 = win[i].y0 = 1 << 30;
		win[i].x1 = win[i].y1 = -1;
		win[i].count = 0;
	}

	if (fgetc(f) != 'P' || fgetc(f) != '6')
		fail("%s is not a binary PPM (P6)", argv[0]);
	int width = ppm_token(f), height = ppm_token(f), maxval = ppm_token(f);
	if (maxval != 255 || width <= 0 || height <= 0)
		fail("unsupported PPM %dx%d maxval %d", width, height, maxval);
	size_t size = (size_t)width * height * 3;
	uint8_t *px = malloc(size);
	if (!px || fread(px, 1, size, f) != size)
		fail("truncated PPM data (%dx%d)", width, height);
	fclose(f);

	for (int y = 0; y < height; y++) {
		for (int x = 0; x < width; x++) {
			const uint8_t *p = px + ((size_t)y * width + x) * 3;
			uint32_t c = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
			for (int i = 0; i < nwin; i++) {
				if (c != win[i].colour)
					continue;
				win[i].count++;
				if (x < win[i].x0) win[i].x0 = x;
				if (y < win[i].y0) win[i].y0 = y;
				if (x > win[i].x1) win[i].x1 = x;
				if (y > win[i].y1) win[i].y1 = y;
			}
		}
	}
	for (int i = 0; i < nwin; i++) {
		struct window *w = &win[i];
		if (w->count == 0)
			fail("no pixel of the window colour 0x%06x in the %dx%d screenshot", w->colour, width,
			     height);
		int bw = w->x1 - w->x0 + 1, bh = w->y1 - w->y0 + 1;
		if (bw != w->w || bh != w->h || w->count != (long)w->w * w->h)
			fail("window 0x%06x: %ld pixels of it spanning %dx%d at %d,%d; expected exactly %dx%d",
			     w->colour, w->count, bw, bh, w->x0, w->y0, w->w, w->h);
	}
	long wrong = 0;
	int first_x = -1, first_y = -1;
	uint32_t first_c = 0;
	for (int y = 0; y < height; y++) {
		for (int x = 0; x < width; x++) {
			int near = 0;
			for (int i = 0; i < nwin && !near; i++)
				near = x >= win[i].x0 - 4 && x <= win[i].x1 + 4 && y >= win[i].y0 - 4 &&
				       y <= win[i].y1 + 4;
			if (near)
				continue;
			const uint8_t *p = px + ((size_t)y * width + x) * 3;
			uint32_t c = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
			if (c != background) {
				if (wrong++ == 0) {
					first_x = x;
					first_y = y;
					first_c = c;
				}
			}
		}
	}
	if (wrong)
		fail("%ld pixels outside the windows are not the background 0x%06x; the first at %d,%d "
		     "is 0x%06x",
		     wrong, background, first_x, first_y, first_c);
	printf("ok: %dx%d screenshot:", width, height);
	for (int i = 0; i < nwin; i++)
		printf(" 0x%06x %dx%d at %d,%d;", win[i].colour, win[i].w, win[i].h, win[i].x0, win[i].y0);
	printf(" the rest is 0x%06x\n", background);
	free(px);
	return 0;
}

static int check_primary(void)
{
	int fd = open_vkms();
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmModePlaneResPtr planes = drmModeGetPlaneResources(fd);
	if (!planes)
		fail("drmModeGetPlaneResources: %s", strerror(errno));
	for (uint32_t i = 0; i < planes->count_planes; i++) {
		uint32_t id = planes->planes[i];
		drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, id, DRM_MODE_OBJECT_PLANE);
		uint64_t type = UINT64_MAX;
		for (uint32_t p = 0; props && p < props->count_props; p++) {
			drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[p]);
			if (prop && strcmp(prop->name, "type") == 0)
				type = props->prop_values[p];
			drmModeFreeProperty(prop);
		}
		drmModeFreeObjectProperties(props);
		if (type != DRM_PLANE_TYPE_PRIMARY)
			continue;
		drmModePlanePtr plane = drmModeGetPlane(fd, id);
		if (!plane)
			fail("drmModeGetPlane %u: %s", id, strerror(errno));
		uint32_t fw = 0, fh = 0, mw = 0, mh = 0;
		if (plane->fb_id) {
			drmModeFBPtr fb = drmModeGetFB(fd, plane->fb_id);
			if (fb) {
				fw = fb->width;
				fh = fb->height;
				drmModeFreeFB(fb);
			}
		}
		if (plane->crtc_id) {
			drmModeCrtcPtr crtc = drmModeGetCrtc(fd, plane->crtc_id);
			if (crtc && crtc->mode_valid) {
				mw = crtc->mode.hdisplay;
				mh = crtc->mode.vdisplay;
			}
			drmModeFreeCrtc(crtc);
		}
		printf("primary %u fb %u %ux%u crtc %u mode %ux%u\n", id, plane->fb_id, fw, fh,
		       plane->crtc_id, mw, mh);
		drmModeFreePlane(plane);
		return 0;
	}
	fail("the vkms card has no primary plane");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "ppm") == 0)
		return check_ppm(argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "primary") == 0)
		return check_primary();
	fail("usage: vm-screen ppm FILE BACKGROUND [COLOUR WxH]... | vm-screen primary");
}
