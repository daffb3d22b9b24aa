#pragma once
// The crypto suite a chain runs with, fixed in genesis (DESIGN.md §5):
//   "ethereum": secp256k1 ECDSA, Keccak-256, address = keccak256(X||Y)[12..32]
//   "sm":       SM2 (default user ID "1234567812345678"), SM3, address = SM3(X||Y)[12..32]
//
// CryptoSuite is a tiny immutable value (one enum) whose methods switch on the
// kind: no virtual call, no allocation, so it is cheap on hot paths. The only
// instances are the two returned by ethereum_suite() and sm_suite().
//
// Signer recovery. secp256k1 signatures carry a recovery id and the signer's
// key is recovered from (digest, r, s, v). SM2 has no public-key recovery in
// OpenSSL (and the standard defines none), so an SM-suite signature carries the
// signer's 64-byte public key next to (r, s); recover_signer() verifies the
// signature against that key and returns it. See docs/crypto.md.
//
// What is signed: a 32-byte digest, normally hash() of the encoded object.
// The SM suite signs it as an SM2 message, i.e. e = SM3(Z || digest) with Z
// from the default user ID (GB/T 32918.2 §6.1), so SM signatures are standard
// SM2 signatures of the digest bytes.

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/error.hpp"

namespace trellis::crypto {

enum class SuiteKind : uint8_t { kEthereum, kSm };

/// Both suites use 32-byte private keys and 64-byte uncompressed X || Y keys.
using SuitePrivateKey = Bytes32;
using SuitePublicKey = FixedBytes<64>;

/// A signature of either suite. Canonical form: ethereum signatures have no
/// public_key and recovery_id in 0..3; SM signatures have a public_key and
/// recovery_id 0. Anything else is rejected as kInvalidSignature.
struct SuiteSignature {
    Bytes32 r;
    Bytes32 s;
    uint8_t recovery_id = 0;
    std::optional<SuitePublicKey> public_key;

    friend bool operator==(const SuiteSignature&, const SuiteSignature&) = default;
};

class CryptoSuite {
public:
    constexpr SuiteKind kind() const noexcept { return kind_; }
    /// "ethereum" or "sm": the name used in genesis and configuration.
    constexpr std::string_view name() const noexcept {
        return kind_ == SuiteKind::kEthereum ? "ethereum" : "sm";
    }

    /// The chain's hash: Keccak-256 or SM3.
    Hash32 hash(ByteView data) const noexcept;

    /// A fresh random private key valid for this suite's curve.
    SuitePrivateKey generate_private_key() const;
    Result<SuitePublicKey, CryptoError> public_key(const SuitePrivateKey& key) const;

    /// Signs a 32-byte digest. Ethereum: RFC 6979, low-s, with recovery id.
    /// SM: SM2 with random k over the digest bytes, carrying the public key.
    Result<SuiteSignature, CryptoError> sign(const Hash32& digest, const SuitePrivateKey& key) const;

    /// True iff sig is canonical for this suite and valid for (digest, pub).
    /// Ethereum requires low s (EIP-2). An SM signature's embedded key must
    /// equal pub.
    bool verify(const Hash32& digest, const SuiteSignature& sig, const SuitePublicKey& pub) const;

    /// The signer's public key. Ethereum: ECDSA recovery, low s required
    /// (kInvalidSignature for high s; the ECRECOVER precompile, which must
    /// accept high s, calls secp256k1::recover directly). SM: verifies
    /// against the embedded key (kInvalidSignature if absent or not valid).
    Result<SuitePublicKey, CryptoError> recover_signer(const Hash32& digest, const SuiteSignature& sig) const;

    /// The account address of a public key (last 20 bytes of hash(X || Y)).
    Address address_of(const SuitePublicKey& pub) const noexcept;

    friend constexpr bool operator==(const CryptoSuite&, const CryptoSuite&) = default;

private:
    constexpr explicit CryptoSuite(SuiteKind k) noexcept : kind_(k) {}
    friend const CryptoSuite& ethereum_suite() noexcept;
    friend const CryptoSuite& sm_suite() noexcept;

    SuiteKind kind_;
};

/// The two suites; immutable, valid for the life of the process.
const CryptoSuite& ethereum_suite() noexcept;
const CryptoSuite& sm_suite() noexcept;
const CryptoSuite& suite_of(SuiteKind kind) noexcept;
/// The suite with the given name(), or nullptr for an unknown name.
const CryptoSuite* suite_by_name(std::string_view name) noexcept;

}  // namespace trellis::crypto
