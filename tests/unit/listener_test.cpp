#include <gtest/gtest.h>
#include <vector>

#include "listener.hpp"

namespace {

struct Emitter {
    wl_signal signal;
    Emitter() { wl_signal_init(&signal); }
    void emit(void *data = nullptr) { wl_signal_emit(&signal, data); }
    int listeners() const { return wl_list_length(&signal.listener_list); }
};

TEST(Listener, DeliversDataToCallback) {
    Emitter emitter;
    wl::Listener listener;
    int value = 0;
    listener.connect_as<int>(&emitter.signal, [&](int *v) { value = *v; });
    int payload = 42;
    emitter.emit(&payload);
    EXPECT_EQ(value, 42);
}

TEST(Listener, DisconnectsInDestructor) {
    Emitter emitter;
    int calls = 0;
    {
        wl::Listener listener;
        listener.connect(&emitter.signal, [&](void *) { calls++; });
        EXPECT_EQ(emitter.listeners(), 1);
    }
    EXPECT_EQ(emitter.listeners(), 0);
    emitter.emit();
    EXPECT_EQ(calls, 0);
}

TEST(Listener, ReconnectMovesToNewSignal) {
    Emitter a, b;
    wl::Listener listener;
    int calls = 0;
    listener.connect(&a.signal, [&](void *) { calls++; });
    listener.connect(&b.signal, [&](void *) { calls += 10; });
    EXPECT_EQ(a.listeners(), 0);
    a.emit();
    b.emit();
    EXPECT_EQ(calls, 10);
}

TEST(Listener, DisconnectIsIdempotent) {
    Emitter emitter;
    wl::Listener listener;
    EXPECT_FALSE(listener.connected());
    listener.connect(&emitter.signal, [](void *) {});
    EXPECT_TRUE(listener.connected());
    listener.disconnect();
    listener.disconnect();
    EXPECT_FALSE(listener.connected());
}

// The usual destroy handler: the object owning the listener deletes itself
// from inside the callback. Nothing may touch freed memory afterwards (ASan
// in CI turns a use-after-free here into a failure).
struct SelfDeleting {
    wl::Listener on_destroy_;
    int *destroyed;
    SelfDeleting(wl_signal *signal, int *counter) : destroyed(counter) {
        on_destroy_.connect(signal, [this](void *) { delete this; });
    }
    ~SelfDeleting() { (*destroyed)++; }
};

TEST(Listener, ObjectMayDeleteItselfInCallback) {
    Emitter emitter;
    int destroyed = 0;
    new SelfDeleting(&emitter.signal, &destroyed);
    new SelfDeleting(&emitter.signal, &destroyed);
    // wl_signal_emit is not safe against removal of the *next* listener, but
    // is against removal of the current one, which is what destroy handlers do.
    emitter.emit();
    EXPECT_EQ(destroyed, 2);
    EXPECT_EQ(emitter.listeners(), 0);
}
TEST(EmitSafe, AListenerMayRemoveTheNextOne) {
    wl_signal signal;
    wl_signal_init(&signal);
    wl::Listener first, second, third;
    std::vector<int> called;
    first.connect(&signal, [&](void *) {
        called.push_back(1);
        second.disconnect();
    });
    second.connect(&signal, [&](void *) { called.push_back(2); });
    third.connect(&signal, [&](void *) {
        called.push_back(3);
        third.disconnect();
    });
    wl::emit_safe(&signal, nullptr);
    EXPECT_EQ(called, (std::vector<int>{1, 3}));
    EXPECT_TRUE(first.connected());
    EXPECT_FALSE(third.connected());
}

} // namespace
