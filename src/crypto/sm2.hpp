#pragma once
// SM2 public-key cryptography (GB/T 32918-2016) on the recommended curve
// sm2p256v1, through OpenSSL 3 EVP.
//
// Signatures (GB/T 32918.2 §6): the signed value is e = SM3(Z || M) where
// Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) binds the signer's
// identity and key (§5.5). Z and e are computed here, and OpenSSL signs or
// verifies e, so a custom user ID costs nothing extra and Z can be checked
// against the standard. Signing draws a fresh random k (OpenSSL offers no
// deterministic SM2 nonce); signatures are therefore not reproducible, and
// verification is what the standard's worked example checks.
//
// Encryption (GB/T 32918.4 §6): ciphertexts here are the standard's 2016
// layout C1 || C3 || C2 with C1 = 0x04 || x1 || y1 (65 bytes), C3 = SM3 hash
// (32 bytes), C2 = the masked message. OpenSSL itself produces the GM/T 0009
// ASN.1 form SEQUENCE { x, y, C3, C2 }; ciphertext_to_der / ciphertext_from_der
// convert between the two.
//
// All functions are thread-safe.

#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/error.hpp"

namespace trellis::crypto::sm2 {

using PrivateKey = Bytes32;
/// Uncompressed point X || Y (big-endian), without the 0x04 prefix.
using PublicKey = FixedBytes<64>;

struct Signature {
    Bytes32 r;
    Bytes32 s;
    friend bool operator==(const Signature&, const Signature&) = default;
};

/// The default distinguishing identifier (GM/T 0009-2012 §10), used when no ID
/// is agreed between the parties.
inline constexpr std::string_view kDefaultUserId = "1234567812345678";
/// ENTL is a 16-bit count of ID bits, so IDs are at most 8191 bytes.
inline constexpr size_t kMaxUserId = 8191;
/// Largest plaintext encrypt() accepts: SM2 encryption is for keys and small
/// secrets; bulk data belongs under SM4 with an SM2-wrapped key.
inline constexpr size_t kMaxPlaintext = 64 * 1024;
/// Size of C1 || C3 around the message in a ciphertext.
inline constexpr size_t kCiphertextOverhead = 65 + 32;

inline ByteView default_user_id() noexcept {
    return as_view(kDefaultUserId);
}

/// The public key d·G of a private key; kInvalidPrivateKey unless
/// 1 <= d <= n-2 (GB/T 32918.1 §6.1: n-1 has no (1 + d)^-1 for signing).
Result<PublicKey, CryptoError> public_key(const PrivateKey& key);

/// A fresh random private key from OpenSSL's CSPRNG.
PrivateKey generate_private_key();

/// Parses X || Y (64 bytes) or 0x04 || X || Y (65 bytes); kInvalidPublicKey
/// unless the point is on sm2p256v1.
Result<PublicKey, CryptoError> decode_public_key(ByteView encoded);

/// Curve constants that enter Z, big-endian. sm2p256v1 unless a test passes
/// another curve (the standard's example curve, for instance).
struct ZCurve {
    Bytes32 a, b, gx, gy;
};
const ZCurve& sm2p256v1_z_curve() noexcept;

/// Z_A of GB/T 32918.2 §5.5. Callers keep user_id.size() <= kMaxUserId
/// (asserted: sign/verify check it before calling).
Hash32 z_value(const PublicKey& pub, ByteView user_id = default_user_id(),
               const ZCurve& curve = sm2p256v1_z_curve());

/// e = SM3(Z_A || message) (GB/T 32918.2 §6.1 steps A1-A2).
Hash32 message_digest(const PublicKey& pub, ByteView message, ByteView user_id = default_user_id());

/// Signs message for the holder of key under user_id (random k).
/// kInvalidInput if user_id exceeds kMaxUserId.
Result<Signature, CryptoError> sign(ByteView message, const PrivateKey& key,
                                    ByteView user_id = default_user_id());
/// Signs a precomputed e (see message_digest).
Result<Signature, CryptoError> sign_digest(const Hash32& e, const PrivateKey& key);

/// Verifies per GB/T 32918.2 §7: r, s in [1, n-1], t = r + s != 0, and
/// (e + x1) mod n == r. False on any defect, including an oversized ID.
bool verify(ByteView message, const Signature& sig, const PublicKey& pub,
            ByteView user_id = default_user_id());
bool verify_digest(const Hash32& e, const Signature& sig, const PublicKey& pub);

/// Encrypts to C1 || C3 || C2 with SM3 (random k). kInvalidPublicKey for a
/// point off the curve; kInvalidInput unless 1 <= plaintext.size() <=
/// kMaxPlaintext (an empty message has an empty KDF mask, which GB/T 32918.4
/// §6.1 step A5 forbids).
Result<Bytes, CryptoError> encrypt(const PublicKey& pub, ByteView plaintext);
/// Decrypts C1 || C3 || C2; kDecryptionFailed for a malformed ciphertext, a
/// C1 off the curve or a C3 mismatch (wrong key or tampering).
Result<Bytes, CryptoError> decrypt(const PrivateKey& key, ByteView ciphertext);

/// C1 || C3 || C2 to OpenSSL's GM/T 0009 DER, and back (kDecryptionFailed on
/// malformed input).
Result<Bytes, CryptoError> ciphertext_to_der(ByteView c1c3c2);
Result<Bytes, CryptoError> ciphertext_from_der(ByteView der);

/// SM-suite address: the last 20 bytes of SM3(X || Y), the Ethereum rule
/// with SM3 in place of Keccak-256.
Address address_of(const PublicKey& pub) noexcept;

}  // namespace trellis::crypto::sm2
