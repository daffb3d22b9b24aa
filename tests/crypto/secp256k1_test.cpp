#include "crypto/secp256k1.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "crypto/der.hpp"
#include "crypto/hash.hpp"
#include "crypto/keccak.hpp"
#include "support/fixtures.hpp"

using namespace trellis;
using namespace trellis::crypto;
using trellis::test::hex_bytes;
using trellis::test::Tally;
namespace k1 = trellis::crypto::secp256k1;

namespace {

constexpr const char* kOrderHex = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

Bytes32 b32(const std::string& hex) {
    return Bytes32::from(hex_bytes(hex));
}

// a - b for big-endian 256-bit values, a >= b.
Bytes32 sub(const Bytes32& a, const Bytes32& b) {
    Bytes32 r;
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        int d = int(a[size_t(i)]) - int(b[size_t(i)]) - borrow;
        borrow = d < 0;
        r[size_t(i)] = uint8_t(d + (borrow ? 256 : 0));
    }
    return r;
}

k1::PrivateKey key_of(uint8_t fill) {
    k1::PrivateKey k;
    k.bytes.fill(fill);
    return k;
}

}  // namespace

TEST(Secp256k1, ethereum_key_0x46_derives_known_address) {
    auto pub = k1::public_key(key_of(0x46));
    ASSERT_TRUE(pub);
    EXPECT_EQ(to_hex(k1::address_of(*pub)), "9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
}

// EIP-155's worked example: the signing hash of its legacy transaction with
// private key 0x4646..46 gives v = 37 (recovery id 0), r and s below.
TEST(Secp256k1, sign_is_rfc6979_and_matches_eip155_example) {
    const Hash32 h = b32("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    auto sig = k1::sign(h, key_of(0x46));
    ASSERT_TRUE(sig);
    EXPECT_EQ(to_hex(sig->r), "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276");
    EXPECT_EQ(to_hex(sig->s), "67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
    EXPECT_EQ(sig->recovery_id, 0);
    EXPECT_EQ(*k1::sign(h, key_of(0x46)), *sig);  // deterministic
}

TEST(Secp256k1, sign_recover_round_trip_and_low_s) {
    for (uint8_t fill = 1; fill < 40; ++fill) {
        const auto key = key_of(fill);
        const Hash32 h = keccak256(key);
        auto sig = k1::sign(h, key);
        ASSERT_TRUE(sig);
        EXPECT_TRUE(k1::is_low_s(sig->s));
        auto pub = k1::public_key(key);
        auto rec = k1::recover(h, *sig);
        ASSERT_TRUE(rec);
        EXPECT_EQ(*rec, *pub);
        EXPECT_TRUE(k1::verify(h, sig->r, sig->s, *pub));
    }
}

TEST(Secp256k1, tampered_digest_or_signature_is_rejected) {
    const auto key = key_of(7);
    const auto pub = *k1::public_key(key);
    const Hash32 h = keccak256(as_view("payload"));
    const auto sig = *k1::sign(h, key);
    Hash32 h2 = h;
    h2[0] ^= 1;
    EXPECT_FALSE(k1::verify(h2, sig.r, sig.s, pub));
    auto rec = k1::recover(h2, sig);
    EXPECT_TRUE(!rec || *rec != pub);
    auto bad = sig;
    bad.s[31] ^= 1;
    EXPECT_FALSE(k1::verify(h, bad.r, bad.s, pub));
    auto rec2 = k1::recover(h, bad);
    EXPECT_TRUE(!rec2 || *rec2 != pub);
    auto other = sig;
    other.recovery_id ^= 1;
    auto rec3 = k1::recover(h, other);
    EXPECT_TRUE(!rec3 || *rec3 != pub);
}

TEST(Secp256k1, eip2_verify_rejects_high_s_by_default_recover_accepts_it) {
    const auto key = key_of(9);
    const auto pub = *k1::public_key(key);
    const Hash32 h = keccak256(as_view("malleable"));
    const auto sig = *k1::sign(h, key);
    const Bytes32 high = sub(b32(kOrderHex), sig.s);
    EXPECT_FALSE(k1::is_low_s(high));
    EXPECT_FALSE(k1::verify(h, sig.r, high, pub));
    EXPECT_TRUE(k1::verify(h, sig.r, high, pub, k1::HighS::kAccept));
    // (r, n - s) is the same signature with R negated: flip the parity bit.
    auto rec = k1::recover(h, {sig.r, high, uint8_t(sig.recovery_id ^ 1)});
    ASSERT_TRUE(rec);
    EXPECT_EQ(*rec, pub);
}

TEST(Secp256k1, is_low_s_boundary_is_half_the_order) {
    const Bytes32 half = b32("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
    Bytes32 above = half;
    above[31] += 1;
    EXPECT_TRUE(k1::is_low_s(half));
    EXPECT_FALSE(k1::is_low_s(above));
}

TEST(Secp256k1, out_of_range_inputs_are_errors_not_crashes) {
    const Bytes32 n = b32(kOrderHex);
    EXPECT_EQ(k1::public_key(Bytes32{}).error(), CryptoError::kInvalidPrivateKey);
    EXPECT_EQ(k1::public_key(n).error(), CryptoError::kInvalidPrivateKey);
    EXPECT_EQ(k1::sign(Hash32{}, n).error(), CryptoError::kInvalidPrivateKey);
    const Hash32 h = keccak256(as_view("x"));
    const auto sig = *k1::sign(h, key_of(3));
    EXPECT_EQ(k1::recover(h, {Bytes32{}, sig.s, 0}).error(), CryptoError::kInvalidSignature);
    EXPECT_EQ(k1::recover(h, {sig.r, Bytes32{}, 0}).error(), CryptoError::kInvalidSignature);
    EXPECT_EQ(k1::recover(h, {n, sig.s, 0}).error(), CryptoError::kInvalidSignature);
    EXPECT_EQ(k1::recover(h, {sig.r, n, 0}).error(), CryptoError::kInvalidSignature);
    EXPECT_EQ(k1::recover(h, {sig.r, sig.s, 4}).error(), CryptoError::kInvalidSignature);
    const auto pub = *k1::public_key(key_of(3));
    EXPECT_FALSE(k1::verify(h, n, sig.s, pub, k1::HighS::kAccept));
    EXPECT_FALSE(k1::verify(h, Bytes32{}, sig.s, pub, k1::HighS::kAccept));
    k1::PublicKey off_curve = pub;
    off_curve[63] ^= 1;
    EXPECT_FALSE(k1::verify(h, sig.r, sig.s, off_curve));
    EXPECT_EQ(k1::decode_public_key(off_curve).error(), CryptoError::kInvalidPublicKey);
}

TEST(Secp256k1, decode_public_key_accepts_sec1_forms) {
    const auto pub = *k1::public_key(key_of(0x46));
    Bytes compressed{uint8_t((pub[63] & 1) ? 0x03 : 0x02)};
    append(compressed, pub.view().first(32));
    Bytes uncompressed{0x04};
    append(uncompressed, pub);
    EXPECT_EQ(*k1::decode_public_key(compressed), pub);
    EXPECT_EQ(*k1::decode_public_key(uncompressed), pub);
    EXPECT_EQ(*k1::decode_public_key(pub), pub);
    uncompressed[0] = 0x06;  // hybrid form: not accepted
    EXPECT_FALSE(k1::decode_public_key(uncompressed));
    EXPECT_FALSE(k1::decode_public_key(ByteView(compressed).first(32)));
}

TEST(Der, signature_round_trip_is_minimal) {
    Bytes32 r, s;
    r[31] = 1;
    s[0] = 0x80;
    const Bytes der = der::encode_signature(r, s);
    EXPECT_EQ(to_hex(der),
              "3026020101022100"
              "80" +
                  std::string(62, '0'));
    auto back = der::decode_signature(der);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->first, r);
    EXPECT_EQ(back->second, s);
    Bytes trailing = der;
    trailing.push_back(0);
    EXPECT_FALSE(der::decode_signature(trailing));
    // Long-form length where the short form fits (BER, not DER).
    EXPECT_FALSE(der::decode_signature(hex_bytes("308106020101020101")));
    EXPECT_FALSE(der::decode_signature(hex_bytes("3006020200010201ff")));  // padded / negative
}

namespace {

// Runs one Wycheproof ECDSA secp256k1/SHA-256 verification file. Every case
// must agree with its "result". Policy for "acceptable" cases (legal-but-
// dubious encodings such as BER or missing zero padding; the current files
// have none): Trellis is strict and must reject them, since a second
// encoding of one signature is a malleability source (docs/crypto.md).
enum class SigFormat { kDer, kP1363 };

void run_wycheproof(const std::string& rel, SigFormat format, k1::HighS high_s) {
    TRELLIS_FIXTURE_PATH(p, rel);
    const auto j = trellis::test::load_json(p);
    Tally t("wycheproof " + p.filename().string());
    for (const auto& g : j.at("testGroups")) {
        ASSERT_EQ(g.at("publicKey").at("curve"), "secp256k1");
        ASSERT_EQ(g.at("sha"), "SHA-256");
        auto pub = k1::decode_public_key(hex_bytes(g.at("publicKey").at("uncompressed").get<std::string>()));
        for (const auto& c : g.at("tests")) {
            const std::string name = "tcId " + std::to_string(c.at("tcId").get<int>()) + " (" +
                                     c.at("comment").get<std::string>() + ")";
            const std::string result = c.at("result");
            const Bytes sig = hex_bytes(c.at("sig").get<std::string>());
            bool accepted = false;
            Bytes32 r, s;
            bool parsed = false;
            if (format == SigFormat::kDer) {
                if (auto rs = der::decode_signature(sig)) {
                    r = rs->first;
                    s = rs->second;
                    parsed = true;
                }
            } else if (sig.size() == 64) {  // IEEE P1363: exactly 2 * 32 bytes
                r = Bytes32::from(ByteView(sig).first(32));
                s = Bytes32::from(ByteView(sig).subspan(32));
                parsed = true;
            }
            if (parsed && pub) {
                const Hash32 digest = sha256(hex_bytes(c.at("msg").get<std::string>()));
                accepted = k1::verify(digest, r, s, *pub, high_s);
            }
            const bool want_accept = result == "valid";  // "acceptable" must be rejected
            if (accepted == want_accept)
                t.pass();
            else
                t.fail(name, "expected " + result + (accepted ? " but accepted" : " but rejected"));
        }
    }
    EXPECT_EQ(t.failed(), 0);
    EXPECT_GT(t.passed(), 200);
}

}  // namespace

TEST(Secp256k1Conformance, wycheproof_der_plain_ecdsa) {
    run_wycheproof("crypto/secp256k1/ecdsa_secp256k1_sha256_test.json", SigFormat::kDer, k1::HighS::kAccept);
}

TEST(Secp256k1Conformance, wycheproof_p1363_plain_ecdsa) {
    run_wycheproof("crypto/secp256k1/ecdsa_secp256k1_sha256_p1363_test.json", SigFormat::kP1363,
                   k1::HighS::kAccept);
}

TEST(Secp256k1Conformance, wycheproof_bitcoin_requires_low_s) {
    run_wycheproof("crypto/secp256k1/ecdsa_secp256k1_sha256_bitcoin_test.json", SigFormat::kDer,
                   k1::HighS::kReject);
}
