#pragma once
// Password-based key derivation and symmetric encryption for key files (Web3
// Secret Storage, encrypted validator keys), through OpenSSL 3.

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/error.hpp"

namespace trellis::crypto {

/// scrypt (RFC 7914). n must be a power of two above 1. Memory use is
/// 128 * r * n bytes; callers bound the parameters of untrusted input first.
Result<Bytes, CryptoError> scrypt(ByteView password, ByteView salt, uint64_t n, uint32_t r, uint32_t p, size_t dklen);

/// PBKDF2 with HMAC-SHA-256 (RFC 8018).
Result<Bytes, CryptoError> pbkdf2_hmac_sha256(ByteView password, ByteView salt, uint32_t iterations, size_t dklen);

/// AES-128 in counter mode (encryption and decryption are the same).
/// key and iv are 16 bytes each (kInvalidInput otherwise).
Result<Bytes, CryptoError> aes128_ctr(ByteView key, ByteView iv, ByteView data);

/// n bytes from OpenSSL's CSPRNG.
Bytes random_bytes(size_t n);

}  // namespace trellis::crypto
