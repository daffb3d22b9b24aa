#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace trellis {

/// 256-bit unsigned integer with wrap-around (mod 2^256) arithmetic, as the EVM
/// needs. Limbs are little-endian: w[0] is the least significant 64 bits.
/// A trivially copyable value type; every operation is total (division by zero
/// yields 0, as in the EVM).
struct uint256 {
    uint64_t w[4]{};

    constexpr uint256() noexcept = default;
    constexpr uint256(uint64_t v) noexcept : w{v, 0, 0, 0} {}  // NOLINT: implicit by design
    constexpr uint256(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) noexcept
        : w{w0, w1, w2, w3} {}

    static constexpr uint256 max() noexcept { return {~0ull, ~0ull, ~0ull, ~0ull}; }

    /// Interprets up to 32 big-endian bytes (shorter input is left-padded with
    /// zeros). The caller guarantees be.size() <= 32.
    static uint256 from_be(ByteView be) noexcept {
        return be.size() == 32 ? load_be32(be.data()) : from_be_short(be);
    }
    /// Exactly 32 big-endian bytes at p.
    static uint256 load_be32(const uint8_t* p) noexcept {
        uint256 r;
        for (int i = 0; i < 4; ++i) {
            uint64_t limb;
            std::memcpy(&limb, p + 8 * (3 - i), 8);
            r.w[i] = __builtin_bswap64(limb);
        }
        return r;
    }
    static uint256 from_be_short(ByteView be) noexcept;
    /// The 32-byte big-endian encoding.
    Bytes32 to_be() const noexcept;
    /// Writes the 32-byte big-endian encoding to out[0..32).
    void store_be(uint8_t* out) const noexcept {
        for (int i = 0; i < 4; ++i) {
            const uint64_t limb = __builtin_bswap64(w[3 - i]);
            std::memcpy(out + 8 * i, &limb, 8);
        }
    }
    /// Minimal big-endian encoding (no leading zeros; zero encodes as empty).
    Bytes to_be_trimmed() const;

    constexpr bool is_zero() const noexcept { return (w[0] | w[1] | w[2] | w[3]) == 0; }
    constexpr explicit operator bool() const noexcept { return !is_zero(); }
    /// Number of significant bits (0 for zero).
    constexpr unsigned bit_length() const noexcept {
        for (int i = 3; i >= 0; --i)
            if (w[i]) return unsigned(64 * i + 64 - std::countl_zero(w[i]));
        return 0;
    }
    /// Number of significant bytes (0 for zero).
    constexpr unsigned byte_length() const noexcept { return (bit_length() + 7) / 8; }
    /// True when the value fits in 64 bits.
    constexpr bool fits_u64() const noexcept { return (w[1] | w[2] | w[3]) == 0; }
    constexpr explicit operator uint64_t() const noexcept { return w[0]; }

    friend constexpr bool operator==(const uint256&, const uint256&) noexcept = default;
    friend constexpr std::strong_ordering operator<=>(const uint256& a, const uint256& b) noexcept {
        for (int i = 3; i >= 0; --i)
            if (a.w[i] != b.w[i]) return a.w[i] <=> b.w[i];
        return std::strong_ordering::equal;
    }
};

/// A 512-bit unsigned value (little-endian limbs): the full product of two
/// uint256, as MULMOD needs before reduction.
struct uint512 {
    uint64_t w[8]{};

    constexpr uint256 lo() const noexcept { return {w[0], w[1], w[2], w[3]}; }
    constexpr uint256 hi() const noexcept { return {w[4], w[5], w[6], w[7]}; }
    friend constexpr bool operator==(const uint512&, const uint512&) noexcept = default;
};

// ---------------------------------------------------------------------------
// Addition, subtraction, negation.

/// Add with carry-out. Returns a + b mod 2^256; *carry is set when it wrapped.
constexpr uint256 add_with_carry(const uint256& a, const uint256& b, bool* carry) noexcept {
    uint256 r;
    unsigned long long c = 0;
    for (int i = 0; i < 4; ++i) {
        const unsigned __int128 s = (unsigned __int128)a.w[i] + b.w[i] + c;
        r.w[i] = uint64_t(s);
        c = uint64_t(s >> 64);
    }
    if (carry) *carry = c != 0;
    return r;
}
/// Subtract with borrow-out. Returns a - b mod 2^256; *borrow is set when a < b.
constexpr uint256 sub_with_borrow(const uint256& a, const uint256& b, bool* borrow) noexcept {
    uint256 r;
    uint64_t br = 0;
    for (int i = 0; i < 4; ++i) {
        const uint64_t d = a.w[i] - b.w[i];
        const uint64_t b1 = a.w[i] < b.w[i];
        r.w[i] = d - br;
        br = b1 | (d < br);
    }
    if (borrow) *borrow = br != 0;
    return r;
}
constexpr uint256 operator+(const uint256& a, const uint256& b) noexcept {
    return add_with_carry(a, b, nullptr);
}
constexpr uint256 operator-(const uint256& a, const uint256& b) noexcept {
    return sub_with_borrow(a, b, nullptr);
}
/// Two's-complement negation: 2^256 - x (and -0 = 0).
constexpr uint256 operator-(const uint256& x) noexcept { return uint256{} - x; }

// ---------------------------------------------------------------------------
// Multiplication.

/// The low 256 bits of a * b. Only the 10 partial products that land below
/// 2^256 are formed; the top column needs no carry-out.
constexpr uint256 operator*(const uint256& a, const uint256& b) noexcept {
    uint256 r;
    for (int i = 0; i < 4; ++i) {
        uint64_t carry = 0;
        for (int j = 0; j < 3 - i; ++j) {
            const unsigned __int128 p =
                (unsigned __int128)a.w[i] * b.w[j] + r.w[i + j] + carry;
            r.w[i + j] = uint64_t(p);
            carry = uint64_t(p >> 64);
        }
        r.w[3] += a.w[i] * b.w[3 - i] + carry;
    }
    return r;
}

/// The full 512-bit product a * b.
constexpr uint512 mul_full(const uint256& a, const uint256& b) noexcept {
    uint512 r;
    for (int i = 0; i < 4; ++i) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; ++j) {
            const unsigned __int128 p =
                (unsigned __int128)a.w[i] * b.w[j] + r.w[i + j] + carry;
            r.w[i + j] = uint64_t(p);
            carry = uint64_t(p >> 64);
        }
        r.w[i + 4] = carry;
    }
    return r;
}

// ---------------------------------------------------------------------------
// Bitwise operations and shifts.

constexpr uint256 operator&(const uint256& a, const uint256& b) noexcept {
    return {a.w[0] & b.w[0], a.w[1] & b.w[1], a.w[2] & b.w[2], a.w[3] & b.w[3]};
}
constexpr uint256 operator|(const uint256& a, const uint256& b) noexcept {
    return {a.w[0] | b.w[0], a.w[1] | b.w[1], a.w[2] | b.w[2], a.w[3] | b.w[3]};
}
constexpr uint256 operator^(const uint256& a, const uint256& b) noexcept {
    return {a.w[0] ^ b.w[0], a.w[1] ^ b.w[1], a.w[2] ^ b.w[2], a.w[3] ^ b.w[3]};
}
constexpr uint256 operator~(const uint256& a) noexcept {
    return {~a.w[0], ~a.w[1], ~a.w[2], ~a.w[3]};
}

// Shifts run without data-dependent branches (shift amounts come from
// contract input): shift bits within limbs first, then move whole limbs by an
// indexed load from a zero-padded buffer.

/// x * 2^n mod 2^256; n >= 256 gives 0.
constexpr uint256 operator<<(const uint256& x, unsigned n) noexcept {
    if (n >= 256) return {};
    const unsigned limbs = n / 64, bits = n % 64;
    // pad[4..8) = x << bits (within 256 bits); pad[0..4) = 0. (v >> 1) >> (63 - bits)
    // is v >> (64 - bits) without the undefined shift by 64 when bits == 0.
    uint64_t pad[8] = {0, 0, 0, 0,
                       x.w[0] << bits,
                       (x.w[1] << bits) | ((x.w[0] >> 1) >> (63 - bits)),
                       (x.w[2] << bits) | ((x.w[1] >> 1) >> (63 - bits)),
                       (x.w[3] << bits) | ((x.w[2] >> 1) >> (63 - bits))};
    return {pad[4 - limbs], pad[5 - limbs], pad[6 - limbs], pad[7 - limbs]};
}
/// floor(x / 2^n); n >= 256 gives 0.
constexpr uint256 operator>>(const uint256& x, unsigned n) noexcept {
    if (n >= 256) return {};
    const unsigned limbs = n / 64, bits = n % 64;
    uint64_t pad[8] = {(x.w[0] >> bits) | ((x.w[1] << 1) << (63 - bits)),
                       (x.w[1] >> bits) | ((x.w[2] << 1) << (63 - bits)),
                       (x.w[2] >> bits) | ((x.w[3] << 1) << (63 - bits)),
                       x.w[3] >> bits,
                       0, 0, 0, 0};
    return {pad[limbs], pad[limbs + 1], pad[limbs + 2], pad[limbs + 3]};
}

// ---------------------------------------------------------------------------
// Division (out of line: Knuth algorithm D, uint256.cpp).

namespace detail {
/// divmod for the cases the inline fast path does not take.
std::pair<uint256, uint256> divmod_slow(const uint256& a, const uint256& b) noexcept;
}  // namespace detail

/// {a / b, a % b}, both 0 when b == 0 (EVM DIV/MOD: yellow paper, appendix H).
inline std::pair<uint256, uint256> divmod(const uint256& a, const uint256& b) noexcept {
    if (a.fits_u64() && b.fits_u64()) [[likely]] {
        if (b.w[0] == 0) return {};
        return {uint256(a.w[0] / b.w[0]), uint256(a.w[0] % b.w[0])};
    }
    return detail::divmod_slow(a, b);
}
/// Unsigned quotient; x / 0 = 0.
inline uint256 operator/(const uint256& a, const uint256& b) noexcept { return divmod(a, b).first; }
/// Unsigned remainder; x % 0 = 0.
inline uint256 operator%(const uint256& a, const uint256& b) noexcept { return divmod(a, b).second; }

// ---------------------------------------------------------------------------
// Compound assignments.

constexpr uint256& operator+=(uint256& a, const uint256& b) noexcept { return a = a + b; }
constexpr uint256& operator-=(uint256& a, const uint256& b) noexcept { return a = a - b; }
constexpr uint256& operator*=(uint256& a, const uint256& b) noexcept { return a = a * b; }
inline uint256& operator/=(uint256& a, const uint256& b) noexcept { return a = a / b; }
inline uint256& operator%=(uint256& a, const uint256& b) noexcept { return a = a % b; }
constexpr uint256& operator&=(uint256& a, const uint256& b) noexcept { return a = a & b; }
constexpr uint256& operator|=(uint256& a, const uint256& b) noexcept { return a = a | b; }
constexpr uint256& operator^=(uint256& a, const uint256& b) noexcept { return a = a ^ b; }
constexpr uint256& operator<<=(uint256& a, unsigned n) noexcept { return a = a << n; }
constexpr uint256& operator>>=(uint256& a, unsigned n) noexcept { return a = a >> n; }

// ---------------------------------------------------------------------------
// EVM operations (yellow paper appendix H; operand order as on the EVM stack).

/// True when the two's-complement reading of x is negative (bit 255 set).
constexpr bool is_negative(const uint256& x) noexcept { return (x.w[3] >> 63) != 0; }

/// Count of leading zero bits; 256 for zero. EIP-7939 (CLZ).
constexpr unsigned clz(const uint256& x) noexcept { return 256 - x.bit_length(); }

/// Signed less-than on two's-complement values (EVM SLT).
constexpr bool slt(const uint256& a, const uint256& b) noexcept {
    const bool na = is_negative(a), nb = is_negative(b);
    // Same sign: the two's-complement order equals the unsigned order.
    return na != nb ? na : a < b;
}
/// Signed greater-than (EVM SGT).
constexpr bool sgt(const uint256& a, const uint256& b) noexcept { return slt(b, a); }

/// EVM SHL: x << shift, operand order as on the stack (EIP-145); shift >= 256 gives 0.
constexpr uint256 shl(const uint256& shift, const uint256& x) noexcept {
    if (!shift.fits_u64() || shift.w[0] >= 256) return {};
    return x << unsigned(shift.w[0]);
}
/// EVM SHR: logical x >> shift (EIP-145); shift >= 256 gives 0.
constexpr uint256 shr(const uint256& shift, const uint256& x) noexcept {
    if (!shift.fits_u64() || shift.w[0] >= 256) return {};
    return x >> unsigned(shift.w[0]);
}
/// EVM SAR: arithmetic x >> shift, rounding towards -infinity (EIP-145);
/// shift >= 256 gives 0, or all ones when x is negative.
constexpr uint256 sar(const uint256& shift, const uint256& x) noexcept {
    const bool neg = is_negative(x);
    if (!shift.fits_u64() || shift.w[0] >= 256) return neg ? uint256::max() : uint256{};
    const unsigned n = unsigned(shift.w[0]);
    // For negative x, ~x is non-negative and floor(x / 2^n) = ~(~x >> n).
    return neg ? ~(~x >> n) : x >> n;
}

/// EVM BYTE: byte `index` of x counting from the most significant (index 0);
/// index >= 32 gives 0.
constexpr uint256 byte_at(const uint256& index, const uint256& x) noexcept {
    if (!index.fits_u64() || index.w[0] >= 32) return {};
    const unsigned from_lsb = 31 - unsigned(index.w[0]);
    return uint256((x.w[from_lsb / 8] >> (8 * (from_lsb % 8))) & 0xff);
}

/// EVM SIGNEXTEND: extends the sign bit of byte `byte_index` (0 = least
/// significant) of x through the upper bytes; byte_index >= 31 returns x.
constexpr uint256 signextend(const uint256& byte_index, const uint256& x) noexcept {
    if (!byte_index.fits_u64() || byte_index.w[0] >= 31) return x;
    const unsigned keep = 8 * unsigned(byte_index.w[0]) + 8;  // bits kept, 8..248
    const bool neg = ((x.w[(keep - 1) / 64] >> ((keep - 1) % 64)) & 1) != 0;
    const uint64_t fill = neg ? ~uint64_t{0} : 0;
    // Per-limb masks with constant indices keep the value in registers (a
    // variable limb index made the compiler spill it to the stack).
    uint256 r;
    for (unsigned i = 0; i < 4; ++i) {
        const unsigned lo = 64 * i;
        const uint64_t mask = keep >= lo + 64 ? ~uint64_t{0} : keep <= lo ? 0 : (uint64_t{1} << (keep - lo)) - 1;
        r.w[i] = (x.w[i] & mask) | (fill & ~mask);
    }
    return r;
}

/// EVM SDIV: two's-complement quotient truncated towards zero; x / 0 = 0 and
/// -2^255 / -1 = -2^255 (the overflow wraps).
uint256 sdiv(const uint256& a, const uint256& b) noexcept;
/// EVM SMOD: remainder with the sign of the dividend; x % 0 = 0.
uint256 smod(const uint256& a, const uint256& b) noexcept;
/// EVM ADDMOD: (a + b) mod m over the unbounded 257-bit sum; m == 0 gives 0.
uint256 addmod(const uint256& a, const uint256& b, const uint256& m) noexcept;
/// EVM MULMOD: (a * b) mod m over the full 512-bit product; m == 0 gives 0.
uint256 mulmod(const uint256& a, const uint256& b, const uint256& m) noexcept;
/// EVM EXP: base^exponent mod 2^256 (0^0 = 1), by square-and-multiply.
uint256 exp(const uint256& base, const uint256& exponent) noexcept;

// ---------------------------------------------------------------------------
// Text.

/// Decimal rendering (for logs, JSON and tests).
std::string to_string(const uint256& v);
/// "0x"-prefixed minimal hex (Ethereum JSON-RPC quantity form; zero is "0x0").
std::string to_hex_quantity(const uint256& v);

enum class ParseError {
    kEmpty,         ///< no digits: "" or a bare "0x"
    kInvalidDigit,  ///< a character that is not a digit of the base (signs and spaces included)
    kOverflow,      ///< the value does not fit in 256 bits
};
const char* to_string(ParseError e) noexcept;

/// Parses "0x"/"0X"-prefixed hex (either case) or plain decimal. Leading zeros
/// are allowed in both; the value must be < 2^256. An invalid character is
/// reported in preference to overflow. Input of any length is handled in one
/// pass without allocating.
Result<uint256, ParseError> parse_uint256(std::string_view s) noexcept;

}  // namespace trellis
