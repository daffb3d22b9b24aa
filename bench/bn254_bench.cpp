// bn254 (EIP-196/197), blake2f (EIP-152) and modexp (EIP-198) precompile
// math, through the same entry points the EVM calls (so decoding, range,
// curve and subgroup checks are included in the figures).
//
//   build/<dir>/bench/bn254_bench --benchmark_min_time=0.5
//
// Inputs are valid and built in code from fixed scalars: the pairing inputs
// are e(a_i P, b_i Q) pairs arranged so the product is 1, as in a Groth16
// verification (so the check runs to completion and returns true).

#include <benchmark/benchmark.h>

#include "crypto/blake2f.hpp"
#include "crypto/bn254.hpp"
#include "crypto/bn254_curve.hpp"
#include "crypto/modexp.hpp"

using namespace trellis;
using namespace trellis::crypto;
using namespace trellis::crypto::bn254;

namespace {

void put(Bytes& out, const Fp& v) { append(out, v.to_u256().to_be().view()); }
void put(Bytes& out, const G1& p) {
    put(out, p.x);
    put(out, p.y);
}
void put(Bytes& out, const G2& q) {
    put(out, q.x.c1);
    put(out, q.x.c0);
    put(out, q.y.c1);
    put(out, q.y.c0);
}

const uint256 kScalarA(0x0123456789abcdefull, 0xfedcba9876543210ull, 0x0f1e2d3c4b5a6978ull, 0x1a2b3c4d5e6f7081ull);
const uint256 kScalarB(0x1111111122222222ull, 0x3333333344444444ull, 0x5555555566666666ull, 0x0777777788888888ull);

G1 g1_mul(const uint256& k) { return to_affine(mul(g1_generator(), k)); }
G2 g2_mul(const uint256& k) { return to_affine(mul(g2_generator(), k)); }

/// n pairs (n even) whose pairing product is 1: e(aP, Q_i) * e(-aP, Q_i).
Bytes pairing_input(int n) {
    Bytes in;
    for (int i = 0; i < n; i += 2) {
        const G1 p = g1_mul(uint256(uint64_t(i + 3)) * kScalarA);
        const G2 q = g2_mul(uint256(uint64_t(i + 5)) * kScalarB);
        put(in, p);
        put(in, q);
        put(in, neg(p));
        put(in, q);
    }
    return in;
}

void BM_bn254_add(benchmark::State& state) {
    Bytes in;
    put(in, g1_mul(kScalarA));
    put(in, g1_mul(kScalarB));
    for (auto _ : state) {
        auto r = bn254_add(in);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_bn254_add);

void BM_bn254_mul(benchmark::State& state) {
    Bytes in;
    put(in, g1_mul(kScalarA));
    append(in, kScalarB.to_be().view());  // a full-width 251-bit scalar
    for (auto _ : state) {
        auto r = bn254_mul(in);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_bn254_mul);

void BM_bn254_pairing_check(benchmark::State& state) {
    const Bytes in = pairing_input(int(state.range(0)));
    if (!*bn254_pairing_check(in)) state.SkipWithError("pairing product is not 1");
    for (auto _ : state) {
        auto r = bn254_pairing_check(in);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_bn254_pairing_check)->Arg(2)->Arg(4)->Unit(benchmark::kMicrosecond);

// The parts of a pairing check, to see where the time goes.
void BM_bn254_g2_subgroup_check(benchmark::State& state) {
    const G2 q = g2_mul(kScalarB);
    for (auto _ : state) benchmark::DoNotOptimize(in_subgroup(q));
}
BENCHMARK(BM_bn254_g2_subgroup_check)->Unit(benchmark::kMicrosecond);

void BM_bn254_miller_loop_1(benchmark::State& state) {
    const G1 p = g1_mul(kScalarA);
    const G2 q = g2_mul(kScalarB);
    for (auto _ : state) benchmark::DoNotOptimize(miller_loop(std::span(&p, 1), std::span(&q, 1)));
}
BENCHMARK(BM_bn254_miller_loop_1)->Unit(benchmark::kMicrosecond);

void BM_bn254_final_exponentiation(benchmark::State& state) {
    const G1 p = g1_mul(kScalarA);
    const G2 q = g2_mul(kScalarB);
    const Fp12 f = miller_loop(std::span(&p, 1), std::span(&q, 1));
    for (auto _ : state) benchmark::DoNotOptimize(final_exponentiation(f));
}
BENCHMARK(BM_bn254_final_exponentiation)->Unit(benchmark::kMicrosecond);

void BM_fp_mul(benchmark::State& state) {
    Fp a = Fp::from_u256(kScalarA), b = Fp::from_u256(kScalarB);
    for (auto _ : state) {
        a = a * b;
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_fp_mul);

void BM_blake2f_12_rounds(benchmark::State& state) {
    Bytes in(kBlake2fInputSize, 0);
    in[3] = 12;
    for (size_t i = 4; i < 212; ++i) in[i] = uint8_t(i * 7);
    in[212] = 1;
    for (auto _ : state) {
        auto r = blake2f(in);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_blake2f_12_rounds);

void BM_modexp(benchmark::State& state) {
    // A 256-byte (2048-bit) odd modulus, full-size base and exponent: an RSA
    // verification-sized workload at the worst case (no small exponent).
    const size_t n = size_t(state.range(0));
    Bytes base(n), exp(n), mod(n);
    for (size_t i = 0; i < n; ++i) {
        base[i] = uint8_t(i * 13 + 1);
        exp[i] = uint8_t(i * 29 + 7);
        mod[i] = uint8_t(i * 17 + 3);
    }
    mod[0] |= 0x80;
    mod[n - 1] |= 1;
    for (auto _ : state) {
        auto r = modexp(base, exp, mod);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_modexp)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
