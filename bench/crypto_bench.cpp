// Crypto benchmarks. Each figure is paired with a baseline from the same run:
//  * Keccak-256 against OpenSSL's EVP SHA3-256 (the same Keccak-f permutation
//    and rate, different padding byte); the ratio of the two times is the
//    figure of merit (goal: <= 1.2 at 32 B, 1 KiB, 64 KiB);
//  * secp256k1 public-key recovery (the ECRECOVER / sender-recovery hot path,
//    single thread) against OpenSSL's ECDSA verification on the same curve,
//    which does comparable work (two scalar multiplications).
// SM2 and the suite wrappers are listed for reference.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <vector>

#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/sm2.hpp"
#include "crypto/suite.hpp"

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

crypto::secp256k1::PrivateKey bench_key() {
    crypto::secp256k1::PrivateKey k;
    k.bytes.fill(0x46);
    return k;
}

void BM_secp256k1_recover(benchmark::State& state) {
    const Hash32 digest = crypto::keccak256(as_view("benchmark"));
    const auto sig = *crypto::secp256k1::sign(digest, bench_key());
    for (auto _ : state) {
        auto pub = crypto::secp256k1::recover(digest, sig);
        benchmark::DoNotOptimize(pub);
    }
    state.counters["ops/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_secp256k1_verify(benchmark::State& state) {
    const Hash32 digest = crypto::keccak256(as_view("benchmark"));
    const auto sig = *crypto::secp256k1::sign(digest, bench_key());
    const auto pub = *crypto::secp256k1::public_key(bench_key());
    for (auto _ : state) {
        bool ok = crypto::secp256k1::verify(digest, sig.r, sig.s, pub);
        benchmark::DoNotOptimize(ok);
    }
    state.counters["ops/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_secp256k1_sign(benchmark::State& state) {
    const Hash32 digest = crypto::keccak256(as_view("benchmark"));
    for (auto _ : state) {
        auto sig = crypto::secp256k1::sign(digest, bench_key());
        benchmark::DoNotOptimize(sig);
    }
    state.counters["ops/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

// Baseline: OpenSSL ECDSA verification on secp256k1, key and context reused.
void BM_openssl_ecdsa_verify_secp256k1(benchmark::State& state) {
    EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1");
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    const Hash32 digest = crypto::keccak256(as_view("benchmark"));
    unsigned char sig[80];
    size_t len = sizeof sig;
    EVP_PKEY_sign_init(ctx);
    EVP_PKEY_sign(ctx, sig, &len, digest.data(), 32);
    EVP_PKEY_verify_init(ctx);
    for (auto _ : state) {
        int ok = EVP_PKEY_verify(ctx, sig, len, digest.data(), 32);
        benchmark::DoNotOptimize(ok);
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    state.counters["ops/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_sm2_verify(benchmark::State& state) {
    const auto key = crypto::sm2::generate_private_key();
    const auto pub = *crypto::sm2::public_key(key);
    const auto sig = *crypto::sm2::sign(as_view("benchmark"), key);
    for (auto _ : state) {
        bool ok = crypto::sm2::verify(as_view("benchmark"), sig, pub);
        benchmark::DoNotOptimize(ok);
    }
    state.counters["ops/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_suite_recover_signer(benchmark::State& state) {
    const auto& suite = crypto::suite_of(crypto::SuiteKind(state.range(0)));
    const auto key = suite.generate_private_key();
    const Hash32 digest = suite.hash(as_view("benchmark"));
    const auto sig = *suite.sign(digest, key);
    for (auto _ : state) {
        auto pub = suite.recover_signer(digest, sig);
        benchmark::DoNotOptimize(pub);
    }
    state.SetLabel(std::string(suite.name()));
    state.counters["ops/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_keccak256)->Arg(32)->Arg(1024)->Arg(65536);
BENCHMARK(BM_openssl_sha3_256)->Arg(32)->Arg(1024)->Arg(65536);
BENCHMARK(BM_keccak_f1600);
BENCHMARK(BM_secp256k1_recover);
BENCHMARK(BM_openssl_ecdsa_verify_secp256k1);
BENCHMARK(BM_secp256k1_verify);
BENCHMARK(BM_secp256k1_sign);
BENCHMARK(BM_sm2_verify);
BENCHMARK(BM_suite_recover_signer)->Arg(int(crypto::SuiteKind::kEthereum))->Arg(int(crypto::SuiteKind::kSm));

BENCHMARK_MAIN();
