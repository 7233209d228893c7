// tests/vm/helpers/vm-uinput: a virtual keyboard and a virtual mouse (uinput) that a guest test
// drives line by line from stdin, so that libinput (through udev) sees real evdev devices.
//
//   vm-uinput [NAME]      creates "NAME keyboard" and "NAME mouse" (NAME: planar-vm), prints
//                         "ok: keyboard /dev/input/eventN" and "ok: mouse /dev/input/eventM",
//                         then "ready", then reads commands, one a line, answering "ok: ..." each:
//     combo KEY [KEY...]  press the keys in order, then release them in reverse order
//                         (names as in linux/input-event-codes.h without KEY_: LEFTMETA ENTER ...)
//     move DX DY          relative pointer motion
//     click               left button press and release
//     quit                destroy both devices and exit 0 (also at the end of stdin)
// Problems: "FAIL: reason" and exit status 1 (an unknown command or key is such a problem).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <linux/uinput.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vm-fail.h"

static const struct {
	const char *name;
	int code;
} keys[] = {
	{"ESC", KEY_ESC}, {"BACKSPACE", KEY_BACKSPACE}, {"TAB", KEY_TAB}, {"ENTER", KEY_ENTER},
	{"SPACE", KEY_SPACE}, {"LEFTCTRL", KEY_LEFTCTRL}, {"RIGHTCTRL", KEY_RIGHTCTRL},
	{"LEFTSHIFT", KEY_LEFTSHIFT}, {"RIGHTSHIFT", KEY_RIGHTSHIFT}, {"LEFTALT", KEY_LEFTALT},
	{"RIGHTALT", KEY_RIGHTALT}, {"LEFTMETA", KEY_LEFTMETA}, {"RIGHTMETA", KEY_RIGHTMETA},
	{"A", KEY_A}, {"B", KEY_B}, {"C", KEY_C}, {"D", KEY_D}, {"E", KEY_E}, {"F", KEY_F},
	{"G", KEY_G}, {"H", KEY_H}, {"I", KEY_I}, {"J", KEY_J}, {"K", KEY_K}, {"L", KEY_L},
	{"M", KEY_M}, {"N", KEY_N}, {"O", KEY_O}, {"P", KEY_P}, {"Q", KEY_Q}, {"R", KEY_R},
	{"S", KEY_S}, {"T", KEY_T}, {"U", KEY_U}, {"V", KEY_V}, {"W", KEY_W}, {"X", KEY_X},
	{"Y", KEY_Y}, {"Z", KEY_Z}, {"1", KEY_1}, {"2", KEY_2}, {"3", KEY_3}, {"4", KEY_4},
	{"5", KEY_5}, {"6", KEY_6}, {"7", KEY_7}, {"8", KEY_8}, {"9", KEY_9}, {"0", KEY_0},
	{"F1", KEY_F1}, {"F2", KEY_F2}, {"F3", KEY_F3}, {"F4", KEY_F4}, {"UP", KEY_UP},
	{"DOWN", KEY_DOWN}, {"LEFT", KEY_LEFT}, {"RIGHT", KEY_RIGHT},
};

static int key_code(const char *name)
{
	if (strncmp(name, "KEY_", 4) == 0)
		name += 4;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcasecmp(keys[i].name, name) == 0)
			return keys[i].code;
	}
	return -1;
}

static void ioctl_or_fail(int fd, unsigned long request, long arg, const char *what)
{
	if (ioctl(fd, request, arg) < 0)
		fail("%s: %s", what, strerror(errno));
}

static void emit(int fd, int type, int code, int value)
{
	// The kernel stamps the time.
	struct input_event ev = {.type = type, .code = code, .value = value};
	if (write(fd, &ev, sizeof(ev)) != sizeof(ev))
		fail("writing an input event: %s", strerror(errno));
}

static void syn(int fd)
{
	emit(fd, EV_SYN, SYN_REPORT, 0);
}

// Creates the device and prints its event node (from UI_GET_SYSNAME).
static int create(const char *name, const char *kind, int keyboard)
{
	int fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		fail("open /dev/uinput: %s (is the uinput module loaded?)", strerror(errno));
	if (keyboard) {
		ioctl_or_fail(fd, UI_SET_EVBIT, EV_KEY, "UI_SET_EVBIT EV_KEY");
		// Every key of an ordinary keyboard, so that udev tags it ID_INPUT_KEYBOARD.
		for (int code = KEY_ESC; code <= KEY_MICMUTE; code++)
			ioctl_or_fail(fd, UI_SET_KEYBIT, code, "UI_SET_KEYBIT");
	} else {
		ioctl_or_fail(fd, UI_SET_EVBIT, EV_KEY, "UI_SET_EVBIT EV_KEY");
		ioctl_or_fail(fd, UI_SET_KEYBIT, BTN_LEFT, "UI_SET_KEYBIT BTN_LEFT");
		ioctl_or_fail(fd, UI_SET_KEYBIT, BTN_RIGHT, "UI_SET_KEYBIT BTN_RIGHT");
		ioctl_or_fail(fd, UI_SET_KEYBIT, BTN_MIDDLE, "UI_SET_KEYBIT BTN_MIDDLE");
		ioctl_or_fail(fd, UI_SET_EVBIT, EV_REL, "UI_SET_EVBIT EV_REL");
		ioctl_or_fail(fd, UI_SET_RELBIT, REL_X, "UI_SET_RELBIT REL_X");
		ioctl_or_fail(fd, UI_SET_RELBIT, REL_Y, "UI_SET_RELBIT REL_Y");
		ioctl_or_fail(fd, UI_SET_RELBIT, REL_WHEEL, "UI_SET_RELBIT REL_WHEEL");
	}
	ioctl_or_fail(fd, UI_SET_EVBIT, EV_SYN, "UI_SET_EVBIT EV_SYN");

	struct uinput_setup setup = {0};
	setup.id.bustype = BUS_VIRTUAL;
	setup.id.vendor = 0x1209; // pid.codes test range
	setup.id.product = keyboard ? 0x0001 : 0x0002;
	setup.id.version = 1;
	snprintf(setup.name, sizeof(setup.name), "%s %s", name, kind);
	if (ioctl(fd, UI_DEV_SETUP, &setup) < 0)
		fail("UI_DEV_SETUP: %s", strerror(errno));
	ioctl_or_fail(fd, UI_DEV_CREATE, 0, "UI_DEV_CREATE");

	char sysname[64] = "";
	if (ioctl(fd, UI_GET_SYSNAME(sizeof(sysname)), sysname) < 0)
		fail("UI_GET_SYSNAME: %s", strerror(errno));
	char node[256] = "?";
	char dir[128];
	snprintf(dir, sizeof(dir), "/sys/devices/virtual/input/%s", sysname);
	// The evdev node is /sys/devices/virtual/input/inputN/eventM: find M.
	for (int m = 0; m < 1024; m++) {
		char path[192];
		snprintf(path, sizeof(path), "%s/event%d", dir, m);
		if (access(path, F_OK) == 0) {
			snprintf(node, sizeof(node), "/dev/input/event%d", m);
			break;
		}
	}
	printf("ok: %s \"%s\" %s (%s)\n", kind, setup.name, node, sysname);
	return fd;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "planar-vm";
	setvbuf(stdout, NULL, _IOLBF, 0);
	int kbd = create(name, "keyboard", 1);
	int mouse = create(name, "mouse", 0);
	printf("ready\n");

	char line[512];
	while (fgets(line, sizeof(line), stdin)) {
		char *words[16];
		int n = 0;
		for (char *save = NULL, *w = strtok_r(line, " \t\n", &save); w && n < 16;
		     w = strtok_r(NULL, " \t\n", &save))
			words[n++] = w;
		if (n == 0)
			continue;
		if (strcmp(words[0], "combo") == 0 && n > 1) {
			int codes[15];
			for (int i = 1; i < n; i++) {
				codes[i - 1] = key_code(words[i]);
				if (codes[i - 1] < 0)
					fail("unknown key '%s'", words[i]);
			}
			for (int i = 0; i < n - 1; i++) {
				emit(kbd, EV_KEY, codes[i], 1);
				syn(kbd);
				usleep(20 * 1000);
			}
			for (int i = n - 2; i >= 0; i--) {
				emit(kbd, EV_KEY, codes[i], 0);
				syn(kbd);
				usleep(20 * 1000);
			}
			printf("ok: combo of %d keys\n", n - 1);
		} else if (strcmp(words[0], "move") == 0 && n == 3) {
			emit(mouse, EV_REL, REL_X, atoi(words[1]));
			emit(mouse, EV_REL, REL_Y, atoi(words[2]));
			syn(mouse);
			printf("ok: moved %s,%s\n", words[1], words[2]);
		} else if (strcmp(words[0], "click") == 0 && n == 1) {
			emit(mouse, EV_KEY, BTN_LEFT, 1);
			syn(mouse);
			usleep(20 * 1000);
			emit(mouse, EV_KEY, BTN_LEFT, 0);
			syn(mouse);
			printf("ok: clicked\n");
		} else if (strcmp(words[0], "quit") == 0 && n == 1) {
			break;
		} else {
			fail("unknown command '%s' (combo KEY..., move DX DY, click, quit)", words[0]);
		}
	}
	ioctl(kbd, UI_DEV_DESTROY);
	ioctl(mouse, UI_DEV_DESTROY);
	close(kbd);
	close(mouse);
	printf("ok: devices destroyed\n");
	return 0;
}
