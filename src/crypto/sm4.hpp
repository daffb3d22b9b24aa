#pragma once
// SM4 block cipher (GB/T 32907-2016) and the modes Trellis needs for key files
// and interop: CBC, CTR, GCM and CCM (plus OFB and CFB). The block cipher, CBC and CTR run through
// OpenSSL EVP. OpenSSL 3.0 ships no SM4-GCM or SM4-CCM cipher, so GCM uses
// OpenSSL's generic GCM engine (CRYPTO_gcm128 from <openssl/modes.h>) over the
// EVP SM4 block, and CCM (NIST SP 800-38C) is composed here from EVP SM4-CBC
// (the CBC-MAC) and SM4-CTR (the encryption).
//
// All functions are thread-safe and keep no state between calls. Prefer GCM
// (or CCM) for anything read back from untrusted storage: unauthenticated CBC
// with padding can act as a padding oracle.

#include <cstddef>
#include <cstdint>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace trellis::crypto::sm4 {

using Key = FixedBytes<16>;
using Block = FixedBytes<16>;

inline constexpr size_t kBlockSize = 16;
/// Largest plaintext or ciphertext accepted by the mode functions.
inline constexpr size_t kMaxMessage = size_t(64) << 20;
/// Largest GCM IV accepted (GCM hashes long IVs; there is no use for more).
inline constexpr size_t kMaxGcmIv = 1024;

enum class Sm4Error {
    kInvalidIvSize,         ///< GCM IV empty or over kMaxGcmIv
    kInvalidNonceSize,      ///< CCM nonce not 7..13 bytes (SP 800-38C §A.1)
    kInvalidTagSize,        ///< GCM tag not 12..16 bytes; CCM tag not even in 4..16
    kInvalidLength,         ///< unpadded CBC input not whole blocks, or ciphertext shorter than its tag
    kBadPadding,            ///< CBC PKCS#7 padding malformed after decryption
    kAuthenticationFailed,  ///< GCM/CCM tag mismatch: ciphertext, AAD, key or nonce wrong
    kTooLarge,              ///< input over kMaxMessage (or the CCM length field)
    kInternal,              ///< OpenSSL failed (allocation)
};

const char* to_string(Sm4Error e) noexcept;

/// One-block SM4 (the raw permutation, as in GB/T 32907 Appendix A).
Block encrypt_block(const Key& key, const Block& in) noexcept;
Block decrypt_block(const Key& key, const Block& in) noexcept;

enum class Padding { kPkcs7, kNone };

/// CBC. With Padding::kPkcs7 (default) any length is accepted and the output
/// grows by 1..16 bytes; with kNone the input must be whole blocks.
Result<Bytes, Sm4Error> cbc_encrypt(const Key& key, const Block& iv, ByteView plaintext,
                                    Padding padding = Padding::kPkcs7);
Result<Bytes, Sm4Error> cbc_decrypt(const Key& key, const Block& iv, ByteView ciphertext,
                                    Padding padding = Padding::kPkcs7);

/// CTR with a 128-bit big-endian counter starting at iv. Encryption and
/// decryption are the same operation. Never reuse (key, iv).
Result<Bytes, Sm4Error> ctr_crypt(const Key& key, const Block& iv, ByteView data);

/// OFB and CFB-128 (GB/T 17964), stream modes without authentication, kept
/// for interoperability with existing SM4 data.
Result<Bytes, Sm4Error> ofb_crypt(const Key& key, const Block& iv, ByteView data);
Result<Bytes, Sm4Error> cfb_encrypt(const Key& key, const Block& iv, ByteView plaintext);
Result<Bytes, Sm4Error> cfb_decrypt(const Key& key, const Block& iv, ByteView ciphertext);

/// GCM (NIST SP 800-38D): returns ciphertext || tag (tag_size bytes). IVs of
/// any length 1..kMaxGcmIv are accepted; 12 bytes is the recommended size.
Result<Bytes, Sm4Error> gcm_encrypt(const Key& key, ByteView iv, ByteView aad, ByteView plaintext,
                                    size_t tag_size = 16);
/// Checks the tag (constant time) before returning any plaintext.
Result<Bytes, Sm4Error> gcm_decrypt(const Key& key, ByteView iv, ByteView aad, ByteView ciphertext_and_tag,
                                    size_t tag_size = 16);

/// CCM (NIST SP 800-38C, RFC 3610 formatting): returns ciphertext || tag.
Result<Bytes, Sm4Error> ccm_encrypt(const Key& key, ByteView nonce, ByteView aad, ByteView plaintext,
                                    size_t tag_size = 16);
Result<Bytes, Sm4Error> ccm_decrypt(const Key& key, ByteView nonce, ByteView aad, ByteView ciphertext_and_tag,
                                    size_t tag_size = 16);

}  // namespace trellis::crypto::sm4
