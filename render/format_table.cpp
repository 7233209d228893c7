#include "format_table.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.hpp"

namespace render {

std::vector<uint8_t> FormatTable::serialize(const std::vector<FormatPair> &pairs) {
    std::vector<uint8_t> bytes(pairs.size() * entry_size, 0);
    for (size_t i = 0; i < pairs.size(); i++) {
        memcpy(&bytes[i * entry_size], &pairs[i].format, sizeof(uint32_t));
        memcpy(&bytes[i * entry_size + 8], &pairs[i].modifier, sizeof(uint64_t));
    }
    return bytes;
}

std::shared_ptr<const FormatTable> FormatTable::create(std::vector<FormatPair> pairs) {
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    if (pairs.size() > max_entries) {
        plog::error(plog::Scope::dmabuf, "format table: %zu pairs, only the first %zu are addressable",
                    pairs.size(), max_entries);
        pairs.resize(max_entries);
    }
    std::vector<uint8_t> bytes = serialize(pairs);

    UniqueFd memfd(memfd_create("planar-dmabuf-format-table", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!memfd) {
        plog::error(plog::Scope::dmabuf, "format table: memfd_create: %s", strerror(errno));
        return nullptr;
    }
    size_t written = 0;
    while (written < bytes.size()) {
        ssize_t n = write(memfd.get(), bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            plog::error(plog::Scope::dmabuf, "format table: write: %s", strerror(errno));
            return nullptr;
        }
        written += static_cast<size_t>(n);
    }
    // Sealed: neither planar nor any client can change a table once sent.
    if (fcntl(memfd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        plog::error(plog::Scope::dmabuf, "format table: sealing: %s", strerror(errno));
        return nullptr;
    }
    // Clients get a read-only descriptor of the same file, so that not even
    // mprotect tricks on their side can ask for write access.
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd.get());
    UniqueFd read_only(open(path, O_RDONLY | O_CLOEXEC));
    if (!read_only) {
        plog::debug(plog::Scope::dmabuf, "format table: reopen read-only: %s; sending the sealed fd",
                    strerror(errno));
        read_only = std::move(memfd);
    }

    auto table = std::shared_ptr<FormatTable>(new FormatTable());
    table->pairs_ = std::move(pairs);
    table->read_only_ = std::move(read_only);
    return table;
}

std::optional<uint16_t> FormatTable::index_of(FormatPair pair) const {
    auto it = std::lower_bound(pairs_.begin(), pairs_.end(), pair);
    if (it == pairs_.end() || *it != pair) return std::nullopt;
    return static_cast<uint16_t>(it - pairs_.begin());
}

std::vector<uint16_t> FormatTable::indices_of(const std::vector<FormatPair> &pairs) const {
    std::vector<uint16_t> indices;
    for (const FormatPair &pair : pairs) {
        auto index = index_of(pair);
        // linux-dmabuf v4: no duplicate pair within a tranche.
        if (index && std::find(indices.begin(), indices.end(), *index) == indices.end()) {
            indices.push_back(*index);
        }
    }
    return indices;
}

} // namespace render
