#pragma once

// The node's host for the BFT engine (docs/node-consensus.md): it owns a
// consensus::Engine and carries out its Outputs on one thread -- messages to
// the network, speculative execution of proposals before voting, building
// payloads from the transaction pool, committing what the engine commits to
// the ledger (with the certifying QC beside it), timers -- and it persists
// every block before executing or proposing it (docs/consensus.md §4 R7).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "consensus/engine.hpp"
#include "consensus/signer.hpp"
#include "ledger/host_clock.hpp"
#include "ledger/ledger.hpp"
#include "ledger/speculative.hpp"
#include "runtime/log.hpp"
#include "storage/safety_store.hpp"
#include "txpool/txpool.hpp"

namespace boost::asio {
class io_context;
}

namespace trellis::ledger {

/// Where the host's consensus messages go. The transport authenticates the
/// sender (mutual TLS) and hands inbound bytes to ConsensusHost::deliver.
class ConsensusNetwork {
public:
    virtual ~ConsensusNetwork() = default;
    /// Sends bytes to validator `to`, or to every other validator (nullopt).
    /// Called on the host's thread; must not block (queue and return).
    virtual void send(std::optional<consensus::ValidatorIndex> to, Bytes bytes) = 0;
};

/// The node's transaction pool and commit effects, as the host needs them.
/// BackendChain (node/consensus_proposer.hpp) provides them for a running
/// node over ChainBackend; PoolChain below for tests
/// and tools. Called on the host's thread.
class HostChain {
public:
    virtual ~HostChain() = default;
    /// Executable pool transactions for a block at base_fee, best first,
    /// within gas_limit (txpool::TxPool::select).
    virtual std::vector<std::shared_ptr<const txpool::PooledTx>> select(uint64_t gas_limit,
                                                                        const uint256& base_fee) = 0;
    /// True when some transaction is executable on the head.
    virtual bool has_pending() = 0;
    /// Runs write (which commits `block` to the ledger) under the node's
    /// ledger-writer lock; when it succeeds, re-checks the pool against the
    /// new head and announces the block to listeners (what
    /// ChainBackend::seal_block does for a sealed block). Returns write's error.
    virtual Result<Hash32, std::string> commit(const std::function<Result<Hash32, std::string>()>& write,
                                               const SpeculativeBlock& block) = 0;
    /// The sender of a transaction the node already recovered (its pool
    /// holds it), so that executing a block need not recover it again.
    virtual std::optional<Address> known_sender(const Hash32& /*tx_hash*/) { return std::nullopt; }
};

/// A HostChain over its own TxPool (no RPC): tests, tools, benchmarks.
/// Thread-safe.
class PoolChain final : public HostChain {
public:
    /// ledger must outlive the pool.
    PoolChain(Ledger& ledger, txpool::Settings settings);

    /// Decodes, validates and admits a raw transaction against the head.
    Result<Hash32, txpool::AddError> add_raw(ByteView encoded);
    size_t size();
    /// Called after each commit (on the host's thread).
    void on_commit(std::function<void(const SpeculativeBlock&)> f);

    std::vector<std::shared_ptr<const txpool::PooledTx>> select(uint64_t gas_limit,
                                                                const uint256& base_fee) override;
    bool has_pending() override;
    Result<Hash32, std::string> commit(const std::function<Result<Hash32, std::string>()>& write,
                                       const SpeculativeBlock& block) override;

private:
    Ledger& ledger_;
    std::mutex mu_;  ///< guards pool_, on_commit_ and the ledger's writes
    txpool::TxPool pool_;
    std::function<void(const SpeculativeBlock&)> on_commit_;
};

struct HostSettings {
    /// The engine's settings; chain_id is taken from the genesis.
    consensus::Settings engine;
    /// A leader asked for a block while nothing is to be done (no executable
    /// transaction, no uncommitted ancestor with transactions) waits this
    /// long, or until a transaction arrives, then proposes (possibly an
    /// empty block). Must stay below engine.base_timeout_ms.
    std::chrono::milliseconds idle_block_interval{500};
    /// A proposal whose chain timestamp is further ahead of our clock than
    /// this is not voted for.
    uint64_t max_future_seconds = 15;
    /// Block and pending-block records are synced to disk before use (R7).
    bool sync_writes = true;
    /// Chain timestamps and the host's timers (ledger/host_clock.hpp);
    /// null: the system clock with real-time timers. Must outlive the host.
    HostClock* clock = nullptr;
    /// Called on the host's thread each time the engine's view timer fires
    /// (the engine times out in that view, or resends its timeout): the
    /// event that shows a validator had its chance to make progress.
    std::function<void(consensus::ViewNum)> on_view_timeout;
    /// Rejected consensus messages: the p2p layer's peer penalties
    /// (consensus::peer_action). Called on the host's thread.
    std::function<void(consensus::ValidatorIndex, consensus::RejectReason)> on_reject;
    /// Commits (debug), blocks not voted for, evidence, rejected messages
    /// (debug), storage failures; null: runtime::log::global(). Must outlive
    /// the host.
    runtime::log::Logger* logger = nullptr;
};

/// Owns the engine and runs it on its own thread (one io_context): every
/// engine call and every Output is handled there, in order. deliver() and
/// notify_transaction() may be called from any thread.
///
/// Storage: the committed and pending consensus records of
/// storage::ConsensusRecords, written in each block's commit batch.
class ConsensusHost {
public:
    /// Opens the host on ledger's head: the engine's root is the head block
    /// and its stored QC (genesis: view 0, no signatures), the validators
    /// are the genesis's (index = position), and key selects ours (nullopt
    /// or a key not in the set: an observer that follows and commits but
    /// never signs). ledger, chain and network must outlive the host.
    static Result<std::unique_ptr<ConsensusHost>, std::string> open(
        Ledger& ledger, HostChain& chain, ConsensusNetwork& network,
        std::optional<crypto::SuitePrivateKey> key, HostSettings settings);
    ~ConsensusHost();
    ConsensusHost(const ConsensusHost&) = delete;
    ConsensusHost& operator=(const ConsensusHost&) = delete;

    /// Starts the thread and the engine. Once.
    void start();
    /// Stops the thread (pending inputs are dropped); nothing is committed
    /// or sent afterwards. Idempotent.
    void stop();

    /// A consensus message from validator `from` (authenticated by the transport).
    void deliver(consensus::ValidatorIndex from, Bytes bytes);
    /// A transaction was admitted to the pool (wakes an idle leader).
    void notify_transaction();

    std::optional<consensus::ValidatorIndex> self() const noexcept { return self_; }
    /// The number of the last block this host committed (also the ledger's head).
    uint64_t committed_block_num() const noexcept { return committed_num_.load(); }
    consensus::ViewNum view() const noexcept { return view_.load(); }
    /// Set when the host stopped on an error it cannot recover from (a
    /// storage failure, a committed block that does not execute): it then
    /// ignores every input. Empty otherwise.
    std::string error() const;

    /// Blocks until every input handed to the host before the call
    /// (deliver, notify_transaction, timers fired by the clock) has been
    /// handled. Returns at once on a host that is not running. Not from the
    /// host's thread, nor concurrently with stop(). For tests and tools.
    void flush();

    /// Sync (docs/network.md): executes and commits block, certified by qc,
    /// on the head, with its consensus records, exactly as a commit the
    /// engine made. The caller has verified qc and that the block is
    /// committed (a two-chain); block must be the head's child. Only on a
    /// host that is not started (the caller's thread is the host's thread).
    Result<void, std::string> import_committed(const consensus::Block& block,
                                               const consensus::QuorumCert& qc);

    /// The genesis validator set as the engine sees it (index = position).
    static Result<consensus::ValidatorSet, std::string> genesis_validator_set(const chain::Genesis& g);

    /// The committed consensus block num (its stored header, with the
    /// ledger's block as payload) and the QC certifying it, if stored.
    static Result<std::optional<std::pair<consensus::Block, consensus::QuorumCert>>, std::string>
    committed_record(Ledger& ledger, const consensus::SignatureScheme& scheme, uint64_t num);

private:
    ConsensusHost(Ledger& ledger, HostChain& chain, ConsensusNetwork& network, HostSettings settings);

    struct PendingPayload {
        consensus::PayloadRequest req;
        bool waiting = false;
    };

    void handle(consensus::Outputs out, bool proposed = false);
    /// At start: feeds the engine the pending blocks its high QC needs.
    void resume_pending();
    /// Answers a SyncRequest for a committed block the engine no longer
    /// holds (it keeps the last 64) from the store; true if it did.
    bool serve_sync(consensus::ValidatorIndex from, ByteView bytes);
    void carry_commit(const consensus::CommittedBlock& c);
    /// Executes b (persisted first) on its parent's speculative state;
    /// returns its chain hash or why it is not a valid block.
    Result<Hash32, std::string> execute(const consensus::Block& b);
    void on_payload_request(const consensus::PayloadRequest& req);
    void build_payload();
    /// Writes b's pending record; false (logged) when the write failed.
    bool persist_pending(const consensus::Block& b);
    void fail(std::string why);
    void arm_timer(const consensus::TimerRequest& t);
    enum class TimerSlot { kEngine, kPacing };
    /// Arms slot's timer (replacing it) to call fire on the host's thread
    /// after delay on the clock.
    void start_timer(TimerSlot slot, std::chrono::milliseconds delay, std::function<void()> fire);
    /// On a clock that is not realtime: fires the timers now due.
    void fire_due_timers();
    HostClock& clock() const;
    chain::BlockHeader chain_header_of(const Hash32& chain_hash);
    /// BLOCKHASH for a block on top of path (the uncommitted blocks from the
    /// head up, oldest first): from path above the head, from the ledger below.
    execution::BlockHashFn speculative_block_hashes(const std::vector<const SpeculativeBlock*>& path);
    uint64_t now_seconds() const;
    runtime::log::Logger& logger() const;

    Ledger& ledger_;
    HostChain& chain_;
    ConsensusNetwork& network_;
    HostSettings settings_;
    const crypto::CryptoSuite* suite_ = nullptr;
    std::unique_ptr<consensus::SuiteScheme> scheme_;
    std::unique_ptr<storage::DbSafetyStore> safety_;
    std::unique_ptr<consensus::Engine> engine_;
    std::optional<consensus::ValidatorIndex> self_;
    std::optional<Address> self_address_;
    std::vector<Address> validator_addresses_;
    execution::ChainRules rules_;
    evm::CodeCache code_cache_;

    // Everything below is touched on the host's thread only.
    SpeculativeChain spec_;
    /// Consensus block id -> (chain hash, block num) for blocks executed,
    /// proposed or committed (the root); pruned below the committed root.
    std::unordered_map<Hash32, std::pair<Hash32, uint64_t>, FixedBytesHasher> chain_of_;
    Hash32 head_hash_;
    chain::BlockHeader head_header_;
    std::optional<PendingPayload> payload_;
    consensus::ViewNum payload_view_ = 0;  ///< of the newest payload request
    /// The chain block of the payload just handed to the engine (hash, number).
    std::optional<std::pair<Hash32, uint64_t>> last_built_;
    uint64_t timer_generation_ = 0;
    uint64_t pacing_generation_ = 0;
    bool failed_ = false;

    std::unique_ptr<boost::asio::io_context> ioc_;
    struct Timers;
    std::unique_ptr<Timers> timers_;
    std::thread thread_;
    std::atomic<bool> started_{false}, stopped_{false};
    std::atomic<uint64_t> committed_num_{0};
    std::atomic<consensus::ViewNum> view_{0};
    mutable std::mutex error_mu_;  ///< guards error_
    std::string error_;
};

}  // namespace trellis::ledger
