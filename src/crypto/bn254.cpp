#include "crypto/bn254.hpp"

#include <cstring>
#include <vector>

#include "crypto/bn254_curve.hpp"

namespace trellis::crypto {

const char* to_string(Bn254Error e) noexcept {
    switch (e) {
        case Bn254Error::kInvalidFieldElement: return "bn254: field element not below the modulus";
        case Bn254Error::kPointNotOnCurve: return "bn254: point not on curve";
        case Bn254Error::kPointNotInSubgroup: return "bn254: G2 point not in the order-r subgroup";
        case Bn254Error::kInvalidInputLength: return "bn254: pairing input length not a multiple of 192";
    }
    return "bn254: unknown error";
}

namespace {

using namespace bn254;

Result<Fp, Bn254Error> decode_fp(const uint8_t* be) {
    const uint256 v = uint256::from_be(ByteView(be, 32));
    if (!fp_in_range(v)) return Unexpected{Bn254Error::kInvalidFieldElement};
    return Fp::from_u256(v);
}

/// 64 bytes x | y. (0, 0) decodes to infinity, which is accepted (EIP-196).
Result<G1, Bn254Error> decode_g1(const uint8_t* in) {
    auto x = decode_fp(in);
    if (!x) return Unexpected{x.error()};
    auto y = decode_fp(in + 32);
    if (!y) return Unexpected{y.error()};
    const G1 p{*x, *y};
    if (!on_curve(p)) return Unexpected{Bn254Error::kPointNotOnCurve};
    return p;
}

/// 128 bytes x_im | x_re | y_im | y_re (EIP-197 puts the i coefficient first).
Result<G2, Bn254Error> decode_g2(const uint8_t* in) {
    Fp c[4];
    for (int k = 0; k < 4; ++k) {
        auto v = decode_fp(in + 32 * k);
        if (!v) return Unexpected{v.error()};
        c[k] = *v;
    }
    const G2 q{{c[1], c[0]}, {c[3], c[2]}};
    if (!on_curve(q)) return Unexpected{Bn254Error::kPointNotOnCurve};
    if (!in_subgroup(q)) return Unexpected{Bn254Error::kPointNotInSubgroup};
    return q;
}

std::array<uint8_t, 64> encode_g1(const G1Jac& p) {
    std::array<uint8_t, 64> out{};
    const G1 a = to_affine(p);  // infinity -> (0, 0)
    a.x.to_u256().store_be(out.data());
    a.y.to_u256().store_be(out.data() + 32);
    return out;
}

/// Copies input into a zeroed buffer of N bytes (EIP-196 right-padding; the
/// excess is ignored).
template <size_t N>
std::array<uint8_t, N> padded(ByteView input) {
    std::array<uint8_t, N> buf{};
    const size_t n = input.size() < N ? input.size() : N;
    if (n != 0) std::memcpy(buf.data(), input.data(), n);
    return buf;
}

}  // namespace

Result<std::array<uint8_t, 64>, Bn254Error> bn254_add(ByteView input) {
    const auto buf = padded<128>(input);
    auto a = decode_g1(buf.data());
    if (!a) return Unexpected{a.error()};
    auto b = decode_g1(buf.data() + 64);
    if (!b) return Unexpected{b.error()};
    return encode_g1(add(G1Jac::from(*a), *b));
}

Result<std::array<uint8_t, 64>, Bn254Error> bn254_mul(ByteView input) {
    const auto buf = padded<96>(input);
    auto p = decode_g1(buf.data());
    if (!p) return Unexpected{p.error()};
    const uint256 k = uint256::from_be(ByteView(buf.data() + 64, 32));
    return encode_g1(mul(*p, k));
}

Result<bool, Bn254Error> bn254_pairing_check(ByteView input) {
    constexpr size_t kPairSize = 192;
    if (input.size() % kPairSize != 0) return Unexpected{Bn254Error::kInvalidInputLength};
    const size_t k = input.size() / kPairSize;
    std::vector<G1> ps;
    std::vector<G2> qs;
    ps.reserve(k);
    qs.reserve(k);
    for (size_t i = 0; i < k; ++i) {
        const uint8_t* pair = input.data() + i * kPairSize;
        auto p = decode_g1(pair);
        if (!p) return Unexpected{p.error()};
        auto q = decode_g2(pair + 64);
        if (!q) return Unexpected{q.error()};
        ps.push_back(*p);
        qs.push_back(*q);
    }
    return pairing_product_is_one(ps, qs);
}

}  // namespace trellis::crypto
