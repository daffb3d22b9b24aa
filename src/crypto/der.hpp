#pragma once
// Strict DER (ITU-T X.690 §10) for the two ASN.1 shapes the crypto module
// exchanges with OpenSSL and with the outside world:
//   ECDSA/SM2 signature    SEQUENCE { r INTEGER, s INTEGER }        (SEC 1 §C.8, GM/T 0009 §7.3)
//   SM2 ciphertext         SEQUENCE { x INTEGER, y INTEGER,
//                                     hash OCTET STRING, ct OCTET STRING }   (GM/T 0009 §7.2)
// "Strict" means: definite minimal lengths, minimal non-negative INTEGERs, no
// trailing bytes. Anything else is rejected, so every value has exactly one
// encoding (BER leniency is a malleability source; see Wycheproof
// "BerEncodedSignature").

#include <utility>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/error.hpp"

namespace trellis::crypto::der {

/// Largest DER input accepted by the decoders (bounds work on untrusted input).
inline constexpr size_t kMaxInput = 1u << 20;

/// Encodes (r, s) as a DER SEQUENCE of two INTEGERs (big-endian 32-byte inputs).
Bytes encode_signature(const Bytes32& r, const Bytes32& s);

/// Decodes a strict-DER signature. INTEGERs wider than 256 bits or negative
/// give kInvalidSignature; range checks against a curve order are the
/// verifier's job.
Result<std::pair<Bytes32, Bytes32>, CryptoError> decode_signature(ByteView der);

/// An SM2 ciphertext split into its parts: C1 = (x, y), C3 = SM3 hash, C2.
struct Sm2CiphertextParts {
    Bytes32 x;
    Bytes32 y;
    Hash32 c3;
    Bytes c2;
};

/// DER as OpenSSL's SM2 encryption writes it (GM/T 0009-2012 §7.2).
Bytes encode_sm2_ciphertext(const Sm2CiphertextParts& parts);
/// Strict inverse of encode_sm2_ciphertext; kDecryptionFailed on any defect.
Result<Sm2CiphertextParts, CryptoError> decode_sm2_ciphertext(ByteView der);

}  // namespace trellis::crypto::der
