// Trie benchmarks: building the root of N random 32-byte keys (N = 10,000 and
// 100,000) with the Trie over a MemoryNodeStore (insert + commit, every node
// written to the store) against RootBuilder over the same pairs pre-sorted
// (its baseline: the least work a root can take), plus proof generation and
// checking on a 100,000-key trie.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "trie/root_builder.hpp"
#include "trie/trie.hpp"

using namespace trellis;
using namespace trellis::trie;

namespace {

using Pairs = std::vector<std::pair<Bytes, Bytes>>;

Pairs random_pairs(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    Pairs out(n);
    for (auto& [k, v] : out) {
        k.resize(32);
        for (auto& b : k) b = uint8_t(rng());
        v.resize(32);  // a storage slot's size; account values are ~70 bytes
        for (auto& b : v) b = uint8_t(rng());
    }
    return out;
}

const Pairs& pairs_of(size_t n) {
    static const Pairs p10k = random_pairs(10'000, 1);
    static const Pairs p100k = random_pairs(100'000, 1);
    return n == 10'000 ? p10k : p100k;
}

const Pairs& sorted_pairs_of(size_t n) {
    static const Pairs s10k = [] { auto p = pairs_of(10'000); std::sort(p.begin(), p.end()); return p; }();
    static const Pairs s100k = [] { auto p = pairs_of(100'000); std::sort(p.begin(), p.end()); return p; }();
    return n == 10'000 ? s10k : s100k;
}

void BM_trie_insert_and_root(benchmark::State& state) {
    const auto& pairs = pairs_of(size_t(state.range(0)));
    for (auto _ : state) {
        MemoryNodeStore store;
        Trie t(store);
        for (const auto& [k, v] : pairs)
            if (!t.put(k, v)) state.SkipWithError("put failed");
        benchmark::DoNotOptimize(t.root_hash());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * state.range(0));
}

void BM_root_builder_sorted(benchmark::State& state) {
    const auto& pairs = sorted_pairs_of(size_t(state.range(0)));
    for (auto _ : state) {
        RootBuilder b;
        for (const auto& [k, v] : pairs) b.add(k, v);
        benchmark::DoNotOptimize(b.root());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * state.range(0));
}

// What a caller with unsorted data pays: sort a copy, then build.
void BM_root_builder_with_sort(benchmark::State& state) {
    const auto& pairs = pairs_of(size_t(state.range(0)));
    std::vector<const std::pair<Bytes, Bytes>*> order(pairs.size());
    for (auto _ : state) {
        for (size_t i = 0; i < pairs.size(); ++i) order[i] = &pairs[i];
        std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
        RootBuilder b;
        for (const auto* p : order) b.add(p->first, p->second);
        benchmark::DoNotOptimize(b.root());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * state.range(0));
}

struct ProvedTrie {
    MemoryNodeStore store;
    Trie trie{store};
    Hash32 root;
    ProvedTrie() {
        for (const auto& [k, v] : pairs_of(100'000)) (void)trie.put(k, v);
        root = trie.root_hash();
    }
};

ProvedTrie& proved_trie() {
    static ProvedTrie t;
    return t;
}

void BM_trie_prove_100k(benchmark::State& state) {
    auto& t = proved_trie();
    const auto& pairs = pairs_of(100'000);
    size_t i = 0;
    for (auto _ : state) {
        auto proof = t.trie.prove(pairs[i++ % pairs.size()].first);
        benchmark::DoNotOptimize(proof);
    }
}

void BM_verify_proof_100k(benchmark::State& state) {
    auto& t = proved_trie();
    const auto& pairs = pairs_of(100'000);
    std::vector<std::vector<Bytes>> proofs;
    for (size_t i = 0; i < 256; ++i) proofs.push_back(t.trie.prove(pairs[i].first).value());
    size_t i = 0;
    for (auto _ : state) {
        auto r = verify_proof(t.root, pairs[i % 256].first, proofs[i % 256]);
        benchmark::DoNotOptimize(r);
        ++i;
    }
}

void BM_trie_get_100k_reopened(benchmark::State& state) {
    auto& t = proved_trie();
    const auto& pairs = pairs_of(100'000);
    Trie reopened(t.store, t.root);  // loads nodes from the store on first touch
    size_t i = 0;
    for (auto _ : state) {
        auto r = reopened.get(pairs[i++ % pairs.size()].first);
        benchmark::DoNotOptimize(r);
    }
}

}  // namespace

BENCHMARK(BM_trie_insert_and_root)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_root_builder_sorted)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_root_builder_with_sort)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_trie_prove_100k)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_verify_proof_100k)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_trie_get_100k_reopened)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
