// trellis::uint256 against GMP (mpz) on the same pre-generated inputs.
//
//   build/<dir>/bench/uint256_bench --benchmark_min_time=0.2
//
// Each operation has a trellis/<op> and a gmp/<op> row; GMP results are
// reduced mod 2^256 where the EVM operation wraps (mpz_tdiv_r_2exp), so both
// sides compute the same values. Inputs are fixed by a seed.

#include <benchmark/benchmark.h>
#include <gmp.h>

#include <random>
#include <vector>

#include "base/uint256.hpp"

using trellis::uint256;

namespace {

constexpr size_t kInputs = 1024;  // a power of two; cycled through by index

/// Random inputs for one operation, in both representations.
struct Inputs {
    std::vector<uint256> a, b, m;
    std::vector<__mpz_struct> za, zb, zm;  // mpz_t is an array type; hold its element

    Inputs() : za(kInputs), zb(kInputs), zm(kInputs) {
        for (size_t i = 0; i < kInputs; ++i) {
            mpz_init(&za[i]);
            mpz_init(&zb[i]);
            mpz_init(&zm[i]);
        }
    }
    ~Inputs() {
        for (size_t i = 0; i < kInputs; ++i) {
            mpz_clear(&za[i]);
            mpz_clear(&zb[i]);
            mpz_clear(&zm[i]);
        }
    }
    Inputs(const Inputs&) = delete;
    Inputs& operator=(const Inputs&) = delete;

    void sync() {
        for (size_t i = 0; i < kInputs; ++i) {
            mpz_import(&za[i], 4, -1, 8, 0, 0, a[i].w);
            mpz_import(&zb[i], 4, -1, 8, 0, 0, b[i].w);
            mpz_import(&zm[i], 4, -1, 8, 0, 0, m[i].w);
        }
    }
};

/// A random value of exactly `bits` significant bits.
uint256 random_bits(std::mt19937_64& rng, unsigned bits) {
    uint256 x{rng(), rng(), rng(), rng()};
    x = x >> (256 - bits);
    return x | (uint256(1) << (bits - 1));
}

enum class Shape {
    kFull,       // a, b, m: 256 bits
    kDivisor64,  // b: 33..64 bits
    kDivisorAny, // b: 65..256 bits (a multi-limb divisor)
};

const Inputs& inputs(Shape shape) {
    static Inputs sets[3];
    Inputs& s = sets[int(shape)];
    if (s.a.empty()) {
        std::mt19937_64 rng(0x5eed0000 + unsigned(shape));
        for (size_t i = 0; i < kInputs; ++i) {
            s.a.push_back(random_bits(rng, 256));
            switch (shape) {
                case Shape::kFull: s.b.push_back(random_bits(rng, 256)); break;
                case Shape::kDivisor64: s.b.push_back(random_bits(rng, 33 + unsigned(rng() % 32))); break;
                case Shape::kDivisorAny: s.b.push_back(random_bits(rng, 65 + unsigned(rng() % 192))); break;
            }
            s.m.push_back(random_bits(rng, 256));
        }
        s.sync();
    }
    return s;
}

// ---------------------------------------------------------------------------
// mul: low 256 bits of a * b.

void trellis_mul(benchmark::State& state) {
    const Inputs& in = inputs(Shape::kFull);
    size_t i = 0;
    for (auto _ : state) {
        uint256 r = in.a[i] * in.b[i];
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kInputs - 1);
    }
}
void gmp_mul(benchmark::State& state) {
    const Inputs& in = inputs(Shape::kFull);
    mpz_t r;
    mpz_init2(r, 512);
    size_t i = 0;
    for (auto _ : state) {
        mpz_mul(r, &in.za[i], &in.zb[i]);
        mpz_tdiv_r_2exp(r, r, 256);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kInputs - 1);
    }
    mpz_clear(r);
}

// ---------------------------------------------------------------------------
// div: 256-bit dividend over a multi-limb (65..256-bit) or a 64-bit divisor.

void trellis_div(benchmark::State& state, Shape shape) {
    const Inputs& in = inputs(shape);
    size_t i = 0;
    for (auto _ : state) {
        uint256 q = in.a[i] / in.b[i];
        benchmark::DoNotOptimize(q);
        i = (i + 1) & (kInputs - 1);
    }
}
void gmp_div(benchmark::State& state, Shape shape) {
    const Inputs& in = inputs(shape);
    mpz_t q;
    mpz_init2(q, 256);
    size_t i = 0;
    for (auto _ : state) {
        mpz_tdiv_q(q, &in.za[i], &in.zb[i]);
        benchmark::DoNotOptimize(q);
        i = (i + 1) & (kInputs - 1);
    }
    mpz_clear(q);
}

// ---------------------------------------------------------------------------
// mulmod: (a * b) mod m over the 512-bit product, m of 256 bits.

void trellis_mulmod(benchmark::State& state) {
    const Inputs& in = inputs(Shape::kFull);
    size_t i = 0;
    for (auto _ : state) {
        uint256 r = trellis::mulmod(in.a[i], in.b[i], in.m[i]);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kInputs - 1);
    }
}
void gmp_mulmod(benchmark::State& state) {
    const Inputs& in = inputs(Shape::kFull);
    mpz_t r;
    mpz_init2(r, 512);
    size_t i = 0;
    for (auto _ : state) {
        mpz_mul(r, &in.za[i], &in.zb[i]);
        mpz_tdiv_r(r, r, &in.zm[i]);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kInputs - 1);
    }
    mpz_clear(r);
}

// ---------------------------------------------------------------------------
// exp: a^b mod 2^256 with a 256-bit base and a 256-bit exponent (the worst
// case EXP charges for: 32 exponent bytes).

void trellis_exp(benchmark::State& state) {
    const Inputs& in = inputs(Shape::kFull);
    size_t i = 0;
    for (auto _ : state) {
        uint256 r = trellis::exp(in.a[i], in.b[i]);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kInputs - 1);
    }
}
void gmp_exp(benchmark::State& state) {
    const Inputs& in = inputs(Shape::kFull);
    mpz_t r, mod;
    mpz_init2(r, 512);
    mpz_init(mod);
    mpz_setbit(mod, 256);
    size_t i = 0;
    for (auto _ : state) {
        mpz_powm(r, &in.za[i], &in.zb[i], mod);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kInputs - 1);
    }
    mpz_clear(r);
    mpz_clear(mod);
}

}  // namespace

BENCHMARK(trellis_mul);
BENCHMARK(gmp_mul);
BENCHMARK_CAPTURE(trellis_div, 256_by_256, Shape::kDivisorAny);
BENCHMARK_CAPTURE(gmp_div, 256_by_256, Shape::kDivisorAny);
BENCHMARK_CAPTURE(trellis_div, 256_by_64, Shape::kDivisor64);
BENCHMARK_CAPTURE(gmp_div, 256_by_64, Shape::kDivisor64);
BENCHMARK(trellis_mulmod);
BENCHMARK(gmp_mulmod);
BENCHMARK(trellis_exp);
BENCHMARK(gmp_exp);

BENCHMARK_MAIN();
