// vm-helper: preload
// vm-slowclock.so: LD_PRELOAD into a client written for real hardware that times its own life
// by CLOCK_MONOTONIC (weston-simple-dmabuf-feedback runs for 3 s). Under TCG with software GL
// most of that time goes on drawing; with this, the program's own clock_gettime(CLOCK_MONOTONIC)
// calls see time pass VM_SLOWCLOCK times slower (default 4). Calls from libraries (Mesa,
// libwayland, libc itself) see the real clock, so their timeouts and fences are unchanged.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <time.h>

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static ElfW(Addr) program_base;
static int program_base_known;
static double factor = 4.0;
static long long origin_ns = -1;

static int first_object(struct dl_phdr_info *info, size_t size, void *data) {
	(void)size;
	(void)data;
	program_base = info->dlpi_addr; // the first object is the program itself
	return 1;
}

static void set_up(void) {
	real_clock_gettime = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	dl_iterate_phdr(first_object, NULL);
	program_base_known = 1;
	const char *wanted = getenv("VM_SLOWCLOCK");
	if (wanted != NULL && atof(wanted) >= 1.0) factor = atof(wanted);
}

int clock_gettime(clockid_t id, struct timespec *ts) {
	if (real_clock_gettime == NULL) set_up();
	int result = real_clock_gettime(id, ts);
	if (result != 0 || id != CLOCK_MONOTONIC) return result;
	Dl_info caller;
	if (!program_base_known || !dladdr(__builtin_return_address(0), &caller) ||
	    (ElfW(Addr))caller.dli_fbase != program_base)
		return result;
	long long now = ts->tv_sec * 1000000000LL + ts->tv_nsec;
	if (origin_ns < 0) origin_ns = now;
	long long slowed = origin_ns + (long long)((now - origin_ns) / factor);
	ts->tv_sec = slowed / 1000000000LL;
	ts->tv_nsec = slowed % 1000000000LL;
	return 0;
}
