#include "crypto/suite.hpp"

#include <openssl/rand.h>

#include "base/assert.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/sm2.hpp"
#include "crypto/sm3.hpp"

namespace trellis::crypto {

const CryptoSuite& ethereum_suite() noexcept {
    static constexpr CryptoSuite s(SuiteKind::kEthereum);
    return s;
}

const CryptoSuite& sm_suite() noexcept {
    static constexpr CryptoSuite s(SuiteKind::kSm);
    return s;
}

const CryptoSuite& suite_of(SuiteKind kind) noexcept {
    return kind == SuiteKind::kEthereum ? ethereum_suite() : sm_suite();
}

const CryptoSuite* suite_by_name(std::string_view name) noexcept {
    if (name == ethereum_suite().name()) return &ethereum_suite();
    if (name == sm_suite().name()) return &sm_suite();
    return nullptr;
}

Hash32 CryptoSuite::hash(ByteView data) const noexcept {
    return kind_ == SuiteKind::kEthereum ? keccak256(data) : sm3(data);
}

SuitePrivateKey CryptoSuite::generate_private_key() const {
    if (kind_ == SuiteKind::kSm) return sm2::generate_private_key();
    SuitePrivateKey k;
    do {
        const bool ok = RAND_priv_bytes(k.data(), int(k.size())) == 1;
        TRELLIS_ASSERT(ok);
    } while (!secp256k1::public_key(k));  // rejects 0 and >= n (probability ~2^-128)
    return k;
}

Result<SuitePublicKey, CryptoError> CryptoSuite::public_key(const SuitePrivateKey& key) const {
    return kind_ == SuiteKind::kEthereum ? secp256k1::public_key(key) : sm2::public_key(key);
}

Result<SuiteSignature, CryptoError> CryptoSuite::sign(const Hash32& digest,
                                                      const SuitePrivateKey& key) const {
    if (kind_ == SuiteKind::kEthereum) {
        auto sig = secp256k1::sign(digest, key);
        if (!sig) return Unexpected{sig.error()};
        return SuiteSignature{sig->r, sig->s, sig->recovery_id, std::nullopt};
    }
    auto pub = sm2::public_key(key);
    if (!pub) return Unexpected{pub.error()};
    auto sig = sm2::sign(digest, key);
    if (!sig) return Unexpected{sig.error()};
    return SuiteSignature{sig->r, sig->s, 0, *pub};
}

bool CryptoSuite::verify(const Hash32& digest, const SuiteSignature& sig, const SuitePublicKey& pub) const {
    if (kind_ == SuiteKind::kEthereum) {
        if (sig.public_key || sig.recovery_id > 3) return false;
        return secp256k1::verify(digest, sig.r, sig.s, pub, secp256k1::HighS::kReject);
    }
    if (!sig.public_key || *sig.public_key != pub || sig.recovery_id != 0) return false;
    return sm2::verify(digest, {sig.r, sig.s}, pub);
}

Result<SuitePublicKey, CryptoError> CryptoSuite::recover_signer(const Hash32& digest,
                                                                const SuiteSignature& sig) const {
    if (kind_ == SuiteKind::kEthereum) {
        // EIP-2: one valid signature per (digest, key), so signatures can't be
        // re-encoded by a third party.
        if (sig.public_key || !secp256k1::is_low_s(sig.s)) return Unexpected{CryptoError::kInvalidSignature};
        return secp256k1::recover(digest, {sig.r, sig.s, sig.recovery_id});
    }
    if (!sig.public_key || sig.recovery_id != 0) return Unexpected{CryptoError::kInvalidSignature};
    if (!sm2::verify(digest, {sig.r, sig.s}, *sig.public_key))
        return Unexpected{CryptoError::kInvalidSignature};
    return *sig.public_key;
}

Address CryptoSuite::address_of(const SuitePublicKey& pub) const noexcept {
    return kind_ == SuiteKind::kEthereum ? secp256k1::address_of(pub) : sm2::address_of(pub);
}

}  // namespace trellis::crypto
