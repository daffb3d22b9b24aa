#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "crypto/blake2f.hpp"
#include "support/fixtures.hpp"

using namespace trellis;
using namespace trellis::crypto;
using trellis::test::hex_bytes;
using trellis::test::Tally;

namespace {

// EIP-152 test vector 5: BLAKE2b-512("abc") as one final compression with
// 12 rounds (h = IV with the parameter block folded in, t = 3).
const char* kAbcInput =
    "0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68"
    "059b6bbd41fbabd9831f79217e1319cde05b6162630000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003000000"
    "00000000000000000000000001";
// RFC 7693 appendix A: BLAKE2b-512("abc").
const char* kAbcDigest =
    "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38a"
    "a8dbf1925ab92386edd4009923";

TEST(Blake2f, eip152_abc_vector_is_blake2b_512_of_abc) {
    const Bytes in = hex_bytes(kAbcInput);
    ASSERT_EQ(in.size(), kBlake2fInputSize);
    auto out = blake2f(in);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(to_hex(*out), kAbcDigest);
    EXPECT_EQ(blake2f_rounds(in), 12u);
}

TEST(Blake2f, eip152_rejects_wrong_length_and_bad_flag) {
    Bytes in = hex_bytes(kAbcInput);
    EXPECT_EQ(blake2f(ByteView(in).first(212)).error(), Blake2fError::kInvalidInputLength);
    Bytes longer = in;
    longer.push_back(0);
    EXPECT_EQ(blake2f(longer).error(), Blake2fError::kInvalidInputLength);
    EXPECT_EQ(blake2f({}).error(), Blake2fError::kInvalidInputLength);
    EXPECT_EQ(blake2f_rounds(longer), 0u);
    EXPECT_EQ(blake2f_rounds({}), 0u);
    for (uint8_t flag : {uint8_t(2), uint8_t(0x80), uint8_t(0xff)}) {
        in[212] = flag;
        EXPECT_EQ(blake2f(in).error(), Blake2fError::kInvalidFinalFlag);
    }
    in[212] = 0;  // a non-final block is fine, and differs
    auto non_final = blake2f(in);
    ASSERT_TRUE(non_final.ok());
    EXPECT_NE(to_hex(*non_final), kAbcDigest);
}

TEST(Blake2f, round_count_is_honoured_including_zero) {
    // EIP-152 allows 0 rounds (vector 4); 0 and 1 round must differ.
    Bytes in = hex_bytes(kAbcInput);
    in[0] = in[1] = in[2] = in[3] = 0;
    auto a = blake2f(in);
    ASSERT_TRUE(a.ok());
    in[3] = 1;
    auto b = blake2f(in);
    ASSERT_TRUE(b.ok());
    EXPECT_NE(*a, *b);
    EXPECT_EQ(blake2f_rounds(in), 1u);
}

TEST(Blake2fFixtures, geth_blake2f) {
    TRELLIS_FIXTURE_PATH(path, "precompiles/geth/blake2F.json");
    Tally t("geth blake2F");
    for (const auto& c : test::load_json(path)) {
        const std::string name = c.at("Name");
        const Bytes in = hex_bytes(c.at("Input"));
        auto out = blake2f(in);
        if (!out) {
            t.fail(name, to_string(out.error()));
        } else if (to_hex(*out) != c.at("Expected").get<std::string>()) {
            t.fail(name, "got " + to_hex(*out));
        } else if (blake2f_rounds(in) != c.at("Gas").get<uint64_t>()) {
            t.fail(name, "rounds (gas) mismatch");
        } else {
            t.pass();
        }
    }
    EXPECT_GT(t.passed(), 0);
}

TEST(Blake2fFixtures, geth_fail_blake2f) {
    TRELLIS_FIXTURE_PATH(path, "precompiles/geth/fail-blake2f.json");
    Tally t("geth fail-blake2f");
    for (const auto& c : test::load_json(path)) {
        const std::string name = c.at("Name");
        const std::string want = c.at("ExpectedError");
        auto out = blake2f(hex_bytes(c.at("Input")));
        if (out.ok()) {
            t.fail(name, "accepted, want error: " + want);
            continue;
        }
        // geth's messages: "invalid input length", "invalid final flag".
        const Blake2fError expected =
            want == "invalid final flag" ? Blake2fError::kInvalidFinalFlag : Blake2fError::kInvalidInputLength;
        if (want != "invalid final flag" && want != "invalid input length")
            t.fail(name, "unknown expected error: " + want);
        else if (out.error() != expected)
            t.fail(name, std::string("wrong error: ") + to_string(out.error()));
        else
            t.pass();
    }
    EXPECT_GT(t.passed(), 0);
}

}  // namespace
