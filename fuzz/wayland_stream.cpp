// A Wayland client of arbitrary requests against a headless planar (pixman)
// in this process: every global is bound, then the input becomes a stream
// of well-formed messages (object, opcode, arguments typed by the
// interface's own signature, fds attached as memfds) on objects the client
// holds, so that the fuzzer reaches planar's protocol code (linux-dmabuf,
// explicit sync, xdg-shell...) instead of libwayland's framing checks.
// planar must answer with protocol errors, never crash, leak or hang.
#include <cstring>
#include <map>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>
#include <wayland-server-core.h>

#include "config.hpp"
#include "fuzz_input.hpp"
#include "log.hpp"
#include "options.hpp"
#include "server.hpp"
#include "wlr.hpp"

namespace {

struct Global {
    uint32_t name;
    std::string interface;
    uint32_t version;
};

// The compositor, made once for the whole run: libFuzzer calls the entry
// point millions of times in one process, and a compositor per input (a
// backend, a renderer, globals) would cost more than the input itself. Each
// input gets its own client, destroyed at the end, so no input's state
// outlives it except what planar itself keeps, which is what is under test.
struct Harness {
    std::unique_ptr<planar::Server> server;
    std::map<std::string, const wl_interface *> interfaces; // of every global, by name
    std::vector<Global> globals;                            // as the registry announces them

    Harness() {
        setenv("XDG_RUNTIME_DIR", "/tmp", 0);
        plog::init(false);
        wlr_log_init(WLR_SILENT, nullptr);
        planar::Options options;
        options.backend = planar::BackendKind::headless;
        options.renderer = planar::RendererKind::pixman;
        server = std::make_unique<planar::Server>(options, planar::Config{});
        if (!server->init() || !wlr_backend_start(server->backend())) abort();
        wl_display_set_global_filter(server->display(), record_global, this);
    }

    static bool record_global(const wl_client *, const wl_global *global, void *data) {
        const wl_interface *iface = wl_global_get_interface(global);
        static_cast<Harness *>(data)->interfaces[iface->name] = iface;
        return true;
    }

    void pump() {
        for (int i = 0; i < 4; i++) {
            wl_display_flush_clients(server->display());
            wl_event_loop_dispatch(server->event_loop(), 0);
        }
        wl_display_flush_clients(server->display());
    }
};

Harness &harness() {
    static Harness h;
    return h;
}

// One message under construction, in the wire format.
class Message {
public:
    void u32(uint32_t v) { words_.push_back(v); }
    void string(const std::string &s, bool null) {
        if (null) {
            u32(0);
            return;
        }
        u32(static_cast<uint32_t>(s.size() + 1));
        bytes(s + '\0');
    }
    void array(const std::string &b) {
        u32(static_cast<uint32_t>(b.size()));
        bytes(b);
    }
    void fd(int fd) { fds_.push_back(fd); }
    // Sends it as object.opcode; false when the socket refused it.
    bool send_to(int socket, uint32_t object, uint32_t opcode) {
        uint32_t header[2] = {object, static_cast<uint32_t>((8 + words_.size() * 4) << 16 | opcode)};
        std::vector<uint32_t> wire(header, header + 2);
        wire.insert(wire.end(), words_.begin(), words_.end());
        iovec iov{wire.data(), wire.size() * 4};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        std::vector<char> control(CMSG_SPACE(sizeof(int) * (fds_.empty() ? 1 : fds_.size())));
        if (!fds_.empty()) {
            msg.msg_control = control.data();
            msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds_.size());
            cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
            cmsg->cmsg_level = SOL_SOCKET;
            cmsg->cmsg_type = SCM_RIGHTS;
            cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds_.size());
            memcpy(CMSG_DATA(cmsg), fds_.data(), sizeof(int) * fds_.size());
        }
        bool ok = sendmsg(socket, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0;
        for (int fd : fds_) close(fd);
        return ok;
    }
    size_t size() const { return 8 + words_.size() * 4; }

private:
    void bytes(const std::string &b) {
        for (size_t i = 0; i < b.size(); i += 4) {
            uint32_t w = 0;
            memcpy(&w, b.data() + i, std::min<size_t>(4, b.size() - i));
            words_.push_back(w);
        }
    }
    std::vector<uint32_t> words_;
    std::vector<int> fds_;
};

int memfd_of(uint32_t size) {
    int fd = memfd_create("fuzz-wl", MFD_CLOEXEC);
    if (fd >= 0 && ftruncate(fd, size) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// Reads wl_registry.global events (object 2) out of what the server sent.
void parse_globals(const std::vector<uint8_t> &events, std::vector<Global> &globals) {
    size_t at = 0;
    while (at + 8 <= events.size()) {
        uint32_t object, size_opcode;
        memcpy(&object, &events[at], 4);
        memcpy(&size_opcode, &events[at + 4], 4);
        uint32_t size = size_opcode >> 16;
        if (size < 8 || at + size > events.size()) break;
        if (object == 2 && (size_opcode & 0xffff) == 0) {
            uint32_t name, length;
            memcpy(&name, &events[at + 8], 4);
            memcpy(&length, &events[at + 12], 4);
            std::string iface(reinterpret_cast<const char *>(&events[at + 16]), length > 0 ? length - 1 : 0);
            uint32_t version;
            memcpy(&version, &events[at + 16 + ((length + 3) & ~3u)], 4);
            globals.push_back({name, iface, version});
        }
        at += size;
    }
}

std::vector<uint8_t> drain(int socket) {
    std::vector<uint8_t> all;
    uint8_t buffer[4096];
    ssize_t n;
    while ((n = recv(socket, buffer, sizeof buffer, MSG_DONTWAIT)) > 0) all.insert(all.end(), buffer, buffer + n);
    return all;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Harness &h = harness();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return 0;
    wl_client *client = wl_client_create(h.server->display(), sv[0]);
    if (client == nullptr) {
        close(sv[0]);
        close(sv[1]);
        return 0;
    }
    bool gone = false;
    wl_listener on_destroy{};
    struct Gone {
        wl_listener listener;
        bool *flag;
    } gone_listener{{}, &gone};
    gone_listener.listener.notify = [](wl_listener *l, void *) { *reinterpret_cast<Gone *>(l)->flag = true; };
    wl_client_add_destroy_listener(client, &gone_listener.listener);
    (void)on_destroy;

    // wl_display.get_registry(2), then bind every global at ids 3, 4, ...
    std::map<uint32_t, const wl_interface *> objects = {{1, &wl_display_interface}, {2, &wl_registry_interface}};
    Message get_registry;
    get_registry.u32(2);
    get_registry.send_to(sv[1], 1, 1);
    h.pump();
    if (h.globals.empty()) parse_globals(drain(sv[1]), h.globals);
    uint32_t next_id = 3;
    for (const Global &g : h.globals) {
        auto found = h.interfaces.find(g.interface);
        if (found == h.interfaces.end()) continue;
        Message bind;
        bind.u32(g.name);
        bind.string(g.interface, false);
        bind.u32(std::min<uint32_t>(g.version, static_cast<uint32_t>(found->second->version)));
        bind.u32(next_id);
        bind.send_to(sv[1], 2, 0);
        objects[next_id++] = found->second;
    }
    h.pump();
    drain(sv[1]);

    fuzz::FuzzInput in(data, size);
    for (int messages = 0; !in.empty() && !gone && messages < 64; messages++) {
        auto it = objects.begin();
        std::advance(it, in.below(static_cast<uint32_t>(objects.size())));
        uint32_t object = it->first;
        const wl_interface *iface = it->second;
        if (iface->method_count == 0) continue;
        uint32_t opcode = in.below(static_cast<uint32_t>(iface->method_count));
        if (iface == &wl_registry_interface) continue; // binds happened above
        const wl_message &method = iface->methods[opcode];
        Message msg;
        int arg = 0;
        bool nullable = false;
        std::vector<std::pair<uint32_t, const wl_interface *>> created;
        for (const char *c = method.signature; *c != '\0'; c++) {
            if (*c >= '0' && *c <= '9') continue;
            if (*c == '?') {
                nullable = true;
                continue;
            }
            switch (*c) {
            case 'i':
            case 'u':
                msg.u32(in.u8() & 1 ? in.u32() : in.below(4096));
                break;
            case 'f':
                msg.u32(in.u32());
                break;
            case 's':
                msg.string(in.bytes(in.below(24)), nullable && (in.u8() & 1));
                break;
            case 'a':
                msg.array(in.bytes(in.below(64)));
                break;
            case 'o': {
                auto pick = objects.begin();
                std::advance(pick, in.below(static_cast<uint32_t>(objects.size())));
                msg.u32(nullable && (in.u8() & 1) ? 0 : pick->first);
                break;
            }
            case 'n':
                created.emplace_back(next_id, method.types[arg]);
                msg.u32(next_id++);
                break;
            case 'h':
                msg.fd(memfd_of(in.below(1 << 20)));
                break;
            default:
                break;
            }
            nullable = false;
            arg++;
        }
        if (msg.size() > 4096 || !msg.send_to(sv[1], object, opcode)) break;
        for (auto [id, type] : created) {
            if (type != nullptr) objects[id] = type;
        }
        // A destructor frees the id (and a new object may not reuse it here).
        if (method.name != nullptr && strcmp(method.name, "destroy") == 0) objects.erase(object);
        h.pump();
        drain(sv[1]);
    }
    h.pump();
    if (!gone) wl_client_destroy(client);
    h.pump();
    close(sv[1]);
    return 0;
}
