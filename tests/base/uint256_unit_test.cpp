// Edge cases of each uint256 operation, with expected values worked out by
// hand (the randomised comparison with GMP is uint256_differential_test.cpp).

#include <gtest/gtest.h>

#include <string>

#include "base/uint256.hpp"

using namespace trellis;

namespace {

const uint256 kMax = uint256::max();
const uint256 kMin = uint256(1) << 255;  // -2^255 in two's complement
const uint256 kMinusOne = kMax;
const uint256 kTwo64 = uint256(0, 1, 0, 0);

uint256 from_dec(const char* s) { return parse_uint256(s).value(); }

}  // namespace

// The cheap operations are usable in constant expressions.
static_assert(uint256(6) * uint256(7) == uint256(42));
static_assert((uint256(1) << 200 >> 200) == uint256(1));
static_assert(uint256(5) - uint256(7) == uint256::max() - 1);
static_assert(-uint256(1) == uint256::max());
static_assert(clz(uint256{}) == 256 && clz(uint256(1)) == 255);
static_assert(slt(uint256::max(), uint256{}));
static_assert(signextend(uint256(0), uint256(0xff)) == uint256::max());
static_assert(byte_at(uint256(31), uint256(0xab)) == uint256(0xab));
static_assert(mul_full(uint256::max(), uint256::max()).lo() == uint256(1));

TEST(Uint256, mul_keeps_the_low_256_bits) {
    EXPECT_EQ(kMax * kMax, uint256(1));  // (2^256-1)^2 = 2^512 - 2^257 + 1
    EXPECT_EQ((uint256(1) << 128) * (uint256(1) << 128), uint256{});
    EXPECT_EQ(kMin * uint256(2), uint256{});
    EXPECT_EQ(kMax * uint256(2), kMax - 1);
    EXPECT_EQ(kTwo64 * kTwo64, uint256(0, 0, 1, 0));
    EXPECT_EQ((kTwo64 - 1) * (kTwo64 - 1), uint256(1, ~uint64_t{0} - 1, 0, 0));
    EXPECT_EQ(uint256{} * kMax, uint256{});
}

TEST(Uint256, mul_full_keeps_the_high_half) {
    const uint512 p = mul_full(kMax, kMax);
    EXPECT_EQ(p.lo(), uint256(1));
    EXPECT_EQ(p.hi(), kMax - 1);
    const uint512 q = mul_full(kMin, uint256(2));
    EXPECT_EQ(q.lo(), uint256{});
    EXPECT_EQ(q.hi(), uint256(1));
}

TEST(Uint256, add_and_sub_wrap_and_report_carry_and_borrow) {
    bool carry = false, borrow = false;
    EXPECT_EQ(add_with_carry(kMax, uint256(1), &carry), uint256{});
    EXPECT_TRUE(carry);
    EXPECT_EQ(add_with_carry(kMax - 1, uint256(1), &carry), kMax);
    EXPECT_FALSE(carry);
    EXPECT_EQ(sub_with_borrow(uint256{}, uint256(1), &borrow), kMax);
    EXPECT_TRUE(borrow);
    EXPECT_EQ(sub_with_borrow(kTwo64, uint256(1), &borrow), uint256(~uint64_t{0}));
    EXPECT_FALSE(borrow);
}

TEST(Uint256, negation_is_twos_complement) {
    EXPECT_EQ(-uint256{}, uint256{});
    EXPECT_EQ(-uint256(1), kMax);
    EXPECT_EQ(-kMin, kMin);
    EXPECT_EQ(-kTwo64, uint256(0, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}));
}

TEST(Uint256, division_by_zero_yields_zero) {
    EXPECT_EQ(kMax / uint256{}, uint256{});
    EXPECT_EQ(kMax % uint256{}, uint256{});
    EXPECT_EQ(uint256(7) / uint256{}, uint256{});
    EXPECT_EQ(divmod(kMin, uint256{}), (std::pair<uint256, uint256>{}));
    EXPECT_EQ(sdiv(kMin, uint256{}), uint256{});
    EXPECT_EQ(smod(kMin, uint256{}), uint256{});
    EXPECT_EQ(addmod(kMax, kMax, uint256{}), uint256{});
    EXPECT_EQ(mulmod(kMax, kMax, uint256{}), uint256{});
}

TEST(Uint256, division_small_large_and_equal_operands) {
    EXPECT_EQ(uint256(17) / uint256(5), uint256(3));
    EXPECT_EQ(uint256(17) % uint256(5), uint256(2));
    EXPECT_EQ(kMax / kMax, uint256(1));
    EXPECT_EQ(kMax % kMax, uint256{});
    EXPECT_EQ(kMax / uint256(1), kMax);
    EXPECT_EQ((kMax - 1) / kMax, uint256{});
    EXPECT_EQ((kMax - 1) % kMax, kMax - 1);
    EXPECT_EQ(kMax / kTwo64, uint256(~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, 0));
    EXPECT_EQ(kMax % kTwo64, uint256(~uint64_t{0}));
    EXPECT_EQ(kMax / (kTwo64 - 1), uint256(1, 1, 1, 1));  // (B^4-1)/(B-1) = B^3+B^2+B+1
    EXPECT_EQ(kMax / uint256(10), from_dec(
        "11579208923731619542357098500868790785326998466564056403945758400791312963993"));
    EXPECT_EQ(kMax % uint256(10), uint256(5));
}

TEST(Uint256, division_with_multi_limb_divisors_recombines) {
    // a = q * b + r with a chosen r < b must come back exactly.
    const uint256 b = uint256(0x1234, 0x8000000000000000ull, 0, 0);
    const uint256 q = uint256(0xdeadbeefcafebabeull, 0x7f, 0, 0);
    const uint256 r = b - 1;
    const uint256 a = q * b + r;
    EXPECT_EQ(a / b, q);
    EXPECT_EQ(a % b, r);
}

namespace {
struct DivCase {
    const char *a, *b, *q, *r;
};
void expect_division(const DivCase& c) {
    const uint256 a = from_dec(c.a), b = from_dec(c.b);
    EXPECT_EQ(a / b, from_dec(c.q)) << c.a << " / " << c.b;
    EXPECT_EQ(a % b, from_dec(c.r)) << c.a << " % " << c.b;
}
}  // namespace

// Knuth D step D6: the 3-by-2 quotient estimate is one too large and the
// divisor must be added back. Found by instrumenting the branch; values
// checked with Python's arbitrary-precision integers.
TEST(Uint256, division_corrects_an_overestimated_digit_by_adding_back) {
    expect_division({"0x7fffffffffffffff800000000000000097e46931a8a288440000000000000000",
                     "0x1fffffffffffffffe00000000000000027c04d03b6c8992bd0000000000", "0x3fffff",
                     "0x1fffffffffffffffdfffffffffff8e3379ed2505f014992bd0000000000"});
    expect_division({"0xffffffffffffffff8000000000000000fffffffffffffffe8000000000000000",
                     "0x800000000000000000000000000000008000000000000000", "0x1fffffffffffffffe",
                     "0x7fffffffffffffffffffffffffffffff8000000000000000"});
}

// The running remainder starts with the divisor's top two digits, where the
// 3-by-2 step's precondition fails; the digit is then exactly 2^64 - 1.
TEST(Uint256, division_handles_a_window_equal_to_the_divisor_top) {
    expect_division({"0x8000000000000000800000000000000000000020000000007fffffffffffffff",
                     "0x800000000000000080000000000000007fffffffffffffff", "0xffffffffffffffff",
                     "0x80000000000000000000002000000001fffffffffffffffe"});
    expect_division({"0xfffffffffffffffefffffffffffffffe00000001000000008000000000000000",
                     "0xfffffffffffffffefffffffffffffffeffffffffffffffff", "0xffffffffffffffff",
                     "0xfffffffffffffffe00000001000000007fffffffffffffff"});
}

TEST(Uint256, sdiv_truncates_toward_zero) {
    EXPECT_EQ(sdiv(-uint256(7), uint256(2)), -uint256(3));
    EXPECT_EQ(sdiv(uint256(7), -uint256(2)), -uint256(3));
    EXPECT_EQ(sdiv(-uint256(7), -uint256(2)), uint256(3));
    EXPECT_EQ(sdiv(uint256(7), uint256(2)), uint256(3));
    EXPECT_EQ(sdiv(-uint256(1), uint256(2)), uint256{});
}

TEST(Uint256, sdiv_min_by_minus_one_wraps_to_min) {
    EXPECT_EQ(sdiv(kMin, kMinusOne), kMin);
    EXPECT_EQ(smod(kMin, kMinusOne), uint256{});
    EXPECT_EQ(sdiv(kMin, kMin), uint256(1));
    EXPECT_EQ(sdiv(kMin, uint256(1)), kMin);
}

TEST(Uint256, smod_takes_the_sign_of_the_dividend) {
    EXPECT_EQ(smod(-uint256(7), uint256(2)), -uint256(1));
    EXPECT_EQ(smod(uint256(7), -uint256(2)), uint256(1));
    EXPECT_EQ(smod(-uint256(7), -uint256(2)), -uint256(1));
    EXPECT_EQ(smod(-uint256(8), uint256(3)), -uint256(2));
}

TEST(Uint256, addmod_reduces_the_257_bit_sum) {
    // 2^257 - 2 = 2 (2^256 - 1) and 2^256 - 1 = 1 (mod 2^256 - 2).
    EXPECT_EQ(addmod(kMax, kMax, kMax - 1), uint256(2));
    EXPECT_EQ(addmod(kMax, uint256(1), kMax), uint256(1));
    EXPECT_EQ(addmod(kMax, kMax, kMax), uint256{});
    EXPECT_EQ(addmod(uint256(10), uint256(10), uint256(8)), uint256(4));
    EXPECT_EQ(addmod(kMin, kMin, uint256(3)), uint256(1));  // 2^256 = 4^128 = 1 (mod 3)
}

TEST(Uint256, mulmod_reduces_the_512_bit_product) {
    EXPECT_EQ(mulmod(kMax, kMax, kMax - 1), uint256(1));
    EXPECT_EQ(mulmod(kMax, kMax, kMax), uint256{});
    EXPECT_EQ(mulmod(kMax, kMax, uint256(12)), uint256(9));  // 2^256-1 = 3 (mod 12)
    EXPECT_EQ(mulmod(uint256(10), uint256(10), uint256(8)), uint256(4));
    EXPECT_EQ(mulmod(kMin, uint256(2), kMax), uint256(1));  // 2^256 = 1 (mod 2^256-1)
}

TEST(Uint256, exp_wraps_and_handles_zero_exponents) {
    EXPECT_EQ(exp(uint256{}, uint256{}), uint256(1));
    EXPECT_EQ(exp(uint256{}, uint256(5)), uint256{});
    EXPECT_EQ(exp(kMax, uint256{}), uint256(1));
    EXPECT_EQ(exp(uint256(2), uint256(255)), kMin);
    EXPECT_EQ(exp(uint256(2), uint256(256)), uint256{});
    EXPECT_EQ(exp(uint256(2), kTwo64), uint256{});
    EXPECT_EQ(exp(uint256(10), uint256(18)), uint256(1'000'000'000'000'000'000ull));
    EXPECT_EQ(exp(kMinusOne, uint256(2)), uint256(1));
    EXPECT_EQ(exp(kMinusOne, kMax), kMinusOne);
    EXPECT_EQ(exp(uint256(4), uint256(128)), uint256{});
    EXPECT_EQ(exp(uint256(6), uint256(256)), uint256{});  // 2^256 divides 6^256
    EXPECT_EQ(exp(uint256(3), uint256(5)), uint256(243));
}

TEST(Uint256, signextend_copies_the_sign_bit_up) {
    EXPECT_EQ(signextend(uint256{}, uint256(0xff)), kMax);
    EXPECT_EQ(signextend(uint256{}, uint256(0x7f)), uint256(0x7f));
    EXPECT_EQ(signextend(uint256{}, uint256(0x1ff)), kMax);  // higher bytes are replaced
    EXPECT_EQ(signextend(uint256(1), uint256(0x8000)), kMax - 0x7fff);
    // Byte 7 ends a limb: bit 63 is the sign.
    EXPECT_EQ(signextend(uint256(7), uint256(0x8000000000000000ull)),
              uint256(0x8000000000000000ull, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}));
    EXPECT_EQ(signextend(uint256(7), uint256(0x7fffffffffffffffull, 5, 5, 5)),
              uint256(0x7fffffffffffffffull));
    EXPECT_EQ(signextend(uint256(30), uint256(0, 0, 0, 0x0080000000000000ull)),
              uint256(0, 0, 0, 0xff80000000000000ull));
    const uint256 x(1, 2, 3, 0x0012345678000000ull);
    EXPECT_EQ(signextend(uint256(31), x), x);
    EXPECT_EQ(signextend(uint256(32), x), x);
    EXPECT_EQ(signextend(kTwo64, x), x);  // huge index: the low limb alone is 0
    EXPECT_EQ(signextend(kMax, x), x);
}

TEST(Uint256, shift_operators_cross_limbs_and_saturate) {
    const uint256 x(0x0123456789abcdefull, 0xfedcba9876543210ull, 0x1111, 0x8000000000000000ull);
    EXPECT_EQ(x << 0, x);
    EXPECT_EQ(x >> 0, x);
    EXPECT_EQ(x << 64, uint256(0, x.w[0], x.w[1], x.w[2]));
    EXPECT_EQ(x >> 128, uint256(x.w[2], x.w[3], 0, 0));
    EXPECT_EQ(x >> 255, uint256(1));
    EXPECT_EQ(uint256(1) << 255, kMin);
    EXPECT_EQ(x << 256, uint256{});
    EXPECT_EQ(x >> 256, uint256{});
    EXPECT_EQ(x << 1000u, uint256{});
    EXPECT_EQ(uint256(0x8000000000000000ull) << 1, kTwo64);
    EXPECT_EQ(kTwo64 >> 1, uint256(0x8000000000000000ull));
    uint256 y = x;
    y <<= 4;
    y >>= 4;
    EXPECT_EQ(y, x & (kMax >> 4));
}

TEST(Uint256, evm_shifts_take_the_shift_first_and_saturate) {
    EXPECT_EQ(shl(uint256(255), uint256(1)), kMin);
    EXPECT_EQ(shl(uint256(256), uint256(1)), uint256{});
    EXPECT_EQ(shl(kTwo64, uint256(1)), uint256{});  // low limb 0 must not read as shift 0
    EXPECT_EQ(shr(uint256(255), kMin), uint256(1));
    EXPECT_EQ(shr(uint256(256), kMax), uint256{});
    EXPECT_EQ(shr(kTwo64 + 1, kMax), uint256{});
    // EIP-145 test cases for SAR.
    EXPECT_EQ(sar(uint256(1), kMin), uint256(0xc000000000000000ull) << 192);
    EXPECT_EQ(sar(uint256(255), kMin), kMax);
    EXPECT_EQ(sar(uint256(256), kMin), kMax);
    EXPECT_EQ(sar(uint256(255), kMax), kMax);
    EXPECT_EQ(sar(uint256(256), kMax >> 1), uint256{});
    EXPECT_EQ(sar(uint256(254), kMax >> 1), uint256(1));
    EXPECT_EQ(sar(kTwo64, kMax), kMax);
    EXPECT_EQ(sar(uint256(1), -uint256(3)), -uint256(2));  // rounds towards -infinity
}

TEST(Uint256, byte_at_counts_from_the_most_significant_byte) {
    const uint256 x(0x1122334455667788ull, 0, 0, 0xaabbccddeeff0011ull);
    EXPECT_EQ(byte_at(uint256{}, x), uint256(0xaa));
    EXPECT_EQ(byte_at(uint256(7), x), uint256(0x11));
    EXPECT_EQ(byte_at(uint256(24), x), uint256(0x11));
    EXPECT_EQ(byte_at(uint256(31), x), uint256(0x88));
    EXPECT_EQ(byte_at(uint256(32), x), uint256{});
    EXPECT_EQ(byte_at(kTwo64, x), uint256{});
}

TEST(Uint256, signed_comparisons_order_negatives_first) {
    EXPECT_TRUE(slt(kMinusOne, uint256{}));
    EXPECT_TRUE(slt(kMin, kMinusOne));
    EXPECT_TRUE(slt(kMin, kMax >> 1));
    EXPECT_FALSE(slt(uint256(1), uint256(1)));
    EXPECT_TRUE(sgt(uint256{}, kMinusOne));
    EXPECT_TRUE(sgt(kMax >> 1, kMin));
    EXPECT_FALSE(sgt(uint256(1), uint256(1)));
    EXPECT_TRUE(is_negative(kMin));
    EXPECT_FALSE(is_negative(kMax >> 1));
}

TEST(Uint256, clz_counts_leading_zero_bits_eip7939) {
    EXPECT_EQ(clz(uint256{}), 256u);
    EXPECT_EQ(clz(uint256(1)), 255u);
    EXPECT_EQ(clz(kTwo64), 191u);
    EXPECT_EQ(clz(kMin), 0u);
    EXPECT_EQ(clz(kMax), 0u);
}

TEST(Uint256, bitwise_operators_and_compound_assignment) {
    const uint256 a(0xf0f0, 1, 0, ~uint64_t{0}), b(0x0ff0, 3, 7, 0);
    EXPECT_EQ(a & b, uint256(0x00f0, 1, 0, 0));
    EXPECT_EQ(a | b, uint256(0xfff0, 3, 7, ~uint64_t{0}));
    EXPECT_EQ(a ^ b, uint256(0xff00, 2, 7, ~uint64_t{0}));
    EXPECT_EQ(~uint256{}, kMax);
    uint256 c = a;
    c &= b;
    EXPECT_EQ(c, a & b);
    c = a;
    c |= b;
    EXPECT_EQ(c, a | b);
    c = a;
    c ^= b;
    EXPECT_EQ(c, a ^ b);
    c = uint256(100);
    c *= uint256(3);
    c /= uint256(7);
    EXPECT_EQ(c, uint256(42));
    c %= uint256(5);
    EXPECT_EQ(c, uint256(2));
}

TEST(Uint256, parse_accepts_hex_and_decimal_with_leading_zeros) {
    EXPECT_EQ(parse_uint256("0").value(), uint256{});
    EXPECT_EQ(parse_uint256("000123").value(), uint256(123));
    EXPECT_EQ(parse_uint256("0x0").value(), uint256{});
    EXPECT_EQ(parse_uint256("0X00fF").value(), uint256(255));
    EXPECT_EQ(parse_uint256("0x" + std::string(200, '0') + "1").value(), uint256(1));
    EXPECT_EQ(parse_uint256("0x" + std::string(64, 'f')).value(), kMax);
    EXPECT_EQ(parse_uint256("0x10000000000000000").value(), kTwo64);
    EXPECT_EQ(parse_uint256("18446744073709551616").value(), kTwo64);
    EXPECT_EQ(parse_uint256("11579208923731619542357098500868790785326998466564056403945758400791"
                            "3129639935")
                  .value(),
              kMax);
}

TEST(Uint256, parse_rejects_empty_bad_digits_and_overflow) {
    EXPECT_EQ(parse_uint256("").error(), ParseError::kEmpty);
    EXPECT_EQ(parse_uint256("0x").error(), ParseError::kEmpty);
    EXPECT_EQ(parse_uint256("12a").error(), ParseError::kInvalidDigit);
    EXPECT_EQ(parse_uint256("-1").error(), ParseError::kInvalidDigit);
    EXPECT_EQ(parse_uint256("+1").error(), ParseError::kInvalidDigit);
    EXPECT_EQ(parse_uint256(" 1").error(), ParseError::kInvalidDigit);
    EXPECT_EQ(parse_uint256("0x1g").error(), ParseError::kInvalidDigit);
    EXPECT_EQ(parse_uint256("0x0x1").error(), ParseError::kInvalidDigit);
    EXPECT_EQ(parse_uint256("x1").error(), ParseError::kInvalidDigit);
    EXPECT_EQ(parse_uint256(std::string_view("1\0", 2)).error(), ParseError::kInvalidDigit);
    EXPECT_EQ(parse_uint256("0x1" + std::string(64, '0')).error(), ParseError::kOverflow);
    EXPECT_EQ(parse_uint256("11579208923731619542357098500868790785326998466564056403945758400791"
                            "3129639936")
                  .error(),
              ParseError::kOverflow);
    EXPECT_EQ(parse_uint256(std::string(79, '9')).error(), ParseError::kOverflow);
    // A bad digit is reported even when the value would also overflow.
    EXPECT_EQ(parse_uint256(std::string(100, '9') + "z").error(), ParseError::kInvalidDigit);
    EXPECT_STREQ(to_string(ParseError::kOverflow), "value does not fit in 256 bits");
    EXPECT_STREQ(to_string(ParseError::kEmpty), "no digits");
    EXPECT_STREQ(to_string(ParseError::kInvalidDigit), "invalid digit");
}

TEST(Uint256, text_renderings) {
    EXPECT_EQ(to_string(uint256{}), "0");
    EXPECT_EQ(to_string(kTwo64), "18446744073709551616");
    EXPECT_EQ(to_string(uint256(10'000'000'000'000'000'000ull)), "10000000000000000000");
    EXPECT_EQ(to_string(kMax),
              "115792089237316195423570985008687907853269984665640564039457584007913129639935");
    EXPECT_EQ(to_hex_quantity(uint256{}), "0x0");
    EXPECT_EQ(to_hex_quantity(kTwo64), "0x10000000000000000");
}

TEST(Uint256, big_endian_encodings) {
    const uint8_t be[] = {0x01, 0x02, 0x03};
    const uint256 x = uint256::from_be(be);
    EXPECT_EQ(x, uint256(0x010203));
    EXPECT_EQ(x.to_be_trimmed(), (Bytes{1, 2, 3}));
    EXPECT_TRUE(uint256{}.to_be_trimmed().empty());
    const Bytes32 full = kMin.to_be();
    EXPECT_EQ(full[0], 0x80);
    EXPECT_EQ(uint256::from_be(full), kMin);
}
