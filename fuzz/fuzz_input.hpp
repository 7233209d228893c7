// FuzzInput: the fuzzer's bytes read as a stream of small values; past the
// end every read gives 0, so every input is a valid program for a target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fuzz {

class FuzzInput {
public:
    FuzzInput(const uint8_t *data, size_t size) : data_(data), size_(size) {}

    bool empty() const { return at_ >= size_; }
    uint8_t u8() { return at_ < size_ ? data_[at_++] : 0; }
    uint16_t u16() { return static_cast<uint16_t>(u8() | u8() << 8); }
    uint32_t u32() { return static_cast<uint32_t>(u16()) | static_cast<uint32_t>(u16()) << 16; }
    // A value in [0, bound).
    uint32_t below(uint32_t bound) { return bound == 0 ? 0 : u32() % bound; }
    // The next `n` bytes (fewer at the end).
    std::string bytes(size_t n) {
        size_t take = n < size_ - at_ ? n : size_ - at_;
        std::string out(reinterpret_cast<const char *>(data_ + at_), at_ < size_ ? take : 0);
        at_ += at_ < size_ ? take : 0;
        return out;
    }
    std::string rest() { return bytes(size_ - (at_ < size_ ? at_ : size_)); }

private:
    const uint8_t *data_;
    size_t size_;
    size_t at_ = 0;
};

} // namespace fuzz
