#include "crypto/sm2.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/assert.hpp"
#include "crypto/der.hpp"
#include "crypto/openssl_detail.hpp"
#include "crypto/sm3.hpp"

namespace trellis::crypto::sm2 {
namespace {

using detail::BnPtr;
using detail::PkeyCtxPtr;
using detail::PkeyPtr;

struct PointFree {
    void operator()(EC_POINT* p) const noexcept { EC_POINT_free(p); }
};
struct BnCtxFree {
    void operator()(BN_CTX* p) const noexcept { BN_CTX_free(p); }
};
struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
using PointPtr = std::unique_ptr<EC_POINT, PointFree>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxFree>;

Bytes32 b32(const char* hex) {
    Bytes32 r;
    for (size_t i = 0; i < 32; ++i) {
        auto nib = [](char c) { return uint8_t(c <= '9' ? c - '0' : c - 'a' + 10); };
        r[i] = uint8_t(nib(hex[2 * i]) << 4 | nib(hex[2 * i + 1]));
    }
    return r;
}

// sm2p256v1 (GB/T 32918.5 §4): the curve constants that enter Z, and n.
const ZCurve kCurve{
    b32("fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc"),
    b32("28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93"),
    b32("32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7"),
    b32("bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0"),
};
const Bytes32 kOrder = b32("fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123");

// The curve as an OpenSSL group, built once; EC_GROUP is safe to share
// read-only between threads.
const EC_GROUP* group() {
    static const EC_GROUP* g = [] {
        EC_GROUP* grp = EC_GROUP_new_by_curve_name(NID_sm2);
        if (!grp) {
            std::fprintf(stderr, "trellis crypto: OpenSSL lacks the SM2 curve\n");
            std::abort();
        }
        return grp;
    }();
    return g;
}

bool in_range(const Bytes32& v, const Bytes32& upper_exclusive) {
    return !v.is_zero() && std::memcmp(v.data(), upper_exclusive.data(), 32) < 0;
}

// 1 <= d <= n - 2.
bool valid_private(const PrivateKey& d) {
    Bytes32 n_minus_1 = kOrder;
    n_minus_1[31] -= 1;  // n ends in 0x23: no borrow
    return in_range(d, n_minus_1);
}

Bytes uncompressed(const PublicKey& pub) {
    Bytes out(65);
    out[0] = 0x04;
    std::memcpy(out.data() + 1, pub.data(), 64);
    return out;
}

bool on_curve(const PublicKey& pub) {
    PointPtr p(EC_POINT_new(group()));
    const Bytes enc = uncompressed(pub);
    return p && EC_POINT_oct2point(group(), p.get(), enc.data(), enc.size(), nullptr) == 1 &&
           EC_POINT_is_on_curve(group(), p.get(), nullptr) == 1 && !EC_POINT_is_at_infinity(group(), p.get());
}

// An EVP_PKEY of type SM2 holding pub (and d when given).
PkeyPtr make_pkey(const PublicKey& pub, const PrivateKey* d) {
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld) return nullptr;
    const Bytes enc = uncompressed(pub);
    BnPtr priv;
    if (d) priv.reset(BN_bin2bn(d->data(), 32, nullptr));
    if (!OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, enc.data(), enc.size()) ||
        (d && (!priv || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()))))
        return nullptr;
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
    EVP_PKEY* out = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &out, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return nullptr;
    return PkeyPtr(out);
}

}  // namespace

const ZCurve& sm2p256v1_z_curve() noexcept {
    return kCurve;
}

Result<PublicKey, CryptoError> public_key(const PrivateKey& key) {
    if (!valid_private(key)) return Unexpected{CryptoError::kInvalidPrivateKey};
    BnPtr d(BN_bin2bn(key.data(), 32, nullptr));
    BnCtxPtr bctx(BN_CTX_secure_new());
    PointPtr p(EC_POINT_new(group()));
    uint8_t out[65];
    if (!d || !bctx || !p || EC_POINT_mul(group(), p.get(), d.get(), nullptr, nullptr, bctx.get()) != 1 ||
        EC_POINT_point2oct(group(), p.get(), POINT_CONVERSION_UNCOMPRESSED, out, sizeof out, bctx.get()) !=
            65)
        return Unexpected{CryptoError::kInternal};
    return PublicKey::from(ByteView(out + 1, 64));
}

PrivateKey generate_private_key() {
    PrivateKey d;
    do {
        const bool ok = RAND_priv_bytes(d.data(), 32) == 1;
        TRELLIS_ASSERT(ok);
    } while (!valid_private(d));
    return d;
}

Result<PublicKey, CryptoError> decode_public_key(ByteView encoded) {
    PublicKey pub;
    if (encoded.size() == 64)
        pub = PublicKey::from(encoded);
    else if (encoded.size() == 65 && encoded[0] == 0x04)
        pub = PublicKey::from(encoded.subspan(1));
    else
        return Unexpected{CryptoError::kInvalidPublicKey};
    if (!on_curve(pub)) return Unexpected{CryptoError::kInvalidPublicKey};
    return pub;
}

Hash32 z_value(const PublicKey& pub, ByteView user_id, const ZCurve& curve) {
    TRELLIS_ASSERT(user_id.size() <= kMaxUserId);
    // GB/T 32918.2 §5.5: ENTL is the ID length in bits as two big-endian bytes.
    const size_t entl = user_id.size() * 8;
    Bytes buf;
    buf.reserve(2 + user_id.size() + 6 * 32);
    buf.push_back(uint8_t(entl >> 8));
    buf.push_back(uint8_t(entl));
    append(buf, user_id);
    append(buf, curve.a);
    append(buf, curve.b);
    append(buf, curve.gx);
    append(buf, curve.gy);
    append(buf, pub);
    return sm3(buf);
}

Hash32 message_digest(const PublicKey& pub, ByteView message, ByteView user_id) {
    const Hash32 z = z_value(pub, user_id);
    Bytes buf;
    buf.reserve(32 + message.size());
    append(buf, z);
    append(buf, message);
    return sm3(buf);
}

namespace {

// Signs e with key, whose public key pub the caller has already derived.
Result<Signature, CryptoError> sign_e(const Hash32& e, const PrivateKey& key, const PublicKey& pub) {
    PkeyPtr pkey = make_pkey(pub, &key);
    if (!pkey) return Unexpected{CryptoError::kInternal};
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    uint8_t der[80];  // SEQUENCE of two INTEGERs of <= 33 bytes: at most 72
    size_t len = sizeof der;
    // With a plain sign (no digest set) OpenSSL's SM2 signer takes the input
    // as e itself (GB/T 32918.2 §6.1 step A3 onwards).
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_sign(ctx.get(), der, &len, e.data(), 32) != 1)
        return Unexpected{CryptoError::kInternal};
    auto rs = der::decode_signature(ByteView(der, len));
    if (!rs) return Unexpected{CryptoError::kInternal};
    return Signature{rs->first, rs->second};
}

}  // namespace

Result<Signature, CryptoError> sign_digest(const Hash32& e, const PrivateKey& key) {
    auto pub = public_key(key);
    if (!pub) return Unexpected{pub.error()};
    return sign_e(e, key, *pub);
}

Result<Signature, CryptoError> sign(ByteView message, const PrivateKey& key, ByteView user_id) {
    if (user_id.size() > kMaxUserId) return Unexpected{CryptoError::kInvalidInput};
    auto pub = public_key(key);
    if (!pub) return Unexpected{pub.error()};
    return sign_e(message_digest(*pub, message, user_id), key, *pub);
}

bool verify_digest(const Hash32& e, const Signature& sig, const PublicKey& pub) {
    // §7.1 B1-B2: r, s in [1, n-1]. OpenSSL checks this too; doing it first
    // turns junk away before any key is built.
    if (!in_range(sig.r, kOrder) || !in_range(sig.s, kOrder)) return false;
    if (!on_curve(pub)) return false;
    PkeyPtr pkey = make_pkey(pub, nullptr);
    if (!pkey) return false;
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    const Bytes der = der::encode_signature(sig.r, sig.s);
    return ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
           EVP_PKEY_verify(ctx.get(), der.data(), der.size(), e.data(), 32) == 1;
}

bool verify(ByteView message, const Signature& sig, const PublicKey& pub, ByteView user_id) {
    if (user_id.size() > kMaxUserId) return false;
    return verify_digest(message_digest(pub, message, user_id), sig, pub);
}

Result<Bytes, CryptoError> ciphertext_to_der(ByteView c) {
    if (c.size() <= kCiphertextOverhead || c[0] != 0x04 || c.size() > der::kMaxInput / 2)
        return Unexpected{CryptoError::kDecryptionFailed};
    der::Sm2CiphertextParts p;
    p.x = Bytes32::from(c.subspan(1, 32));
    p.y = Bytes32::from(c.subspan(33, 32));
    p.c3 = Hash32::from(c.subspan(65, 32));
    p.c2 = to_bytes(c.subspan(kCiphertextOverhead));
    return der::encode_sm2_ciphertext(p);
}

Result<Bytes, CryptoError> ciphertext_from_der(ByteView in) {
    auto p = der::decode_sm2_ciphertext(in);
    if (!p) return Unexpected{p.error()};
    if (p->c2.empty()) return Unexpected{CryptoError::kDecryptionFailed};
    Bytes out{0x04};
    append(out, p->x);
    append(out, p->y);
    append(out, p->c3);
    append(out, p->c2);
    return out;
}

Result<Bytes, CryptoError> encrypt(const PublicKey& pub, ByteView plaintext) {
    if (plaintext.empty() || plaintext.size() > kMaxPlaintext) return Unexpected{CryptoError::kInvalidInput};
    if (!on_curve(pub)) return Unexpected{CryptoError::kInvalidPublicKey};
    PkeyPtr pkey = make_pkey(pub, nullptr);
    if (!pkey) return Unexpected{CryptoError::kInternal};
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    size_t len = 0;
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1)
        return Unexpected{CryptoError::kInternal};
    Bytes der(len);
    if (EVP_PKEY_encrypt(ctx.get(), der.data(), &len, plaintext.data(), plaintext.size()) != 1)
        return Unexpected{CryptoError::kInternal};
    der.resize(len);
    auto raw = ciphertext_from_der(der);
    if (!raw) return Unexpected{CryptoError::kInternal};
    return raw;
}

Result<Bytes, CryptoError> decrypt(const PrivateKey& key, ByteView ciphertext) {
    if (ciphertext.size() > kCiphertextOverhead + kMaxPlaintext)
        return Unexpected{CryptoError::kDecryptionFailed};
    auto pub = public_key(key);
    if (!pub) return Unexpected{pub.error()};
    auto der = ciphertext_to_der(ciphertext);
    if (!der) return Unexpected{der.error()};
    // GB/T 32918.4 §7.1 B1: C1 must be a point on the curve.
    if (!on_curve(PublicKey::from(ciphertext.subspan(1, 64))))
        return Unexpected{CryptoError::kDecryptionFailed};
    PkeyPtr pkey = make_pkey(*pub, &key);
    if (!pkey) return Unexpected{CryptoError::kInternal};
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    size_t len = 0;
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_decrypt(ctx.get(), nullptr, &len, der->data(), der->size()) != 1)
        return Unexpected{CryptoError::kDecryptionFailed};
    Bytes out(len);
    if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, der->data(), der->size()) != 1) {
        OPENSSL_cleanse(out.data(), out.size());
        return Unexpected{CryptoError::kDecryptionFailed};
    }
    out.resize(len);
    return out;
}

Address address_of(const PublicKey& pub) noexcept {
    const Hash32 h = sm3(pub);
    return Address::from(h.view().subspan(12));
}

}  // namespace trellis::crypto::sm2
