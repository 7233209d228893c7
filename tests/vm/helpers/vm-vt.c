// vm-vt: switches the active virtual terminal, as Ctrl+Alt+Fn or chvt would.
//   vm-vt N      activates VT N and waits (at most 10 s) until it is active
//   vm-vt        prints the active VT's number
// A VT-bound seat (seatd, libseat's builtin backend) hands DRM master back
// when its VT is left and takes it again when it comes back: the VT-switch
// tests use this to pause and resume planar's session.
#include <fcntl.h>
#include <linux/vt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vm-fail.h"

static void timeout(int sig) {
    (void)sig;
    printf("FAIL: the VT switch did not complete within 10 s\n");
    _exit(1);
}

int main(int argc, char **argv) {
    int fd = open("/dev/tty0", O_RDWR | O_CLOEXEC);
    if (fd < 0) fail("open /dev/tty0: %m");
    struct vt_stat state;
    if (ioctl(fd, VT_GETSTATE, &state) != 0) fail("VT_GETSTATE: %m");
    if (argc < 2) {
        printf("%u\n", state.v_active);
        return 0;
    }
    int vt = atoi(argv[1]);
    if (vt < 1 || vt > 63) {
        printf("FAIL: no VT '%s'\n", argv[1]);
        return 1;
    }
    signal(SIGALRM, timeout);
    alarm(10);
    if (ioctl(fd, VT_ACTIVATE, vt) != 0) fail("VT_ACTIVATE: %m");
    if (ioctl(fd, VT_WAITACTIVE, vt) != 0) fail("VT_WAITACTIVE: %m");
    printf("vt %d active\n", vt);
    return 0;
}
