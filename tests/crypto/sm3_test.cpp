#include "crypto/sm3.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "support/fixtures.hpp"

using namespace trellis;
using namespace trellis::crypto;
using trellis::test::hex_bytes;
using trellis::test::Tally;

TEST(Sm3Conformance, gbt32905_examples) {
    TRELLIS_FIXTURE_PATH(p, "crypto/sm/gbt_sm2_sm3_sm4_vectors.json");
    const auto j = trellis::test::load_json(p);
    Tally t("sm3 GB/T 32905 examples");
    for (const auto& v : j.at("sm3").at("vectors")) {
        const auto name = v.at("name").get<std::string>();
        if (to_hex(sm3(hex_bytes(v.at("msg_hex").get<std::string>()))) == v.at("digest").get<std::string>())
            t.pass();
        else
            t.fail(name, "digest mismatch");
    }
    EXPECT_EQ(t.passed(), 2);
}

TEST(Sm3, empty_input_digest) {
    // SM3("") from the GmSSL / OpenSSL test data.
    EXPECT_EQ(to_hex(sm3({})), "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

// Wycheproof HMAC-SM3: valid tags (full and truncated to 128 bits) must be
// reproduced and accepted; modified tags must be rejected.
TEST(Sm3Conformance, wycheproof_hmac_sm3) {
    TRELLIS_FIXTURE_PATH(p, "crypto/sm/hmac_sm3_test.json");
    const auto j = trellis::test::load_json(p);
    Tally t("wycheproof hmac_sm3");
    for (const auto& g : j.at("testGroups")) {
        const size_t tag_bytes = g.at("tagSize").get<size_t>() / 8;
        for (const auto& c : g.at("tests")) {
            const std::string name = "tcId " + std::to_string(c.at("tcId").get<int>());
            const Bytes key = hex_bytes(c.at("key").get<std::string>());
            const Bytes msg = hex_bytes(c.at("msg").get<std::string>());
            const Bytes tag = hex_bytes(c.at("tag").get<std::string>());
            const bool valid = c.at("result") == "valid";
            if (tag.size() != tag_bytes) {
                t.fail(name, "tag length disagrees with the group's tagSize");
                continue;
            }
            const bool accepted = hmac_sm3_verify(key, msg, tag);
            const Hash32 full = hmac_sm3(key, msg);
            const bool computed_matches = equal(full.view().first(tag.size()), tag);
            if (accepted == valid && computed_matches == valid)
                t.pass();
            else
                t.fail(name, std::string("expected ") + (valid ? "valid" : "invalid"));
        }
    }
    EXPECT_EQ(t.failed(), 0);
    EXPECT_EQ(t.passed(), 174);
}

TEST(Sm3, hmac_verify_refuses_tags_shorter_than_128_bits) {
    const Hash32 tag = hmac_sm3(as_view("key"), as_view("msg"));
    EXPECT_TRUE(hmac_sm3_verify(as_view("key"), as_view("msg"), tag));
    EXPECT_TRUE(hmac_sm3_verify(as_view("key"), as_view("msg"), tag.view().first(16)));
    EXPECT_FALSE(hmac_sm3_verify(as_view("key"), as_view("msg"), tag.view().first(15)));
    EXPECT_FALSE(hmac_sm3_verify(as_view("key"), as_view("msg"), {}));
}
