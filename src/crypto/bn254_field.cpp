#include "crypto/bn254_field.hpp"

namespace trellis::crypto::bn254 {

Fp inv(const Fp& a) noexcept {
    // a^(p-2) with a fixed 4-bit window: 252 squarings and 63 products.
    constexpr uint64_t kE[4] = {kP[0] - 2, kP[1], kP[2], kP[3]};
    Fp table[16];
    table[0] = Fp::one();
    for (int i = 1; i < 16; ++i) table[i] = table[i - 1] * a;
    Fp r = Fp::one();
    for (int limb = 3; limb >= 0; --limb) {
        for (int shift = 60; shift >= 0; shift -= 4) {
            r = sqr(sqr(sqr(sqr(r))));
            r *= table[(kE[limb] >> shift) & 15];
        }
    }
    return r;
}

Fp2 inv(const Fp2& a) noexcept {
    // 1 / (c0 + c1 i) = (c0 - c1 i) / (c0^2 + c1^2)
    const Fp t = inv(sqr(a.c0) + sqr(a.c1));
    return {a.c0 * t, -(a.c1 * t)};
}

Fp6 inv(const Fp6& a) noexcept {
    const Fp2 t0 = sqr(a.c0) - mul_by_xi(a.c1 * a.c2);
    const Fp2 t1 = mul_by_xi(sqr(a.c2)) - a.c0 * a.c1;
    const Fp2 t2 = sqr(a.c1) - a.c0 * a.c2;
    const Fp2 d = inv(a.c0 * t0 + mul_by_xi(a.c2 * t1 + a.c1 * t2));
    return {t0 * d, t1 * d, t2 * d};
}

Fp12 inv(const Fp12& a) noexcept {
    // 1 / (c0 + c1 w) = (c0 - c1 w) / (c0^2 - v c1^2)
    const Fp6 d = inv(sqr(a.c0) - mul_by_v(sqr(a.c1)));
    return {a.c0 * d, -(a.c1 * d)};
}

// Coefficient k of w^k sits at: k=0 c0.c0, 1 c1.c0, 2 c0.c1, 3 c1.c1, 4 c0.c2, 5 c1.c2.

Fp12 frobenius(const Fp12& a) noexcept {
    return {
        {conj(a.c0.c0), conj(a.c0.c1) * kFrob1[2], conj(a.c0.c2) * kFrob1[4]},
        {conj(a.c1.c0) * kFrob1[1], conj(a.c1.c1) * kFrob1[3], conj(a.c1.c2) * kFrob1[5]},
    };
}

Fp12 frobenius2(const Fp12& a) noexcept {
    return {
        {a.c0.c0, a.c0.c1 * kFrob2[2], a.c0.c2 * kFrob2[4]},
        {a.c1.c0 * kFrob2[1], a.c1.c1 * kFrob2[3], a.c1.c2 * kFrob2[5]},
    };
}

Fp12 frobenius3(const Fp12& a) noexcept {
    return {
        {conj(a.c0.c0), conj(a.c0.c1) * kFrob3[2], conj(a.c0.c2) * kFrob3[4]},
        {conj(a.c1.c0) * kFrob3[1], conj(a.c1.c1) * kFrob3[3], conj(a.c1.c2) * kFrob3[5]},
    };
}

namespace {

/// (a + b s)^2 in Fp4 = Fp2[s] / (s^2 - xi): returns (a^2 + xi b^2, 2ab).
inline void fp4_sqr(Fp2& ra, Fp2& rb, const Fp2& a, const Fp2& b) noexcept {
    const Fp2 t0 = sqr(a);
    const Fp2 t1 = sqr(b);
    ra = t0 + mul_by_xi(t1);
    rb = sqr(a + b) - t0 - t1;
}

}  // namespace

Fp12 cyclotomic_sqr(const Fp12& x) noexcept {
    // Granger-Scott (PKC 2010): view Fp12 as Fp4[w] / (w^3 - s) with s = w^3,
    // s^2 = xi, and x = z0 + z1 w + z2 w^2 where z0 = (c0.c0, c1.c1),
    // z1 = (c1.c0, c0.c2), z2 = (c0.c1, c1.c2). For x of norm 1:
    //   z0' = 3 z0^2 - 2 conj(z0), z1' = 3 s z2^2 + 2 conj(z1), z2' = 3 z1^2 - 2 conj(z2)
    // with conj(a + b s) = a - b s.
    Fp2 a0, b0, a1, b1, a2, b2;
    fp4_sqr(a0, b0, x.c0.c0, x.c1.c1);
    fp4_sqr(a1, b1, x.c1.c0, x.c0.c2);
    fp4_sqr(a2, b2, x.c0.c1, x.c1.c2);
    Fp12 r;
    // z0
    r.c0.c0 = dbl(a0 - x.c0.c0) + a0;
    r.c1.c1 = dbl(b0 + x.c1.c1) + b0;
    // z1 = 3 s z2^2 + 2 conj(z1), s (a2 + b2 s) = xi b2 + a2 s
    const Fp2 xb2 = mul_by_xi(b2);
    r.c1.c0 = dbl(xb2 + x.c1.c0) + xb2;
    r.c0.c2 = dbl(a2 - x.c0.c2) + a2;
    // z2 = 3 z1^2 - 2 conj(z2)
    r.c0.c1 = dbl(a1 - x.c0.c1) + a1;
    r.c1.c2 = dbl(b1 + x.c1.c2) + b1;
    return r;
}

Fp12 cyclotomic_exp(const Fp12& a, uint64_t e) noexcept {
    // Signed binary (NAF) digits: a negative digit costs a conjugation only.
    int8_t naf[66];
    int len = 0;
    u128 n = e;
    while (n != 0) {
        int8_t d = 0;
        if (n & 1) {
            d = int8_t(2 - int(n & 3));
            n = d > 0 ? n - 1 : n + 1;
        }
        naf[len++] = d;
        n >>= 1;
    }
    if (len == 0) return Fp12::one();
    const Fp12 a_inv = conj(a);
    Fp12 r = naf[len - 1] > 0 ? a : a_inv;
    for (int i = len - 2; i >= 0; --i) {
        r = cyclotomic_sqr(r);
        if (naf[i] > 0) r = r * a;
        if (naf[i] < 0) r = r * a_inv;
    }
    return r;
}

Fp12 pow(const Fp12& a, const uint64_t* e, int limbs) noexcept {
    Fp12 r = Fp12::one();
    for (int limb = limbs - 1; limb >= 0; --limb) {
        for (int bit = 63; bit >= 0; --bit) {
            r = sqr(r);
            if ((e[limb] >> bit) & 1) r = r * a;
        }
    }
    return r;
}

Fp12 final_exponentiation(const Fp12& f) noexcept {
    // Easy part: f^((p^6 - 1)(p^2 + 1)). Afterwards the value lies in the
    // cyclotomic subgroup, where conj is the inverse and cyclotomic_sqr works.
    Fp12 t = conj(f) * inv(f);
    t = frobenius2(t) * t;

    // Hard part: t^((p^4 - p^2 + 1) / r) = t^(l0 + l1 p + l2 p^2 + l3 p^3) with
    // l3 = 1, l2 = 6u^2 + 1, l1 = -36u^3 - 18u^2 - 12u + 1,
    // l0 = -36u^3 - 30u^2 - 18u - 2, evaluated by the vectorial addition chain
    // of Scott, Benger, Charlemagne, Dominguez Perez, Kachisa, "On the final
    // exponentiation for calculating pairings on ordinary elliptic curves"
    // (Pairing 2009), section 5: 3 exponentiations by u, 13 products.
    const Fp12 fu = cyclotomic_exp(t, kU);
    const Fp12 fu2 = cyclotomic_exp(fu, kU);
    const Fp12 fu3 = cyclotomic_exp(fu2, kU);

    const Fp12 y0 = frobenius(t) * frobenius2(t) * frobenius3(t);
    const Fp12 y1 = conj(t);
    const Fp12 y2 = frobenius2(fu2);
    const Fp12 y3 = conj(frobenius(fu));
    const Fp12 y4 = conj(fu * frobenius(fu2));
    const Fp12 y5 = conj(fu2);
    const Fp12 y6 = conj(fu3 * frobenius(fu3));

    Fp12 t0 = cyclotomic_sqr(y6) * y4 * y5;
    Fp12 t1 = y3 * y5 * t0;
    t0 = t0 * y2;
    t1 = cyclotomic_sqr(cyclotomic_sqr(t1) * t0);
    t0 = t1 * y1;
    t1 = t1 * y0;
    t0 = cyclotomic_sqr(t0);
    return t0 * t1;
}

}  // namespace trellis::crypto::bn254
