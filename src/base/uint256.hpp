#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <string>

#include "base/bytes.hpp"

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
    static uint256 from_be(ByteView be) noexcept;
    /// The 32-byte big-endian encoding.
    Bytes32 to_be() const noexcept;
    /// Writes the 32-byte big-endian encoding to out[0..32).
    void store_be(uint8_t* out) const noexcept;
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
constexpr uint256& operator+=(uint256& a, const uint256& b) noexcept { return a = a + b; }
constexpr uint256& operator-=(uint256& a, const uint256& b) noexcept { return a = a - b; }

/// Decimal rendering (for logs, JSON and tests).
std::string to_string(const uint256& v);
/// "0x"-prefixed minimal hex (Ethereum JSON-RPC quantity form; zero is "0x0").
std::string to_hex_quantity(const uint256& v);

}  // namespace trellis
