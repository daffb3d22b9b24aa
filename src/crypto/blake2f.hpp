#pragma once

// The BLAKE2b compression function F as the EVM precompile 0x09 exposes it
// (EIP-152), with its exact 213-byte input format. Gas (1 per round) is the
// EVM's business; blake2f_rounds gives it what it needs.

#include <array>
#include <cstdint>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace trellis::crypto {

enum class Blake2fError {
    kInvalidInputLength,  ///< input is not exactly 213 bytes
    kInvalidFinalFlag,    ///< the final-block flag byte is neither 0 nor 1
};

const char* to_string(Blake2fError e) noexcept;

/// EIP-152 input size: rounds(4, big-endian) | h(64) | m(128) | t(16) | f(1),
/// the words of h, m and t little-endian.
inline constexpr size_t kBlake2fInputSize = 213;

/// BLAKE2b F (RFC 7693 section 3.2) with a caller-chosen round count: updates
/// h in place. The message schedule repeats every 10 rounds, for any count
/// (EIP-152; BLAKE2b itself uses 12).
void blake2b_compress(uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool final_block,
                      uint32_t rounds) noexcept;

/// EIP-152 precompile: the updated state h as 64 bytes (8 little-endian
/// words). Time is linear in the round count (up to 2^32 - 1), which the
/// caller must have paid for.
[[nodiscard]] Result<std::array<uint8_t, 64>, Blake2fError> blake2f(ByteView input);

/// The round count in a well-formed input (its gas cost); 0 when the length
/// is wrong (the call then fails without running, as in go-ethereum).
uint32_t blake2f_rounds(ByteView input) noexcept;

}  // namespace trellis::crypto
