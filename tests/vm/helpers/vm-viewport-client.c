// tests/vm/helpers/vm-viewport-client: a toplevel whose content is a tiny wl_shm buffer (1x1 by
// default) scaled up by wp_viewporter, the pattern suspected of crashing GL compositors inside
// llvmpipe on the test guest (swaybg draws its colour that way). Runs until killed.
//
//   vm-viewport-client [--buffer WxH] [--dest WxH] [--colour 0xRRGGBB] [--animate]
//     --buffer   size of the shm buffer (default 1x1)
//     --dest     wp_viewport destination, i.e. the window size (default 256x192)
//     --colour   the buffer's colour (default 0x40c080)
//     --animate  every frame: a new buffer of the other colour (bitwise inverted), a destination
//                that grows and shrinks between 1x1 and twice --dest, and a source crop
//                every other frame
// Prints "vm-viewport-client: mapped ..." once the first configure is acked and the buffer is
// committed; "FAIL: reason" and exit status 1 on a problem.
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include "viewporter-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#include "vm-fail.h"

static struct wl_compositor *compositor;
static struct wl_shm *shm;
static struct xdg_wm_base *wm_base;
static struct wp_viewporter *viewporter;
static struct wl_surface *surface;
static struct wp_viewport *viewport;
static int configured, frame_due = 1;
static int buf_w = 1, buf_h = 1, dest_w = 256, dest_h = 192, animate;
static uint32_t colour = 0x40c080;

static void global(void *data, struct wl_registry *registry, uint32_t name, const char *iface,
		   uint32_t version)
{
	(void)data;
	(void)version;
	if (strcmp(iface, wl_compositor_interface.name) == 0)
		compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 4);
	else if (strcmp(iface, wl_shm_interface.name) == 0)
		shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	else if (strcmp(iface, xdg_wm_base_interface.name) == 0)
		wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
	else if (strcmp(iface, wp_viewporter_interface.name) == 0)
		viewporter = wl_registry_bind(registry, name, &wp_viewporter_interface, 1);
}

static void global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
	(void)data;
	(void)registry;
	(void)name;
}

static const struct wl_registry_listener registry_listener = {global, global_remove};

static void ping(void *data, struct xdg_wm_base *base, uint32_t serial)
{
	(void)data;
	xdg_wm_base_pong(base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {ping};

static void surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial)
{
	(void)data;
	xdg_surface_ack_configure(xdg_surface, serial);
	configured = 1;
}

static const struct xdg_surface_listener xdg_surface_listener = {surface_configure};

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t w, int32_t h,
			       struct wl_array *states)
{
	(void)data;
	(void)toplevel;
	(void)w;
	(void)h;
	(void)states;
}

static void toplevel_close(void *data, struct xdg_toplevel *toplevel)
{
	(void)data;
	(void)toplevel;
	exit(0);
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void buffer_release(void *data, struct wl_buffer *buffer)
{
	(void)data;
	wl_buffer_destroy(buffer);
}

static const struct wl_buffer_listener buffer_listener = {buffer_release};

static struct wl_buffer *solid_buffer(uint32_t rgb)
{
	int stride = buf_w * 4, size = stride * buf_h;
	int fd = memfd_create("vm-viewport-client", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, size) < 0)
		fail("memfd: %s", strerror(errno));
	uint32_t *px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (px == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	for (int i = 0; i < buf_w * buf_h; i++)
		px[i] = 0xff000000u | rgb;
	munmap(px, size);
	struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, size);
	struct wl_buffer *buffer =
		wl_shm_pool_create_buffer(pool, 0, buf_w, buf_h, stride, WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_buffer_add_listener(buffer, &buffer_listener, NULL);
	return buffer;
}

static void frame_done(void *data, struct wl_callback *callback, uint32_t time)
{
	(void)data;
	(void)time;
	wl_callback_destroy(callback);
	frame_due = 1;
}

static const struct wl_callback_listener frame_listener = {frame_done};

static void draw(unsigned n)
{
	uint32_t rgb = colour;
	int w = dest_w, h = dest_h;
	if (animate) {
		if (n % 2)
			rgb = ~colour & 0xffffff;
		// A triangle wave from 1x1 to twice the destination, 64 frames per period.
		unsigned phase = n % 64, t = phase < 32 ? phase : 64 - phase;
		w = 1 + (int)(t * (2 * dest_w - 1) / 32);
		h = 1 + (int)(t * (2 * dest_h - 1) / 32);
		if (n % 2 && buf_w > 1 && buf_h > 1)
			wp_viewport_set_source(viewport, wl_fixed_from_int(0), wl_fixed_from_int(0),
					       wl_fixed_from_int(buf_w / 2), wl_fixed_from_int(buf_h / 2));
		else
			wp_viewport_set_source(viewport, wl_fixed_from_int(-1), wl_fixed_from_int(-1),
					       wl_fixed_from_int(-1), wl_fixed_from_int(-1));
	}
	wp_viewport_set_destination(viewport, w, h);
	wl_surface_attach(surface, solid_buffer(rgb), 0, 0);
	wl_surface_damage_buffer(surface, 0, 0, buf_w, buf_h);
	struct wl_callback *cb = wl_surface_frame(surface);
	wl_callback_add_listener(cb, &frame_listener, NULL);
	frame_due = 0;
	wl_surface_commit(surface);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		if (strcmp(a, "--animate") == 0) {
			animate = 1;
		} else if (strcmp(a, "--buffer") == 0 && sscanf(v, "%dx%d", &buf_w, &buf_h) == 2) {
			i++;
		} else if (strcmp(a, "--dest") == 0 && sscanf(v, "%dx%d", &dest_w, &dest_h) == 2) {
			i++;
		} else if (strcmp(a, "--colour") == 0) {
			colour = (uint32_t)strtoul(v, NULL, 16) & 0xffffff;
			i++;
		} else {
			fail("usage: vm-viewport-client [--buffer WxH] [--dest WxH] [--colour 0xRRGGBB] "
			     "[--animate]");
		}
	}
	if (buf_w < 1 || buf_h < 1 || dest_w < 1 || dest_h < 1)
		fail("sizes must be at least 1x1");

	struct wl_display *display = wl_display_connect(NULL);
	if (!display)
		fail("cannot connect to the Wayland display '%s'", getenv("WAYLAND_DISPLAY"));
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, NULL);
	wl_display_roundtrip(display);
	if (!compositor || !shm || !wm_base || !viewporter)
		fail("wl_compositor, wl_shm, xdg_wm_base or wp_viewporter is missing");
	xdg_wm_base_add_listener(wm_base, &wm_base_listener, NULL);

	surface = wl_compositor_create_surface(compositor);
	viewport = wp_viewporter_get_viewport(viewporter, surface);
	struct xdg_surface *xdg_surface = xdg_wm_base_get_xdg_surface(wm_base, surface);
	xdg_surface_add_listener(xdg_surface, &xdg_surface_listener, NULL);
	struct xdg_toplevel *toplevel = xdg_surface_get_toplevel(xdg_surface);
	xdg_toplevel_add_listener(toplevel, &toplevel_listener, NULL);
	xdg_toplevel_set_title(toplevel, "vm-viewport-client");
	xdg_toplevel_set_app_id(toplevel, "vm-viewport-client");
	wl_surface_commit(surface);
	while (!configured) {
		if (wl_display_dispatch(display) < 0)
			fail("the compositor went away before configuring the window");
	}
	unsigned n = 0;
	draw(n++);
	printf("vm-viewport-client: mapped a %dx%d buffer of 0x%06x scaled to %dx%d%s\n", buf_w, buf_h,
	       colour, dest_w, dest_h, animate ? ", animated" : "");
	while (wl_display_dispatch(display) >= 0) {
		if (animate && frame_due)
			draw(n++);
	}
	return 0;
}
