#pragma once

// `trellis bench`: end-to-end throughput of a node as a dApp sees it. Deploys
// a minimal ERC-20, pre-signs N token transfers from S senders, sends them
// over JSON-RPC HTTP (batches, several connections, a bounded number in
// flight), waits for every receipt and checks it succeeded and that the final
// balances add up; reports transactions per second and submit-to-receipt
// latency. In the same run it measures how many secp256k1 sender recoveries
// per second this machine does on all its cores -- the ceiling for a node
// that must recover every sender -- and reports TPS as a share of it.

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/uint256.hpp"

namespace trellis::devtools {

struct BenchOptions {
    size_t txs = 20'000;
    /// Distinct senders, round-robin (each also gets a token balance first).
    size_t senders = 64;
    /// eth_sendRawTransaction requests per JSON-RPC batch.
    size_t batch = 100;
    /// HTTP connections sending at once.
    size_t connections = 4;
    /// Most transactions sent but not yet seen in a block (0: min(1024,
    /// 56 * senders - batch), which keeps every sender within the default
    /// pool's nonce gap of 64). Latency grows with it (Little's law).
    size_t window = 0;
    /// An existing node's JSON-RPC URL (http://HOST:PORT); its first `senders`
    /// devnet accounts must be funded. Empty: start a node in-process on a
    /// fresh temporary data directory and a free loopback port.
    std::string rpc_url;
    /// In-process: this many validators (above 1: a network of that many
    /// nodes on loopback, TLS p2p and BFT consensus between them; the
    /// sending connections are spread over every node's RPC, so each
    /// transaction reaches the others by gossip). 1: the single node.
    size_t validators = 1;
    /// Offered load in transactions per second (0: as fast as the window
    /// allows). Finality latency is meaningful below saturation.
    double rate = 0;
    /// In-process node: RPC threads (0: one per core) and fsync per block.
    unsigned rpc_threads = 0;
    bool sync_commits = true;
    /// In-process node: the block gas limit.
    uint64_t gas_limit = 30'000'000;
    /// How long to measure the recovery rate (0: skip it).
    double recovery_seconds = 2.0;
    /// Give up waiting for receipts after this long.
    std::chrono::seconds timeout{600};
};

struct BenchReport {
    size_t txs = 0;
    size_t blocks = 0;   ///< blocks that carried the measured transfers
    double seconds = 0;  ///< first submit to last receipt seen
    double tps = 0;
    double p50_ms = 0, p99_ms = 0, max_ms = 0;  ///< submit -> receipt seen
    double recoveries_per_second = 0;           ///< on all cores (0 if not measured)
    unsigned recovery_threads = 0;
    size_t validators = 1;
    /// tps / (recoveries_per_second / validators): every validator recovers
    /// every sender, so on one machine that is the ceiling.
    double share_of_limit = 0;
    /// CPU time this process spent per transfer while they were sent and
    /// mined (node and client together when the node is in-process): a
    /// figure that, unlike TPS, does not move with other load on the machine.
    double cpu_us_per_tx = 0;
};

/// Runs the benchmark, logging progress to log. An error says what failed
/// (a rejected send, a failed receipt, a wrong balance, a timeout, ...).
Result<BenchReport, std::string> run_bench(const BenchOptions& options, std::ostream& log);

/// The report as the CLI prints it.
void print_bench_report(const BenchReport& r, std::ostream& out);

/// The benchmark token: runtime code of a minimal ERC-20 (transfer and
/// balanceOf; a balance is the storage slot keyed by the address), and init
/// code that credits total_supply to the deployer and returns the runtime.
Bytes bench_token_runtime();
Bytes bench_token_initcode(const uint256& total_supply);

}  // namespace trellis::devtools
