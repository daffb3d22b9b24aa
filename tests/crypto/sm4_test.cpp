#include "crypto/sm4.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "support/fixtures.hpp"

using namespace trellis;
using namespace trellis::crypto;
using trellis::test::hex_bytes;
using trellis::test::Tally;

namespace {

sm4::Block block(const std::string& hex) {
    return sm4::Block::from(hex_bytes(hex));
}

Bytes cat(ByteView a, ByteView b) {
    Bytes r = to_bytes(a);
    append(r, b);
    return r;
}

}  // namespace

TEST(Sm4Conformance, gbt32907_block_examples) {
    TRELLIS_FIXTURE_PATH(p, "crypto/sm/gbt_sm2_sm3_sm4_vectors.json");
    const auto j = trellis::test::load_json(p);
    Tally t("sm4 GB/T 32907 block examples");
    for (const auto& v : j.at("sm4").at("block")) {
        const auto name = v.at("name").get<std::string>();
        const auto key = block(v.at("key"));
        const auto pt = block(v.at("plaintext"));
        const auto ct = block(v.at("ciphertext"));
        const size_t iterations = v.value("iterations", size_t(1));
        sm4::Block got;
        if (iterations == 1) {
            got = sm4::encrypt_block(key, pt);
            if (sm4::decrypt_block(key, ct) != pt) {
                t.fail(name, "decryption mismatch");
                continue;
            }
        } else {
            // E applied n times to P equals the last block of CBC over n zero
            // blocks with IV = P (each C_i = E(0 ^ C_{i-1})).
            const Bytes zeros(iterations * sm4::kBlockSize, 0);
            auto c = sm4::cbc_encrypt(key, pt, zeros, sm4::Padding::kNone);
            ASSERT_TRUE(c);
            got = sm4::Block::from(ByteView(*c).last(sm4::kBlockSize));
        }
        if (got == ct)
            t.pass();
        else
            t.fail(name, "got " + to_hex(got));
    }
    EXPECT_EQ(t.passed(), 2);
}

TEST(Sm4Conformance, mode_vectors) {
    TRELLIS_FIXTURE_PATH(p, "crypto/sm/gbt_sm2_sm3_sm4_vectors.json");
    const auto j = trellis::test::load_json(p);
    Tally t("sm4 mode vectors");
    for (const auto& v : j.at("sm4").at("modes")) {
        const std::string mode = v.at("mode");
        const auto key = block(v.at("key"));
        const auto iv = block(v.at("iv"));
        const Bytes pt = hex_bytes(v.at("plaintext"));
        const Bytes ct = hex_bytes(v.at("ciphertext"));
        Result<Bytes, sm4::Sm4Error> enc = Unexpected{sm4::Sm4Error::kInternal};
        Result<Bytes, sm4::Sm4Error> dec = Unexpected{sm4::Sm4Error::kInternal};
        if (mode == "CBC") {
            enc = sm4::cbc_encrypt(key, iv, pt, sm4::Padding::kNone);
            dec = sm4::cbc_decrypt(key, iv, ct, sm4::Padding::kNone);
        } else if (mode == "OFB") {
            enc = sm4::ofb_crypt(key, iv, pt);
            dec = sm4::ofb_crypt(key, iv, ct);
        } else if (mode == "CFB128") {
            enc = sm4::cfb_encrypt(key, iv, pt);
            dec = sm4::cfb_decrypt(key, iv, ct);
        } else if (mode.rfind("CTR", 0) == 0) {
            enc = sm4::ctr_crypt(key, iv, pt);
            dec = sm4::ctr_crypt(key, iv, ct);
        } else {
            t.fail(mode, "unknown mode in fixture");
            continue;
        }
        if (enc && dec && *enc == ct && *dec == pt)
            t.pass();
        else
            t.fail(mode, "mismatch");
    }
    EXPECT_EQ(t.passed(), 4);
}

TEST(Sm4, cbc_pkcs7_round_trip_and_bad_padding) {
    const auto key = block("0123456789abcdeffedcba9876543210");
    const auto iv = block("000102030405060708090a0b0c0d0e0f");
    for (size_t len : {0, 1, 15, 16, 17, 100}) {
        Bytes msg(len, 0x61);
        auto c = sm4::cbc_encrypt(key, iv, msg);
        ASSERT_TRUE(c);
        EXPECT_EQ(c->size(), (len / 16 + 1) * 16);
        auto d = sm4::cbc_decrypt(key, iv, *c);
        ASSERT_TRUE(d);
        EXPECT_EQ(*d, msg);
    }
    auto c = *sm4::cbc_encrypt(key, iv, as_view("secret key file"));
    c.back() ^= 0x55;  // garbles the final block, so its padding
    EXPECT_EQ(sm4::cbc_decrypt(key, iv, c).error(), sm4::Sm4Error::kBadPadding);
    EXPECT_EQ(sm4::cbc_decrypt(key, iv, ByteView(c).first(15)).error(), sm4::Sm4Error::kInvalidLength);
    EXPECT_EQ(sm4::cbc_encrypt(key, iv, Bytes(15), sm4::Padding::kNone).error(),
              sm4::Sm4Error::kInvalidLength);
    EXPECT_STREQ(sm4::to_string(sm4::Sm4Error::kBadPadding), "bad SM4-CBC padding");
}

TEST(Sm4, gcm_and_ccm_reject_tampering_with_clear_errors) {
    const auto key = block("0123456789abcdeffedcba9876543210");
    const Bytes iv = hex_bytes("00001234567800000000abcd");
    const auto aad = as_view("header");
    for (bool ccm : {false, true}) {
        auto enc = ccm ? sm4::ccm_encrypt(key, iv, aad, as_view("payload"))
                       : sm4::gcm_encrypt(key, iv, aad, as_view("payload"));
        ASSERT_TRUE(enc);
        auto dec = [&](ByteView n, ByteView a, ByteView c) {
            return ccm ? sm4::ccm_decrypt(key, n, a, c) : sm4::gcm_decrypt(key, n, a, c);
        };
        EXPECT_EQ(*dec(iv, aad, *enc), to_bytes(as_view("payload")));
        Bytes bad = *enc;
        bad[0] ^= 1;
        EXPECT_EQ(dec(iv, aad, bad).error(), sm4::Sm4Error::kAuthenticationFailed);
        EXPECT_EQ(dec(iv, as_view("headeR"), *enc).error(), sm4::Sm4Error::kAuthenticationFailed);
        EXPECT_EQ(dec(iv, aad, ByteView(*enc).first(5)).error(), sm4::Sm4Error::kInvalidLength);
    }
    EXPECT_EQ(sm4::gcm_encrypt(key, {}, {}, {}).error(), sm4::Sm4Error::kInvalidIvSize);
    EXPECT_EQ(sm4::gcm_encrypt(key, iv, {}, {}, 8).error(), sm4::Sm4Error::kInvalidTagSize);
    EXPECT_EQ(sm4::ccm_encrypt(key, Bytes(6), {}, {}).error(), sm4::Sm4Error::kInvalidNonceSize);
    EXPECT_EQ(sm4::ccm_encrypt(key, iv, {}, {}, 5).error(), sm4::Sm4Error::kInvalidTagSize);
    // A 13-byte nonce leaves a 2-byte length field: at most 65535 bytes.
    EXPECT_EQ(sm4::ccm_encrypt(key, Bytes(13), {}, Bytes(65536)).error(), sm4::Sm4Error::kTooLarge);
    EXPECT_TRUE(sm4::ccm_encrypt(key, Bytes(13), {}, Bytes(65535)));
}

namespace {

// Wycheproof AEAD file: valid cases must encrypt to ct || tag and decrypt
// back; invalid cases must be rejected by decryption (and by encryption when
// the parameters themselves are invalid).
void run_aead(const std::string& rel, bool ccm) {
    TRELLIS_FIXTURE_PATH(p, rel);
    const auto j = trellis::test::load_json(p);
    Tally t("wycheproof " + p.filename().string());
    for (const auto& g : j.at("testGroups")) {
        const size_t tag_size = g.at("tagSize").get<size_t>() / 8;
        for (const auto& c : g.at("tests")) {
            const std::string name = "tcId " + std::to_string(c.at("tcId").get<int>()) + " (" +
                                     c.at("comment").get<std::string>() + ")";
            const auto key = sm4::Key::from(hex_bytes(c.at("key")));
            const Bytes iv = hex_bytes(c.at("iv")), aad = hex_bytes(c.at("aad")),
                        msg = hex_bytes(c.at("msg")), ct = hex_bytes(c.at("ct")),
                        tag = hex_bytes(c.at("tag"));
            const Bytes sealed = cat(ct, tag);
            const bool valid = c.at("result") == "valid";
            auto dec = ccm ? sm4::ccm_decrypt(key, iv, aad, sealed, tag.size())
                           : sm4::gcm_decrypt(key, iv, aad, sealed, tag.size());
            if (valid) {
                auto enc = ccm ? sm4::ccm_encrypt(key, iv, aad, msg, tag_size)
                               : sm4::gcm_encrypt(key, iv, aad, msg, tag_size);
                if (!enc || *enc != sealed)
                    t.fail(name, "encryption mismatch");
                else if (!dec || *dec != msg)
                    t.fail(name, "decryption failed or mismatched");
                else
                    t.pass();
            } else {
                if (dec)
                    t.fail(name, "invalid case decrypted");
                else
                    t.pass();
            }
        }
    }
    EXPECT_EQ(t.failed(), 0);
}

}  // namespace

TEST(Sm4Conformance, wycheproof_sm4_gcm) {
    run_aead("crypto/sm/sm4_gcm_test.json", false);
}
TEST(Sm4Conformance, wycheproof_sm4_ccm) {
    run_aead("crypto/sm/sm4_ccm_test.json", true);
}
