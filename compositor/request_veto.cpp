#include "request_veto.hpp"

#include <cstddef>
#include <cstring>

#include "client_pid.hpp"
#include "log.hpp"

namespace planar {
namespace {

// libwayland 1.21's struct wl_object, the first member of its struct
// wl_resource (wayland-private.h; the deprecated struct wl_resource in
// <wayland-server.h> starts the same way).
struct ObjectHead {
    const wl_interface *interface;
    const void *implementation;
    uint32_t id;
};

ObjectHead *head_of(wl_resource *resource) { return reinterpret_cast<ObjectHead *>(resource); }

} // namespace

RequestVeto::RequestVeto(wl_display *display) {
    standin_.table.fill(&RequestVeto::restore_original);
    logger_ = wl_display_add_protocol_logger(display, &RequestVeto::log, this);
    if (logger_ == nullptr) plog::error(plog::Scope::core, "cannot add the request veto: wlroots runs every request");
}

RequestVeto::~RequestVeto() {
    if (logger_ != nullptr) wl_protocol_logger_destroy(logger_);
}

void RequestVeto::add_rule(std::string interface, std::string request, Check check) {
    rules_.push_back({std::move(interface), std::move(request), std::move(check), nullptr});
    by_message_.clear(); // looked up again with the new rule
}

void RequestVeto::add_preparation(std::string interface, std::string request, Preparation preparation) {
    rules_.push_back({std::move(interface), std::move(request), nullptr, std::move(preparation)});
    by_message_.clear();
}

const RequestVeto::Rules &RequestVeto::rules_for(wl_resource *resource, const wl_message *message) {
    auto [it, inserted] = by_message_.try_emplace(message);
    if (inserted) {
        const char *interface = wl_resource_get_class(resource);
        for (const Rule &rule : rules_) {
            if (rule.request == message->name && rule.interface == interface) it->second.push_back(&rule);
        }
    }
    return it->second;
}

void RequestVeto::log(void *data, wl_protocol_logger_type type, const wl_protocol_logger_message *message) {
    if (type != WL_PROTOCOL_LOGGER_REQUEST) return;
    auto *self = static_cast<RequestVeto *>(data);
    wl_resource *resource = message->resource;
    const Rules &rules = self->rules_for(resource, message->message);
    for (const Rule *rule : rules) {
        if (!rule->check) continue;
        Verdict verdict = rule->check(resource, message->arguments);
        if (verdict.kind == Verdict::Kind::allow) continue;
        bool error = verdict.kind == Verdict::Kind::error;
        plog::debug(plog::Scope::client, "%s %s@%u.%s from pid %d: %s", error ? "refused" : "ignored",
                    rule->interface.c_str(), wl_resource_get_id(resource), rule->request.c_str(),
                    client_pid(resource), verdict.why.c_str());
        if (error) wl_resource_post_error(verdict.object, verdict.code, "%s", verdict.why.c_str());
        self->drop(resource, message->message_opcode);
        return;
    }
    for (const Rule *rule : rules) {
        if (rule->preparation) rule->preparation(resource, message->arguments);
    }
}

bool RequestVeto::drop(wl_resource *resource, uint32_t opcode) {
    // An interface whose name is the resource's: wl_resource_instance_of
    // compares interfaces by name, so only the implementation is in question.
    wl_interface same_name{};
    same_name.name = wl_resource_get_class(resource);
    ObjectHead *head = head_of(resource);
    const void *original = head->implementation;
    if (opcode < kMaxRequests && wl_resource_instance_of(resource, &same_name, original)) {
        standin_.original = original;
        head->implementation = standin_.table.data();
        if (wl_resource_instance_of(resource, &same_name, standin_.table.data())) return true;
        head->implementation = original;
    }
    if (!layout_refused_) {
        layout_refused_ = true;
        plog::error(plog::Scope::core,
                    "cannot keep %s request %u from running: libwayland's wl_resource is not laid out as "
                    "expected; requests wlroots cannot take now run",
                    same_name.name, opcode);
    }
    return false;
}

void RequestVeto::restore_original(wl_client *, wl_resource *resource) {
    ObjectHead *head = head_of(resource);
    auto *table = static_cast<const char *>(head->implementation);
    head->implementation = reinterpret_cast<const Standin *>(table - offsetof(Standin, table))->original;
}

} // namespace planar
