// Import speed of the ledger: blocks of ERC-20 transfers (1,000 a block by
// default, 100 blocks, 10,000 holders) are built once, then imported -- each
// block validated, its senders recovered, executed, and committed atomically
// -- into RocksDB and into the in-memory database, in the same run, so the
// ratio shows what storage costs. Reports transactions per second, disk
// bytes per transaction (RocksDB), and the process's peak RSS.
//
//   build/release/bench/ledger_bench
//   TRELLIS_BENCH_BLOCKS=20 TRELLIS_BENCH_TXS=500 build/release/bench/ledger_bench   # a quick run
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "bench_util.hpp"
#include "chain/block_root.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "ledger/ledger.hpp"

using namespace trellis;

namespace {

int env_int(const char* name, int dflt) {
    const char* v = std::getenv(name);
    return v ? std::atoi(v) : dflt;
}

struct Workload {
    chain::Genesis genesis;
    std::vector<chain::Block> blocks;
    uint64_t transactions = 0;
};

Address token_address() {
    Address a;
    a[0] = 0x70;
    a[19] = 0x20;
    return a;
}

Bytes32 holder_key(int i) {
    Bytes32 k;
    k[0] = 0x33;
    k[28] = uint8_t(i >> 24);
    k[29] = uint8_t(i >> 16);
    k[30] = uint8_t(i >> 8);
    k[31] = uint8_t(i);
    return k;
}

Bytes32 balance_slot(const Address& holder) {
    Bytes key(64, 0);
    std::copy(holder.bytes.begin(), holder.bytes.end(), key.begin() + 12);
    return crypto::keccak256(key);
}

const Workload& workload() {
    static const Workload w = [] {
        const int blocks = env_int("TRELLIS_BENCH_BLOCKS", 100);
        const int per_block = env_int("TRELLIS_BENCH_TXS", 1000);
        const int holders = env_int("TRELLIS_BENCH_ACCOUNTS", 10000);
        Workload w;
        chain::Genesis& g = w.genesis;
        g.chain_id = 9001;
        g.gas_limit = uint64_t(per_block) * 60'000;
        g.base_fee = chain::FixedBaseFee{uint256(0)};  // a fee-less consortium chain: gas still bounds work
        std::vector<Address> addrs;
        chain::GenesisAccount token;
        token.nonce = 1;
        token.code = bench::erc20_transfer_code();
        for (int i = 0; i < holders; ++i) {
            addrs.push_back(crypto::secp256k1::address_of(crypto::secp256k1::public_key(holder_key(i)).value()));
            token.storage[balance_slot(addrs.back())] = uint256(1'000'000'000).to_be();
        }
        g.alloc[token_address()] = token;
        chain::GenesisValidator v;
        v.public_key = crypto::secp256k1::public_key(holder_key(holders + 1)).value();
        v.address = crypto::secp256k1::address_of(v.public_key);
        v.stake = 1;
        g.validators.push_back(v);

        auto producer = ledger::Ledger::open_in_memory(g);
        if (!producer) throw std::runtime_error(producer.error());
        std::mt19937_64 rng(7);
        std::vector<uint64_t> nonces(size_t(holders), 0);
        for (int b = 0; b < blocks; ++b) {
            std::vector<execution::Candidate> cands;
            for (int t = 0; t < per_block; ++t) {
                const int from = int(rng() % uint64_t(holders));
                const int to = int(rng() % uint64_t(holders));
                chain::Transaction tx;
                tx.type = chain::TxType::kDynamicFee;
                tx.chain_id = g.chain_id;
                tx.nonce = nonces[size_t(from)]++;
                tx.gas_limit = 60'000;
                tx.to = token_address();
                tx.data = from_hex("a9059cbb").value();
                tx.data.resize(4 + 64, 0);
                std::copy(addrs[size_t(to)].bytes.begin(), addrs[size_t(to)].bytes.end(), tx.data.begin() + 4 + 12);
                tx.data[4 + 63] = uint8_t(1 + t % 200);
                (void)chain::sign(tx, holder_key(from));
                cands.push_back({tx, addrs[size_t(from)]});
            }
            auto p = (*producer)->produce_block(cands, 1'700'000'000 + uint64_t(b), Address{});
            if (!p || !p->skipped.empty()) throw std::runtime_error("workload block rejected");
            w.transactions += p->block.body.transactions.size();
            w.blocks.push_back(std::move(p->block));
        }
        return w;
    }();
    return w;
}

long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

void import_all(benchmark::State& st, bool on_disk) {
    const Workload& w = workload();
    for (auto _ : st) {
        st.PauseTiming();
        const auto dir = std::filesystem::temp_directory_path() / ("trellis-ledger-bench-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        ledger::LedgerSettings settings;
        auto ledger = on_disk ? ledger::Ledger::open(dir, w.genesis, settings) : ledger::Ledger::open_in_memory(w.genesis);
        if (!ledger) {
            st.SkipWithError(ledger.error().c_str());
            return;
        }
        st.ResumeTiming();
        for (const auto& b : w.blocks) {
            auto r = (*ledger)->import_block(b);
            if (!r) {
                st.SkipWithError(r.error().c_str());
                return;
            }
        }
        st.PauseTiming();
        if (on_disk) {
            auto* rocks = dynamic_cast<storage::RocksDatabase*>(&(*ledger)->database());
            if (rocks) {
                (void)rocks->flush();
                st.counters["disk_bytes/tx"] = double(rocks->disk_bytes()) / double(w.transactions);
            }
        }
        ledger->reset();
        std::filesystem::remove_all(dir);
        st.ResumeTiming();
    }
    st.counters["tx/s"] = benchmark::Counter(double(w.transactions), benchmark::Counter::kIsIterationInvariantRate);
    st.counters["blocks"] = double(w.blocks.size());
    st.counters["peak_rss_MiB"] = double(peak_rss_kib()) / 1024.0;
}

void BM_import_memory(benchmark::State& st) { import_all(st, false); }
void BM_import_rocksdb(benchmark::State& st) { import_all(st, true); }

}  // namespace

BENCHMARK(BM_import_memory)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_import_rocksdb)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
