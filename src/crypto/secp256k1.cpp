#include "crypto/secp256k1.hpp"

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "crypto/keccak.hpp"

namespace trellis::crypto::secp256k1 {
namespace {

// n/2, the largest low s (SEC 2 §2.4.1 order n, halved and rounded down).
constexpr uint8_t kHalfOrder[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

// The process-wide context. Created and randomised once (side-channel
// blinding for signing); afterwards only read, which libsecp256k1 documents
// as safe from any number of threads.
struct Context {
    secp256k1_context* ctx;
    Context() : ctx(secp256k1_context_create(SECP256K1_CONTEXT_NONE)) {
        uint8_t seed[32];
        if (!ctx || RAND_bytes(seed, sizeof seed) != 1 || !secp256k1_context_randomize(ctx, seed)) {
            std::fprintf(stderr, "trellis crypto: cannot create the secp256k1 context\n");
            std::abort();
        }
        std::memset(seed, 0, sizeof seed);
    }
    ~Context() { secp256k1_context_destroy(ctx); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
};

const secp256k1_context* context() {
    static const Context c;
    return c.ctx;
}

PublicKey serialize(const secp256k1_pubkey& pk) {
    uint8_t out[65];
    size_t len = sizeof out;
    secp256k1_ec_pubkey_serialize(context(), out, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
    return PublicKey::from(ByteView(out + 1, 64));
}

bool parse(const PublicKey& pub, secp256k1_pubkey& out) {
    uint8_t in[65];
    in[0] = 0x04;
    std::memcpy(in + 1, pub.data(), 64);
    return secp256k1_ec_pubkey_parse(context(), &out, in, sizeof in) == 1;
}

void compact(const Bytes32& r, const Bytes32& s, uint8_t out[64]) {
    std::memcpy(out, r.data(), 32);
    std::memcpy(out + 32, s.data(), 32);
}

}  // namespace

Result<PublicKey, CryptoError> public_key(const PrivateKey& key) {
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(context(), &pk, key.data()))
        return Unexpected{CryptoError::kInvalidPrivateKey};
    return serialize(pk);
}

Result<PublicKey, CryptoError> decode_public_key(ByteView encoded) {
    secp256k1_pubkey pk;
    if (encoded.size() == 64) {
        uint8_t in[65];
        in[0] = 0x04;
        std::memcpy(in + 1, encoded.data(), 64);
        if (!secp256k1_ec_pubkey_parse(context(), &pk, in, sizeof in))
            return Unexpected{CryptoError::kInvalidPublicKey};
        return serialize(pk);
    }
    // libsecp256k1 also takes the hybrid 0x06/0x07 forms; SEC 1 §2.3.4 no
    // longer lists them and no Ethereum encoding uses them.
    const bool ok_form = (encoded.size() == 33 && (encoded[0] == 0x02 || encoded[0] == 0x03)) ||
                         (encoded.size() == 65 && encoded[0] == 0x04);
    if (!ok_form || !secp256k1_ec_pubkey_parse(context(), &pk, encoded.data(), encoded.size()))
        return Unexpected{CryptoError::kInvalidPublicKey};
    return serialize(pk);
}

Result<Signature, CryptoError> sign(const Hash32& digest, const PrivateKey& key) {
    if (!secp256k1_ec_seckey_verify(context(), key.data()))
        return Unexpected{CryptoError::kInvalidPrivateKey};
    secp256k1_ecdsa_recoverable_signature rs;
    // A null nonce function selects RFC 6979; libsecp256k1 always emits low s.
    if (!secp256k1_ecdsa_sign_recoverable(context(), &rs, digest.data(), key.data(), nullptr, nullptr))
        return Unexpected{CryptoError::kInternal};
    uint8_t out[64];
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), out, &recid, &rs);
    Signature sig;
    std::memcpy(sig.r.data(), out, 32);
    std::memcpy(sig.s.data(), out + 32, 32);
    sig.recovery_id = uint8_t(recid);
    return sig;
}

bool verify(const Hash32& digest, const Bytes32& r, const Bytes32& s, const PublicKey& pub, HighS high_s) {
    uint8_t in[64];
    compact(r, s, in);
    secp256k1_ecdsa_signature sig;
    // parse_compact rejects r or s >= n; r = 0 or s = 0 parse but never verify.
    if (!secp256k1_ecdsa_signature_parse_compact(context(), &sig, in)) return false;
    if (high_s == HighS::kAccept) secp256k1_ecdsa_signature_normalize(context(), &sig, &sig);
    secp256k1_pubkey pk;
    if (!parse(pub, pk)) return false;
    return secp256k1_ecdsa_verify(context(), &sig, digest.data(), &pk) == 1;
}

Result<PublicKey, CryptoError> recover(const Hash32& digest, const Signature& sig) {
    if (sig.recovery_id > 3 || sig.r.is_zero() || sig.s.is_zero())
        return Unexpected{CryptoError::kInvalidSignature};
    uint8_t in[64];
    compact(sig.r, sig.s, in);
    secp256k1_ecdsa_recoverable_signature rs;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &rs, in, sig.recovery_id))
        return Unexpected{CryptoError::kInvalidSignature};  // r or s >= n
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recover(context(), &pk, &rs, digest.data()))
        return Unexpected{CryptoError::kRecoveryFailed};
    return serialize(pk);
}

Address address_of(const PublicKey& pub) noexcept {
    const Hash32 h = keccak256(pub);
    return Address::from(h.view().subspan(12));
}

bool is_low_s(const Bytes32& s) noexcept {
    return std::memcmp(s.data(), kHalfOrder, 32) <= 0;
}

}  // namespace trellis::crypto::secp256k1
