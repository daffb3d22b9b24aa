#pragma once

namespace trellis::crypto {

/// Expected failures of the crypto module: each is caused by input a peer or a
/// user controls (a bad key, a forged signature), never by a bug.
enum class CryptoError {
    kInvalidPrivateKey,  ///< zero, or not below the curve order
    kInvalidPublicKey,   ///< not a point on the curve (or the point at infinity)
    kInvalidSignature,   ///< r or s out of range, malformed, or does not verify
    kRecoveryFailed,     ///< no public key can be recovered from this signature
    kDecryptionFailed,   ///< ciphertext malformed or its integrity check failed
    kInternal,           ///< the underlying library failed (allocation, provider)
    kInvalidInput,       ///< an argument outside its documented bounds (e.g. an empty or
                         ///< oversized SM2 plaintext, an oversized SM2 user ID)
};

/// A short human-readable description, for logs and RPC error messages.
const char* to_string(CryptoError e) noexcept;

}  // namespace trellis::crypto
