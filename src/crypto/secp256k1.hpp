#pragma once
// secp256k1 ECDSA as Ethereum uses it, on top of libsecp256k1 (with its
// recovery module).
//
// High-s policy (EIP-2, SEC 1 §4.1.4). For any valid (r, s), (r, n - s) is
// also valid, so signatures are malleable unless s is pinned to the lower
// half. Here:
//   * sign() always returns low-s (s <= n/2), with the matching recovery id;
//   * verify() rejects high-s by default (HighS::kReject) -- libsecp256k1's
//     own rule and what transaction and consensus checks want. Pass
//     HighS::kAccept for plain ECDSA semantics (the signature is normalised
//     to low-s first, which is equivalent since (r, s) and (r, n - s) verify
//     together);
//   * recover() accepts high-s, as the ECRECOVER precompile must (Yellow
//     Paper Appendix E); transaction validation rejects high-s separately
//     with is_low_s() (EIP-2).
// All functions are thread-safe: they share one immutable, randomised
// libsecp256k1 context created on first use.

#include <cstdint>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/error.hpp"

namespace trellis::crypto::secp256k1 {

using PrivateKey = Bytes32;
/// Uncompressed point X || Y (big-endian coordinates), without the 0x04 prefix.
using PublicKey = FixedBytes<64>;

/// A recoverable signature. r and s are big-endian; recovery_id (0..3) says
/// which of the candidate points R with x(R) = r (+ n) was used: bit 0 is
/// the parity of y(R), bit 1 is set when x(R) = r + n.
struct Signature {
    Bytes32 r;
    Bytes32 s;
    uint8_t recovery_id = 0;

    friend bool operator==(const Signature&, const Signature&) = default;
};

/// Whether verify() accepts s in the upper half of [1, n-1].
enum class HighS { kReject, kAccept };

/// The public key of a private key; kInvalidPrivateKey unless 0 < key < n.
Result<PublicKey, CryptoError> public_key(const PrivateKey& key);

/// Parses a public key in SEC 1 form: 33 bytes compressed (0x02/0x03 || X),
/// 65 bytes uncompressed (0x04 || X || Y), or the bare 64-byte X || Y.
/// kInvalidPublicKey if the point is not on the curve.
Result<PublicKey, CryptoError> decode_public_key(ByteView encoded);

/// Signs a 32-byte digest with a deterministic nonce (RFC 6979, HMAC-SHA256),
/// returning low-s (EIP-2) and the recovery id.
Result<Signature, CryptoError> sign(const Hash32& digest, const PrivateKey& key);

/// Verifies (r, s) over digest against pub. r and s must lie in [1, n-1];
/// with HighS::kReject (the default) s must also be <= n/2. An off-curve
/// public key simply fails to verify.
bool verify(const Hash32& digest, const Bytes32& r, const Bytes32& s, const PublicKey& pub,
            HighS high_s = HighS::kReject);

/// Recovers the signer's public key. r and s must lie in [1, n-1]
/// (kInvalidSignature otherwise, or for recovery_id > 3); high s is accepted
/// (see above). kRecoveryFailed when no point matches.
Result<PublicKey, CryptoError> recover(const Hash32& digest, const Signature& sig);

/// Ethereum address: the last 20 bytes of keccak256(X || Y) (Yellow Paper eq. 284).
Address address_of(const PublicKey& pub) noexcept;

/// True when s <= n/2 (EIP-2's upper bound for transaction signatures).
bool is_low_s(const Bytes32& s) noexcept;

}  // namespace trellis::crypto::secp256k1
