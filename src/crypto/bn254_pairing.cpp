// Optimal ate pairing on BN254 (Vercauteren, "Optimal pairings", 2010):
//   e(P, Q) = ( f_{6u+2,Q}(P) * l_{[6u+2]Q, pi(Q)}(P) * l_{.., -pi^2(Q)}(P) )^((p^12-1)/r)
// The Miller loop keeps T on the twist in homogeneous projective coordinates
// and evaluates lines with the formulas of Costello, Lange, Naehrig (PKC
// 2010) as written for the D-type twist in Aranha, Karabina, Longa,
// Gebotys, Lopez, "Faster explicit formulas for computing pairings over
// ordinary curves" (Eurocrypt 2011), section 4. Every line is scaled by a
// factor in Fp2, which the final exponentiation kills.

#include <vector>

#include "base/assert.hpp"

#include "crypto/bn254_curve.hpp"

namespace trellis::crypto::bn254 {

namespace {

/// Signed binary digits of 6u + 2, least significant first (66 digits,
/// 22 non-zero, against 37 set bits in plain binary).
struct LoopDigits {
    int8_t d[70]{};
    int len = 0;
};

constexpr LoopDigits loop_digits() {
    LoopDigits r;
    u128 n = u128(6) * kU + 2;
    while (n != 0) {
        int8_t d = 0;
        if (n & 1) {
            d = int8_t(2 - int(n & 3));
            n = d > 0 ? n - 1 : n + 1;
        }
        r.d[r.len++] = d;
        n >>= 1;
    }
    return r;
}

constexpr LoopDigits kLoop = loop_digits();
static_assert(kLoop.len == 66 && kLoop.d[65] == 1);

/// One pair's state: P's coordinates prepared for line evaluation, Q, and
/// the running point T = (X : Y : Z) on the twist.
struct PairState {
    Fp x_p, neg_x_p, three_x_p, y_p, neg_y_p;
    G2 q;
    Fp2 tx, ty, tz;
};

/// A line value a0 + (b0 + b1 v) w (see mul_by_line).
struct Line {
    Fp2 a0, b0, b1;
};

/// T = 2T; returns the tangent line at T evaluated at P, scaled by -2YZ:
/// -2YZ yP + 3X^2 xP w + (3b'Z^2 - Y^2) v w.
inline Line double_step(PairState& s) noexcept {
    const Fp2 a = half(s.tx * s.ty);
    const Fp2 b = sqr(s.ty);
    const Fp2 c = sqr(s.tz);
    const Fp2 e = kTwistB * (dbl(c) + c);
    const Fp2 f = dbl(e) + e;
    const Fp2 g = half(b + f);
    const Fp2 h = sqr(s.ty + s.tz) - (b + c);  // 2YZ
    const Fp2 i = e - b;
    const Fp2 j = sqr(s.tx);
    const Fp2 e2 = sqr(e);
    s.tx = a * (b - f);
    s.ty = sqr(g) - (dbl(e2) + e2);
    s.tz = b * h;
    return {h * s.neg_y_p, j * s.three_x_p, i};
}

/// T = T + R for affine R; returns the chord through T and R evaluated at P,
/// scaled by lambda = X - xR Z: lambda yP - theta xP w + (theta xR - lambda yR) v w.
inline Line add_step(PairState& s, const G2& r) noexcept {
    const Fp2 theta = s.ty - r.y * s.tz;
    const Fp2 lambda = s.tx - r.x * s.tz;
    const Fp2 c = sqr(theta);
    const Fp2 d = sqr(lambda);
    const Fp2 e = lambda * d;
    const Fp2 f = s.tz * c;
    const Fp2 g = s.tx * d;
    const Fp2 h = e + f - dbl(g);
    const Fp2 y = theta * (g - h) - s.ty * e;
    s.tx = lambda * h;
    s.ty = y;
    s.tz = s.tz * e;
    return {lambda * s.y_p, theta * s.neg_x_p, theta * r.x - lambda * r.y};
}

inline Fp12 apply(const Fp12& f, const Line& l) noexcept { return mul_by_line(f, l.a0, l.b0, l.b1); }

}  // namespace

Fp12 miller_loop(std::span<const G1> ps, std::span<const G2> qs) {
    TRELLIS_ASSERT(ps.size() == qs.size());
    std::vector<PairState> pairs;
    pairs.reserve(ps.size());
    for (size_t k = 0; k < ps.size(); ++k) {
        if (ps[k].is_infinity() || qs[k].is_infinity()) continue;
        PairState s;
        s.x_p = ps[k].x;
        s.neg_x_p = -ps[k].x;
        s.three_x_p = dbl(ps[k].x) + ps[k].x;
        s.y_p = ps[k].y;
        s.neg_y_p = -ps[k].y;
        s.q = qs[k];
        s.tx = qs[k].x;
        s.ty = qs[k].y;
        s.tz = Fp2::one();
        pairs.push_back(s);
    }
    Fp12 f = Fp12::one();
    if (pairs.empty()) return f;

    for (int i = kLoop.len - 2; i >= 0; --i) {
        if (i != kLoop.len - 2) f = sqr(f);  // f is still 1 on the first pass
        for (auto& s : pairs) f = apply(f, double_step(s));
        if (kLoop.d[i] > 0) {
            for (auto& s : pairs) f = apply(f, add_step(s, s.q));
        } else if (kLoop.d[i] < 0) {
            for (auto& s : pairs) f = apply(f, add_step(s, neg(s.q)));
        }
    }
    // The two extra lines of the optimal ate pairing, through pi(Q) and
    // -pi^2(Q); u > 0 for BN254 so no final conjugation is needed.
    for (auto& s : pairs) {
        const G2 q1 = {conj(s.q.x) * kFrob1[2], conj(s.q.y) * kFrob1[3]};
        const G2 q2 = {s.q.x * kFrob2[2], -(s.q.y * kFrob2[3])};
        f = apply(f, add_step(s, q1));
        f = apply(f, add_step(s, q2));
    }
    return f;
}

Fp12 pairing(const G1& p, const G2& q) {
    return final_exponentiation(miller_loop(std::span(&p, 1), std::span(&q, 1)));
}

bool pairing_product_is_one(std::span<const G1> ps, std::span<const G2> qs) {
    return final_exponentiation(miller_loop(ps, qs)) == Fp12::one();
}

}  // namespace trellis::crypto::bn254
