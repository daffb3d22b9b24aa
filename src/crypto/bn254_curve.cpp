#include "crypto/bn254_curve.hpp"

namespace trellis::crypto::bn254 {

G1 g1_generator() noexcept { return {Fp::from_u256(uint256(1)), Fp::from_u256(uint256(2))}; }

G2 g2_generator() noexcept {
    // EIP-197: the Fp2 coordinates of the generator P2.
    constexpr Fp2 x = {
        fp_const(0x1800deef121f1e76ull, 0x426a00665e5c4479ull, 0x674322d4f75edaddull, 0x46debd5cd992f6edull),
        fp_const(0x198e9393920d483aull, 0x7260bfb731fb5d25ull, 0xf1aa493335a9e712ull, 0x97e485b7aef312c2ull)};
    constexpr Fp2 y = {
        fp_const(0x12c85ea5db8c6debull, 0x4aab71808dcb408full, 0xe3d1e7690c43d37bull, 0x4ce6cc0166fa7daaull),
        fp_const(0x090689d0585ff075ull, 0xec9e99ad690c3395ull, 0xbc4b313370b38ef3ull, 0x55acdadcd122975bull)};
    return {x, y};
}

bool on_curve(const G1& p) noexcept {
    if (p.is_infinity()) return true;
    constexpr Fp kB = fp_const(0, 0, 0, 3);
    return sqr(p.y) == sqr(p.x) * p.x + kB;
}

bool on_curve(const G2& p) noexcept {
    if (p.is_infinity()) return true;
    return sqr(p.y) == sqr(p.x) * p.x + kTwistB;
}

G1 to_affine(const G1Jac& p) noexcept {
    if (p.is_infinity()) return {};
    const Fp zi = inv(p.z);
    const Fp zi2 = sqr(zi);
    return {p.x * zi2, p.y * zi2 * zi};
}

G2 to_affine(const G2Jac& p) noexcept {
    if (p.is_infinity()) return {};
    const Fp2 zi = inv(p.z);
    const Fp2 zi2 = sqr(zi);
    return {p.x * zi2, p.y * zi2 * zi};
}

namespace {

template <class F>
Jacobian<F> mul_generic(const Affine<F>& p, const uint256& k) noexcept {
    // Fixed 4-bit window over Jacobian multiples: 252 doublings and at most
    // 64 additions for a full-width scalar.
    Jacobian<F> table[16];
    table[0] = Jacobian<F>::infinity();
    table[1] = Jacobian<F>::from(p);
    for (int i = 2; i < 16; ++i) table[i] = add(table[i - 1], p);
    Jacobian<F> r = Jacobian<F>::infinity();
    const int top = int(k.bit_length());
    for (int pos = ((top + 3) / 4) * 4 - 4; pos >= 0; pos -= 4) {
        r = dbl(dbl(dbl(dbl(r))));
        const unsigned nibble = unsigned(k.w[pos / 64] >> (pos % 64)) & 15;
        if (nibble != 0) r = add(r, table[nibble]);
    }
    return r;
}

}  // namespace

G1Jac mul(const G1& p, const uint256& k) noexcept { return mul_generic(p, k); }
G2Jac mul(const G2& q, const uint256& k) noexcept { return mul_generic(q, k); }

G2Jac psi(const G2Jac& q) noexcept {
    // (x, y) = (X / Z^2, Y / Z^3), so conjugating X, Y and Z conjugates x and y.
    return {conj(q.x) * kFrob1[2], conj(q.y) * kFrob1[3], conj(q.z)};
}

bool in_subgroup(const G2& q) noexcept {
    if (q.is_infinity()) return true;
    const G2Jac uq = mul(q, uint256(kU));
    const G2Jac psi_uq = psi(uq);
    const G2Jac psi2_uq = psi(psi_uq);
    const G2Jac lhs = add(add(add(uq, q), psi_uq), psi2_uq);
    const G2Jac rhs = psi(psi(psi(dbl(uq))));
    return equal(lhs, rhs);
}

bool in_subgroup_by_order(const G2& q) noexcept { return mul(q, kR).is_infinity(); }

}  // namespace trellis::crypto::bn254
