// Listener: one wl_listener owned by one C++ object, connected to one signal.
// Not copyable or movable (the wl_list link points into it); disconnects in its
// destructor. The callback may delete the object owning the Listener (the usual
// destroy handler): nothing touches the Listener after the callback returns.
#pragma once

#include <functional>
#include <utility>
#include <wayland-server-core.h>

namespace wl {

class Listener {
public:
    using Callback = std::function<void(void *data)>;

    Listener() {
        wl_list_init(&link_.listener.link);
        link_.listener.notify = &Listener::dispatch;
        link_.owner = this;
    }
    ~Listener() { disconnect(); }
    Listener(const Listener &) = delete;
    Listener &operator=(const Listener &) = delete;

    void connect(wl_signal *signal, Callback callback) {
        disconnect();
        callback_ = std::move(callback);
        wl_signal_add(signal, &link_.listener);
    }

    // For signals reached only through a function
    // (wl_display_add_client_created_listener, wl_client_add_destroy_listener):
    // sets the callback and returns the wl_listener to hand to it.
    wl_listener *prepare(Callback callback) {
        disconnect();
        callback_ = std::move(callback);
        return &link_.listener;
    }

    // Typed convenience: connect(&sig, [this](wlr_output *o) { ... }).
    template <typename T, typename F>
    void connect_as(wl_signal *signal, F &&f) {
        connect(signal, [f = std::forward<F>(f)](void *data) { f(static_cast<T *>(data)); });
    }

    void disconnect() {
        wl_list_remove(&link_.listener.link);
        wl_list_init(&link_.listener.link);
    }

    bool connected() const { return !wl_list_empty(&link_.listener.link); }

private:
    static void dispatch(wl_listener *listener, void *data) {
        Link *link = wl_container_of(listener, link, listener);
        Listener *self = link->owner;
        // Copy out of *self first: the callback may destroy self (and callback_).
        auto callback = self->callback_;
        callback(data);
    }

    // Standard-layout, so wl_container_of is well defined on it.
    struct Link {
        wl_listener listener;
        Listener *owner;
    };
    Link link_{};
    Callback callback_;
};

// wl_signal_emit for a signal whose listeners may remove other listeners of
// it, not only themselves (wl_signal_emit would then step into a removed
// one): a cursor walks the list, and listeners added meanwhile are not
// called. For emitting a wlroots object's signal from planar (wlroots'
// own safe emit is private).
inline void emit_safe(wl_signal *signal, void *data) {
    wl_listener cursor{}, end{};
    cursor.notify = end.notify = [](wl_listener *, void *) {};
    wl_list_insert(&signal->listener_list, &cursor.link);
    wl_list_insert(signal->listener_list.prev, &end.link);
    while (cursor.link.next != &end.link) {
        wl_list *next = cursor.link.next;
        wl_listener *listener = wl_container_of(next, listener, link);
        wl_list_remove(&cursor.link);
        wl_list_insert(next, &cursor.link);
        listener->notify(listener, data);
    }
    wl_list_remove(&cursor.link);
    wl_list_remove(&end.link);
}

} // namespace wl
