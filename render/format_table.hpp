// The linux-dmabuf v4 format table: one sealed, read-only memfd of 16-byte
// entries (u32 format, 4 bytes padding, u64 modifier), shared by every
// client. A table is immutable once created: a changed set of pairs gets a
// new table (linux-dmabuf v4: "the compositor never changes a table it sent").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "importer.hpp"
#include "unique_fd.hpp"

namespace render {

class FormatTable {
public:
    // tranche_formats carries u16 indices: larger tables cannot be addressed.
    static constexpr size_t max_entries = 65536;
    static constexpr size_t entry_size = 16;

    // Sorts and deduplicates `pairs`; null (logged) if the memfd cannot be made.
    static std::shared_ptr<const FormatTable> create(std::vector<FormatPair> pairs);

    // The bytes of the table for `pairs` as given (for tests and create()).
    static std::vector<uint8_t> serialize(const std::vector<FormatPair> &pairs);

    // Read-only fd to send to clients (libwayland dups it per event).
    int fd() const { return read_only_.get(); }
    uint32_t size_bytes() const { return static_cast<uint32_t>(pairs_.size() * entry_size); }
    const std::vector<FormatPair> &pairs() const { return pairs_; }
    std::optional<uint16_t> index_of(FormatPair pair) const;
    bool contains(FormatPair pair) const { return index_of(pair).has_value(); }
    // Indices of `pairs` present in the table, in the given order, without duplicates.
    std::vector<uint16_t> indices_of(const std::vector<FormatPair> &pairs) const;

private:
    FormatTable() = default;
    std::vector<FormatPair> pairs_;
    UniqueFd read_only_;
};

} // namespace render
