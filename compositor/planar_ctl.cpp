// planar-ctl: asks a running planar about itself over its IPC socket.
//   planar-ctl surfaces   one line per window: buffer type, format and
//                         modifier by name, planes, importer, import count
//   planar-ctl outputs    one line per output
//   planar-ctl version
//   planar-ctl move SURFACE X Y   moves a window (SURFACE: its surface= id)
// The socket is $PLANAR_IPC, else $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY.planar.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    bool move = argc == 5 && std::string(argv[1]) == "move";
    if ((argc != 2 && !move) || argv[1][0] == '-') {
        fprintf(stderr, "usage: planar-ctl surfaces|outputs|version|move SURFACE X Y\n");
        return 2;
    }
    std::string path;
    if (const char *ipc = std::getenv("PLANAR_IPC")) {
        path = ipc;
    } else {
        const char *runtime = std::getenv("XDG_RUNTIME_DIR");
        const char *display = std::getenv("WAYLAND_DISPLAY");
        if (runtime == nullptr || display == nullptr) {
            fprintf(stderr, "planar-ctl: set PLANAR_IPC, or XDG_RUNTIME_DIR and WAYLAND_DISPLAY\n");
            return 1;
        }
        path = display[0] == '/' ? std::string(display) + ".planar"
                                 : std::string(runtime) + "/" + display + ".planar";
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path)) {
        fprintf(stderr, "planar-ctl: socket path too long: %s\n", path.c_str());
        return 1;
    }
    strcpy(address.sun_path, path.c_str());
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) {
        fprintf(stderr, "planar-ctl: cannot connect to %s: %s (is planar running?)\n", path.c_str(), strerror(errno));
        return 1;
    }
    std::string command = std::string(argv[1]);
    if (move) command += std::string(" ") + argv[2] + " " + argv[3] + " " + argv[4];
    command += "\n";
    if (send(fd, command.data(), command.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(command.size())) {
        fprintf(stderr, "planar-ctl: send: %s\n", strerror(errno));
        return 1;
    }
    char buffer[4096];
    ssize_t n;
    bool error = false;
    std::string all;
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) all.append(buffer, static_cast<size_t>(n));
    close(fd);
    error = all.rfind("error:", 0) == 0;
    fputs(all.c_str(), error ? stderr : stdout);
    return error ? 1 : 0;
}
