// The guest's vkms device, for helpers that read or drive KMS themselves.
#pragma once

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "vm-fail.h"

// The first /dev/dri/card* that vkms drives, opened read-write; fails the
// helper when there is none.
static int open_vkms(void)
{
	for (int i = 0; i < 16; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		drmVersionPtr v = drmGetVersion(fd);
		int is_vkms = v && strcmp(v->name, "vkms") == 0;
		drmFreeVersion(v);
		if (is_vkms)
			return fd;
		close(fd);
	}
	fail("no /dev/dri/card* is driven by vkms");
}
