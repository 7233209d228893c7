// The process behind a protocol object, for logs and planar-ctl (a
// resource's id is only unique within its client; the pid says whose).
#pragma once

#include <sys/types.h>
#include <wayland-server-core.h>

inline pid_t client_pid(wl_resource *resource) {
    pid_t pid = 0;
    wl_client_get_credentials(wl_resource_get_client(resource), &pid, nullptr, nullptr);
    return pid;
}
