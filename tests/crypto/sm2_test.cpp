#include "crypto/sm2.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>

#include "base/hex.hpp"
#include "crypto/sm3.hpp"
#include "support/fixtures.hpp"

using namespace trellis;
using namespace trellis::crypto;
using trellis::test::hex_bytes;
using trellis::test::Tally;

namespace {

Bytes32 b32(const std::string& hex) {
    return Bytes32::from(hex_bytes(hex));
}

// ---------------------------------------------------------------------------
// An independent textbook SM2 (GB/T 32918.2 §6.1 / §7.1) over any prime curve,
// written with OpenSSL's BIGNUM and EC_POINT arithmetic. It can sign with a
// chosen k, which OpenSSL's SM2 cannot, so the standard's worked examples can
// be reproduced bit for bit -- and with them the module's Z and e.

struct BnDel {
    void operator()(BIGNUM* p) const { BN_free(p); }
};
struct PtDel {
    void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct GrpDel {
    void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
};
struct CtxDel {
    void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
using Bn = std::unique_ptr<BIGNUM, BnDel>;
using Pt = std::unique_ptr<EC_POINT, PtDel>;

Bn bn(const std::string& hex) {
    BIGNUM* b = nullptr;
    BN_hex2bn(&b, hex.c_str());
    return Bn(b);
}
Bn bn(ByteView be) {
    return Bn(BN_bin2bn(be.data(), int(be.size()), nullptr));
}
Bytes32 to32(const BIGNUM* b) {
    Bytes32 r;
    BN_bn2binpad(b, r.data(), 32);
    return r;
}

struct RefCurve {
    std::unique_ptr<EC_GROUP, GrpDel> group;
    Bn n;
    std::unique_ptr<BN_CTX, CtxDel> ctx{BN_CTX_new()};
    sm2::ZCurve z;

    explicit RefCurve(const nlohmann::json& c) {
        auto p = bn(c.at("p").get<std::string>()), a = bn(c.at("a").get<std::string>()),
             b = bn(c.at("b").get<std::string>());
        n = bn(c.at("n").get<std::string>());
        group.reset(EC_GROUP_new_curve_GFp(p.get(), a.get(), b.get(), ctx.get()));
        Pt g(EC_POINT_new(group.get()));
        auto gx = bn(c.at("gx").get<std::string>()), gy = bn(c.at("gy").get<std::string>());
        EC_POINT_set_affine_coordinates(group.get(), g.get(), gx.get(), gy.get(), ctx.get());
        auto h = bn(c.at("h").get<std::string>());
        EC_GROUP_set_generator(group.get(), g.get(), n.get(), h.get());
        z = {to32(a.get()), to32(b.get()), to32(gx.get()), to32(gy.get())};
    }

    // k*G + m*P (either may be null), as affine (x, y).
    std::pair<Bytes32, Bytes32> mul(const BIGNUM* k, const EC_POINT* p, const BIGNUM* m) {
        Pt r(EC_POINT_new(group.get()));
        EC_POINT_mul(group.get(), r.get(), k, p, m, ctx.get());
        Bn x(BN_new()), y(BN_new());
        EC_POINT_get_affine_coordinates(group.get(), r.get(), x.get(), y.get(), ctx.get());
        return {to32(x.get()), to32(y.get())};
    }
    Pt point(const sm2::PublicKey& pub) {
        Pt p(EC_POINT_new(group.get()));
        auto x = bn(pub.view().first(32)), y = bn(pub.view().subspan(32));
        EC_POINT_set_affine_coordinates(group.get(), p.get(), x.get(), y.get(), ctx.get());
        return p;
    }
    sm2::PublicKey public_key(const BIGNUM* d) {
        auto [x, y] = mul(d, nullptr, nullptr);
        Bytes xy = to_bytes(x);
        append(xy, y);
        return sm2::PublicKey::from(xy);
    }
    Hash32 e_of(const sm2::PublicKey& pub, ByteView id, ByteView msg) {
        Bytes buf = to_bytes(sm2::z_value(pub, id, z));
        append(buf, msg);
        return sm3(buf);
    }
    // §6.1 A4-A6: (x1, y1) = kG; r = (e + x1) mod n; s = (1 + d)^-1 (k - r d) mod n.
    sm2::Signature sign_with_k(const Hash32& e, const BIGNUM* d, const BIGNUM* k) {
        auto x1 = bn(mul(k, nullptr, nullptr).first);
        Bn r(BN_new()), s(BN_new()), t(BN_new()), u(BN_new());
        auto ee = bn(e);
        BN_mod_add(r.get(), ee.get(), x1.get(), n.get(), ctx.get());
        BN_mod_mul(t.get(), r.get(), d, n.get(), ctx.get());
        BN_mod_sub(t.get(), k, t.get(), n.get(), ctx.get());
        BN_copy(u.get(), d);
        BN_add_word(u.get(), 1);
        BN_mod_inverse(u.get(), u.get(), n.get(), ctx.get());
        BN_mod_mul(s.get(), u.get(), t.get(), n.get(), ctx.get());
        return {to32(r.get()), to32(s.get())};
    }
    // §7.1 B5-B7: t = r + s; (x1, y1) = sG + tP; accept iff (e + x1) mod n == r.
    bool verify(const Hash32& e, const sm2::Signature& sig, const sm2::PublicKey& pub) {
        auto r = bn(sig.r), s = bn(sig.s), ee = bn(e);
        Bn t(BN_new()), rr(BN_new());
        BN_mod_add(t.get(), r.get(), s.get(), n.get(), ctx.get());
        if (BN_is_zero(t.get())) return false;
        Pt p = point(pub);
        auto x1 = bn(mul(s.get(), p.get(), t.get()).first);
        BN_mod_add(rr.get(), ee.get(), x1.get(), n.get(), ctx.get());
        return BN_cmp(rr.get(), r.get()) == 0;
    }
};

nlohmann::json sm2_vectors() {
    auto root = trellis::test::fixtures_root();
    return trellis::test::load_json(*root / "crypto/sm/gbt_sm2_sm3_sm4_vectors.json").at("sm2");
}

}  // namespace

// Both worked examples (the recommended curve and the standard's example
// Fp-256 curve): the reference signer, fed the module's Z, reproduces r and s
// exactly with the published k; and on sm2p256v1 the module's own verify()
// accepts the published signature.
TEST(Sm2Conformance, gbt32918_signature_examples) {
    TRELLIS_FIXTURE_PATH(p, "crypto/sm/gbt_sm2_sm3_sm4_vectors.json");
    const auto v = sm2_vectors();
    Tally t("sm2 GB/T 32918 signature examples");
    for (const auto& c : v.at("sign")) {
        const std::string name = c.at("name");
        const std::string curve_name = c.at("curve");
        RefCurve curve(v.at("curves").at(curve_name));
        const auto d = bn(c.at("private_key").get<std::string>());
        const auto k = bn(c.at("k").get<std::string>());
        const std::string id = c.at("id_ascii"), msg = c.at("msg_ascii");
        const sm2::Signature want{b32(c.at("r")), b32(c.at("s"))};
        const auto pub = curve.public_key(d.get());
        const Hash32 e = curve.e_of(pub, as_view(id), as_view(msg));
        if (curve.sign_with_k(e, d.get(), k.get()) != want) {
            t.fail(name, "reference signature with the published k differs: Z or e is wrong");
            continue;
        }
        if (!curve.verify(e, want, pub)) {
            t.fail(name, "reference verify rejects the published signature");
            continue;
        }
        if (curve_name == "sm2p256v1") {
            auto module_pub = sm2::public_key(to32(d.get()));
            if (!module_pub || *module_pub != pub) {
                t.fail(name, "public key derivation differs");
                continue;
            }
            if (sm2::message_digest(pub, as_view(msg), as_view(id)) != e ||
                !sm2::verify(as_view(msg), want, pub, as_view(id))) {
                t.fail(name, "module verify rejects the published signature");
                continue;
            }
            if (sm2::verify(as_view(msg), want, pub, as_view("1234567812345679"))) {
                t.fail(name, "accepted under a different user ID");
                continue;
            }
        }
        t.pass();
    }
    EXPECT_EQ(t.passed(), 2);
}

// Annex C: decrypting the published C1 || C3 || C2 gives the message back,
// and C1 = kG, C3 = SM3(x2 || M || y2) with (x2, y2) = k·P_B -- which pins the
// C1 || C3 || C2 order of GB/T 32918.4-2016.
TEST(Sm2Conformance, gbt32918_encryption_example) {
    TRELLIS_FIXTURE_PATH(p, "crypto/sm/gbt_sm2_sm3_sm4_vectors.json");
    const auto v = sm2_vectors();
    Tally t("sm2 GB/T 32918 encryption examples");
    for (const auto& c : v.at("encrypt")) {
        const std::string name = c.at("name");
        RefCurve curve(v.at("curves").at(c.at("curve").get<std::string>()));
        const Bytes32 d = b32(c.at("private_key"));
        const auto k = bn(c.at("k").get<std::string>());
        const std::string msg = c.at("msg_ascii");
        Bytes ct{0x04};
        for (const char* f : {"c1_x", "c1_y", "c3", "c2"}) append(ct, hex_bytes(c.at(f)));
        const auto [c1x, c1y] = curve.mul(k.get(), nullptr, nullptr);
        const auto pub = *sm2::public_key(d);
        const auto pb = curve.point(pub);
        const auto [x2, y2] = curve.mul(nullptr, pb.get(), k.get());
        Bytes c3_in = to_bytes(x2);
        append(c3_in, as_view(msg));
        append(c3_in, y2);
        auto plain = sm2::decrypt(d, ct);
        if (to_hex(c1x) != to_hex(hex_bytes(c.at("c1_x"))) || to_hex(c1y) != to_hex(hex_bytes(c.at("c1_y"))))
            t.fail(name, "C1 != kG");
        else if (to_hex(sm3(c3_in)) != to_hex(hex_bytes(c.at("c3"))))
            t.fail(name, "C3 != SM3(x2 || M || y2)");
        else if (!plain || *plain != to_bytes(as_view(msg)))
            t.fail(name, "decryption failed");
        else
            t.pass();
    }
    EXPECT_EQ(t.passed(), 1);
}

TEST(Sm2, sign_verify_round_trip_with_default_and_custom_id) {
    for (int i = 0; i < 5; ++i) {
        const auto d = sm2::generate_private_key();
        const auto pub = *sm2::public_key(d);
        for (std::string_view id :
             {sm2::kDefaultUserId, std::string_view("ALICE123@YAHOO.COM"), std::string_view("")}) {
            auto sig = sm2::sign(as_view("transfer 100"), d, as_view(id));
            ASSERT_TRUE(sig);
            EXPECT_TRUE(sm2::verify(as_view("transfer 100"), *sig, pub, as_view(id)));
            EXPECT_FALSE(sm2::verify(as_view("transfer 101"), *sig, pub, as_view(id)));
            EXPECT_FALSE(sm2::verify(as_view("transfer 100"), *sig, pub, as_view("someone else")));
            auto bad = *sig;
            bad.s[31] ^= 1;
            EXPECT_FALSE(sm2::verify(as_view("transfer 100"), bad, pub, as_view(id)));
        }
    }
}

// OpenSSL's own SM2 digest-sign (which computes Z internally from the ID set
// on the context) and this module must accept each other's signatures.
TEST(Sm2, interoperates_with_openssl_digest_sign) {
    const auto d = sm2::generate_private_key();
    const auto pub = *sm2::public_key(d);
    const std::string id = "ALICE123@YAHOO.COM";
    const auto msg = as_view("interop message");
    // Build an OpenSSL key from the DER-free route: PEM is overkill, use the
    // module's signature to find the key via verify below instead.
    EVP_PKEY* pkey = nullptr;
    {
        EVP_PKEY_CTX* kctx = EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr);
        ASSERT_NE(kctx, nullptr);
        Bytes enc{0x04};
        append(enc, pub);
        BIGNUM* priv = BN_bin2bn(d.data(), 32, nullptr);
        unsigned char privbuf[32];
        BN_bn2nativepad(priv, privbuf, 32);
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string("group", const_cast<char*>("SM2"), 0),
            OSSL_PARAM_construct_octet_string("pub", enc.data(), enc.size()),
            OSSL_PARAM_construct_BN("priv", privbuf, 32),
            OSSL_PARAM_construct_end(),
        };
        ASSERT_EQ(EVP_PKEY_fromdata_init(kctx), 1);
        ASSERT_EQ(EVP_PKEY_fromdata(kctx, &pkey, EVP_PKEY_KEYPAIR, params), 1);
        EVP_PKEY_CTX_free(kctx);
        BN_free(priv);
    }
    const EVP_MD* md = EVP_sm3();
    // OpenSSL signs, the module verifies.
    {
        EVP_MD_CTX* mctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new(pkey, nullptr);
        ASSERT_EQ(EVP_PKEY_CTX_set1_id(pctx, id.data(), int(id.size())), 1);
        EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
        ASSERT_EQ(EVP_DigestSignInit(mctx, nullptr, md, nullptr, pkey), 1);
        unsigned char der[80];
        size_t len = sizeof der;
        ASSERT_EQ(EVP_DigestSign(mctx, der, &len, msg.data(), msg.size()), 1);
        const unsigned char* p = der;
        ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, long(len));
        ASSERT_NE(es, nullptr);
        const sm2::Signature sig{to32(ECDSA_SIG_get0_r(es)), to32(ECDSA_SIG_get0_s(es))};
        ECDSA_SIG_free(es);
        EXPECT_TRUE(sm2::verify(msg, sig, pub, as_view(id)));
        EXPECT_FALSE(sm2::verify(msg, sig, pub));  // default ID: different Z
        EVP_MD_CTX_free(mctx);
        EVP_PKEY_CTX_free(pctx);
    }
    // The module signs, OpenSSL verifies.
    {
        auto sig = sm2::sign(msg, d, as_view(id));
        ASSERT_TRUE(sig);
        ECDSA_SIG* es = ECDSA_SIG_new();
        ECDSA_SIG_set0(es, bn(sig->r).release(), bn(sig->s).release());
        unsigned char* der = nullptr;
        const int len = i2d_ECDSA_SIG(es, &der);
        EVP_MD_CTX* mctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new(pkey, nullptr);
        ASSERT_EQ(EVP_PKEY_CTX_set1_id(pctx, id.data(), int(id.size())), 1);
        EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
        ASSERT_EQ(EVP_DigestVerifyInit(mctx, nullptr, md, nullptr, pkey), 1);
        EXPECT_EQ(EVP_DigestVerify(mctx, der, size_t(len), msg.data(), msg.size()), 1);
        EVP_MD_CTX_free(mctx);
        EVP_PKEY_CTX_free(pctx);
        OPENSSL_free(der);
        ECDSA_SIG_free(es);
    }
    EVP_PKEY_free(pkey);
}

TEST(Sm2, encrypt_decrypt_round_trip_and_der_form) {
    const auto d = sm2::generate_private_key();
    const auto pub = *sm2::public_key(d);
    const auto msg = as_view("a 32-byte SM4 key goes here.....");
    auto ct = sm2::encrypt(pub, msg);
    ASSERT_TRUE(ct);
    ASSERT_EQ(ct->size(), sm2::kCiphertextOverhead + msg.size());
    EXPECT_EQ((*ct)[0], 0x04);
    EXPECT_EQ(*sm2::decrypt(d, *ct), to_bytes(msg));
    // C1 || C3 || C2 <-> GM/T 0009 DER is lossless.
    auto der = sm2::ciphertext_to_der(*ct);
    ASSERT_TRUE(der);
    EXPECT_EQ((*der)[0], 0x30);
    EXPECT_EQ(*sm2::ciphertext_from_der(*der), *ct);
    // Tampering with C3 or C2, or the wrong key, fails cleanly.
    for (size_t pos : {size_t(70), ct->size() - 1}) {
        Bytes bad = *ct;
        bad[pos] ^= 1;
        EXPECT_EQ(sm2::decrypt(d, bad).error(), CryptoError::kDecryptionFailed) << pos;
    }
    Bytes off_curve = *ct;
    off_curve[64] ^= 1;  // C1's y no longer matches x
    EXPECT_EQ(sm2::decrypt(d, off_curve).error(), CryptoError::kDecryptionFailed);
    EXPECT_EQ(sm2::decrypt(sm2::generate_private_key(), *ct).error(), CryptoError::kDecryptionFailed);
    EXPECT_EQ(sm2::decrypt(d, ByteView(*ct).first(97)).error(), CryptoError::kDecryptionFailed);
    EXPECT_EQ(sm2::encrypt(pub, {}).error(), CryptoError::kInvalidInput);
    EXPECT_EQ(sm2::encrypt(pub, Bytes(sm2::kMaxPlaintext + 1)).error(), CryptoError::kInvalidInput);
}

TEST(Sm2, key_validation_bounds) {
    const Bytes32 n = b32("fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123");
    Bytes32 n1 = n, n2 = n;
    n1[31] -= 1;
    n2[31] -= 2;
    EXPECT_EQ(sm2::public_key(Bytes32{}).error(), CryptoError::kInvalidPrivateKey);
    EXPECT_EQ(sm2::public_key(n).error(), CryptoError::kInvalidPrivateKey);
    EXPECT_EQ(sm2::public_key(n1).error(), CryptoError::kInvalidPrivateKey);
    EXPECT_TRUE(sm2::public_key(n2));
    const auto pub = *sm2::public_key(n2);
    auto bad = pub;
    bad[63] ^= 1;
    EXPECT_EQ(sm2::decode_public_key(bad).error(), CryptoError::kInvalidPublicKey);
    Bytes enc{0x04};
    append(enc, pub);
    EXPECT_EQ(*sm2::decode_public_key(enc), pub);
    EXPECT_FALSE(sm2::verify(as_view("m"), {n, n}, pub));
    EXPECT_FALSE(sm2::verify(as_view("m"), {Bytes32{}, n2}, pub));
    EXPECT_EQ(sm2::sign(as_view("m"), n2, Bytes(sm2::kMaxUserId + 1)).error(), CryptoError::kInvalidInput);
}

TEST(Sm2, address_is_last_20_bytes_of_sm3_of_xy) {
    const auto pub =
        *sm2::public_key(b32("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"));
    EXPECT_EQ(sm2::address_of(pub), Address::from(sm3(pub).view().subspan(12)));
}
