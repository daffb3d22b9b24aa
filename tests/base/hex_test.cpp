#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "base/result.hpp"

using namespace trellis;

TEST(Hex, round_trips_with_and_without_prefix) {
    auto b = from_hex("0x00ff10Ab");
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, (Bytes{0x00, 0xff, 0x10, 0xab}));
    EXPECT_EQ(to_hex(*b), "00ff10ab");
    EXPECT_EQ(to_0x_hex(*b), "0x00ff10ab");
    EXPECT_EQ(from_hex("00ff10ab").value(), *b);
}

TEST(Hex, empty_input_and_bare_prefix_decode_to_nothing) {
    EXPECT_TRUE(from_hex("").value().empty());
    EXPECT_TRUE(from_hex("0x").value().empty());
}

TEST(Hex, odd_length_and_bad_digits_are_clear_errors) {
    EXPECT_EQ(from_hex("0xabc").error(), HexError::kOddLength);
    EXPECT_EQ(from_hex("zz").error(), HexError::kInvalidDigit);
    EXPECT_EQ(from_hex("0x0g").error(), HexError::kInvalidDigit);
    EXPECT_STREQ(to_string(HexError::kOddLength), "odd number of hex digits");
}

TEST(Hex, fixed_types_require_exact_length) {
    auto a = fixed_from_hex<Address>("0x00000000000000000000000000000000000000ff");
    ASSERT_TRUE(a);
    EXPECT_EQ((*a)[19], 0xff);
    EXPECT_EQ(fixed_from_hex<Address>("0x00ff").error(), HexError::kWrongLength);
    EXPECT_EQ(fixed_from_hex<Hash32>("0x" + std::string(66, '0')).error(), HexError::kWrongLength);
}

TEST(Result, void_result_carries_error) {
    Result<void, HexError> ok;
    EXPECT_TRUE(ok.ok());
    Result<void, HexError> bad = Unexpected{HexError::kInvalidDigit};
    EXPECT_FALSE(bad);
    EXPECT_EQ(bad.error(), HexError::kInvalidDigit);
}

TEST(FixedBytes, right_aligned_pads_and_truncates_from_the_left) {
    const Bytes in{1, 2, 3};
    auto h = Hash32::right_aligned(in);
    EXPECT_EQ(h[29], 1);
    EXPECT_EQ(h[31], 3);
    EXPECT_EQ(h[0], 0);
    Bytes long_in(40, 7);
    long_in[39] = 9;
    auto a = Address::right_aligned(long_in);
    EXPECT_EQ(a[19], 9);
}
