#pragma once

// The alt_bn128 groups and pairing (EIP-196, EIP-197):
//   G1 = E(Fp),   E : y^2 = x^3 + 3, prime order r (cofactor 1)
//   G2 = the order-r subgroup of E'(Fp2), E' : y^2 = x^3 + 3/xi, the D-type
//        sextic twist, mapped into E(Fp12) by (x, y) -> (x w^2, y w^3)
//   e  = optimal ate pairing G1 x G2 -> GT (order-r subgroup of Fp12*)
// The point at infinity is (0, 0) in affine form (it is on neither curve,
// which is why the precompiles can use it as an encoding) and Z = 0 in
// Jacobian form.

#include <span>

#include "base/uint256.hpp"
#include "crypto/bn254_field.hpp"

namespace trellis::crypto::bn254 {

/// The group order r (of G1, G2 and GT).
inline constexpr uint256 kR{0x43e1f593f0000001ull, 0x2833e84879b97091ull, 0xb85045b68181585dull,
                            0x30644e72e131a029ull};

/// An affine point; (0, 0) is the point at infinity.
template <class F>
struct Affine {
    F x, y;
    constexpr bool is_infinity() const noexcept { return x.is_zero() && y.is_zero(); }
    friend constexpr bool operator==(const Affine&, const Affine&) noexcept = default;
};

/// A point in Jacobian coordinates (x, y) = (X / Z^2, Y / Z^3); Z = 0 is
/// infinity. Several representations exist per point: compare with equal().
template <class F>
struct Jacobian {
    F x, y, z;
    constexpr bool is_infinity() const noexcept { return z.is_zero(); }
    static constexpr Jacobian infinity() noexcept { return {F::one(), F::one(), F::zero()}; }
    static constexpr Jacobian from(const Affine<F>& a) noexcept {
        return a.is_infinity() ? infinity() : Jacobian{a.x, a.y, F::one()};
    }
};

using G1 = Affine<Fp>;
using G2 = Affine<Fp2>;
using G1Jac = Jacobian<Fp>;
using G2Jac = Jacobian<Fp2>;

/// The standard generators (EIP-197 names the G2 one).
G1 g1_generator() noexcept;
G2 g2_generator() noexcept;

/// y^2 = x^3 + 3; infinity (0, 0) counts as on the curve.
bool on_curve(const G1& p) noexcept;
/// y^2 = x^3 + 3/xi; infinity counts as on the curve.
bool on_curve(const G2& p) noexcept;

/// True when an on-curve twist point lies in the order-r subgroup G2. Uses
/// [u+1]Q + psi([u]Q) + psi^2([u]Q) == psi^3([2u]Q) (Dai, Lin, Zhao, Zhou,
/// ePrint 2022/348; valid for BN254 since u != 4 mod 13 and u != 92 mod 97):
/// a 63-bit multiplication instead of a 254-bit one.
bool in_subgroup(const G2& q) noexcept;
/// The definition, [r]Q == O (slow; for cross-checking the fast test).
bool in_subgroup_by_order(const G2& q) noexcept;

template <class F>
constexpr Jacobian<F> dbl(const Jacobian<F>& p) noexcept {
    // dbl-2009-l (a = 0): 2M + 5S
    if (p.is_infinity()) return p;
    const F a = sqr(p.x);
    const F b = sqr(p.y);
    const F c = sqr(b);
    const F d = dbl(sqr(p.x + b) - a - c);
    const F e = dbl(a) + a;
    const F f = sqr(e);
    Jacobian<F> r;
    r.x = f - dbl(d);
    r.y = e * (d - r.x) - dbl(dbl(dbl(c)));
    r.z = dbl(p.y * p.z);
    return r;
}

template <class F>
constexpr Jacobian<F> add(const Jacobian<F>& p, const Jacobian<F>& q) noexcept {
    // add-2007-bl: 11M + 5S, with the P == Q and P == -Q cases split out.
    if (p.is_infinity()) return q;
    if (q.is_infinity()) return p;
    const F z1z1 = sqr(p.z);
    const F z2z2 = sqr(q.z);
    const F u1 = p.x * z2z2;
    const F u2 = q.x * z1z1;
    const F s1 = p.y * q.z * z2z2;
    const F s2 = q.y * p.z * z1z1;
    const F h = u2 - u1;
    const F rr = dbl(s2 - s1);
    if (h.is_zero()) return rr.is_zero() ? dbl(p) : Jacobian<F>::infinity();
    const F i = sqr(dbl(h));
    const F j = h * i;
    const F v = u1 * i;
    Jacobian<F> r;
    r.x = sqr(rr) - j - dbl(v);
    r.y = rr * (v - r.x) - dbl(s1 * j);
    r.z = (sqr(p.z + q.z) - z1z1 - z2z2) * h;
    return r;
}

template <class F>
constexpr Jacobian<F> add(const Jacobian<F>& p, const Affine<F>& q) noexcept {
    // madd-2007-bl: 7M + 4S.
    if (q.is_infinity()) return p;
    if (p.is_infinity()) return Jacobian<F>::from(q);
    const F z1z1 = sqr(p.z);
    const F u2 = q.x * z1z1;
    const F s2 = q.y * p.z * z1z1;
    const F h = u2 - p.x;
    const F rr = dbl(s2 - p.y);
    if (h.is_zero()) return rr.is_zero() ? dbl(p) : Jacobian<F>::infinity();
    const F hh = sqr(h);
    const F i = dbl(dbl(hh));
    const F j = h * i;
    const F v = p.x * i;
    Jacobian<F> r;
    r.x = sqr(rr) - j - dbl(v);
    r.y = rr * (v - r.x) - dbl(p.y * j);
    r.z = sqr(p.z + h) - z1z1 - hh;
    return r;
}

template <class F>
constexpr Jacobian<F> neg(const Jacobian<F>& p) noexcept {
    return {p.x, -p.y, p.z};
}
template <class F>
constexpr Affine<F> neg(const Affine<F>& p) noexcept {
    return p.is_infinity() ? p : Affine<F>{p.x, -p.y};
}

/// Same point, whatever the Jacobian representatives.
template <class F>
constexpr bool equal(const Jacobian<F>& p, const Jacobian<F>& q) noexcept {
    if (p.is_infinity() || q.is_infinity()) return p.is_infinity() && q.is_infinity();
    const F z1z1 = sqr(p.z);
    const F z2z2 = sqr(q.z);
    return p.x * z2z2 == q.x * z1z1 && p.y * z2z2 * q.z == q.y * z1z1 * p.z;
}

G1 to_affine(const G1Jac& p) noexcept;
G2 to_affine(const G2Jac& p) noexcept;

/// [k]P for any 256-bit k (EIP-196 does not reduce the scalar; neither do we).
G1Jac mul(const G1& p, const uint256& k) noexcept;
G2Jac mul(const G2& q, const uint256& k) noexcept;

/// The untwist-Frobenius-twist endomorphism psi(x, y) = (conj(x) xi^((p-1)/3),
/// conj(y) xi^((p-1)/2)); on G2 it acts as multiplication by p.
G2Jac psi(const G2Jac& q) noexcept;

/// The product of the Miller loops of the optimal ate pairing over all pairs
/// (one shared accumulator, so squarings are paid once). Preconditions: all
/// points on their curves and every Q in G2; pairs with an infinity are
/// skipped (they contribute 1).
Fp12 miller_loop(std::span<const G1> ps, std::span<const G2> qs);

/// e(P, Q) in GT (Miller loop then final exponentiation).
Fp12 pairing(const G1& p, const G2& q);

/// prod e(P_i, Q_i) == 1, with one final exponentiation for all pairs.
/// Same preconditions as miller_loop.
bool pairing_product_is_one(std::span<const G1> ps, std::span<const G2> qs);

}  // namespace trellis::crypto::bn254
