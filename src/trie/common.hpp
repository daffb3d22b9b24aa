#pragma once

// Shared vocabulary of the Merkle Patricia Trie (Ethereum Yellow Paper,
// Appendix D): error codes, bounds and the empty root.

#include <cstddef>
#include <cstdint>

#include "base/bytes.hpp"

namespace trellis::trie {

/// Why a trie operation or a proof check failed. Every value is an expected
/// failure (a corrupt or incomplete store, hostile input), never a bug.
enum class TrieError {
    kMissingNode,         ///< the node store has no node for a hash the trie references
    kMalformedNode,       ///< node bytes are not a canonical trie node (bad RLP, shape or path)
    kInvalidHexPrefix,    ///< a compact (hex-prefix) path with a bad flag nibble or padding
    kKeyTooLong,          ///< a key longer than kMaxKeyLength bytes
    kProofMissingNode,    ///< the proof lacks a node on the key's path (or one was altered)
    kProofTooLarge,       ///< more than kMaxProofNodes nodes or kMaxProofBytes bytes
};

/// A short, stable description of e (for logs and RPC error messages).
const char* to_string(TrieError e) noexcept;

/// Longest key any trie operation accepts. Ethereum's keys are at most 32
/// bytes (hashed keys, RLP transaction indexes); the bound keeps the depth of
/// every walk, and so recursion and proof length, at most 2 * kMaxKeyLength + 1.
inline constexpr size_t kMaxKeyLength = 256;

/// Most nodes verify_proof accepts in one proof (a path has at most
/// 2 * kMaxKeyLength + 1 nodes).
inline constexpr size_t kMaxProofNodes = 2 * kMaxKeyLength + 1;
/// Most bytes verify_proof accepts over all nodes of one proof.
inline constexpr size_t kMaxProofBytes = 16 * 1024 * 1024;

/// keccak256(RLP("")) = keccak256(0x80): the root of the empty trie.
inline constexpr Hash32 kEmptyRoot = [] {
    constexpr uint8_t b[32] = {0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45,
                               0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c,
                               0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21};
    Hash32 h;
    for (size_t i = 0; i < 32; ++i) h.bytes[i] = b[i];
    return h;
}();

}  // namespace trellis::trie
