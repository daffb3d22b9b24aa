// EVM interpreter workloads, reported as gas per second:
//  - the standard EVM benchmark contracts from ../shared/bench/evm (or
//    $TRELLIS_BENCH_DIR/evm), each case with the ratio of our time to the
//    reference interpreter's time listed in that folder's README;
//  - real contract shapes: an ERC-20 transfer, a keccak loop, a storage loop,
//    and bn254 pairing checks with 2 and 4 pairs through the precompile.
// "execute" runs pre-analysed code; "total" includes the code analysis.
//
//   build/release/bench/evm_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "base/hex.hpp"
#include "crypto/keccak.hpp"
#include "evm/evm.hpp"
#include "evm/opcodes.hpp"
#include "state/state_db.hpp"
#include "state/world_state.hpp"
#include "bench_util.hpp"

using namespace trellis;
using trellis::bench::assemble;
using trellis::bench::erc20_transfer_code;

namespace {

std::filesystem::path bench_root() {
    if (const char* env = std::getenv("TRELLIS_BENCH_DIR")) return env;
    return std::filesystem::path(TRELLIS_SOURCE_DIR) / ".." / "shared" / "bench";
}

/// One workload: code at a contract address, called with input.
struct Workload {
    Bytes code;
    Bytes input;
    std::map<Bytes32, Bytes32> storage;
    int64_t gas = 1'000'000'000;
    Address target;  // when set, call this address (a precompile) instead of the code
};

Address contract_address() {
    Address a;
    a[0] = 0xbe;
    a[19] = 0x01;
    return a;
}
Address caller_address() {
    Address a;
    a[0] = 0xca;
    return a;
}

void run_workload(benchmark::State& st, const Workload& w, bool include_analysis, double reference_ns) {
    state::MemoryStateDb db;
    db.put_account(contract_address(), 1, uint256(), w.code, w.storage);
    db.put_account(caller_address(), 0, uint256(1) << 100, {}, {});
    state::WorldState ws(db);
    ws.begin_transaction();
    evm::BlockContext block;
    block.gas_limit = uint64_t(w.gas);
    block.number = 1;
    evm::TxContext tx;
    tx.origin = caller_address();
    evm::CodeCache cache;
    evm::Evm vm(ws, block, tx, evm::Revision::kCancun, &cache);
    evm::Message msg;
    msg.gas = w.gas;
    msg.recipient = w.target.is_zero() ? contract_address() : w.target;
    msg.code_address = msg.recipient;
    msg.sender = caller_address();
    msg.input = w.input;
    auto analysis = evm::CodeAnalysis::analyze(w.code, evm::Revision::kCancun);
    const size_t snap = ws.snapshot();
    int64_t gas_used = 0;
    for (auto _ : st) {
        evm::ExecResult r;
        if (!w.target.is_zero()) {
            r = vm.execute(msg);
        } else {
            if (include_analysis) analysis = evm::CodeAnalysis::analyze(w.code, evm::Revision::kCancun);
            r = vm.run_code(msg, *analysis);
        }
        if (r.status != evm::Status::kSuccess) {
            st.SkipWithError(("execution failed: " + std::string(evm::to_string(r.status))).c_str());
            return;
        }
        gas_used = w.gas - r.gas_left;
        benchmark::DoNotOptimize(r.output.data());
        ws.revert_to(snap);
    }
    st.counters["gas_used"] = double(gas_used);
    st.counters["gas/s"] = benchmark::Counter(double(gas_used), benchmark::Counter::kIsIterationInvariantRate);
    if (reference_ns > 0) {
        // Our mean time per run over the reference interpreter's (README); < 1 is faster.
        st.counters["ratio_vs_ref"] = benchmark::Counter(
            reference_ns / 1e9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    }
}

/// Reference times from ../shared/bench/evm/README.md: case -> {execute ns, total ns}.
std::map<std::string, std::pair<double, double>> reference_times(const std::filesystem::path& readme) {
    std::map<std::string, std::pair<double, double>> out;
    std::ifstream in(readme);
    std::string line;
    const std::regex row(R"(^\|\s*([a-z0-9_/]+)\s*\|\s*[\d,]+\s*\|\s*([\d,]+)\s*\|\s*([\d,]+)\s*\|)");
    auto num = [](std::string s) {
        s.erase(std::remove(s.begin(), s.end(), ','), s.end());
        return std::stod(s);
    };
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_search(line, m, row)) out[m[1]] = {num(m[2]), num(m[3])};
    }
    return out;
}

void register_fixture_benchmarks() {
    const auto dir = bench_root() / "evm";
    if (!std::filesystem::is_directory(dir)) {
        std::fprintf(stderr,
                     "evm_bench: %s not found; the standard contracts (ipsilon/evm-benchmarks) are skipped\n",
                     dir.c_str());
        return;
    }
    const auto refs = reference_times(dir / "README.md");
    std::vector<std::filesystem::path> files;
    for (const auto& group : {"main", "micro"})
        for (const auto& e : std::filesystem::directory_iterator(dir / group))
            if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::ifstream in(file);
        const auto doc = nlohmann::json::parse(in);
        for (const auto& [name, test] : doc.items()) {
            const std::string to = test["transaction"]["to"];
            Bytes code;
            for (const auto& [addr, acc] : test["pre"].items())
                if (addr == to) code = from_hex(acc["code"].get<std::string>()).value();
            const auto& data = test["transaction"]["data"];
            const auto& labels = test["_info"]["labels"];
            for (size_t i = 0; i < data.size(); ++i) {
                const std::string label =
                    labels.contains(std::to_string(i)) ? labels[std::to_string(i)].get<std::string>() : std::to_string(i);
                const std::string id = file.parent_path().filename().string() + "/" + name + "/" + label;
                Workload w;
                w.code = code;
                w.input = from_hex(data[i].get<std::string>()).value();
                const auto ref = refs.count(id) ? refs.at(id) : std::pair<double, double>{0, 0};
                benchmark::RegisterBenchmark(("execute/" + id).c_str(), [w, ref](benchmark::State& st) {
                    run_workload(st, w, false, ref.first);
                })->Unit(benchmark::kMicrosecond);
                benchmark::RegisterBenchmark(("total/" + id).c_str(), [w, ref](benchmark::State& st) {
                    run_workload(st, w, true, ref.second);
                })->Unit(benchmark::kMicrosecond);
            }
        }
    }
}

Workload erc20_transfer() {
    // transfer(to, amount) on a balances mapping at slot 0, with the Transfer event.
    Workload w;
    w.code = erc20_transfer_code();
    w.input = from_hex("a9059cbb" "000000000000000000000000000000000000000000000000000000000000beef"
                       "0000000000000000000000000000000000000000000000000000000000000064")
                  .value();
    // balances[caller] = 10^18 (the caller's slot is keccak(caller . 0)).
    Bytes key(64, 0);
    const Address caller = caller_address();
    std::copy(caller.bytes.begin(), caller.bytes.end(), key.begin() + 12);
    w.storage[crypto::keccak256(key)] = uint256(1'000'000'000'000'000'000ull).to_be();
    w.gas = 200'000;
    return w;
}

Workload keccak_loop() {
    // 1,000 rounds of keccak256 over 64 bytes of memory, feeding each hash back.
    Workload w;
    w.code = assemble(R"(
        PUSH2 0x03e8
        @loop JUMPDEST
        PUSH1 0x40 PUSH0 KECCAK256 PUSH0 MSTORE
        PUSH1 0x01 SWAP1 SUB DUP1 :loop JUMPI
        STOP
    )");
    return w;
}

Workload storage_loop() {
    // 200 rounds of SSTORE(i, i) and SLOAD(i) on fresh slots.
    Workload w;
    w.code = assemble(R"(
        PUSH1 0xc8
        @loop JUMPDEST
        DUP1 DUP1 SSTORE DUP1 SLOAD POP
        PUSH1 0x01 SWAP1 SUB DUP1 :loop JUMPI
        STOP
    )");
    return w;
}

Workload pairing(int pairs) {
    // e(G1, G2) * e(-G1, G2) repeated: a true check with `pairs` pairs (even).
    const std::string g1 = "0000000000000000000000000000000000000000000000000000000000000001"
                           "0000000000000000000000000000000000000000000000000000000000000002";
    const std::string neg_g1 = "0000000000000000000000000000000000000000000000000000000000000001"
                               "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45";
    const std::string g2 = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
                           "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
                           "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
                           "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
    std::string in;
    for (int i = 0; i < pairs; ++i) in += (i % 2 ? neg_g1 : g1) + g2;
    Workload w;
    w.input = from_hex(in).value();
    w.target[19] = 0x08;
    return w;
}

void register_contract_benchmarks() {
    const std::pair<const char*, Workload> cases[] = {
        {"contract/erc20_transfer", erc20_transfer()},
        {"contract/keccak_loop_1000", keccak_loop()},
        {"contract/storage_loop_200", storage_loop()},
        {"precompile/bn254_pairing_2", pairing(2)},
        {"precompile/bn254_pairing_4", pairing(4)},
    };
    for (const auto& [name, w] : cases) {
        benchmark::RegisterBenchmark(name, [w = w](benchmark::State& st) { run_workload(st, w, false, 0); })
            ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    register_contract_benchmarks();
    register_fixture_benchmarks();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
