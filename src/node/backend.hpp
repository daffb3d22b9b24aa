#pragma once

// The node as JSON-RPC sees it: rpc::Backend over the ledger::Ledger (blocks,
// receipts, state, log index on disk) and the transaction pool, plus the one
// write path a block producer needs (seal_block).

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "ledger/ledger.hpp"
#include "node/recovery_pool.hpp"
#include "rpc/backend.hpp"
#include "txpool/txpool.hpp"

namespace trellis::node {

struct BackendSettings {
    /// Pool limits. chain id and block gas limit are taken from the genesis.
    txpool::Settings pool;
    /// Workers that decode raw transactions and recover their senders.
    RecoverySettings recovery;
    std::string client_version = "trellis/v0.1.0";
    std::string node_name = "trellis";
    /// This node's validator address (trellis_nodeInfo), if it is one.
    std::optional<Address> validator;
};

/// What seal_block committed (one line of the block log).
struct SealedBlock {
    chain::BlockNum number = 0;
    Hash32 hash;
    size_t tx_count = 0;
    chain::Gas gas_used = 0;
    size_t skipped = 0;          ///< selected transactions the state rejected
    double execute_seconds = 0;  ///< running its transactions
    double commit_seconds = 0;   ///< state root and the write to disk
};

/// What the network side of a node tells RPC: net_peerCount, eth_syncing and
/// the network part of trellis_nodeInfo. Called from RPC threads.
class NetworkView {
public:
    virtual ~NetworkView() = default;
    virtual size_t peer_count() = 0;
    /// Set while the node is catching up by block sync (further behind its
    /// peers than it would be in consensus); nullopt once it is caught up.
    virtual std::optional<rpc::SyncStatus> sync_status() = 0;
    virtual rpc::NetworkInfo network_info() = 0;
};

/// rpc::Backend over a ledger::Ledger and a TxPool.
///
/// Thread-safety: every method may be called from any thread. One mutex,
/// mu_, guards the ledger's write side (produce_block) and the pool; block
/// and state reads go straight to the ChainStore, which serves concurrent
/// readers and shows them whole commits only, so RPC reads never wait for a
/// block being sealed. Listeners are kept under their own mutex and are
/// called without mu_ held.
class ChainBackend final : public rpc::Backend {
public:
    /// ledger must outlive the backend.
    ChainBackend(ledger::Ledger& ledger, BackendSettings settings);

    // rpc::Backend
    chain::ChainId chain_id() override;
    rpc::BlockNum head_number() override;
    std::optional<Hash32> canonical_hash(rpc::BlockNum n) override;
    std::optional<chain::BlockHeader> header_by_hash(const Hash32& h) override;
    std::optional<chain::BlockBody> body(const Hash32& block_hash) override;
    std::optional<std::vector<chain::Receipt>> receipts(const Hash32& block_hash) override;
    /// From the cache of recently sealed blocks' senders (the pool recovered
    /// them on admission); older blocks are recovered again.
    std::vector<Address> senders(const Hash32& block_hash, const chain::BlockBody& body) override;
    std::optional<rpc::TxLocation> tx_location(const Hash32& tx_hash) override;
    std::unique_ptr<rpc::StateView> state_at(rpc::BlockNum n) override;
    Result<rpc::CallResult, rpc::CallFailure> call(const rpc::CallMsg& msg, rpc::BlockNum n,
                                                   const rpc::StateOverrides& overrides) override;
    Result<rpc::AccessListResult, rpc::CallFailure> create_access_list(const rpc::CallMsg& msg,
                                                                       rpc::BlockNum n) override;
    Result<Hash32, rpc::SendFailure> send_raw_transaction(ByteView encoded) override;
    /// Recovers all senders in parallel on the recovery pool, then admits the
    /// transactions in order (as sequential send_raw_transaction calls would).
    std::vector<Result<Hash32, rpc::SendFailure>> send_raw_transactions(
        std::span<const ByteView> encoded) override;
    std::shared_ptr<const txpool::PooledTx> pool_transaction(const Hash32& h) override;
    size_t pool_pending() override;
    size_t pool_queued() override;
    txpool::TxPool::Content pool_content() override;
    Result<std::vector<rpc::LogEntry>, rpc::LogQueryError> logs(rpc::BlockNum from, rpc::BlockNum to,
                                                                const rpc::LogFilter& filter,
                                                                size_t max_results) override;
    uint256 next_base_fee() override;
    uint256 suggested_tip() override;
    /// Without a network view: not syncing, no peers.
    std::optional<rpc::SyncStatus> sync_status() override;
    size_t peer_count() override;
    rpc::NodeInfo node_info() override;
    /// Attaches (or, with null, detaches) the network; view must stay alive
    /// until it is detached and no RPC call is running (the service detaches
    /// it after its RPC server stopped).
    void set_network_view(NetworkView* view) noexcept { network_view_.store(view); }
    uint64_t add_listener(rpc::EventListener listener) override;
    void remove_listener(uint64_t id) override;

    /// Builds a block on the head from the pool's executable transactions
    /// (ordered by txpool::TxPool::select, up to the gas limit), commits it,
    /// re-checks the pool against the new head and then fires listeners.
    /// Returns nullopt (and commits nothing) when no transaction is pending
    /// and allow_empty is false. An error is a storage failure: nothing was
    /// committed.
    Result<std::optional<SealedBlock>, std::string> seal_block(uint64_t timestamp, const Address& proposer,
                                                               bool allow_empty);

    /// The pool's executable transactions for a block at base_fee, best
    /// first, within gas_limit (TxPool::select): for a block producer other
    /// than seal_block (the consensus host, node/consensus_proposer.hpp).
    std::vector<std::shared_ptr<const txpool::PooledTx>> select_transactions(uint64_t gas_limit,
                                                                             const uint256& base_fee);
    /// seal_block's effects around a block built or executed elsewhere (the
    /// consensus host): runs write, which commits block to the ledger, under
    /// mu_; when it succeeds, re-checks the pool against the new head, caches
    /// the block's senders and fires its BlockEvent. Returns write's result.
    Result<Hash32, std::string> commit_external(const std::function<Result<Hash32, std::string>()>& write,
                                                const chain::Block& block, const std::vector<Hash32>& tx_hashes,
                                                const std::vector<Address>& senders,
                                                const std::vector<chain::Receipt>& receipts);

private:
    void fire(const rpc::ChainEvent& ev);

    ledger::Ledger& ledger_;
    BackendSettings settings_;
    /// Guards the ledger's writes and pool_ (see the class comment).
    std::mutex mu_;
    txpool::TxPool pool_;
    /// The pool's sizes as of the last change, readable without mu_ (metrics).
    std::atomic<size_t> pool_pending_{0}, pool_queued_{0};
    /// Decoding and sender recovery, off the RPC threads and off mu_.
    RecoveryPool recovery_;

    /// Senders of the last kSenderCacheBlocks sealed blocks, by block hash:
    /// receipts and full blocks name each transaction's sender, and
    /// recovering them again per query would cost as much as admission did.
    static constexpr size_t kSenderCacheBlocks = 256;
    std::mutex senders_mu_;  ///< guards sender_cache_ and sender_order_
    std::unordered_map<Hash32, std::vector<Address>, FixedBytesHasher> sender_cache_;
    std::deque<Hash32> sender_order_;  ///< oldest first

    /// Guards listeners_ and next_listener_.
    std::mutex listeners_mu_;
    std::map<uint64_t, rpc::EventListener> listeners_;
    uint64_t next_listener_ = 1;
    std::atomic<NetworkView*> network_view_{nullptr};
};

}  // namespace trellis::node
