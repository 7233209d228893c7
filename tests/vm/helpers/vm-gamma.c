// tests/vm/helpers/vm-gamma: the gamma LUT the vkms card's CRTC holds, read back through KMS
// (the CRTC's GAMMA_LUT property blob), so that a test sees what the display applies rather
// than what the compositor says it asked for.
//
//   vm-gamma
//       for the first CRTC of the vkms card that has a mode: one line
//         "crtc ID size N blob B entries E fnv 0xHASH identity 0|1 top R,G,B mid R,G,B"
//       N is GAMMA_LUT_SIZE, B the GAMMA_LUT blob id (0: no LUT, the hardware passes colours
//       through; then only "crtc ID size N blob 0"), E the number of drm_color_lut entries in
//       the blob, HASH an FNV-1a hash of the blob (to see it change), identity 1 when every
//       entry of every channel is within 1/256 of the straight ramp i * 65535 / (E - 1), top the
//       last entry and mid the middle one (16-bit values).
// Needs no DRM master. Problems: "FAIL: reason" and exit status 1.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm_mode.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "vm-fail.h"
#include "vm-kms.h"

// The value of the property NAME of object ID, and whether it has one.
static int object_property(int fd, uint32_t id, uint32_t type, const char *name, uint64_t *value)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, id, type);
	int found = 0;
	for (uint32_t p = 0; props && p < props->count_props && !found; p++) {
		drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[p]);
		if (prop && strcmp(prop->name, name) == 0) {
			*value = props->prop_values[p];
			found = 1;
		}
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	return found;
}

static void print_lut(const struct drm_color_lut *lut, uint32_t entries)
{
	uint32_t hash = 2166136261u;
	const unsigned char *bytes = (const unsigned char *)lut;
	for (size_t i = 0; i < entries * sizeof(*lut); i++)
		hash = (hash ^ bytes[i]) * 16777619u;
	int identity = 1;
	for (uint32_t i = 0; i < entries && identity; i++) {
		long want = entries > 1 ? (long)i * 65535 / (long)(entries - 1) : 65535;
		long got[3] = {lut[i].red, lut[i].green, lut[i].blue};
		for (int c = 0; c < 3; c++)
			if (labs(got[c] - want) > 257)
				identity = 0;
	}
	const struct drm_color_lut *top = &lut[entries - 1], *mid = &lut[entries / 2];
	printf(" entries %u fnv 0x%08x identity %d top %u,%u,%u mid %u,%u,%u\n", entries, hash, identity,
	       top->red, top->green, top->blue, mid->red, mid->green, mid->blue);
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		fail("usage: vm-gamma");
	int fd = open_vkms();
	drmModeResPtr res = drmModeGetResources(fd);
	if (!res)
		fail("drmModeGetResources: %s", strerror(errno));
	for (int i = 0; i < res->count_crtcs; i++) {
		uint32_t id = res->crtcs[i];
		drmModeCrtcPtr crtc = drmModeGetCrtc(fd, id);
		int active = crtc && crtc->mode_valid;
		drmModeFreeCrtc(crtc);
		if (!active)
			continue;
		uint64_t size = 0, blob_id = 0;
		if (!object_property(fd, id, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT_SIZE", &size) ||
		    !object_property(fd, id, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT", &blob_id))
			fail("CRTC %u has no GAMMA_LUT_SIZE or GAMMA_LUT property (vkms without gamma?)", id);
		printf("crtc %u size %llu blob %llu", id, (unsigned long long)size, (unsigned long long)blob_id);
		if (blob_id == 0) {
			printf("\n");
			return 0;
		}
		drmModePropertyBlobPtr blob = drmModeGetPropertyBlob(fd, (uint32_t)blob_id);
		if (!blob)
			fail("drmModeGetPropertyBlob %llu: %s", (unsigned long long)blob_id, strerror(errno));
		uint32_t entries = blob->length / sizeof(struct drm_color_lut);
		if (entries == 0 || blob->length % sizeof(struct drm_color_lut) != 0)
			fail("GAMMA_LUT blob %llu is %u bytes, not a whole number of drm_color_lut entries",
			     (unsigned long long)blob_id, blob->length);
		print_lut(blob->data, entries);
		drmModeFreePropertyBlob(blob);
		return 0;
	}
	fail("no CRTC of the vkms card has a mode");
}
