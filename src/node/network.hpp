#pragma once

// A node on the consortium's network (docs/network.md): the p2p peer
// manager carries consensus messages between validators, gossips
// transactions (announced by hash, fetched once) and serves committed blocks
// with their quorum certificates to nodes that are behind. This is the
// BlockProposer of a networked node: a validator syncs until it is close to
// its peers' head and then runs the BFT engine (ledger::ConsensusHost); an observer
// only syncs, following the chain block by block.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "consensus/signer.hpp"
#include "consensus/sync.hpp"
#include "ledger/consensus_host.hpp"
#include "node/backend.hpp"
#include "node/consensus_proposer.hpp"
#include "node/proposer.hpp"
#include "p2p/peer_manager.hpp"
#include "runtime/log.hpp"

namespace boost::asio {
class io_context;
}

namespace trellis::node {

/// A node on the consortium's network (docs/network.md): p2p transport and
/// peers, consensus over it with the genesis's validators, transaction
/// gossip and block sync. chain id, genesis hash and the admission list of
/// the transport come from the genesis and need not be set.
struct NetworkSettings {
    p2p::Settings p2p;
    /// Enables the test-only fault switches (the trellis_test* RPC methods:
    /// partitions, garbage injection). Never on a real network.
    bool test_faults = false;
    /// Blocks requested per GetBlocks and batches in flight during sync.
    uint64_t sync_batch = 64;
    unsigned sync_parallel = 4;
    /// A validator this many blocks or fewer behind its best peer joins
    /// consensus (the engine fetches the rest); further behind, it syncs first.
    uint64_t join_distance = 32;
    /// A validator in consensus that falls this far behind its best peer
    /// leaves consensus and syncs (beyond the engine's own catch-up window).
    uint64_t resync_distance = 400;
};

/// A snapshot for operators (trellis_nodeInfo / trellis_peers).
struct NetworkStatus {
    p2p::NodeId node_id;
    std::optional<consensus::ValidatorIndex> validator;
    bool syncing = true;
    uint64_t head = 0;
    uint64_t best_peer_head = 0;
    double sync_blocks_per_second = 0;
    uint64_t blocks_imported = 0;
    uint64_t view = 0;
    /// Times this validator left consensus to sync (fell behind, or its host failed).
    uint64_t consensus_exits = 0;
    std::vector<p2p::PeerInfo> peers;
    std::vector<p2p::NodeId> banned;
    /// Handshakes this node refused (not admitted, banned, wrong chain, ...).
    uint64_t refused_handshakes = 0;
};

/// What a test can make this node do to a peer (only with test faults on).
enum class InjectKind { kGarbage, kOversizedFrame, kBadSignature, kFalseHead, kRequestFlood };

class NetworkNode final : public BlockProposer, public NetworkView, private ledger::ConsensusNetwork {
public:
    /// ledger and backend must outlive the node. key: this validator's
    /// consensus key (nullopt: an observer). on_block hears of each
    /// committed block (consensus or sync) as SoloProposer's log does.
    /// logger: sync, consensus and peer lines (null: runtime::log::global()).
    static Result<std::unique_ptr<NetworkNode>, std::string> open(
        ledger::Ledger& ledger, ChainBackend& backend, std::optional<Bytes32> key, ledger::HostSettings host,
        NetworkSettings net, BlockLog on_block, runtime::log::Logger* logger);
    ~NetworkNode() override;

    /// Binds the p2p port and starts the threads (fails only through open).
    void start() override;
    void stop() override;

    uint16_t p2p_port() const noexcept { return peers_->port(); }
    const p2p::NodeId& node_id() const noexcept { return peers_->node_id(); }
    NetworkStatus status();

    // NetworkView (net_peerCount, eth_syncing, trellis_nodeInfo)
    size_t peer_count() override;
    std::optional<rpc::SyncStatus> sync_status() override;
    rpc::NetworkInfo network_info() override;
    /// Dials address and keeps it connected (an operator adding a peer).
    void add_peer(const p2p::PeerAddress& address) { peers_->add_peer(address, true); }

    /// Test faults only (NetworkSettings::test_faults): outgoing messages to
    /// these peers are dropped (an empty set heals the partition).
    void set_partition(std::set<p2p::NodeId> isolated);
    /// Test faults only: sends a hostile frame to a connected peer.
    bool inject(const p2p::NodeId& peer, InjectKind kind);
    bool test_faults() const noexcept { return net_.test_faults; }

private:
    NetworkNode(ledger::Ledger& ledger, ChainBackend& backend, ledger::HostSettings host, NetworkSettings net,
                BlockLog on_block, runtime::log::Logger* logger);

    // --- Lifecycle, consensus and the supervisor (network.cpp) ---
    void register_handlers();
    void on_chain_event(const rpc::ChainEvent& ev);
    // ledger::ConsensusNetwork (called on the host's thread).
    void send(std::optional<consensus::ValidatorIndex> to, Bytes bytes) override;
    void on_consensus(const p2p::NodeId& from, const p2p::Consensus& m);
    /// The supervisor thread: sync until close to the peers' head, then (a
    /// validator) consensus; back to sync when far behind.
    void run();
    bool join_consensus();
    void leave_consensus();

    // --- Block sync (network_sync.cpp) ---
    void on_status(const p2p::NodeId& from, uint64_t head);
    void on_blocks(const p2p::NodeId& from, p2p::Blocks m);
    void sync_step(std::unique_lock<std::mutex>& lock);
    /// Verifies and imports what arrived; false when the importer failed.
    bool import_ready(std::unique_lock<std::mutex>& lock);
    uint64_t best_peer_head_locked() const;
    /// The head a validator acts on (join, leave consensus): the highest
    /// that more than f peers claim, so that one lying member cannot knock
    /// validators out of consensus with an absurd head.
    uint64_t credible_peer_head_locked() const;

    // --- Transaction gossip (network_gossip.cpp) ---
    void flush_announcements();
    void on_tx_announce(const p2p::NodeId& from, const p2p::TxAnnounce& m);
    void on_txs(const p2p::NodeId& from, const p2p::Txs& m);

    // --- Serving peers (network_serve.cpp) ---
    /// Charges cost to peer's serving budget of this second; false (and a
    /// kSpam penalty) when the peer asks for more than a sane node would.
    bool within_budget(const p2p::NodeId& peer, uint64_t blocks, uint64_t hashes);
    void on_get_blocks(const p2p::NodeId& from, const p2p::GetBlocks& m);
    void on_tx_request(const p2p::NodeId& from, const p2p::TxRequest& m);

    // Test faults (set_partition, inject: network_test_faults.cpp) keep no
    // state here: the partition lives in the p2p fault filter.

    // Locking: four mutexes, each guarding one group below. The only nesting
    // is host_mu_ taken under mu_ (run reads the host's error); no other two
    // are held together. The p2p io threads run the on_* handlers; the
    // chain listener (on_chain_event) runs on whichever thread commits a
    // block or pools a transaction; the supervisor thread runs run().

    // --- Set by open() and constant after it (no lock) ---
    ledger::Ledger& ledger_;
    ChainBackend& backend_;
    ledger::HostSettings host_settings_;
    NetworkSettings net_;
    std::optional<Bytes32> key_;
    std::optional<consensus::ValidatorIndex> self_index_;
    runtime::log::Logger* logger_;  ///< never null (logger given to open, or the global one)
    BackendChain chain_;
    const crypto::CryptoSuite* suite_ = nullptr;
    std::unique_ptr<consensus::SuiteScheme> verifier_;
    consensus::ValidatorSet validators_;
    std::vector<p2p::NodeId> validator_nodes_;  ///< by validator index (zero: unbound)
    std::map<p2p::NodeId, consensus::ValidatorIndex> validator_of_;

    // --- p2p (created by open(), torn down by stop(); PeerManager locks itself) ---
    std::unique_ptr<boost::asio::io_context> ioc_;  ///< declared before peers_, which uses it
    std::unique_ptr<p2p::PeerManager> peers_;
    std::vector<std::thread> io_threads_;
    uint64_t listener_ = 0;  ///< the backend's chain listener (start/stop only)

    // --- Lifecycle (start/stop and the supervisor thread; atomics need no lock) ---
    std::chrono::steady_clock::time_point started_at_;  ///< set by start() before the supervisor runs
    std::thread thread_;                                ///< the supervisor (run)
    std::atomic<bool> stopped_{false};
    std::atomic<uint64_t> head_{0};  ///< our head as told to peers (chain listener)
    std::atomic<uint64_t> imported_{0};
    std::atomic<uint64_t> consensus_exits_{0};

    // --- Consensus host: guarded by host_mu_ ---
    /// The running consensus host (validators in consensus mode only).
    std::mutex host_mu_;
    std::shared_ptr<ledger::ConsensusHost> host_;

    // --- Supervisor and block sync: guarded by mu_ (cv_ waits on it) ---
    struct Request {
        p2p::NodeId peer;
        uint64_t from = 0;
        uint64_t count = 0;
        std::chrono::steady_clock::time_point deadline;
    };
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    bool syncing_ = true;
    uint64_t sync_start_ = 0;  ///< the head when this node last started to sync
    std::map<p2p::NodeId, uint64_t> peer_heads_;
    std::map<uint64_t, Request> inflight_;                                  ///< by first block number
    std::map<uint64_t, std::pair<p2p::NodeId, std::vector<Bytes>>> ready_;  ///< responses by first number
    uint64_t next_request_ = 0;  ///< first block number not yet requested
    size_t peer_cursor_ = 0;
    /// Blocks imported per second (smoothed). Written by import_ready with mu_
    /// released, read by status() and run(): atomic, not under mu_.
    std::atomic<double> sync_rate_{0};
    // Supervisor thread only (and stop() after joining it); not under mu_,
    // since import_ready works on them with mu_ released.
    std::vector<consensus::SyncItem> unproven_;  ///< verified blocks whose commit is not proven yet
    std::unique_ptr<ledger::ConsensusHost> importer_;

    // --- Transaction gossip: guarded by gossip_mu_ ---
    std::mutex gossip_mu_;
    std::vector<Hash32> to_announce_;
    /// Hash -> when we asked for it (it is not asked again before a timeout).
    std::unordered_map<Hash32, std::chrono::steady_clock::time_point, FixedBytesHasher> requested_;
    std::atomic<uint64_t> txs_from_peers_{0}, txs_announced_{0};  ///< counters, no lock

    // --- Serving peers: guarded by serve_mu_ ---
    /// What each peer asked us to serve in the current one-second window.
    struct ServeWindow {
        std::chrono::steady_clock::time_point start;
        uint64_t blocks = 0;
        uint64_t hashes = 0;
    };
    std::mutex serve_mu_;
    std::map<p2p::NodeId, ServeWindow> serve_;
};

}  // namespace trellis::node
