// State pruning: disk use and commit throughput of an ERC-20-like storage
// churn imported through storage::ChainStore into RocksDB, in archive mode
// and pruned to the last 16 and 128 blocks' states (docs/storage.md,
// "Pruning"). Environment: TRELLIS_PRUNE_BLOCKS (200), TRELLIS_PRUNE_SLOTS
// (slot updates a block, 500), TRELLIS_PRUNE_ACCOUNTS (10000).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "chain/block_root.hpp"
#include "chain/genesis_state.hpp"
#include "chain/receipt_root.hpp"
#include "crypto/keccak.hpp"
#include "crypto/suite.hpp"
#include "storage/chain_store.hpp"
#include "storage/rocks_database.hpp"

using namespace trellis;

namespace {

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v ? std::atoi(v) : fallback;
}

Address holder(int i) {
    Address a;
    a.bytes[0] = 0x11;
    a.bytes[16] = uint8_t(i >> 24);
    a.bytes[17] = uint8_t(i >> 16);
    a.bytes[18] = uint8_t(i >> 8);
    a.bytes[19] = uint8_t(i);
    return a;
}

Address token_address() {
    Address a;
    a.bytes[0] = 0x70;
    a.bytes[19] = 0x01;
    return a;
}

/// Solidity's mapping slot keccak256(holder || 0), as an ERC-20 balance.
Bytes32 balance_slot(const Address& a) {
    Bytes pre(32, 0);
    std::copy(a.bytes.begin(), a.bytes.end(), pre.begin() + 12);
    pre.resize(64, 0);
    return Bytes32::from(crypto::keccak256(pre).view());
}

chain::Genesis make_genesis(int accounts) {
    chain::Genesis g;
    g.chain_id = 9002;
    g.timestamp = 1'700'000'000;
    g.gas_limit = 30'000'000;
    g.base_fee = chain::FixedBaseFee{uint256(0)};
    chain::GenesisAccount token;
    token.nonce = 1;
    token.code = {0x60, 0x00, 0x54, 0x00};  // stands in for the token's code
    for (int i = 0; i < accounts; ++i) {
        chain::GenesisAccount eoa;
        eoa.balance = uint256(1) << 64;
        g.alloc[holder(i)] = eoa;
        token.storage[balance_slot(holder(i))] = uint256(1'000'000'000).to_be();
    }
    g.alloc[token_address()] = token;
    Bytes32 key;
    key.bytes.fill(0x42);
    chain::GenesisValidator v;
    v.public_key = crypto::ethereum_suite().public_key(key).value();
    v.address = crypto::ethereum_suite().address_of(v.public_key);
    v.stake = 1;
    g.validators.push_back(v);
    return g;
}

/// One block of transfers: slots/2 (sender, recipient) balance-slot updates
/// in the token and each sender's nonce bumped.
state::StateDiff churn(std::mt19937_64& rng, int accounts, int slots, std::vector<uint64_t>& nonces,
                       const chain::GenesisAccount& token) {
    state::StateDiff diff;
    auto& t = diff.accounts[token_address()];
    t.record.nonce = token.nonce;
    t.record.code_hash = crypto::keccak256(token.code);
    for (int i = 0; i < slots / 2; ++i) {
        const int from = int(rng() % uint64_t(accounts));
        const int to = int(rng() % uint64_t(accounts));
        t.storage[balance_slot(holder(from))] = uint256(rng() % 1'000'000'000 + 1).to_be();
        t.storage[balance_slot(holder(to))] = uint256(rng() % 1'000'000'000 + 1).to_be();
        auto& s = diff.accounts[holder(from)];
        s.record.nonce = ++nonces[size_t(from)];
        s.record.balance = uint256(1) << 64;
    }
    return diff;
}

size_t count_nodes(storage::ReadView& db) {
    size_t n = 0;
    for (auto it = db.iterate(storage::Column::kTrieNodes, {}, {}); it->valid(); it->next()) ++n;
    return n;
}

void run(benchmark::State& st, uint64_t keep_last, uint64_t interval = 0) {
    const int blocks = env_int("TRELLIS_PRUNE_BLOCKS", 200);
    const int slots = env_int("TRELLIS_PRUNE_SLOTS", 500);
    const int accounts = env_int("TRELLIS_PRUNE_ACCOUNTS", 10000);
    const chain::Genesis g = make_genesis(accounts);
    for (auto _ : st) {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("trellis-prune-bench-" + std::to_string(::getpid()) + "-" +
                          std::to_string(keep_last) + "-" + std::to_string(interval));
        std::filesystem::remove_all(dir);
        double commit_s = 0, prune_s = 0;
        uint64_t sweeps = 0, erased = 0;
        uint64_t disk = 0, nodes = 0;
        {
            auto db = storage::RocksDatabase::open(dir);
            if (!db) {
                st.SkipWithError(db.error().to_string().c_str());
                return;
            }
            storage::ChainStore store(**db);
            store.set_pruning(storage::PruneSettings{.keep_last = keep_last, .interval = interval});
            auto gh = store.init_genesis(g);
            if (!gh) {
                st.SkipWithError(gh.error().to_string().c_str());
                return;
            }
            std::mt19937_64 rng(7);
            std::vector<uint64_t> nonces(size_t(accounts), 0);
            Hash32 parent = *gh;
            for (int b = 1; b <= blocks; ++b) {
                const state::StateDiff diff =
                    churn(rng, accounts, slots, nonces, g.alloc.at(token_address()));
                const auto t0 = std::chrono::steady_clock::now();
                auto staged = store.stage_state(diff);
                if (!staged) {
                    st.SkipWithError(staged.error().to_string().c_str());
                    return;
                }
                chain::Block block;
                block.header.parent_hash = parent;
                block.header.number = uint64_t(b);
                block.header.timestamp = g.timestamp + uint64_t(b);
                block.header.gas_limit = g.gas_limit;
                block.header.state_root = staged->root;
                block.header.transactions_root = chain::transactions_root({});
                block.header.receipts_root = chain::receipts_root({});
                auto hash = store.commit_block(block, {}, std::move(*staged));
                if (!hash) {
                    st.SkipWithError(hash.error().to_string().c_str());
                    return;
                }
                parent = *hash;
                const auto t1 = std::chrono::steady_clock::now();
                auto pruned = store.prune_if_due();
                if (!pruned) {
                    st.SkipWithError(pruned.error().to_string().c_str());
                    return;
                }
                const auto t2 = std::chrono::steady_clock::now();
                commit_s += std::chrono::duration<double>(t1 - t0).count();
                prune_s += std::chrono::duration<double>(t2 - t1).count();
                if (pruned->ran) {
                    ++sweeps;
                    erased += pruned->erased_nodes;
                }
            }
            if (auto s = (*db)->flush(); !s.is_ok()) st.SkipWithError(s.to_string().c_str());
            if (auto s = (*db)->compact(); !s.is_ok()) st.SkipWithError(s.to_string().c_str());
            disk = (*db)->disk_bytes();
            nodes = count_nodes(**db);
        }
        std::filesystem::remove_all(dir);
        st.counters["disk_MB"] = double(disk) / 1e6;
        st.counters["trie_nodes"] = double(nodes);
        st.counters["blocks/s"] = double(blocks) / (commit_s + prune_s);
        st.counters["commit_blocks/s"] = double(blocks) / commit_s;
        st.counters["slot_updates/s"] = double(blocks) * slots / (commit_s + prune_s);
        st.counters["prune_s"] = prune_s;
        st.counters["sweeps"] = double(sweeps);
        st.counters["erased_nodes"] = double(erased);
    }
}

void BM_import_archive(benchmark::State& st) {
    run(st, 0);
}
void BM_import_prune_16(benchmark::State& st) {
    run(st, 16);
}
void BM_import_prune_128(benchmark::State& st) {
    run(st, 128);
}
/// Depth 16 swept four times less often: a sweep costs about the kept
/// states' node count, so the interval trades disk for throughput.
void BM_import_prune_16_every_16(benchmark::State& st) {
    run(st, 16, 16);
}

}  // namespace

BENCHMARK(BM_import_archive)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_import_prune_16)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_import_prune_16_every_16)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_import_prune_128)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
