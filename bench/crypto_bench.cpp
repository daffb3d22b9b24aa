// Crypto benchmarks. Each throughput figure is paired with its baseline from
// the same run: Keccak-256 against OpenSSL's EVP SHA3-256 (the same Keccak-f
// permutation and rate, different padding byte), so the ratio of the two
// times is the figure of merit (goal: <= 1.2 at 32 B, 1 KiB, 64 KiB).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <vector>

#include "crypto/keccak.hpp"

using namespace trellis;

namespace {

std::vector<uint8_t> input_of(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 31 + 1);
    return v;
}

void BM_keccak256(benchmark::State& state) {
    const auto in = input_of(size_t(state.range(0)));
    for (auto _ : state) {
        auto h = crypto::keccak256(in);
        benchmark::DoNotOptimize(h);
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}

// Baseline: the EVP_MD is fetched once and the context reused, the cheapest
// way to call OpenSSL for repeated digests.
void BM_openssl_sha3_256(benchmark::State& state) {
    const auto in = input_of(size_t(state.range(0)));
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA3-256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char out[32];
    for (auto _ : state) {
        unsigned int len = 0;
        EVP_DigestInit_ex(ctx, md, nullptr);
        EVP_DigestUpdate(ctx, in.data(), in.size());
        EVP_DigestFinal_ex(ctx, out, &len);
        benchmark::DoNotOptimize(out);
    }
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}

void BM_keccak_f1600(benchmark::State& state) {
    uint64_t st[25]{};
    for (auto _ : state) {
        crypto::keccak_f1600(st);
        benchmark::DoNotOptimize(st);
    }
}

}  // namespace

BENCHMARK(BM_keccak256)->Arg(32)->Arg(1024)->Arg(65536);
BENCHMARK(BM_openssl_sha3_256)->Arg(32)->Arg(1024)->Arg(65536);
BENCHMARK(BM_keccak_f1600);

BENCHMARK_MAIN();
