#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "crypto/modexp.hpp"
#include "support/fixtures.hpp"

using namespace trellis;
using namespace trellis::crypto;
using trellis::test::hex_bytes;
using trellis::test::Tally;

namespace {

std::string mx(const std::string& b, const std::string& e, const std::string& m) {
    return to_hex(modexp(hex_bytes(b), hex_bytes(e), hex_bytes(m)));
}

Bytes header(uint64_t b, uint64_t e, uint64_t m) {
    Bytes out(96, 0);
    for (int i = 0; i < 8; ++i) {
        out[31 - i] = uint8_t(b >> (8 * i));
        out[63 - i] = uint8_t(e >> (8 * i));
        out[95 - i] = uint8_t(m >> (8 * i));
    }
    return out;
}

TEST(Modexp, eip198_small_cases) {
    EXPECT_EQ(mx("03", "05", "07"), "05");          // 243 mod 7
    EXPECT_EQ(mx("03", "05", "0007"), "0005");      // left-padded to the modulus size
    EXPECT_EQ(mx("", "", "05"), "01");              // 0^0 = 1
    EXPECT_EQ(mx("02", "", "01"), "00");            // anything mod 1 = 0
    EXPECT_EQ(mx("02", "03", "0000"), "0000");      // modulus 0 -> zeros of its size
    EXPECT_EQ(mx("02", "03", ""), "");
    EXPECT_EQ(mx("0a", "02", "06"), "04");          // even modulus
    EXPECT_EQ(mx("00", "00", "0100"), "0001");
}

TEST(Modexp, eip198_fermat_little_theorem_example) {
    // EIP-198's example: 3^(p-1) mod p = 1 for the secp256k1 field prime.
    Bytes in = header(1, 32, 32);
    in.push_back(3);
    append(in, hex_bytes("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"));
    append(in, hex_bytes("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"));
    auto r = modexp_precompile_output(in);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(to_hex(*r), "0000000000000000000000000000000000000000000000000000000000000001");
}

TEST(Modexp, precompile_reads_missing_bytes_as_zero) {
    // EIP-198's second example: the modulus runs past the input, so it is
    // zero and the result is zeros.
    Bytes in = header(0, 32, 32);
    append(in, hex_bytes("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"));
    auto r = modexp_precompile_output(in);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, Bytes(32, 0));
    // Only a header: everything zero, 0^0 mod 0 = zeros.
    auto h = modexp_precompile_output(header(1, 1, 4));
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(*h, Bytes(4, 0));
    // Truncated header: lengths read as zero.
    auto empty = modexp_precompile_output({});
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->empty());
}

TEST(Modexp, precompile_refuses_absurd_lengths_without_allocating) {
    // 2^255 - sized base: must not try to allocate it.
    Bytes in = header(0, 1, 1);
    in[0] = 0x80;
    EXPECT_EQ(modexp_precompile_output(in).error(), ModexpError::kOperandTooLarge);
    EXPECT_EQ(modexp_precompile_output(header(1, uint64_t(1) << 62, 1)).error(), ModexpError::kOperandTooLarge);
    EXPECT_EQ(modexp_precompile_output(header(1, 1, kModexpMaxOperandSize + 1)).error(),
              ModexpError::kOperandTooLarge);
    EXPECT_TRUE(modexp_precompile_output(header(1, 1, kModexpMaxOperandSize)).ok());
    // The bound is the caller's choice.
    EXPECT_TRUE(modexp_precompile_output(header(1, 2000, 1), 4096).ok());
    EXPECT_FALSE(modexp_precompile_output(header(1, 2000, 1)).ok());
    // mod_len == 0 needs nothing read: empty output whatever the other lengths.
    Bytes huge = header(0, 0, 0);
    huge[0] = 0xff;
    huge[32] = 0xff;
    auto r = modexp_precompile_output(huge);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->empty());
}

void run_geth_modexp(const char* rel, const char* suite) {
    TRELLIS_FIXTURE_PATH(path, rel);
    Tally t(suite);
    for (const auto& c : test::load_json(path)) {
        const std::string name = c.at("Name");
        auto out = modexp_precompile_output(hex_bytes(c.at("Input")));
        if (!out)
            t.fail(name, to_string(out.error()));
        else if (to_hex(*out) != c.at("Expected").get<std::string>())
            t.fail(name, "got " + to_hex(*out));
        else
            t.pass();
    }
    EXPECT_GT(t.passed(), 0);
}

TEST(ModexpFixtures, geth_modexp) { run_geth_modexp("precompiles/geth/modexp.json", "geth modexp"); }

TEST(ModexpFixtures, geth_modexp_eip2565) {
    run_geth_modexp("precompiles/geth/modexp_eip2565.json", "geth modexp_eip2565");
}

}  // namespace
