// Explicit synchronization without a device: sync_file validation (pipes,
// memfds and eventfds are not sync_files), the event-loop fence wait, and the
// linux-drm-syncobj commit rules and timeline lifetimes against a fake device.
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "fence.hpp"
#include "linux_drm_syncobj_v1.hpp"
#include "syncobj.hpp"

namespace {

bool fd_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

TEST(SyncFile, PipeMemfdEventfdAreNotSyncFiles) {
    int pipe_fds[2];
    ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
    UniqueFd r(pipe_fds[0]), w(pipe_fds[1]);
    UniqueFd memfd(memfd_create("sync-test", MFD_CLOEXEC));
    UniqueFd efd(eventfd(0, EFD_CLOEXEC));
    EXPECT_FALSE(render::is_sync_file(r.get()));
    EXPECT_FALSE(render::is_sync_file(w.get()));
    EXPECT_FALSE(render::is_sync_file(memfd.get()));
    EXPECT_FALSE(render::is_sync_file(efd.get()));
    EXPECT_FALSE(render::is_sync_file(-1));
}

TEST(SyncFile, PollsReadable) {
    UniqueFd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    EXPECT_FALSE(render::polls_readable(efd.get()));
    uint64_t one = 1;
    ASSERT_EQ(write(efd.get(), &one, sizeof one), 8);
    EXPECT_TRUE(render::polls_readable(efd.get()));
}

class Loop : public ::testing::Test {
protected:
    void SetUp() override { loop_ = wl_event_loop_create(); }
    void TearDown() override { wl_event_loop_destroy(loop_); }
    void spin() {
        for (int i = 0; i < 3; ++i) wl_event_loop_dispatch(loop_, 0);
    }
    wl_event_loop *loop_ = nullptr;
};

TEST_F(Loop, FenceWaitEndsWhenReadableAndNeverBlocks) {
    UniqueFd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    int raw = efd.get();
    int done = 0;
    auto wait = std::make_unique<render::FenceWait>(loop_, std::move(efd), [&] { ++done; });
    ASSERT_TRUE(wait->ok());
    spin(); // unsignalled: dispatch returns, nothing happens
    EXPECT_EQ(done, 0);
    uint64_t one = 1;
    ASSERT_EQ(write(raw, &one, sizeof one), 8);
    spin();
    EXPECT_EQ(done, 1); // once, even though the fd stays readable
    wait.reset();
    EXPECT_FALSE(fd_open(raw)); // the wait owned the fd
}

TEST_F(Loop, FenceWaitDoneMayDestroyTheWait) {
    UniqueFd efd(eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK));
    std::unique_ptr<render::FenceWait> wait;
    wait = std::make_unique<render::FenceWait>(loop_, std::move(efd), [&] { wait.reset(); });
    spin();
    EXPECT_EQ(wait, nullptr);
}

TEST_F(Loop, CancelledFenceWaitFreesFdAndSource) {
    UniqueFd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    int raw = efd.get();
    bool done = false;
    {
        render::FenceWait wait(loop_, std::move(efd), [&] { done = true; });
    }
    EXPECT_FALSE(fd_open(raw));
    spin();
    EXPECT_FALSE(done);
}

// A device whose points the test signals by hand. Waits end from
// dispatch(), never inside wait(), as the real device's do.
class FakeDevice final : public render::SyncobjDevice {
public:
    const char *wait_path() const override { return "fake"; }
    std::optional<uint32_t> import_timeline(int fd) override {
        if (fd < 0) return std::nullopt;
        live.insert(next_);
        return next_++;
    }
    void destroy_timeline(uint32_t handle) override { live.erase(handle); }

    class FakeWait final : public render::Wait {
    public:
        FakeWait(FakeDevice &device, uint32_t handle, uint64_t point, Done done)
            : device_(device), handle_(handle), point_(point), done_(std::move(done)) {
            device_.waits.insert(this);
        }
        ~FakeWait() override { device_.waits.erase(this); }
        FakeDevice &device_;
        uint32_t handle_;
        uint64_t point_;
        Done done_;
    };
    std::unique_ptr<render::Wait> wait(uint32_t handle, uint64_t point, render::Wait::Done done) override {
        if (!live.count(handle)) return nullptr;
        return std::make_unique<FakeWait>(*this, handle, point, std::move(done));
    }
    bool signal(uint32_t handle, uint64_t point, UniqueFd) override {
        if (!live.count(handle)) return false;
        uint64_t &value = signalled[handle];
        value = std::max(value, point);
        return true;
    }
    UniqueFd export_sync_file(uint32_t, uint64_t) override { return {}; }
    // Ends every wait whose point has signalled.
    void dispatch() {
        for (bool again = true; again;) {
            again = false;
            for (FakeWait *w : waits) {
                if (signalled[w->handle_] >= w->point_) {
                    waits.erase(w);
                    auto done = std::move(w->done_);
                    done();
                    again = true;
                    break;
                }
            }
        }
    }

    std::set<uint32_t> live;
    std::map<uint32_t, uint64_t> signalled;
    std::set<FakeWait *> waits;

private:
    uint32_t next_ = 1;
};

using proto::SyncobjCommit;
using proto::SyncobjCommitError;
using proto::SyncobjSurfaceState;

class Syncobj : public ::testing::Test {
protected:
    std::shared_ptr<render::Timeline> import() {
        return std::make_shared<render::Timeline>(device_, *device_.import_timeline(0));
    }
    render::TimelinePoint at(const std::shared_ptr<render::Timeline> &timeline, uint64_t point) {
        return {timeline, point};
    }
    FakeDevice device_;
    SyncobjSurfaceState state_;
    SyncobjCommit commit_;
};

TEST_F(Syncobj, InvalidTimelineFdIsRefused) { EXPECT_FALSE(device_.import_timeline(-1)); }

TEST_F(Syncobj, CommitWithoutBufferOrPointsIsFine) {
    EXPECT_EQ(state_.commit(false, false, commit_), SyncobjCommitError::none);
    EXPECT_FALSE(commit_.acquire);
}

TEST_F(Syncobj, PointsWithoutBufferAreNoBuffer) {
    auto t = import();
    state_.set_acquire(at(t, 1));
    EXPECT_EQ(state_.commit(false, false, commit_), SyncobjCommitError::no_buffer);
    state_.set_release(at(t, 2));
    EXPECT_EQ(state_.commit(false, false, commit_), SyncobjCommitError::no_buffer);
}

TEST_F(Syncobj, BufferNeedsBothPoints) {
    auto t = import();
    EXPECT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::no_acquire_point);
    state_.set_release(at(t, 2));
    EXPECT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::no_acquire_point);
    state_.set_acquire(at(t, 1));
    EXPECT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::no_release_point);
}

TEST_F(Syncobj, UnsupportedBuffer) {
    auto t = import();
    state_.set_acquire(at(t, 1));
    state_.set_release(at(t, 2));
    EXPECT_EQ(state_.commit(true, false, commit_), SyncobjCommitError::unsupported_buffer);
}

TEST_F(Syncobj, ConflictingPointsOnOneTimelineOnly) {
    auto a = import(), b = import();
    state_.set_acquire(at(a, 5));
    state_.set_release(at(a, 5));
    EXPECT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::conflicting_points);
    state_.set_acquire(at(a, 6));
    state_.set_release(at(a, 5));
    EXPECT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::conflicting_points);
    state_.set_acquire(at(a, 6));
    state_.set_release(at(b, 5)); // other timeline: no order between them
    EXPECT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::none);
}

TEST_F(Syncobj, LastCallInACycleWinsAndPendingClears) {
    auto t = import();
    state_.set_acquire(at(t, 9));
    state_.set_acquire(at(t, 1));
    state_.set_release(at(t, 0));
    state_.set_release(at(t, 2));
    ASSERT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::none);
    EXPECT_EQ(commit_.acquire.point, 1u);
    EXPECT_EQ(commit_.release.point, 2u);
    // Double-buffered: the next commit starts empty.
    EXPECT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::no_acquire_point);
}

TEST_F(Syncobj, AcquireWaitEndsWhenThePointSignals) {
    auto t = import();
    state_.set_acquire(at(t, 3));
    state_.set_release(at(t, 4));
    ASSERT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::none);
    bool done = false;
    auto wait = commit_.acquire.wait([&] { done = true; });
    ASSERT_NE(wait, nullptr);
    device_.signal(t->handle(), 2, {});
    device_.dispatch();
    EXPECT_FALSE(done);
    device_.signal(t->handle(), 3, {});
    device_.dispatch();
    EXPECT_TRUE(done);
    // Release: planar signals the release point once it let go of the buffer.
    EXPECT_TRUE(commit_.release.signal());
    EXPECT_EQ(device_.signalled[t->handle()], 4u);
}

TEST_F(Syncobj, CancelledWaitNeverEnds) {
    auto t = import();
    bool done = false;
    auto wait = at(t, 1).wait([&] { done = true; });
    wait.reset();
    device_.signal(t->handle(), 1, {});
    device_.dispatch();
    EXPECT_FALSE(done);
    EXPECT_TRUE(device_.waits.empty());
}

TEST_F(Syncobj, TimelineOutlivesItsObjectWhilePointsAreSet) {
    auto t = import();
    uint32_t handle = t->handle();
    state_.set_acquire(at(t, 1));
    state_.set_release(at(t, 2));
    t.reset(); // wp_linux_drm_syncobj_timeline_v1.destroy: points stay valid
    EXPECT_TRUE(device_.live.count(handle));
    ASSERT_EQ(state_.commit(true, true, commit_), SyncobjCommitError::none);
    EXPECT_TRUE(device_.live.count(handle));
    commit_ = {};
    EXPECT_FALSE(device_.live.count(handle)); // the last point gone: handle destroyed
}

TEST_F(Syncobj, FailedCommitDropsItsPoints) {
    auto t = import();
    uint32_t handle = t->handle();
    state_.set_acquire(at(t, 1));
    t.reset();
    EXPECT_EQ(state_.commit(false, false, commit_), SyncobjCommitError::no_buffer);
    EXPECT_FALSE(device_.live.count(handle));
}

} // namespace
