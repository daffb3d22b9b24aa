#pragma once

#include "base/bytes.hpp"

namespace trellis::crypto {

/// ECDSA verification over NIST P-256 (secp256r1) of a 32-byte digest, as the
/// EIP-7951 precompile defines it: r and s in [1, n-1] (high s accepted), the
/// public key (x, y) a valid curve point with coordinates below p and not the
/// point at infinity. Any invalid input verifies as false. Thread-safe.
bool p256_verify(const Hash32& digest, const Bytes32& r, const Bytes32& s, const Bytes32& x,
                 const Bytes32& y) noexcept;

}  // namespace trellis::crypto
