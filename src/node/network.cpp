// NetworkNode's lifecycle (open, start, stop), the supervisor thread that
// switches between block sync and consensus, consensus messages, and the
// operator's view (status, NetworkView). Block sync is in network_sync.cpp,
// transaction gossip in network_gossip.cpp, serving peers in
// network_serve.cpp and test faults in network_test_faults.cpp.

#include "node/network.hpp"

#include <algorithm>

#include "base/hex.hpp"
#include "chain/genesis.hpp"
#include "codec/rlp.hpp"
#include "consensus/messages.hpp"
#include "runtime/asio.hpp"

namespace trellis::node {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using consensus::ValidatorIndex;

namespace {

/// io threads of the p2p layer: TLS and framing for a handful of peers.
constexpr unsigned kIoThreads = 2;
/// Until this long after start a validator waits to hear its peers' heads
/// (unless every other validator is connected) before joining consensus.
constexpr auto kSettleTime = std::chrono::seconds(2);

}  // namespace

NetworkNode::NetworkNode(ledger::Ledger& ledger, ChainBackend& backend, ledger::HostSettings host,
                         NetworkSettings net, BlockLog on_block, runtime::log::Logger* logger)
    : ledger_(ledger),
      backend_(backend),
      host_settings_(std::move(host)),
      net_(std::move(net)),
      logger_(&runtime::log::or_global(logger)),
      chain_(backend, std::move(on_block)) {}

Result<std::unique_ptr<NetworkNode>, std::string> NetworkNode::open(
    ledger::Ledger& ledger, ChainBackend& backend, std::optional<Bytes32> key, ledger::HostSettings host,
    NetworkSettings net, BlockLog on_block, runtime::log::Logger* logger) {
    std::unique_ptr<NetworkNode> n(
        new NetworkNode(ledger, backend, std::move(host), std::move(net), std::move(on_block), logger));
    const chain::Genesis& g = ledger.genesis();
    n->suite_ = crypto::suite_by_name(g.crypto_suite);
    if (!n->suite_) return Unexpected{"unknown crypto suite " + g.crypto_suite};
    auto set = ledger::ConsensusHost::genesis_validator_set(g);
    if (!set) return Unexpected{set.error()};
    n->validators_ = std::move(set).value();
    n->verifier_ = std::make_unique<consensus::SuiteScheme>(*n->suite_, std::nullopt);

    for (size_t i = 0; i < g.validators.size(); ++i) {
        const Hash32& id = g.validators[i].node_id;
        n->validator_nodes_.push_back(id);
        if (id != Hash32{}) n->validator_of_[id] = ValidatorIndex(i);
    }
    if (key) {
        auto pub = n->suite_->public_key(*key);
        if (!pub) return Unexpected{std::string("invalid validator key")};
        for (size_t i = 0; i < g.validators.size(); ++i)
            if (g.validators[i].public_key == *pub) n->self_index_ = ValidatorIndex(i);
        if (!n->self_index_)
            return Unexpected{"the validator key (address " + to_0x_hex(n->suite_->address_of(*pub).view()) +
                              ") is not a genesis validator"};
        n->key_ = key;
    }
    if (g.validators.size() > 1 && n->validator_of_.size() != g.validators.size())
        return Unexpected{std::string(
            "every genesis validator needs its node id (nodeId) to run a network of several validators")};

    p2p::Settings ps = n->net_.p2p;
    ps.transport.chain_id = g.chain_id;
    ps.transport.genesis_hash = ledger.genesis_hash();
    for (const auto& id : chain::admitted_nodes(g)) ps.transport.admitted.insert(id);
    ps.transport.enable_test_faults = n->net_.test_faults;
    ps.transport.listen = true;
    n->ioc_ = std::make_unique<asio::io_context>();
    n->peers_ = std::make_unique<p2p::PeerManager>(*n->ioc_, ps);
    n->register_handlers();
    const uint64_t head = backend.head_number();
    n->head_ = head;
    n->next_request_ = head + 1;
    n->peers_->set_head(head, ledger.head_hash());
    if (auto r = n->peers_->start(); !r)
        return Unexpected{std::string("p2p on ") + ps.transport.listen_address + ":" +
                          std::to_string(ps.transport.listen_port) + ": " + p2p::to_string(r.error())};
    const p2p::NodeId& self = n->peers_->node_id();
    if (!ps.transport.admitted.contains(self)) {
        n->peers_->stop();
        return Unexpected{"this node's certificate (node id " + to_0x_hex(self.view()) +
                          ") is not on the genesis admission list"};
    }
    if (n->self_index_ && n->validator_nodes_[*n->self_index_] != self && g.validators.size() > 1) {
        n->peers_->stop();
        return Unexpected{"the validator key is validator " + std::to_string(*n->self_index_) +
                          "'s, whose node id in the genesis is " +
                          to_0x_hex(n->validator_nodes_[*n->self_index_].view()) +
                          ", but this node's certificate has node id " + to_0x_hex(self.view())};
    }
    for (unsigned i = 0; i < kIoThreads; ++i)
        n->io_threads_.emplace_back([io = n->ioc_.get()] {
            auto guard = asio::make_work_guard(*io);
            io->run();
        });
    return n;
}

NetworkNode::~NetworkNode() {
    stop();
}

void NetworkNode::register_handlers() {
    using p2p::MessageType;
    peers_->on_message(MessageType::kConsensus, [this](const p2p::NodeId& from, const p2p::Message& m) {
        on_consensus(from, std::get<p2p::Consensus>(m));
    });
    peers_->on_message(MessageType::kStatus, [this](const p2p::NodeId& from, const p2p::Message& m) {
        on_status(from, std::get<p2p::Status>(m).head_num);
    });
    peers_->on_message(MessageType::kGetBlocks, [this](const p2p::NodeId& from, const p2p::Message& m) {
        on_get_blocks(from, std::get<p2p::GetBlocks>(m));
    });
    peers_->on_message(MessageType::kBlocks, [this](const p2p::NodeId& from, const p2p::Message& m) {
        on_blocks(from, std::get<p2p::Blocks>(m));
    });
    peers_->on_message(MessageType::kTxAnnounce, [this](const p2p::NodeId& from, const p2p::Message& m) {
        on_tx_announce(from, std::get<p2p::TxAnnounce>(m));
    });
    peers_->on_message(MessageType::kTxRequest, [this](const p2p::NodeId& from, const p2p::Message& m) {
        on_tx_request(from, std::get<p2p::TxRequest>(m));
    });
    peers_->on_message(MessageType::kTxs, [this](const p2p::NodeId& from, const p2p::Message& m) {
        on_txs(from, std::get<p2p::Txs>(m));
    });
    peers_->on_peer_up([this](const p2p::NodeId& peer) {
        // The Hello carried its head; tell it ours in turn (it may be behind).
        for (const auto& info : peers_->peers())
            if (info.node_id == peer) on_status(peer, info.hello.head_num);
        peers_->send(peer, p2p::Status{head_.load(), ledger_.head_hash()});
    });
    peers_->on_peer_down([this](const p2p::NodeId& peer, p2p::DisconnectReason) {
        std::lock_guard lock(mu_);
        peer_heads_.erase(peer);
        for (auto it = inflight_.begin(); it != inflight_.end();) {
            if (it->second.peer == peer) {
                next_request_ = std::min(next_request_, it->first);
                it = inflight_.erase(it);
            } else {
                ++it;
            }
        }
        cv_.notify_all();
    });
}

void NetworkNode::start() {
    started_at_ = Clock::now();
    sync_start_ = backend_.head_number();
    listener_ = backend_.add_listener([this](const rpc::ChainEvent& ev) { on_chain_event(ev); });
    thread_ = std::thread([this] { run(); });
}

void NetworkNode::stop() {
    if (stopped_.exchange(true)) return;
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    leave_consensus();
    importer_.reset();
    if (listener_) {
        backend_.remove_listener(listener_);
        listener_ = 0;
    }
    if (peers_) peers_->stop();
    if (ioc_) ioc_->stop();
    for (auto& t : io_threads_)
        if (t.joinable()) t.join();
}

void NetworkNode::on_chain_event(const rpc::ChainEvent& ev) {
    if (ev.pending_tx) {
        bool first = false;
        {
            std::lock_guard lock(gossip_mu_);
            first = to_announce_.empty();
            to_announce_.push_back(*ev.pending_tx);
        }
        // One flush per burst: announcements made while it is queued ride along.
        if (first) asio::post(*ioc_, [this] { flush_announcements(); });
        std::shared_ptr<ledger::ConsensusHost> host;
        {
            std::lock_guard lock(host_mu_);
            host = host_;
        }
        if (host) host->notify_transaction();
    }
    if (ev.block) {
        head_ = ev.block->header.number;
        peers_->set_head(ev.block->header.number, ev.block->hash);
        peers_->broadcast(p2p::Status{ev.block->header.number, ev.block->hash});
        cv_.notify_all();
    }
}

// ---------------------------------------------------------------------------
// Consensus messages

void NetworkNode::send(std::optional<ValidatorIndex> to, Bytes bytes) {
    p2p::Message m = p2p::Consensus{std::move(bytes)};
    if (to) {
        if (*to < validator_nodes_.size()) peers_->send(validator_nodes_[*to], m);
        return;
    }
    for (size_t i = 0; i < validator_nodes_.size(); ++i)
        if (!self_index_ || i != *self_index_) peers_->send(validator_nodes_[i], m);
}

void NetworkNode::on_consensus(const p2p::NodeId& from, const p2p::Consensus& m) {
    auto v = validator_of_.find(from);
    if (v == validator_of_.end()) {
        // Only validators speak consensus; an observer or other member that
        // does is broken or hostile.
        peers_->penalise(from, p2p::Misbehaviour::kUnexpectedMessage);
        return;
    }
    std::shared_ptr<ledger::ConsensusHost> host;
    {
        std::lock_guard lock(host_mu_);
        host = host_;
    }
    // While syncing, consensus traffic is dropped: the engine starts from
    // the synced head and fetches what it misses.
    if (host) host->deliver(v->second, m.payload);
}

// ---------------------------------------------------------------------------
// The supervisor: sync, then (a validator) consensus

void NetworkNode::run() {
    std::unique_lock lock(mu_);
    auto last_log = Clock::now();
    while (!stop_) {
        if (syncing_) {
            sync_step(lock);
            if (stop_) break;
            const uint64_t head = backend_.head_number();
            const uint64_t best = best_peer_head_locked();
            if (Clock::now() - last_log > std::chrono::seconds(5) && best > head + 1) {
                last_log = Clock::now();
                const double rate = sync_rate_.load();
                // At most one line per 5 s (a peer's claimed head only picks the numbers).
                TRELLIS_LOG_TO(*logger_, sync, info, "sync: block {} of {} ({} blocks/s, ETA {})", head, best,
                               uint64_t(rate),
                               rate > 0 ? std::to_string(uint64_t(double(best - head) / rate)) + " s"
                                        : std::string("?"));
            }
            if (self_index_) {
                size_t connected = 0;
                for (size_t i = 0; i < validator_nodes_.size(); ++i)
                    if (i != *self_index_ && peer_heads_.contains(validator_nodes_[i])) ++connected;
                const bool settled =
                    Clock::now() - started_at_ > kSettleTime || connected + 1 == validator_nodes_.size();
                if (settled && head + net_.join_distance >= credible_peer_head_locked()) {
                    lock.unlock();
                    const bool joined = join_consensus();
                    lock.lock();
                    if (joined) continue;
                }
            }
            cv_.wait_for(lock, std::chrono::milliseconds(100));
        } else {
            const uint64_t head = backend_.head_number();
            const uint64_t best = credible_peer_head_locked();
            std::string failed;
            {
                std::lock_guard hl(host_mu_);
                if (host_) failed = host_->error();
            }
            if (best > head + net_.resync_distance || !failed.empty()) {
                if (failed.empty())
                    TRELLIS_LOG_LIMITED_TO(*logger_, consensus, info,
                                           "block {} is {} behind the best peer: leaving consensus to sync",
                                           head, best - head);
                else
                    TRELLIS_LOG_LIMITED_TO(*logger_, consensus, warn, "leaving consensus: {}", failed);
                ++consensus_exits_;
                lock.unlock();
                leave_consensus();
                lock.lock();
                syncing_ = true;
                sync_start_ = backend_.head_number();
                next_request_ = backend_.head_number() + 1;
                inflight_.clear();
                ready_.clear();
                if (!failed.empty()) cv_.wait_for(lock, std::chrono::seconds(1));
                continue;
            }
            cv_.wait_for(lock, std::chrono::milliseconds(500));
        }
    }
}

bool NetworkNode::join_consensus() {
    importer_.reset();  // shares the WAL store with the host
    {
        std::lock_guard lock(mu_);
        unproven_.clear();
        inflight_.clear();
        ready_.clear();
    }
    ledger::HostSettings hs = host_settings_;
    if (!hs.logger) hs.logger = logger_;
    hs.on_reject = [this](ValidatorIndex from, consensus::RejectReason reason) {
        if (from >= validator_nodes_.size()) return;
        switch (consensus::peer_action(reason)) {
            case consensus::PeerAction::kIgnore:
                return;
            case consensus::PeerAction::kScoreDown:
                peers_->penalise(validator_nodes_[from], p2p::Misbehaviour::kInvalidConsensusMessage);
                return;
            case consensus::PeerAction::kDisconnect:
                peers_->penalise(validator_nodes_[from],
                                 reason == consensus::RejectReason::kMalformed ||
                                         reason == consensus::RejectReason::kOversized ||
                                         reason == consensus::RejectReason::kUnknownType
                                     ? p2p::Misbehaviour::kMalformedMessage
                                     : p2p::Misbehaviour::kInvalidSignature);
                return;
        }
    };
    auto h = ledger::ConsensusHost::open(ledger_, chain_, *this, key_, std::move(hs));
    if (!h) {
        TRELLIS_LOG_LIMITED_TO(*logger_, consensus, error, "cannot join consensus: {}", h.error());
        return false;
    }
    std::shared_ptr<ledger::ConsensusHost> host(std::move(h).value());
    host->start();
    {
        std::lock_guard lock(host_mu_);
        host_ = host;
    }
    {
        std::lock_guard lock(mu_);
        syncing_ = false;
    }
    TRELLIS_LOG_LIMITED_TO(*logger_, consensus, info, "joined consensus at block {} as validator {}",
                           backend_.head_number(), *self_index_);
    return true;
}

void NetworkNode::leave_consensus() {
    std::shared_ptr<ledger::ConsensusHost> host;
    {
        std::lock_guard lock(host_mu_);
        host = std::move(host_);
        host_.reset();
    }
    if (host) host->stop();
}

// ---------------------------------------------------------------------------
// Operators

NetworkStatus NetworkNode::status() {
    NetworkStatus s;
    s.node_id = peers_->node_id();
    s.validator = self_index_;
    s.head = backend_.head_number();
    {
        std::lock_guard lock(mu_);
        s.syncing = syncing_;
        s.best_peer_head = best_peer_head_locked();
        s.sync_blocks_per_second = sync_rate_.load();
    }
    s.blocks_imported = imported_.load();
    s.consensus_exits = consensus_exits_.load();
    {
        std::lock_guard lock(host_mu_);
        if (host_) s.view = host_->view();
    }
    s.peers = peers_->peers();
    s.banned = peers_->banned();
    s.refused_handshakes = peers_->transport_stats().rejected_hello.load();
    return s;
}

size_t NetworkNode::peer_count() {
    return peers_->peers().size();
}

std::optional<rpc::SyncStatus> NetworkNode::sync_status() {
    const uint64_t head = backend_.head_number();
    std::lock_guard lock(mu_);
    const uint64_t best = credible_peer_head_locked();
    // Within join distance a node follows the chain as it grows (a validator
    // joins consensus there); further behind, it is catching up.
    if (!syncing_ || best <= head + net_.join_distance) return std::nullopt;
    return rpc::SyncStatus{std::min(sync_start_, head), head, best};
}

rpc::NetworkInfo NetworkNode::network_info() {
    const NetworkStatus s = status();
    rpc::NetworkInfo n;
    n.node_id = s.node_id;
    if (s.validator) n.validator_index = *s.validator;
    n.syncing = s.syncing;
    n.best_peer_head = s.best_peer_head;
    n.sync_blocks_per_second = s.sync_blocks_per_second;
    n.blocks_imported = s.blocks_imported;
    n.view = s.view;
    n.consensus_exits = s.consensus_exits;
    n.p2p_port = p2p_port();
    return n;
}

}  // namespace trellis::node
