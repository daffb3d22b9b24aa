#include "crypto/error.hpp"

namespace trellis::crypto {

const char* to_string(CryptoError e) noexcept {
    switch (e) {
        case CryptoError::kInvalidPrivateKey:
            return "invalid private key";
        case CryptoError::kInvalidPublicKey:
            return "invalid public key";
        case CryptoError::kInvalidSignature:
            return "invalid signature";
        case CryptoError::kRecoveryFailed:
            return "public key recovery failed";
        case CryptoError::kDecryptionFailed:
            return "decryption failed";
        case CryptoError::kInternal:
            return "internal crypto library failure";
        case CryptoError::kInvalidInput:
            return "input outside the allowed bounds";
    }
    return "unknown crypto error";
}

}  // namespace trellis::crypto
