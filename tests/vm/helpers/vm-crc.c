// tests/vm/helpers/vm-crc: the CRC of what the display shows, as vkms computes it: the frame
// blended from every plane of the CRTC (primary, overlays, cursor), CRC32 over the blended rows.
// Two scenes that look the same have the same CRC however they reach the screen (composited
// into one framebuffer, or spread over planes), so a test compares planes on with planes off
// without trusting the compositor's word, and without a screenshot (which only sees the
// compositor's own framebuffer).
//
//   vm-crc [-v] [-t SECONDS] [N]
//       starts a CRC capture on CRTC 0 of DRI minor 0 (debugfs dri/0/crtc-0/crc: "auto" into
//       control, then data gives one "FRAME CRC" line per frame while it is open), reads until
//       N (default 5) consecutive frames (frame numbers without a gap) have the same CRC and
//       prints "crc 0x%08x". -v: every frame read, with the time since the capture began, on
//       stderr. Gives up after SECONDS (default 20): "FAIL: reason", exit status 1.
//
// Needs root and debugfs (mounted here when it is not). What vkms does (6.12): the CRC comes
// from its composer worker, which only runs while the data file is open (it is slow: a whole
// 1024x768 frame per vblank in software); when the worker falls behind the vblanks, the frames
// it missed get the CRC of the next frame it composes, so a run of N equal CRCs may come from
// fewer than N compositions. A test that needs more certainty asks twice and compares.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "vm-fail.h"

static const char *crc_dir = "/sys/kernel/debug/dri/0/crtc-0/crc";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: vm-crc [-v] [-t SECONDS] [N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int verbose = 0;
	long frames = 5, seconds = 20;
	int opt;
	while ((opt = getopt(argc, argv, "vt:")) != -1) {
		char *end = NULL;
		switch (opt) {
		case 'v':
			verbose = 1;
			break;
		case 't':
			seconds = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || seconds <= 0 || seconds > 3600)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind + 1 < argc)
		usage();
	if (optind < argc) {
		char *end = NULL;
		frames = strtol(argv[optind], &end, 10);
		if (*argv[optind] == '\0' || *end != '\0' || frames < 1 || frames > 10000)
			usage();
	}

	// debugfs on /sys/kernel/debug, mounted here only when nothing is mounted there.
	struct statfs fs;
	if (statfs("/sys/kernel/debug", &fs) == 0 && fs.f_type != DEBUGFS_MAGIC &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) != 0)
		fail("cannot mount debugfs on /sys/kernel/debug: %s", strerror(errno));
	char path[256];
	snprintf(path, sizeof(path), "%s/control", crc_dir);
	int control = open(path, O_WRONLY | O_CLOEXEC);
	if (control < 0)
		fail("cannot open %s: %s (no vkms card at DRI minor 0, or not root?)", path, strerror(errno));
	if (write(control, "auto", 4) != 4)
		fail("cannot write 'auto' to %s: %s", path, strerror(errno));
	close(control);

	// Opening data starts the capture (EIO: the CRTC is off; EBUSY: someone else captures).
	snprintf(path, sizeof(path), "%s/data", crc_dir);
	int data = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (data < 0)
		fail("cannot open %s: %s%s", path, strerror(errno),
		     errno == EIO ? " (the CRTC is not active)" : errno == EBUSY ? " (another CRC capture is open)" : "");
	const double start = now(), deadline = start + (double)seconds;
	long count = 0, run = 0, longest = 0;
	uint32_t crc = 0, last_frame = 0;
	int have_last = 0;
	for (;;) {
		double left = deadline - now();
		if (left <= 0)
			break;
		struct pollfd pfd = {.fd = data, .events = POLLIN};
		int ready = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (ready < 0 && errno != EINTR)
			fail("poll %s: %s", path, strerror(errno));
		if (ready <= 0)
			continue;
		// One line per read; the kernel wants room for a whole line.
		char line[128];
		ssize_t n = read(data, line, sizeof(line) - 1);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			fail("read %s: %s", path, strerror(errno));
		if (n == 0)
			fail("%s ended (the CRC source went away) after %ld frames", path, count);
		line[n] = '\0';
		// "0xFRAME 0xCRC", or "XXXXXXXXXX 0xCRC" without a frame counter.
		unsigned frame = 0, value = 0;
		int has_frame = 1;
		if (sscanf(line, "%x %x", &frame, &value) != 2) {
			has_frame = 0;
			if (sscanf(line, "XXXXXXXXXX %x", &value) != 1)
				fail("unexpected line in %s: '%.*s'", path, (int)strcspn(line, "\n"), line);
		}
		count++;
		int consecutive = have_last && (!has_frame || frame == last_frame + 1);
		if (verbose)
			fprintf(stderr, "vm-crc: +%.0fms frame %u crc 0x%08x%s\n", (now() - start) * 1000, frame, value,
				have_last && !consecutive ? " (frames missed)" : "");
		if (consecutive && value == crc)
			run++;
		else
			run = 1;
		crc = value;
		last_frame = frame;
		have_last = 1;
		if (run > longest)
			longest = run;
		if (run >= frames) {
			printf("crc 0x%08x\n", crc);
			close(data);
			return 0;
		}
	}
	close(data);
	if (count == 0)
		fail("no CRC from %s in %lds (is the CRTC on and vblanks running?)", path, seconds);
	fail("no %ld consecutive frames with the same CRC in %lds: %ld frames read, longest run %ld, last CRC 0x%08x",
	     frames, seconds, count, longest, crc);
}
