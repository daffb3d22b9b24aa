#pragma once

// Nibble paths and their hex-prefix ("compact") encoding, Yellow Paper
// Appendix C. A nibble path is a byte string with one nibble (0..15) a byte;
// a key's path is its bytes split high nibble first, so byte order and nibble
// order agree.

#include <cstddef>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "trie/common.hpp"

namespace trellis::trie {

/// The nibble path of key: 2 * key.size() nibbles, high nibble first.
Bytes to_nibbles(ByteView key);
/// Appends the nibbles of key to out.
void append_nibbles(Bytes& out, ByteView key);

/// The bytes of an even-length nibble path (the inverse of to_nibbles).
/// Precondition: nibbles.size() is even and every element is < 16.
Bytes from_nibbles(ByteView nibbles);

/// Length of the common prefix of two nibble paths.
size_t common_prefix_length(ByteView a, ByteView b) noexcept;

/// Bytes of the hex-prefix encoding of a path of n nibbles.
constexpr size_t hex_prefix_length(size_t n) noexcept { return n / 2 + 1; }

/// Hex-prefix encoding (Yellow Paper eq. (191)): the first nibble is the flag
/// 2*leaf + (odd length); an odd path puts its first nibble beside the flag,
/// an even one pads the first byte with a zero nibble.
Bytes hex_prefix_encode(ByteView nibbles, bool leaf);
/// Appends the hex-prefix encoding of nibbles to out.
void append_hex_prefix(Bytes& out, ByteView nibbles, bool leaf);

/// A decoded hex-prefix path.
struct HexPrefix {
    Bytes nibbles;
    bool leaf = false;
};

/// Decodes a hex-prefix encoding. kInvalidHexPrefix when the input is empty,
/// the flag nibble is above 3, or an even path's pad nibble is not zero (the
/// encoding is then not the canonical one of any path).
Result<HexPrefix, TrieError> hex_prefix_decode(ByteView encoded);

}  // namespace trellis::trie
