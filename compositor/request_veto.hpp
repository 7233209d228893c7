// RequestVeto: planar's one look at a request before wlroots runs it (the
// Server owns it; RequestGuards, RequestChecks, Idle, VirtualInput and
// XdgTeardown add their rules). A rule names a request by interface and
// request name and is one of:
// - a check, which decides to let the request through, to ignore it (the
//   object keeps working) or to post the protocol error the spec names and
//   ignore it. Checks of one request run in the order they were added; the
//   first that does not allow decides.
// - a preparation, which runs once every check allowed the request, just
//   before it runs, and may change what it will find (point an fd at
//   planar's copy, give the object planar's handlers, watch the object).
//   Preparations of a request that is ignored do not run.
// A request without a rule costs one hash lookup (per wl_message, each of
// which belongs to one interface).
//
// Seen through a protocol logger, for the reasons CommitHook gives
// (protocols/commit_hook.hpp). libwayland 1.21 dispatches the request even
// after wl_resource_post_error, so posting is not enough: wl_closure_invoke
// calls `target->implementation[opcode]`, read after the loggers ran. For
// that one dispatch the resource's implementation is pointed at planar's
// table, every entry a trampoline that puts the original back and does
// nothing else (extra arguments to a two-argument C function are harmless
// in the SysV calling convention).
//
// The implementation pointer is private to libwayland: `struct wl_resource`
// starts with `struct wl_object { interface; implementation; id; }` (the
// deprecated public struct in <wayland-server.h> has the same head, and
// wayland-server.c keeps it for users of that struct). The layout is proven
// at every use with the public wl_resource_instance_of(): true for the
// pointer read before the swap and for planar's table after it. If either
// fails the original goes back, the request runs, and an error is logged
// once; nothing is guessed. wl_resource_set_implementation is no way out: it
// also replaces the destroy callback, which cannot be read back. Only for
// objects without a dispatcher (all of wlroots').
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "wlr.hpp"

namespace planar {

class RequestVeto {
public:
    struct Verdict {
        enum class Kind { allow, ignore, error };
        Kind kind = Kind::allow;
        std::string why;               // logged; for an error, also its message
        wl_resource *object = nullptr; // error: the object the spec posts it on
        uint32_t code = 0;

        static Verdict allow() { return {}; }
        static Verdict ignore(std::string why) { return {Kind::ignore, std::move(why)}; }
        static Verdict error(wl_resource *object, uint32_t code, std::string why) {
            return {Kind::error, std::move(why), object, code};
        }
    };
    // The request's resource and its arguments, already looked up by
    // libwayland (objects are wl_resource pointers of the right interface;
    // fds are the client's, borrowed). A check has no effect beyond its
    // verdict, but for creating the object of an ignored new_id.
    using Check = std::function<Verdict(wl_resource *resource, const wl_argument *args)>;
    using Preparation = std::function<void(wl_resource *resource, const wl_argument *args)>;

    explicit RequestVeto(wl_display *display);
    ~RequestVeto();
    RequestVeto(const RequestVeto &) = delete;
    RequestVeto &operator=(const RequestVeto &) = delete;

    // Names, not interface pointers: wlroots uses its own generated copies.
    // A request with a new_id argument must not be ignored (its id would
    // stay unbound): error, or create the object in the check.
    // Not from inside a check or a preparation: adding a rule clears the
    // per-message cache that the running request's rules are read from.
    void add_rule(std::string interface, std::string request, Check check);
    void add_preparation(std::string interface, std::string request, Preparation preparation);

private:
    using Handler = void (*)(wl_client *, wl_resource *);
    static constexpr size_t kMaxRequests = 32;
    // Standard layout: the trampoline finds `original` from the table's address.
    struct Standin {
        const void *original = nullptr;
        std::array<Handler, kMaxRequests> table{};
    };
    struct Rule {
        std::string interface, request;
        Check check;             // or
        Preparation preparation;
    };
    // The rules of one request, in the order they were added.
    using Rules = std::vector<const Rule *>;

    static void log(void *data, wl_protocol_logger_type type, const wl_protocol_logger_message *message);
    static void restore_original(wl_client *, wl_resource *resource);
    const Rules &rules_for(wl_resource *resource, const wl_message *message);
    bool drop(wl_resource *resource, uint32_t opcode);

    wl_protocol_logger *logger_ = nullptr;
    std::deque<Rule> rules_; // never moves a rule: by_message_ points at them
    // Per wl_message seen: its rules, none for most.
    std::unordered_map<const wl_message *, Rules> by_message_;
    Standin standin_;
    bool layout_refused_ = false;
};

} // namespace planar
