// The linux-dmabuf format table: 16-byte entries, sealed, read-only, sorted
// and deduplicated, indices as tranche_formats needs them.
#include <drm_fourcc.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "format_table.hpp"

namespace {

using render::FormatPair;
using render::FormatTable;

TEST(FormatTable, EntriesAreSixteenBytes) {
    auto bytes = FormatTable::serialize({{DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR},
                                         {DRM_FORMAT_NV12, 0x0100000000000001ull}});
    ASSERT_EQ(bytes.size(), 32u);
    uint32_t format;
    uint64_t modifier;
    memcpy(&format, &bytes[16], 4);
    memcpy(&modifier, &bytes[24], 8);
    EXPECT_EQ(format, DRM_FORMAT_NV12);
    EXPECT_EQ(modifier, 0x0100000000000001ull);
    EXPECT_EQ(bytes[4] | bytes[5] | bytes[6] | bytes[7], 0); // padding
}

TEST(FormatTable, SortedDeduplicatedAndIndexed) {
    auto table = FormatTable::create({{DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR},
                                      {DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR},
                                      {DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR}});
    ASSERT_TRUE(table);
    EXPECT_EQ(table->pairs().size(), 2u);
    EXPECT_EQ(table->size_bytes(), 32u);
    auto index = table->index_of({DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR});
    ASSERT_TRUE(index);
    EXPECT_EQ(table->pairs()[*index].format, DRM_FORMAT_XRGB8888);
    EXPECT_FALSE(table->contains({DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_INVALID}));
    auto indices = table->indices_of({{DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR},
                                      {DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR},
                                      {DRM_FORMAT_NV12, DRM_FORMAT_MOD_LINEAR}});
    EXPECT_EQ(indices.size(), 1u); // no duplicates, unknown pairs dropped
}

TEST(FormatTable, FdIsSealedReadOnlyAndHoldsTheEntries) {
    std::vector<FormatPair> pairs = {{DRM_FORMAT_ABGR8888, DRM_FORMAT_MOD_LINEAR},
                                     {DRM_FORMAT_XBGR8888, DRM_FORMAT_MOD_LINEAR}};
    auto table = FormatTable::create(pairs);
    ASSERT_TRUE(table);
    int fd = table->fd();
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
    int seals = fcntl(fd, F_GET_SEALS);
    EXPECT_TRUE(seals & F_SEAL_WRITE);
    EXPECT_TRUE(seals & F_SEAL_SHRINK);
    EXPECT_TRUE(seals & F_SEAL_GROW);
    EXPECT_TRUE(seals & F_SEAL_SEAL);
    EXPECT_EQ(lseek(fd, 0, SEEK_END), 32);
    EXPECT_EQ(mmap(nullptr, 32, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), MAP_FAILED);
    void *map = mmap(nullptr, 32, PROT_READ, MAP_PRIVATE, fd, 0);
    ASSERT_NE(map, MAP_FAILED);
    auto expected = FormatTable::serialize(table->pairs());
    EXPECT_EQ(memcmp(map, expected.data(), 32), 0);
    munmap(map, 32);
}

TEST(FormatTable, EmptyTableIsValid) {
    auto table = FormatTable::create({});
    ASSERT_TRUE(table);
    EXPECT_EQ(table->size_bytes(), 0u);
}

} // namespace
