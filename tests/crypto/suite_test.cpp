#include "crypto/suite.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/sm3.hpp"

using namespace trellis;
using namespace trellis::crypto;

namespace {

class SuiteTest : public ::testing::TestWithParam<SuiteKind> {
protected:
    const CryptoSuite& suite() const { return suite_of(GetParam()); }
};

}  // namespace

TEST(CryptoSuite, names_kinds_and_lookup) {
    EXPECT_EQ(ethereum_suite().name(), "ethereum");
    EXPECT_EQ(sm_suite().name(), "sm");
    EXPECT_EQ(ethereum_suite().kind(), SuiteKind::kEthereum);
    EXPECT_EQ(sm_suite().kind(), SuiteKind::kSm);
    EXPECT_EQ(suite_by_name("ethereum"), &ethereum_suite());
    EXPECT_EQ(suite_by_name("sm"), &sm_suite());
    EXPECT_EQ(suite_by_name("SM"), nullptr);
    EXPECT_EQ(&ethereum_suite(), &ethereum_suite());
}

TEST(CryptoSuite, hash_and_address_follow_the_suite) {
    const auto data = as_view("abc");
    EXPECT_EQ(ethereum_suite().hash(data), keccak256(data));
    EXPECT_EQ(sm_suite().hash(data), sm3(data));
    SuitePrivateKey k;
    k.bytes.fill(0x46);
    const auto pub = *ethereum_suite().public_key(k);
    EXPECT_EQ(to_hex(ethereum_suite().address_of(pub)), "9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
    EXPECT_EQ(sm_suite().address_of(pub), Address::from(sm3(pub).view().subspan(12)));
}

TEST_P(SuiteTest, sign_verify_recover_round_trip) {
    for (int i = 0; i < 4; ++i) {
        const auto key = suite().generate_private_key();
        const auto pub = *suite().public_key(key);
        const Hash32 digest = suite().hash(as_view("tx #" + std::to_string(i)));
        auto sig = suite().sign(digest, key);
        ASSERT_TRUE(sig);
        EXPECT_TRUE(suite().verify(digest, *sig, pub));
        auto signer = suite().recover_signer(digest, *sig);
        ASSERT_TRUE(signer) << to_string(signer.error());
        EXPECT_EQ(*signer, pub);
        EXPECT_EQ(suite().address_of(*signer), suite().address_of(pub));
    }
}

TEST_P(SuiteTest, tampered_message_or_signature_is_rejected) {
    const auto key = suite().generate_private_key();
    const auto pub = *suite().public_key(key);
    const Hash32 digest = suite().hash(as_view("pay 10 to bob"));
    const auto sig = *suite().sign(digest, key);
    const Hash32 other = suite().hash(as_view("pay 99 to bob"));
    EXPECT_FALSE(suite().verify(other, sig, pub));
    auto rec = suite().recover_signer(other, sig);
    EXPECT_TRUE(!rec || *rec != pub);

    auto bad_r = sig;
    bad_r.r[5] ^= 0x10;
    EXPECT_FALSE(suite().verify(digest, bad_r, pub));
    auto rec2 = suite().recover_signer(digest, bad_r);
    EXPECT_TRUE(!rec2 || *rec2 != pub);

    auto bad_s = sig;
    bad_s.s[31] ^= 1;
    EXPECT_FALSE(suite().verify(digest, bad_s, pub));

    // Someone else's key is not the signer.
    const auto pub2 = *suite().public_key(suite().generate_private_key());
    EXPECT_FALSE(suite().verify(digest, sig, pub2));
}

TEST_P(SuiteTest, signatures_do_not_cross_suites) {
    const auto key = suite().generate_private_key();
    const Hash32 digest = suite().hash(as_view("cross"));
    const auto sig = *suite().sign(digest, key);
    const CryptoSuite& other = GetParam() == SuiteKind::kEthereum ? sm_suite() : ethereum_suite();
    EXPECT_FALSE(other.recover_signer(digest, sig));
}

INSTANTIATE_TEST_SUITE_P(BothSuites, SuiteTest, ::testing::Values(SuiteKind::kEthereum, SuiteKind::kSm),
                         [](const auto& info) { return std::string(suite_of(info.param).name()); });

TEST(CryptoSuite, sm_signature_must_carry_the_signers_key) {
    const auto& sm = sm_suite();
    const auto key = sm.generate_private_key();
    const auto pub = *sm.public_key(key);
    const Hash32 digest = sm.hash(as_view("block 7"));
    auto sig = *sm.sign(digest, key);
    ASSERT_TRUE(sig.public_key);
    EXPECT_EQ(*sig.public_key, pub);
    auto stripped = sig;
    stripped.public_key.reset();
    EXPECT_EQ(sm.recover_signer(digest, stripped).error(), CryptoError::kInvalidSignature);
    EXPECT_FALSE(sm.verify(digest, stripped, pub));
    // Swapping in another key does not make it that key's signature.
    auto swapped = sig;
    swapped.public_key = *sm.public_key(sm.generate_private_key());
    EXPECT_EQ(sm.recover_signer(digest, swapped).error(), CryptoError::kInvalidSignature);
    auto with_v = sig;
    with_v.recovery_id = 1;
    EXPECT_FALSE(sm.recover_signer(digest, with_v));
}

TEST(CryptoSuite, ethereum_suite_rejects_high_s_and_embedded_keys) {
    const auto& eth = ethereum_suite();
    const auto key = eth.generate_private_key();
    const auto pub = *eth.public_key(key);
    const Hash32 digest = eth.hash(as_view("vote"));
    const auto sig = *eth.sign(digest, key);
    EXPECT_FALSE(sig.public_key);
    // n - s with the flipped parity recovers the same key in raw ECDSA, but
    // the suite enforces EIP-2.
    const Bytes32 n =
        Bytes32::from(*from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));
    Bytes32 high;
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        int d = int(n[size_t(i)]) - int(sig.s[size_t(i)]) - borrow;
        borrow = d < 0;
        high[size_t(i)] = uint8_t(d + (borrow ? 256 : 0));
    }
    const SuiteSignature malleated{sig.r, high, uint8_t(sig.recovery_id ^ 1), std::nullopt};
    EXPECT_EQ(*secp256k1::recover(digest, {malleated.r, malleated.s, malleated.recovery_id}), pub);
    EXPECT_EQ(eth.recover_signer(digest, malleated).error(), CryptoError::kInvalidSignature);
    EXPECT_FALSE(eth.verify(digest, malleated, pub));
    auto with_key = sig;
    with_key.public_key = pub;
    EXPECT_FALSE(eth.recover_signer(digest, with_key));
    EXPECT_FALSE(eth.verify(digest, with_key, pub));
}
