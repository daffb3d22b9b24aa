#pragma once

// The 2048-bit logs bloom of receipts and block headers (Yellow Paper §4.3.1,
// function M3:2048): each log's address and each of its topics sets three bits
// chosen by its keccak256. A filter answers "maybe" or "certainly not".

#include <cstddef>

#include "base/bytes.hpp"

namespace trellis::chain {

/// 256 bytes, big-endian bit order: bit i of the 2048-bit value lives in byte
/// 255 - i / 8 at mask 1 << (i % 8), as Ethereum stores it.
using Bloom = FixedBytes<256>;

/// Sets the three bits of entry (an address or a topic) in bloom.
void bloom_add(Bloom& bloom, ByteView entry) noexcept;
/// True when every bit entry would set is set (entry may have been added).
bool bloom_may_contain(const Bloom& bloom, ByteView entry) noexcept;
/// bloom |= other.
void bloom_merge(Bloom& bloom, const Bloom& other) noexcept;
/// True when every bit of part is set in whole (part may be part of whole).
bool bloom_covers(const Bloom& whole, const Bloom& part) noexcept;

}  // namespace trellis::chain
