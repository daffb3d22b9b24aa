#include "base/uint256.hpp"

#include <algorithm>

#include "base/assert.hpp"

namespace trellis {

uint256 uint256::from_be_short(ByteView be) noexcept {
    TRELLIS_ASSERT(be.size() <= 32);
    uint256 r;
    const size_t n = be.size();
    for (size_t i = 0; i < n; ++i) {
        const size_t bit_pos = (n - 1 - i) * 8;
        r.w[bit_pos / 64] |= uint64_t(be[i]) << (bit_pos % 64);
    }
    return r;
}


Bytes32 uint256::to_be() const noexcept {
    Bytes32 r;
    store_be(r.data());
    return r;
}

Bytes uint256::to_be_trimmed() const {
    const auto full = to_be();
    const unsigned n = byte_length();
    return Bytes(full.bytes.end() - n, full.bytes.end());
}

// ---------------------------------------------------------------------------
// Division.
//
// Knuth, TAOCP vol. 2, §4.3.1, algorithm D, with 64-bit digits. Quotient digits
// are estimated with the reciprocal-based 2-by-1 and 3-by-2 divisions of
// Möller & Granlund, "Improved division by invariant integers" (IEEE Trans.
// Computers 60(2), 2011), Algorithms 4-6: one reciprocal per division, then
// only multiplications per digit. The 3-by-2 estimate is never below the true
// digit and at most one above it, so step D6 (add back) runs at most once.

namespace {

using u128 = unsigned __int128;

constexpr uint64_t hi64(u128 x) noexcept { return uint64_t(x >> 64); }
constexpr uint64_t lo64(u128 x) noexcept { return uint64_t(x); }
constexpr u128 make128(uint64_t hi, uint64_t lo) noexcept { return (u128(hi) << 64) | lo; }

/// floor((2^128 - 1) / d) - 2^64 for a normalised d (top bit set); M&G eq. (3).
inline uint64_t reciprocal_2by1(uint64_t d) noexcept {
    // (2^128 - 1) - 2^64 * d == (~d, ~0): the subtraction of 2^64 is free.
    // ~d < d, so the quotient fits in 64 bits and one hardware 128-by-64
    // divide does it; the portable u128 division goes through a libgcc call
    // that cannot know that.
#if defined(__x86_64__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(~uint64_t{0}), "d"(~d), "r"(d));
    return q;
#else
    return uint64_t(make128(~d, ~uint64_t{0}) / d);
#endif
}

/// floor((2^192 - 1) / (d1, d0)) - 2^64 for a normalised d1; M&G Algorithm 6.
inline uint64_t reciprocal_3by2(uint64_t d1, uint64_t d0) noexcept {
    uint64_t v = reciprocal_2by1(d1);
    uint64_t p = d1 * v;
    p += d0;
    if (p < d0) {
        --v;
        if (p >= d1) {
            --v;
            p -= d1;
        }
        p -= d1;
    }
    const u128 t = u128(v) * d0;
    p += hi64(t);
    if (p < hi64(t)) {
        --v;
        if (p >= d1 && (p > d1 || lo64(t) >= d0)) --v;
    }
    return v;
}

struct QR1 {
    uint64_t q, r;
};

/// (u1, u0) / d for a normalised d with reciprocal v; requires u1 < d. M&G Algorithm 4.
inline QR1 udivrem_2by1(uint64_t u1, uint64_t u0, uint64_t d, uint64_t v) noexcept {
    const u128 q = u128(v) * u1 + make128(u1, u0);
    uint64_t q1 = hi64(q) + 1;
    uint64_t r = u0 - q1 * d;
    if (r > lo64(q)) {
        --q1;
        r += d;
    }
    if (r >= d) [[unlikely]] {
        ++q1;
        r -= d;
    }
    return {q1, r};
}

struct QR2 {
    uint64_t q;
    u128 r;
};

/// (u2, u1, u0) / (d1, d0) for a normalised d1 with reciprocal v; requires
/// (u2, u1) < (d1, d0). M&G Algorithm 5.
inline QR2 udivrem_3by2(uint64_t u2, uint64_t u1, uint64_t u0, uint64_t d1, uint64_t d0,
                        uint64_t v) noexcept {
    const u128 d = make128(d1, d0);
    const u128 q = u128(v) * u2 + make128(u2, u1);
    uint64_t q1 = hi64(q);
    const uint64_t r1 = u1 - q1 * d1;
    u128 r = make128(r1, u0) - u128(d0) * q1 - d;
    ++q1;
    if (hi64(r) >= lo64(q)) {
        --q1;
        r += d;
    }
    if (r >= d) [[unlikely]] {
        ++q1;
        r -= d;
    }
    return {q1, r};
}

/// u[0..n) -= q * v[0..n); returns the limb borrowed out of the top.
inline uint64_t submul(uint64_t* u, const uint64_t* v, int n, uint64_t q) noexcept {
    uint64_t borrow = 0;
    for (int i = 0; i < n; ++i) {
        const u128 p = u128(v[i]) * q + borrow;
        const uint64_t t = u[i];
        u[i] = t - lo64(p);
        borrow = hi64(p) + (t < lo64(p));
    }
    return borrow;
}

/// u[0..n) += v[0..n); returns the carry out of the top.
inline uint64_t add_n(uint64_t* u, const uint64_t* v, int n) noexcept {
    uint64_t carry = 0;
    for (int i = 0; i < n; ++i) {
        const u128 s = u128(u[i]) + v[i] + carry;
        u[i] = lo64(s);
        carry = hi64(s);
    }
    return carry;
}

/// Number of significant limbs of x[0..n).
inline int significant_limbs(const uint64_t* x, int n) noexcept {
    while (n > 0 && x[n - 1] == 0) --n;
    return n;
}

/// u[0..un) / d for d != 0: writes q[0..un) and returns the remainder.
uint64_t udivrem_by_limb(const uint64_t* u, int un, uint64_t d, uint64_t* q) noexcept {
    const unsigned s = unsigned(std::countl_zero(d));
    const uint64_t dn = d << s;
    const uint64_t v = reciprocal_2by1(dn);
    // Normalise the dividend on the fly: digit i of u << s is
    // (u[i] << s) | (u[i-1] >> (64 - s)); the bits shifted out of the top
    // start the running remainder, which is < 2^s <= dn.
    uint64_t r = (u[un - 1] >> 1) >> (63 - s);
    for (int i = un - 1; i >= 0; --i) {
        const uint64_t below = i > 0 ? (u[i - 1] >> 1) >> (63 - s) : 0;
        const QR1 qr = udivrem_2by1(r, (u[i] << s) | below, dn, v);
        q[i] = qr.q;
        r = qr.r;
    }
    return r >> s;
}

/// Knuth D for a divisor of exactly vn limbs (2 <= vn <= 4, v[vn-1] != 0) and
/// vn <= un <= 8: writes the quotient to q[0..un-vn] and the remainder to
/// r[0..vn). vn is a template parameter so the limb loops unroll.
template <int vn>
void udivrem_knuth_n(const uint64_t* u_in, int un, const uint64_t* v_in, uint64_t* q,
                     uint64_t* r) noexcept {
    static_assert(vn >= 2 && vn <= 4);
    // D1: normalise so the divisor's top bit is set; u gains one limb.
    const unsigned s = unsigned(std::countl_zero(v_in[vn - 1]));
    uint64_t v[vn];
    uint64_t u[9];
    for (int i = vn - 1; i >= 0; --i)
        v[i] = (v_in[i] << s) | (i > 0 ? (v_in[i - 1] >> 1) >> (63 - s) : 0);
    u[un] = (u_in[un - 1] >> 1) >> (63 - s);
    for (int i = un - 1; i >= 0; --i)
        u[i] = (u_in[i] << s) | (i > 0 ? (u_in[i - 1] >> 1) >> (63 - s) : 0);

    const uint64_t d1 = v[vn - 1], d0 = v[vn - 2];
    const uint64_t inv = reciprocal_3by2(d1, d0);
    // D2-D7: one quotient digit per window u[j .. j+vn].
    for (int j = un - vn; j >= 0; --j) {
        const uint64_t u2 = u[j + vn], u1 = u[j + vn - 1], u0 = u[j + vn - 2];
        uint64_t qd;
        if (u2 == d1 && u1 == d0) [[unlikely]] {
            // The window is < B * v and starts with v's top two digits, so
            // the digit is exactly B - 1 (3-by-2 would overflow here).
            qd = ~uint64_t{0};
            const uint64_t borrow = submul(u + j, v, vn, qd);
            u[j + vn] -= borrow;
        } else {
            const QR2 e = udivrem_3by2(u2, u1, u0, d1, d0, inv);
            qd = e.q;
            // The 3-by-2 step already subtracted qd * (d1, d0) from the top
            // three digits; subtract qd times the lower vn-2 digits.
            const uint64_t borrow = submul(u + j, v, vn - 2, qd);
            const uint64_t r0 = lo64(e.r), r1 = hi64(e.r);
            const uint64_t b0 = r0 < borrow;
            u[j + vn - 2] = r0 - borrow;
            const uint64_t b1 = r1 < b0;
            u[j + vn - 1] = r1 - b0;
            u[j + vn] = 0;
            if (b1) [[unlikely]] {
                // D6: the estimate was one too large; add v back (the carry
                // out cancels the borrow).
                --qd;
                add_n(u + j, v, vn);
            }
        }
        q[j] = qd;
    }
    // D8: unnormalise the remainder.
    for (int i = 0; i < vn; ++i)
        r[i] = (u[i] >> s) | (i + 1 < vn ? (u[i + 1] << 1) << (63 - s) : 0);
}

/// Knuth D for 2 <= vn <= 4 (see udivrem_knuth_n).
void udivrem_knuth(const uint64_t* u, int un, const uint64_t* v, int vn, uint64_t* q,
                   uint64_t* r) noexcept {
    switch (vn) {
        case 2: return udivrem_knuth_n<2>(u, un, v, q, r);
        case 3: return udivrem_knuth_n<3>(u, un, v, q, r);
        default: TRELLIS_ASSERT(vn == 4); return udivrem_knuth_n<4>(u, un, v, q, r);
    }
}

/// r = u[0..un) mod m, for un <= 8 and m != 0.
uint256 mod_limbs(const uint64_t* u, int un, const uint256& m) noexcept {
    const int vn = significant_limbs(m.w, 4);
    un = significant_limbs(u, un);
    if (un < vn) {
        uint256 r;
        for (int i = 0; i < un; ++i) r.w[i] = u[i];
        return r;
    }
    uint64_t q[8];
    if (vn == 1) return uint256(udivrem_by_limb(u, un, m.w[0], q));
    uint256 r;
    udivrem_knuth(u, un, m.w, vn, q, r.w);
    return r;
}

}  // namespace

namespace detail {

std::pair<uint256, uint256> divmod_slow(const uint256& a, const uint256& b) noexcept {
    if (b.is_zero()) return {};
    if (a < b) return {uint256{}, a};
    const int un = significant_limbs(a.w, 4);
    const int vn = significant_limbs(b.w, 4);
    uint256 q, r;
    if (vn == 1) {
        r.w[0] = udivrem_by_limb(a.w, un, b.w[0], q.w);
    } else {
        udivrem_knuth(a.w, un, b.w, vn, q.w, r.w);
    }
    return {q, r};
}

}  // namespace detail

// ---------------------------------------------------------------------------
// EVM arithmetic.

uint256 sdiv(const uint256& a, const uint256& b) noexcept {
    const bool na = is_negative(a), nb = is_negative(b);
    // |-2^255| wraps to 2^255, which read unsigned is the right magnitude, so
    // -2^255 / -1 yields 2^255 == -2^255 with no special case.
    const uint256 q = (na ? -a : a) / (nb ? -b : b);
    return na != nb ? -q : q;
}

uint256 smod(const uint256& a, const uint256& b) noexcept {
    const bool na = is_negative(a);
    const uint256 r = (na ? -a : a) % (is_negative(b) ? -b : b);
    return na ? -r : r;
}

uint256 addmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    if (m.is_zero()) return {};
    const uint256 x = a < m ? a : a % m;
    const uint256 y = b < m ? b : b % m;
    // x + y < 2m: one conditional subtraction reduces it, even when the sum
    // carried out of 256 bits (the wrapped difference is then exact).
    bool carry = false;
    const uint256 s = add_with_carry(x, y, &carry);
    return carry || s >= m ? s - m : s;
}

uint256 mulmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    if (m.is_zero()) return {};
    const uint512 p = mul_full(a, b);
    return mod_limbs(p.w, 8, m);
}

namespace {

/// The low 256 bits of a^2 with 6 limb products instead of mul's 10: each
/// cross product a_i a_j (i < j) is formed once and doubled.
inline uint256 sqr(const uint256& a) noexcept {
    const u128 p01 = u128(a.w[0]) * a.w[1];
    const u128 p02 = u128(a.w[0]) * a.w[2];
    const uint64_t p3 = a.w[0] * a.w[3] + a.w[1] * a.w[2];  // only its low limb reaches 2^192
    // cross = a0 a1 B + a0 a2 B^2 + (a0 a3 + a1 a2) B^3
    const u128 mid = u128(hi64(p01)) + lo64(p02);
    const uint64_t c1 = lo64(p01), c2 = lo64(mid), c3 = hi64(mid) + hi64(p02) + p3;
    // 2 * cross + a0^2 + a1^2 B^2
    const uint256 twice{0, c1 << 1, (c2 << 1) | (c1 >> 63), (c3 << 1) | (c2 >> 63)};
    const u128 d0 = u128(a.w[0]) * a.w[0];
    const u128 d1 = u128(a.w[1]) * a.w[1];
    return twice + uint256(lo64(d0), hi64(d0), lo64(d1), hi64(d1));
}

}  // namespace

uint256 exp(const uint256& base, const uint256& exponent) noexcept {
    const unsigned bits = exponent.bit_length();
    if (bits == 0) return 1;
    if (base.fits_u64() && base.w[0] <= 2) {
        // 0^e = 0 and 1^e = 1 for e > 0; 2^e is a shift (0 from e >= 256).
        if (base.w[0] != 2) return base;
        return exponent.fits_u64() && exponent.w[0] < 256 ? uint256(1) << unsigned(exponent.w[0])
                                                          : uint256{};
    }
    const auto bit = [&](unsigned i) { return unsigned(exponent.w[i / 64] >> (i % 64)) & 1; };
    if (bits <= 64) {
        // Short exponents (the common case in contracts): plain left-to-right
        // binary, no table to build.
        uint256 r = base;
        for (int i = int(bits) - 2; i >= 0; --i) {
            r = sqr(r);
            if (bit(unsigned(i))) r *= base;
        }
        return r;
    }
    // Long exponents: fixed 4-bit windows, left to right. 15 table products
    // buy one multiplication per 4 bits instead of one per set bit.
    constexpr unsigned kWindow = 4;
    uint256 table[1u << kWindow];
    table[0] = 1;
    table[1] = base;
    for (unsigned i = 2; i < (1u << kWindow); ++i) table[i] = table[i - 1] * base;
    const unsigned windows = (bits + kWindow - 1) / kWindow;
    const auto window = [&](unsigned k) {
        // Bits [4k, 4k + 4) never straddle a limb.
        return unsigned(exponent.w[(k * kWindow) / 64] >> ((k * kWindow) % 64)) & 0xf;
    };
    uint256 r = table[window(windows - 1)];
    for (int k = int(windows) - 2; k >= 0; --k) {
        r = sqr(sqr(sqr(sqr(r))));
        // An even base reaches 0 mod 2^256 and stays there.
        if (r.is_zero()) return r;
        r *= table[window(unsigned(k))];
    }
    return r;
}

// ---------------------------------------------------------------------------
// Text.

std::string to_string(const uint256& v) {
    if (v.is_zero()) return "0";
    // Peel off 19 decimal digits at a time (10^19 is the largest power of ten
    // below 2^64), then render each chunk.
    constexpr uint64_t kChunk = 10'000'000'000'000'000'000ull;
    char buf[80];
    size_t pos = sizeof buf;
    uint256 x = v;
    while (!x.is_zero()) {
        uint256 q;
        const int n = significant_limbs(x.w, 4);
        uint64_t rem = udivrem_by_limb(x.w, n, kChunk, q.w);
        x = q;
        for (int d = 0; d < 19 && (rem != 0 || !x.is_zero()); ++d) {
            buf[--pos] = char('0' + rem % 10);
            rem /= 10;
        }
    }
    return std::string(buf + pos, sizeof buf - pos);
}

std::string to_hex_quantity(const uint256& v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    if (v.is_zero()) return "0x0";
    std::string out = "0x";
    bool started = false;
    for (int i = 63; i >= 0; --i) {
        const unsigned nib = unsigned(v.w[i / 16] >> ((i % 16) * 4)) & 0xf;
        if (!started && nib == 0) continue;
        started = true;
        out.push_back(kDigits[nib]);
    }
    return out;
}

const char* to_string(ParseError e) noexcept {
    switch (e) {
        case ParseError::kEmpty: return "no digits";
        case ParseError::kInvalidDigit: return "invalid digit";
        case ParseError::kOverflow: return "value does not fit in 256 bits";
    }
    return "unknown parse error";
}

namespace {

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Result<uint256, ParseError> parse_hex(std::string_view digits) noexcept {
    if (digits.empty()) return Unexpected{ParseError::kEmpty};
    for (char c : digits)
        if (hex_digit(c) < 0) return Unexpected{ParseError::kInvalidDigit};
    const size_t first = std::min(digits.find_first_not_of('0'), digits.size());
    const std::string_view sig = digits.substr(first);
    if (sig.size() > 64) return Unexpected{ParseError::kOverflow};
    uint256 r;
    for (size_t i = 0; i < sig.size(); ++i) {
        const size_t nib = sig.size() - 1 - i;  // nibble index from the least significant
        r.w[nib / 16] |= uint64_t(hex_digit(sig[i])) << (4 * (nib % 16));
    }
    return r;
}

Result<uint256, ParseError> parse_decimal(std::string_view digits) noexcept {
    for (char c : digits)
        if (c < '0' || c > '9') return Unexpected{ParseError::kInvalidDigit};
    const size_t first = std::min(digits.find_first_not_of('0'), digits.size());
    const std::string_view sig = digits.substr(first);
    // 2^256 - 1 has 78 decimal digits.
    if (sig.size() > 78) return Unexpected{ParseError::kOverflow};
    // Accumulate up to 19 digits at a time: r = r * 10^k + chunk, watching
    // the carry out of the top limb.
    uint256 r;
    size_t i = 0;
    while (i < sig.size()) {
        const size_t k = std::min<size_t>(19, sig.size() - i);
        uint64_t chunk = 0, scale = 1;
        for (size_t j = 0; j < k; ++j) {
            chunk = chunk * 10 + uint64_t(sig[i + j] - '0');
            scale *= 10;
        }
        i += k;
        uint64_t carry = chunk;
        for (int l = 0; l < 4; ++l) {
            const u128 p = u128(r.w[l]) * scale + carry;
            r.w[l] = lo64(p);
            carry = hi64(p);
        }
        if (carry != 0) return Unexpected{ParseError::kOverflow};
    }
    return r;
}

}  // namespace

Result<uint256, ParseError> parse_uint256(std::string_view s) noexcept {
    if (s.empty()) return Unexpected{ParseError::kEmpty};
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return parse_hex(s.substr(2));
    return parse_decimal(s);
}

}  // namespace trellis
