#pragma once
// Encrypted key files in the Web3 Secret Storage format (version 3: scrypt or
// PBKDF2-HMAC-SHA256, AES-128-CTR, keccak-256 MAC), the format
// ethers.Wallet.fromEncryptedJson and go-ethereum open.

#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace trellis::node {

enum class KeystoreError {
    kMalformed,         ///< not a version-3 key file, or a field is missing or of the wrong type
    kUnsupported,       ///< a cipher or KDF other than aes-128-ctr / scrypt / pbkdf2
    kParametersTooLarge,  ///< KDF work or memory beyond the bounds below (hostile or absurd file)
    kWrongPassword,     ///< the MAC does not match
    kInvalidKey,        ///< the decrypted bytes are not a valid secp256k1 key
    kCryptoFailure,
};
const char* to_string(KeystoreError e) noexcept;

struct ScryptParams {
    uint64_t n = 1u << 18;  ///< geth's standard strength; use 1 << 12 for fast dev keys
    uint32_t r = 8;
    uint32_t p = 1;
};

/// Encrypts key under password, with a fresh salt, IV and UUID.
std::string encrypt_key(const Bytes32& key, const std::string& password, const ScryptParams& params = {});

/// Decrypts a key file. Bounds: scrypt n <= 2^20 and 128*r*n <= 1 GiB,
/// p <= 16; PBKDF2 iterations <= 10,000,000; dklen 32.
Result<Bytes32, KeystoreError> decrypt_key(const std::string& json, const std::string& password);

/// The "address" field of a key file (without decrypting), or empty.
std::string keyfile_address(const std::string& json);

}  // namespace trellis::node
