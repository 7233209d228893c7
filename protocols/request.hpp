// The one trampoline from a generated request table to a member function:
// `.add = proto::request<&Params::add>` calls Params::add(args...) on the
// object stored as the resource's user data (null: the object went inert
// and the request is ignored).
#pragma once

#include <wayland-server-core.h>

namespace proto {

template <auto Method>
struct Request;

template <typename C, typename... Args, void (C::*Method)(Args...)>
struct Request<Method> {
    static void call(wl_client *, wl_resource *resource, Args... args) {
        if (auto *self = static_cast<C *>(wl_resource_get_user_data(resource))) (self->*Method)(args...);
    }
};

template <auto Method>
constexpr auto request = &Request<Method>::call;

// wl_resource_create that tells the client when memory ran out
// (wl_client_post_no_memory); null then, and the caller just returns.
inline wl_resource *create_resource(wl_client *client, const wl_interface *interface, int version, uint32_t id) {
    wl_resource *resource = wl_resource_create(client, interface, version, id);
    if (resource == nullptr) wl_client_post_no_memory(client);
    return resource;
}

// For every `destroy` request of type destructor.
inline void destroy_request(wl_client *, wl_resource *resource) { wl_resource_destroy(resource); }

} // namespace proto
