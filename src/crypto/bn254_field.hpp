#pragma once

// The field tower of the alt_bn128 (BN254) pairing curve used by the EVM
// precompiles 0x06-0x08 (EIP-196, EIP-197):
//
//   Fp   = GF(p),                    p = 36u^4 + 36u^3 + 24u^2 + 6u + 1
//   Fp2  = Fp[i]  / (i^2 + 1)
//   Fp6  = Fp2[v] / (v^3 - xi),      xi = 9 + i
//   Fp12 = Fp6[w] / (w^2 - v)        (so w^6 = xi)
//
// with u = 4965661367192848881. Everything here is a value type with inline
// arithmetic, because the pairing spends all its time in these few functions
// and they must inline into the Miller loop. Nothing here is constant time:
// the precompiles handle only public data.

#include <cstdint>
#include <type_traits>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "base/uint256.hpp"

namespace trellis::crypto::bn254 {

using u128 = unsigned __int128;

/// The base field modulus p, little-endian 64-bit limbs.
inline constexpr uint64_t kP[4] = {0x3c208c16d87cfd47ull, 0x97816a916871ca8dull,
                                   0xb85045b68181585dull, 0x30644e72e131a029ull};
/// -p^-1 mod 2^64, the Montgomery reduction factor.
inline constexpr uint64_t kPInv = 0x87d20782e4866389ull;
/// R^2 mod p with R = 2^256: multiplying by it enters Montgomery form.
inline constexpr uint64_t kR2[4] = {0xf32cfc5b538afa89ull, 0xb5e71911d44501fbull,
                                    0x47ab1eff0a417ff6ull, 0x06d89f71cab8351full};
/// The BN parameter u (positive for BN254, so no conjugations in the pairing).
inline constexpr uint64_t kU = 4965661367192848881ull;

/// An element of Fp in Montgomery form (value * 2^256 mod p), always fully
/// reduced to [0, p) so that equality is limb equality.
struct Fp {
    uint64_t v[4]{};

    static constexpr Fp zero() noexcept { return {}; }
    static constexpr Fp one() noexcept;
    /// Enters Montgomery form. Precondition: a < p (callers range-check input).
    static constexpr Fp from_u256(const uint256& a) noexcept;
    /// Leaves Montgomery form: the canonical value in [0, p).
    constexpr uint256 to_u256() const noexcept;

    constexpr bool is_zero() const noexcept { return (v[0] | v[1] | v[2] | v[3]) == 0; }
    friend constexpr bool operator==(const Fp& a, const Fp& b) noexcept {
        return ((a.v[0] ^ b.v[0]) | (a.v[1] ^ b.v[1]) | (a.v[2] ^ b.v[2]) | (a.v[3] ^ b.v[3])) == 0;
    }
};

namespace detail {

// Carry chains. GCC turns the unsigned __int128 formulation into poor code
// (it materialises each carry in a register), so on x86-64 the adc/sbb
// intrinsics are used outside constant evaluation.
constexpr uint64_t addc(uint64_t a, uint64_t b, unsigned char& carry) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned long long r;
        carry = _addcarry_u64(carry, a, b, &r);
        return r;
    }
#endif
    const u128 t = u128(a) + b + carry;
    carry = (unsigned char)(t >> 64);
    return uint64_t(t);
}

constexpr uint64_t subb(uint64_t a, uint64_t b, unsigned char& borrow) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned long long r;
        borrow = _subborrow_u64(borrow, a, b, &r);
        return r;
    }
#endif
    const u128 t = u128(a) - b - borrow;
    borrow = (unsigned char)((t >> 64) & 1);
    return uint64_t(t);
}

/// r = a - p if a >= p, else a. a < 2p < 2^255 so a fits in four limbs.
constexpr void reduce_once(uint64_t r[4], const uint64_t a[4]) noexcept {
    unsigned char borrow = 0;
    const uint64_t d0 = subb(a[0], kP[0], borrow);
    const uint64_t d1 = subb(a[1], kP[1], borrow);
    const uint64_t d2 = subb(a[2], kP[2], borrow);
    const uint64_t d3 = subb(a[3], kP[3], borrow);
    // borrow set means a < p: keep a.
    r[0] = borrow ? a[0] : d0;
    r[1] = borrow ? a[1] : d1;
    r[2] = borrow ? a[2] : d2;
    r[3] = borrow ? a[3] : d3;
}

/// Montgomery product a * b / 2^256 mod p (CIOS). Each row adds the low and
/// then the high halves of the four partial products as two carry chains,
/// which compiles to straight adc sequences (about 15% faster here than
/// folding each 128-bit product into the accumulator). p's top limb is below
/// 2^62, so the accumulator never exceeds five limbs and one final
/// conditional subtraction suffices.
constexpr void mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) noexcept {
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
    for (int i = 0; i < 4; ++i) {
        // t += a * b[i]
        const uint64_t bi = b[i];
        const u128 p0 = u128(a[0]) * bi, p1 = u128(a[1]) * bi;
        const u128 p2 = u128(a[2]) * bi, p3 = u128(a[3]) * bi;
        unsigned char c = 0;
        t0 = addc(t0, uint64_t(p0), c);
        t1 = addc(t1, uint64_t(p1), c);
        t2 = addc(t2, uint64_t(p2), c);
        t3 = addc(t3, uint64_t(p3), c);
        t4 += c;
        c = 0;
        t1 = addc(t1, uint64_t(p0 >> 64), c);
        t2 = addc(t2, uint64_t(p1 >> 64), c);
        t3 = addc(t3, uint64_t(p2 >> 64), c);
        t4 = addc(t4, uint64_t(p3 >> 64), c);
        // t = (t + m p) / 2^64 with m chosen so the low limb cancels.
        const uint64_t m = t0 * kPInv;
        const u128 q0 = u128(m) * kP[0], q1 = u128(m) * kP[1];
        const u128 q2 = u128(m) * kP[2], q3 = u128(m) * kP[3];
        c = 0;
        (void)addc(t0, uint64_t(q0), c);  // low limb becomes zero, carry survives
        t1 = addc(t1, uint64_t(q1), c);
        t2 = addc(t2, uint64_t(q2), c);
        t3 = addc(t3, uint64_t(q3), c);
        t4 += c;
        c = 0;
        t0 = addc(t1, uint64_t(q0 >> 64), c);
        t1 = addc(t2, uint64_t(q1 >> 64), c);
        t2 = addc(t3, uint64_t(q2 >> 64), c);
        t3 = addc(t4, uint64_t(q3 >> 64), c);
        t4 = 0;
    }
    const uint64_t t[4] = {t0, t1, t2, t3};
    reduce_once(r, t);
}

}  // namespace detail

constexpr Fp operator+(const Fp& a, const Fp& b) noexcept {
    // p < 2^254, so a + b < 2^255 never carries out of the top limb.
    unsigned char carry = 0;
    const uint64_t sum[4] = {detail::addc(a.v[0], b.v[0], carry), detail::addc(a.v[1], b.v[1], carry),
                             detail::addc(a.v[2], b.v[2], carry), detail::addc(a.v[3], b.v[3], carry)};
    Fp r;
    detail::reduce_once(r.v, sum);
    return r;
}

constexpr Fp operator-(const Fp& a, const Fp& b) noexcept {
    unsigned char borrow = 0;
    const uint64_t d0 = detail::subb(a.v[0], b.v[0], borrow);
    const uint64_t d1 = detail::subb(a.v[1], b.v[1], borrow);
    const uint64_t d2 = detail::subb(a.v[2], b.v[2], borrow);
    const uint64_t d3 = detail::subb(a.v[3], b.v[3], borrow);
    // On borrow add p back; the mask keeps it branch-free (the sign is data dependent).
    const uint64_t mask = 0 - uint64_t(borrow);
    unsigned char carry = 0;
    Fp r;
    r.v[0] = detail::addc(d0, kP[0] & mask, carry);
    r.v[1] = detail::addc(d1, kP[1] & mask, carry);
    r.v[2] = detail::addc(d2, kP[2] & mask, carry);
    r.v[3] = detail::addc(d3, kP[3] & mask, carry);
    return r;
}

constexpr Fp operator-(const Fp& a) noexcept { return Fp::zero() - a; }

constexpr Fp operator*(const Fp& a, const Fp& b) noexcept {
    Fp r;
    detail::mont_mul(r.v, a.v, b.v);
    return r;
}

constexpr Fp& operator+=(Fp& a, const Fp& b) noexcept { return a = a + b; }
constexpr Fp& operator-=(Fp& a, const Fp& b) noexcept { return a = a - b; }
constexpr Fp& operator*=(Fp& a, const Fp& b) noexcept { return a = a * b; }

constexpr Fp sqr(const Fp& a) noexcept { return a * a; }
constexpr Fp dbl(const Fp& a) noexcept { return a + a; }

/// a / 2 mod p: add p when odd (p is odd), then shift; a + p < 2^255 fits.
constexpr Fp half(const Fp& a) noexcept {
    const uint64_t mask = 0 - (a.v[0] & 1);
    unsigned char carry = 0;
    const uint64_t s0 = detail::addc(a.v[0], kP[0] & mask, carry);
    const uint64_t s1 = detail::addc(a.v[1], kP[1] & mask, carry);
    const uint64_t s2 = detail::addc(a.v[2], kP[2] & mask, carry);
    const uint64_t s3 = detail::addc(a.v[3], kP[3] & mask, carry);
    Fp r;
    r.v[0] = (s0 >> 1) | (s1 << 63);
    r.v[1] = (s1 >> 1) | (s2 << 63);
    r.v[2] = (s2 >> 1) | (s3 << 63);
    r.v[3] = s3 >> 1;
    return r;
}

constexpr Fp Fp::from_u256(const uint256& a) noexcept {
    Fp r;
    detail::mont_mul(r.v, a.w, kR2);
    return r;
}

constexpr uint256 Fp::to_u256() const noexcept {
    const uint64_t one[4] = {1, 0, 0, 0};
    uint256 r;
    detail::mont_mul(r.w, v, one);
    return r;
}

constexpr Fp Fp::one() noexcept { return from_u256(uint256(1)); }

/// True when the canonical value a is a valid field element (a < p).
constexpr bool fp_in_range(const uint256& a) noexcept {
    return a < uint256(kP[0], kP[1], kP[2], kP[3]);
}

/// a^(p-2) = a^-1 by Fermat (0 maps to 0). Used a handful of times per
/// operation, so a short addition chain is not worth its complexity.
Fp inv(const Fp& a) noexcept;

/// Builds a constant from its canonical value (compile-time Montgomery entry).
constexpr Fp fp_const(uint64_t w3, uint64_t w2, uint64_t w1, uint64_t w0) noexcept {
    return Fp::from_u256(uint256(w0, w1, w2, w3));
}

// ---------------------------------------------------------------------------
// Fp2 = Fp[i] / (i^2 + 1)

struct Fp2 {
    Fp c0, c1;  // c0 + c1 * i

    static constexpr Fp2 zero() noexcept { return {}; }
    static constexpr Fp2 one() noexcept { return {Fp::one(), Fp::zero()}; }
    constexpr bool is_zero() const noexcept { return c0.is_zero() && c1.is_zero(); }
    friend constexpr bool operator==(const Fp2&, const Fp2&) noexcept = default;
};

constexpr Fp2 operator+(const Fp2& a, const Fp2& b) noexcept { return {a.c0 + b.c0, a.c1 + b.c1}; }
constexpr Fp2 operator-(const Fp2& a, const Fp2& b) noexcept { return {a.c0 - b.c0, a.c1 - b.c1}; }
constexpr Fp2 operator-(const Fp2& a) noexcept { return {-a.c0, -a.c1}; }
constexpr Fp2 operator*(const Fp2& a, const Fp2& b) noexcept {
    // Karatsuba: 3 base multiplications instead of 4.
    const Fp t0 = a.c0 * b.c0;
    const Fp t1 = a.c1 * b.c1;
    return {t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
}
constexpr Fp2 operator*(const Fp2& a, const Fp& b) noexcept { return {a.c0 * b, a.c1 * b}; }
constexpr Fp2& operator+=(Fp2& a, const Fp2& b) noexcept { return a = a + b; }
constexpr Fp2& operator-=(Fp2& a, const Fp2& b) noexcept { return a = a - b; }
constexpr Fp2& operator*=(Fp2& a, const Fp2& b) noexcept { return a = a * b; }

constexpr Fp2 sqr(const Fp2& a) noexcept {
    // (c0 + c1 i)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 i
    return {(a.c0 + a.c1) * (a.c0 - a.c1), dbl(a.c0 * a.c1)};
}
constexpr Fp2 dbl(const Fp2& a) noexcept { return {dbl(a.c0), dbl(a.c1)}; }
constexpr Fp2 half(const Fp2& a) noexcept { return {half(a.c0), half(a.c1)}; }
constexpr Fp2 conj(const Fp2& a) noexcept { return {a.c0, -a.c1}; }

/// a * xi with xi = 9 + i: (9 c0 - c1) + (c0 + 9 c1) i, by doublings only.
constexpr Fp2 mul_by_xi(const Fp2& a) noexcept {
    const Fp t0 = dbl(dbl(dbl(a.c0))) + a.c0;
    const Fp t1 = dbl(dbl(dbl(a.c1))) + a.c1;
    return {t0 - a.c1, a.c0 + t1};
}

Fp2 inv(const Fp2& a) noexcept;

// ---------------------------------------------------------------------------
// Frobenius constants: kFrob1[k] = xi^(k(p-1)/6), kFrob2[k] = xi^(k(p^2-1)/6)
// (in Fp), kFrob3[k] = xi^(k(p^3-1)/6). Since w^6 = xi, (w^k)^(p^j) =
// w^k * xi^(k(p^j-1)/6): the factor applied to the w^k coefficient.

inline constexpr Fp2 kFrob1[6] = {
    {fp_const(0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000001ull),
     fp_const(0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull)},
    {fp_const(0x1284b71c2865a7dfull, 0xe8b99fdd76e68b60ull, 0x5c521e08292f2176ull, 0xd60b35dadcc9e470ull),
     fp_const(0x246996f3b4fae7e6ull, 0xa6327cfe12150b8eull, 0x747992778eeec7e5ull, 0xca5cf05f80f362acull)},
    {fp_const(0x2fb347984f7911f7ull, 0x4c0bec3cf559b143ull, 0xb78cc310c2c3330cull, 0x99e39557176f553dull),
     fp_const(0x16c9e55061ebae20ull, 0x4ba4cc8bd75a0794ull, 0x32ae2a1d0b7c9dceull, 0x1665d51c640fcba2ull)},
    {fp_const(0x063cf305489af5dcull, 0xdc5ec698b6e2f9b9ull, 0xdbaae0eda9c95998ull, 0xdc54014671a0135aull),
     fp_const(0x07c03cbcac41049aull, 0x0704b5a7ec796f2bull, 0x21807dc98fa25bd2ull, 0x82d37f632623b0e3ull)},
    {fp_const(0x05b54f5e64eea801ull, 0x80f3c0b75a181e84ull, 0xd33365f7be94ec72ull, 0x848a1f55921ea762ull),
     fp_const(0x2c145edbe7fd8aeeull, 0x9f3a80b03b0b1c92ull, 0x3685d2ea1bdec763ull, 0xc13b4711cd2b8126ull)},
    {fp_const(0x0183c1e74f798649ull, 0xe93a3661a4353ff4ull, 0x425c459b55aa1bd3ull, 0x2ea2c810eab7692full),
     fp_const(0x12acf2ca76fd0675ull, 0xa27fb246c7729f7dull, 0xb080cb99678e2ac0ull, 0x24c6b8ee6e0c2c4bull)},
};
inline constexpr Fp2 kFrob3[6] = {
    {fp_const(0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000001ull),
     fp_const(0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull)},
    {fp_const(0x19dc81cfcc82e4bbull, 0xefe9608cd0acaa90ull, 0x894cb38dbe55d24aull, 0xe86f7d391ed4a67full),
     fp_const(0x00abf8b60be77d73ull, 0x06cbeee33576139dull, 0x7f03a5e397d439ecull, 0x7694aa2bf4c0c101ull)},
    {fp_const(0x0856e078b755ef0aull, 0xbaff1c77959f25acull, 0x805ffd3d5d6942d3ull, 0x7b746ee87bdcfb6dull),
     fp_const(0x04f1de41b3d1766full, 0xa9f30e6dec26094full, 0x0fdf31bf98ff2631ull, 0x380cab2baaa586deull)},
    {fp_const(0x2a275b6d9896aa4cull, 0xdbf17f1dca9e5ea3ull, 0xbbd689a3bea870f4ull, 0x5fcc8ad066dce9edull),
     fp_const(0x28a411b634f09b8full, 0xb14b900e9507e932ull, 0x7600ecc7d8cf6ebaull, 0xb94d0cb3b2594c64ull)},
    {fp_const(0x0bc58c6611c08dabull, 0x19bee0f7b5b2444eull, 0xe633094575b06bcbull, 0x0e1a92bc3ccbf066ull),
     fp_const(0x23d5e999e1910a12ull, 0xfeb0f6ef0cd21d04ull, 0xa44a9e08737f96e5ull, 0x5fe3ed9d730c239full)},
    {fp_const(0x13c49044952c0905ull, 0x711699fa3b4d3f69ull, 0x2ed68098967c84a5ull, 0xebde847076261b43ull),
     fp_const(0x16db366a59b1dd0bull, 0x9fb1b2282a48633dull, 0x3e2ddaea20028021ull, 0x1f25041384282499ull)},
};
inline constexpr Fp kFrob2[6] = {
    fp_const(0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000001ull),
    fp_const(0x30644e72e131a029ull, 0x5e6dd9e7e0acccb0ull, 0xc28f069fbb966e3dull, 0xe4bd44e5607cfd49ull),
    fp_const(0x30644e72e131a029ull, 0x5e6dd9e7e0acccb0ull, 0xc28f069fbb966e3dull, 0xe4bd44e5607cfd48ull),
    fp_const(0x30644e72e131a029ull, 0xb85045b68181585dull, 0x97816a916871ca8dull, 0x3c208c16d87cfd46ull),
    fp_const(0x0000000000000000ull, 0x59e26bcea0d48bacull, 0xd4f263f1acdb5c4full, 0x5763473177fffffeull),
    fp_const(0x0000000000000000ull, 0x59e26bcea0d48bacull, 0xd4f263f1acdb5c4full, 0x5763473177ffffffull),
};

/// The twist's curve constant b' = 3 / xi (E': y^2 = x^3 + b').
inline constexpr Fp2 kTwistB = {
    fp_const(0x2b149d40ceb8aaaeull, 0x81be18991be06ac3ull, 0xb5b4c5e559dbefa3ull, 0x3267e6dc24a138e5ull),
    fp_const(0x009713b03af0fed4ull, 0xcd2cafadeed8fdf4ull, 0xa74fa084e52d1852ull, 0xe4a2bd0685c315d2ull)};

// ---------------------------------------------------------------------------
// Fp6 = Fp2[v] / (v^3 - xi)

struct Fp6 {
    Fp2 c0, c1, c2;  // c0 + c1 v + c2 v^2

    static constexpr Fp6 zero() noexcept { return {}; }
    static constexpr Fp6 one() noexcept { return {Fp2::one(), Fp2::zero(), Fp2::zero()}; }
    constexpr bool is_zero() const noexcept { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
    friend constexpr bool operator==(const Fp6&, const Fp6&) noexcept = default;
};

constexpr Fp6 operator+(const Fp6& a, const Fp6& b) noexcept {
    return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2};
}
constexpr Fp6 operator-(const Fp6& a, const Fp6& b) noexcept {
    return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2};
}
constexpr Fp6 operator-(const Fp6& a) noexcept { return {-a.c0, -a.c1, -a.c2}; }

constexpr Fp6 operator*(const Fp6& a, const Fp6& b) noexcept {
    // Karatsuba over the cubic extension: 6 Fp2 multiplications.
    const Fp2 t0 = a.c0 * b.c0;
    const Fp2 t1 = a.c1 * b.c1;
    const Fp2 t2 = a.c2 * b.c2;
    return {
        mul_by_xi((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2) + t0,
        (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + mul_by_xi(t2),
        (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1,
    };
}
constexpr Fp6 operator*(const Fp6& a, const Fp2& b) noexcept { return {a.c0 * b, a.c1 * b, a.c2 * b}; }

constexpr Fp6 sqr(const Fp6& a) noexcept {
    // Chung-Hasan SQR2: 2 multiplications and 3 squarings in Fp2.
    const Fp2 s0 = sqr(a.c0);
    const Fp2 s1 = dbl(a.c0 * a.c1);
    const Fp2 s2 = sqr(a.c0 - a.c1 + a.c2);
    const Fp2 s3 = dbl(a.c1 * a.c2);
    const Fp2 s4 = sqr(a.c2);
    return {s0 + mul_by_xi(s3), s1 + mul_by_xi(s4), s1 + s2 + s3 - s0 - s4};
}

/// a * v: shifts coefficients up, wrapping v^3 = xi.
constexpr Fp6 mul_by_v(const Fp6& a) noexcept { return {mul_by_xi(a.c2), a.c0, a.c1}; }

/// a * (b0 + b1 v): the shape of a line's w-coefficient; 5 Fp2 multiplications.
constexpr Fp6 mul_by_01(const Fp6& a, const Fp2& b0, const Fp2& b1) noexcept {
    const Fp2 t0 = a.c0 * b0;
    const Fp2 t1 = a.c1 * b1;
    return {
        mul_by_xi((a.c1 + a.c2) * b1 - t1) + t0,
        (a.c0 + a.c1) * (b0 + b1) - t0 - t1,
        a.c2 * b0 + t1,
    };
}

Fp6 inv(const Fp6& a) noexcept;

// ---------------------------------------------------------------------------
// Fp12 = Fp6[w] / (w^2 - v)

struct Fp12 {
    Fp6 c0, c1;  // c0 + c1 w

    static constexpr Fp12 one() noexcept { return {Fp6::one(), Fp6::zero()}; }
    friend constexpr bool operator==(const Fp12&, const Fp12&) noexcept = default;
};

constexpr Fp12 operator*(const Fp12& a, const Fp12& b) noexcept {
    const Fp6 t0 = a.c0 * b.c0;
    const Fp6 t1 = a.c1 * b.c1;
    return {t0 + mul_by_v(t1), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
}

constexpr Fp12 sqr(const Fp12& a) noexcept {
    // Complex squaring: (c0 + c1 w)^2 = c0^2 + v c1^2 + 2 c0 c1 w, with
    // c0^2 + v c1^2 = (c0 + c1)(c0 + v c1) - c0 c1 - v c0 c1: 2 Fp6 products.
    const Fp6 ab = a.c0 * a.c1;
    const Fp6 t = (a.c0 + a.c1) * (a.c0 + mul_by_v(a.c1));
    return {t - ab - mul_by_v(ab), ab + ab};
}

/// a^(p^6): the conjugate over Fp6. On the cyclotomic subgroup (everything
/// after the easy part of the final exponentiation) it is the inverse.
constexpr Fp12 conj(const Fp12& a) noexcept { return {a.c0, -a.c1}; }

/// a * l for a line value l = a0 + (b0 + b1 v) w with a0, b0, b1 in Fp2,
/// the sparse shape every Miller-loop line has (13 Fp2 products, not 18).
constexpr Fp12 mul_by_line(const Fp12& f, const Fp2& a0, const Fp2& b0, const Fp2& b1) noexcept {
    const Fp6 t0 = f.c0 * a0;
    const Fp6 t1 = mul_by_01(f.c1, b0, b1);
    const Fp6 c1 = mul_by_01(f.c0 + f.c1, a0 + b0, b1) - t0 - t1;
    return {t0 + mul_by_v(t1), c1};
}

Fp12 inv(const Fp12& a) noexcept;

/// Frobenius powers a^(p), a^(p^2), a^(p^3).
Fp12 frobenius(const Fp12& a) noexcept;
Fp12 frobenius2(const Fp12& a) noexcept;
Fp12 frobenius3(const Fp12& a) noexcept;

/// Squaring for elements of the cyclotomic subgroup (norm 1 over Fp6 and over
/// Fp4): Granger-Scott, 9 Fp2 squarings instead of 12 products. Wrong for
/// other elements.
Fp12 cyclotomic_sqr(const Fp12& a) noexcept;

/// a^e for a in the cyclotomic subgroup (inversion is conjugation there).
Fp12 cyclotomic_exp(const Fp12& a, uint64_t e) noexcept;

/// Generic a^e by square-and-multiply over a little-endian limb exponent
/// (for tests and cross-checks; slow).
Fp12 pow(const Fp12& a, const uint64_t* e, int limbs) noexcept;

/// f^((p^12 - 1) / r): maps Miller-loop output into the order-r subgroup
/// of Fp12* (the target group GT).
Fp12 final_exponentiation(const Fp12& f) noexcept;

}  // namespace trellis::crypto::bn254
