#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>

#include "unique_fd.hpp"

namespace {

bool fd_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

int make_fd() { return memfd_create("unique-fd-test", MFD_CLOEXEC); }

TEST(UniqueFd, ClosesOnDestruction) {
    int raw = make_fd();
    ASSERT_GE(raw, 0);
    { UniqueFd fd(raw); EXPECT_TRUE(fd.valid()); }
    EXPECT_FALSE(fd_open(raw));
}

TEST(UniqueFd, DefaultIsInvalid) {
    UniqueFd fd;
    EXPECT_FALSE(fd.valid());
    EXPECT_FALSE(static_cast<bool>(fd));
    EXPECT_EQ(fd.get(), -1);
}

TEST(UniqueFd, MoveTransfersOwnership) {
    int raw = make_fd();
    UniqueFd a(raw);
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a.valid());
    EXPECT_EQ(b.get(), raw);
    UniqueFd c;
    c = std::move(b);
    EXPECT_EQ(c.get(), raw);
    EXPECT_TRUE(fd_open(raw));
}

TEST(UniqueFd, MoveAssignClosesPrevious) {
    int first = make_fd(), second = make_fd();
    UniqueFd a(first), b(second);
    a = std::move(b);
    EXPECT_FALSE(fd_open(first));
    EXPECT_TRUE(fd_open(second));
}

TEST(UniqueFd, ReleaseGivesUpOwnership) {
    int raw = make_fd();
    {
        UniqueFd fd(raw);
        EXPECT_EQ(fd.release(), raw);
        EXPECT_FALSE(fd.valid());
    }
    EXPECT_TRUE(fd_open(raw));
    close(raw);
}

TEST(UniqueFd, ResetClosesAndTakesNew) {
    int first = make_fd(), second = make_fd();
    UniqueFd fd(first);
    fd.reset(second);
    EXPECT_FALSE(fd_open(first));
    EXPECT_EQ(fd.get(), second);
    fd.reset();
    EXPECT_FALSE(fd_open(second));
}

TEST(UniqueFd, EarlyReturnPathsCloseTheFd) {
    // The pattern of every request that receives an fd: wrap first, then validate.
    int raw = make_fd();
    auto request = [](int fd_arg, bool valid) {
        UniqueFd fd(fd_arg);
        if (!valid) return false;
        return true;
    };
    EXPECT_FALSE(request(raw, false));
    EXPECT_FALSE(fd_open(raw));
}
} // namespace
