#include "chain/bloom.hpp"

#include <array>
#include <cstdint>

#include "crypto/keccak.hpp"

namespace trellis::chain {

namespace {

/// The (byte index, mask) of the three bits of entry. Yellow Paper §4.3.1: the
/// low 11 bits of each of the first three big-endian byte pairs of keccak256.
std::array<std::pair<size_t, uint8_t>, 3> bloom_bits(ByteView entry) noexcept {
    const Hash32 h = crypto::keccak256(entry);
    std::array<std::pair<size_t, uint8_t>, 3> out;
    for (size_t i = 0; i < 3; ++i) {
        const unsigned bit = ((unsigned(h[2 * i]) << 8) | h[2 * i + 1]) & 0x7ffu;
        out[i] = {Bloom::kSize - 1 - bit / 8, uint8_t(1u << (bit % 8))};
    }
    return out;
}

}  // namespace

void bloom_add(Bloom& bloom, ByteView entry) noexcept {
    for (auto [byte, mask] : bloom_bits(entry)) bloom[byte] |= mask;
}

bool bloom_may_contain(const Bloom& bloom, ByteView entry) noexcept {
    for (auto [byte, mask] : bloom_bits(entry))
        if ((bloom[byte] & mask) == 0) return false;
    return true;
}

void bloom_merge(Bloom& bloom, const Bloom& other) noexcept {
    for (size_t i = 0; i < Bloom::kSize; ++i) bloom[i] |= other[i];
}

bool bloom_covers(const Bloom& whole, const Bloom& part) noexcept {
    for (size_t i = 0; i < Bloom::kSize; ++i)
        if ((whole[i] & part[i]) != part[i]) return false;
    return true;
}

}  // namespace trellis::chain
