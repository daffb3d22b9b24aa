// libFuzzer target for the bn254 precompiles (EIP-196, EIP-197) and blake2f
// (EIP-152). Properties: no input crashes or trips a sanitizer; every entry
// point is deterministic (same input, same result); and, from points built
// out of the input's bytes, the group law and bilinearity hold:
//   add(aG, bG) == mul(G, a + b),  e(aG1, bG2) * e(-(ab)G1, G2) == 1.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "crypto/blake2f.hpp"
#include "crypto/bn254.hpp"
#include "crypto/bn254_curve.hpp"

using namespace trellis;
using namespace trellis::crypto;

namespace {

template <class R>
bool same(const R& a, const R& b) {
    if (a.ok() != b.ok()) return false;
    return a.ok() ? *a == *b : a.error() == b.error();
}

void put(Bytes& out, const bn254::Fp& v) { append(out, v.to_u256().to_be().view()); }

uint64_t read_u64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

/// Raw bytes into every entry point, twice each.
void raw(ByteView in) {
    if (!same(bn254_add(in), bn254_add(in))) std::abort();
    if (!same(bn254_mul(in), bn254_mul(in))) std::abort();
    // Cap the pairing at 5 pairs (plus a ragged tail) to keep runs fast.
    const ByteView pin = in.first(std::min<size_t>(in.size(), 5 * 192 + 7));
    if (!same(bn254_pairing_check(pin), bn254_pairing_check(pin))) std::abort();
    // Up to 2^32 - 1 rounds is legal (gas pays for it); keep the fuzzer's
    // rounds small by clearing the top bytes of the round count.
    Bytes bin(in.begin(), in.end());
    if (bin.size() >= 3) bin[0] = bin[1] = bin[2] = 0;
    auto b = blake2f(bin);
    if (!same(b, blake2f(bin))) std::abort();
    if (b.ok() != (bin.size() == kBlake2fInputSize && bin[212] <= 1)) std::abort();
}

/// Valid points from two 64-bit scalars (so a + b and a b need no reduction).
void structured(const uint8_t* data) {
    const uint64_t a = read_u64(data) >> 1, b = read_u64(data + 8) >> 1;
    const bn254::G1 g = bn254::g1_generator();
    const bn254::G1 pa = bn254::to_affine(bn254::mul(g, uint256(a)));
    const bn254::G1 pb = bn254::to_affine(bn254::mul(g, uint256(b)));
    Bytes add_in;
    put(add_in, pa.x);
    put(add_in, pa.y);
    put(add_in, pb.x);
    put(add_in, pb.y);
    Bytes mul_in;
    put(mul_in, g.x);
    put(mul_in, g.y);
    append(mul_in, uint256(a + b).to_be().view());
    auto sum = bn254_add(add_in);
    auto prod = bn254_mul(mul_in);
    if (!sum.ok() || !prod.ok() || *sum != *prod) std::abort();

    const bn254::G2 q = bn254::g2_generator();
    const bn254::G2 qb = bn254::to_affine(bn254::mul(q, uint256(b)));
    const unsigned __int128 ab = (unsigned __int128)a * b;
    const bn254::G1 pab = bn254::neg(bn254::to_affine(bn254::mul(g, uint256(uint64_t(ab), uint64_t(ab >> 64), 0, 0))));
    Bytes pair_in;
    for (const auto& [p1, q1] : {std::pair{pa, qb}, std::pair{pab, q}}) {
        put(pair_in, p1.x);
        put(pair_in, p1.y);
        put(pair_in, q1.x.c1);
        put(pair_in, q1.x.c0);
        put(pair_in, q1.y.c1);
        put(pair_in, q1.y.c0);
    }
    auto ok = bn254_pairing_check(pair_in);
    if (!ok.ok() || !*ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const ByteView in(data, size);
    raw(in);
    // A 17-byte input starting with 0xb2 also runs the algebraic checks.
    if (size == 17 && data[0] == 0xb2) structured(data + 1);
    return 0;
}
