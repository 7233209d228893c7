// FrameFences: which frame's fence ends the last read of a buffer (the
// bookkeeping behind fenced_release for composited buffers on a GPU). Eventfds
// stand in for sync_files: both poll readable once signalled.
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "egl_fences.hpp"
#include "wlr.hpp"

namespace {

// A wlr_buffer with nothing behind it.
struct TestBuffer {
    wlr_buffer base{};
    static void destroy(wlr_buffer *) {}
    static constexpr wlr_buffer_impl impl = {.destroy = destroy};
    TestBuffer() { wlr_buffer_init(&base, &impl, 1, 1); }
    ~TestBuffer() { wlr_buffer_drop(&base); }
};

UniqueFd unsignalled() { return UniqueFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)); }
void signal(int fd) {
    uint64_t one = 1;
    ASSERT_EQ(write(fd, &one, sizeof one), 8);
}

TEST(FrameFences, UnreadBufferHasNoFence) {
    render::FrameFences fences;
    TestBuffer buffer;
    EXPECT_FALSE(fences.last_read(&buffer.base));
}

TEST(FrameFences, TheLastFrameThatReadABufferDecides) {
    render::FrameFences fences;
    TestBuffer a, b;
    UniqueFd first = unsignalled(), second = unsignalled();
    int first_fd = first.get(), second_fd = second.get();
    fences.frame_read({&a.base, &b.base}, std::move(first));
    fences.frame_read({&a.base}, std::move(second));

    UniqueFd for_a = fences.last_read(&a.base), for_b = fences.last_read(&b.base);
    ASSERT_TRUE(for_a);
    ASSERT_TRUE(for_b);
    EXPECT_NE(for_a.get(), second_fd); // a dup: the caller owns it
    // b was last read by the first frame, a by the second.
    signal(first_fd);
    EXPECT_TRUE(render::polls_readable(for_b.get()));
    EXPECT_FALSE(render::polls_readable(for_a.get()));
    UniqueFd again_b = fences.last_read(&b.base), again_a = fences.last_read(&a.base);
    ASSERT_TRUE(again_b) << "a signalled fence is still the last read's fence";
    EXPECT_TRUE(render::polls_readable(again_b.get()));
    ASSERT_TRUE(again_a);
    EXPECT_FALSE(render::polls_readable(again_a.get()));
    signal(second_fd);
    EXPECT_TRUE(render::polls_readable(for_a.get()));
}

TEST(FrameFences, NoFenceLeavesTheEarlierOne) {
    render::FrameFences fences;
    TestBuffer a;
    fences.frame_read({&a.base}, unsignalled());
    fences.frame_read({&a.base}, UniqueFd());
    EXPECT_TRUE(fences.last_read(&a.base));
}

TEST(FrameFences, ADestroyedBufferIsForgotten) {
    render::FrameFences fences;
    auto a = std::make_unique<TestBuffer>();
    TestBuffer b;
    fences.frame_read({&a->base, &b.base}, unsignalled());
    EXPECT_EQ(fences.tracked(), 2u);
    a.reset();
    EXPECT_EQ(fences.tracked(), 1u);
    EXPECT_TRUE(fences.last_read(&b.base));
}

} // namespace
