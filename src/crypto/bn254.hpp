#pragma once

// The alt_bn128 (BN254) precompiles' math with their exact I/O semantics:
// 0x06 ECADD and 0x07 ECMUL (EIP-196), 0x08 pairing check (EIP-197). Gas
// (EIP-1108) is the EVM's business. The field tower, groups and pairing
// themselves live in bn254_field.hpp and bn254_curve.hpp.

#include <array>
#include <cstdint>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace trellis::crypto {

/// Why a bn254 precompile input was rejected (the precompile then fails,
/// consuming all gas given to it).
enum class Bn254Error {
    kInvalidFieldElement,  ///< a coordinate is >= p
    kPointNotOnCurve,      ///< not on y^2 = x^3 + 3 (G1) or its twist (G2), and not (0, 0)
    kPointNotInSubgroup,   ///< on the twist but outside the order-r subgroup G2
    kInvalidInputLength,   ///< pairing input not a multiple of 192 bytes
};

const char* to_string(Bn254Error e) noexcept;

/// EIP-196 ECADD: input is x1 | y1 | x2 | y2 (32-byte big-endian each),
/// right-padded with zeros to 128 bytes; bytes beyond 128 are ignored.
/// Returns the sum as x | y, (0, 0) for infinity.
[[nodiscard]] Result<std::array<uint8_t, 64>, Bn254Error> bn254_add(ByteView input);

/// EIP-196 ECMUL: input is x | y | s, right-padded to 96 bytes, extra ignored.
/// s is any 256-bit scalar (not reduced; [s]P is the same either way).
[[nodiscard]] Result<std::array<uint8_t, 64>, Bn254Error> bn254_mul(ByteView input);

/// EIP-197 pairing check: input is k pairs of G1 (x | y) then G2
/// (x_im | x_re | y_im | y_re), 192 bytes per pair, length a multiple of 192.
/// True when prod e(P_i, Q_i) == 1; empty input is true. Every point is
/// validated (range, curve, G2 subgroup) even when its partner is infinity.
/// The EVM's gas bounds k; this function allocates O(k).
[[nodiscard]] Result<bool, Bn254Error> bn254_pairing_check(ByteView input);

}  // namespace trellis::crypto
