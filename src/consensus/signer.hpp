#pragma once
// The engine's only view of cryptography (docs/consensus.md §9): hash, sign
// with this validator's key, verify another validator's signature. A node
// uses SuiteScheme (the chain's CryptoSuite, fixed in genesis); the
// simulation uses a fast stand-in for most runs behind the same interface.

#include <optional>

#include "base/bytes.hpp"
#include "crypto/suite.hpp"

namespace trellis::consensus {

class SignatureScheme {
public:
    virtual ~SignatureScheme() = default;
    /// The chain's hash (block ids, signed digests).
    virtual Hash32 hash(ByteView data) const = 0;
    /// Signs digest with this validator's key; empty on failure (never for a
    /// valid key). At most kMaxSignatureBytes bytes.
    virtual Bytes sign(const Hash32& digest) const = 0;
    /// True iff sig is this scheme's valid signature of digest by public_key.
    virtual bool verify(ByteView public_key, const Hash32& digest, ByteView sig) const = 0;
};

/// Signatures of a CryptoSuite. Encoding: r (32) || s (32) || recovery_id (1),
/// followed for the SM suite by the signer's 64-byte public key (the suite's
/// SuiteSignature). Public keys are the suite's 64-byte X || Y.
class SuiteScheme final : public SignatureScheme {
public:
    /// key may be absent for a verify-only instance (sign() then returns {}).
    SuiteScheme(const crypto::CryptoSuite& suite, std::optional<crypto::SuitePrivateKey> key);

    Hash32 hash(ByteView data) const override { return suite_->hash(data); }
    Bytes sign(const Hash32& digest) const override;
    bool verify(ByteView public_key, const Hash32& digest, ByteView sig) const override;

    /// This key's public key as the engine stores it in a ValidatorSet.
    std::optional<Bytes> public_key() const;

private:
    const crypto::CryptoSuite* suite_;
    std::optional<crypto::SuitePrivateKey> key_;
};

}  // namespace trellis::consensus
