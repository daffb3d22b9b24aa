#include "node/network.hpp"

#include <algorithm>
#include <random>

#include "base/hex.hpp"
#include "chain/genesis.hpp"
#include "codec/rlp.hpp"
#include "consensus/messages.hpp"
#include "consensus/sync.hpp"
#include "runtime/asio.hpp"

namespace trellis::node {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using consensus::ValidatorIndex;

namespace {

/// io threads of the p2p layer: TLS and framing for a handful of peers.
constexpr unsigned kIoThreads = 2;
/// A GetBlocks unanswered this long is re-requested (from another peer if any).
constexpr auto kRequestTimeout = std::chrono::seconds(10);
/// A transaction asked for and not received within this is asked again.
constexpr auto kTxRequestTimeout = std::chrono::seconds(5);
/// Bound on remembered transaction requests (pruned of expired entries beyond it).
constexpr size_t kMaxRequested = 200'000;
/// Blocks responses are filled up to this many bytes (at least one block).
constexpr size_t kSoftBlocksBytes = size_t{2} << 20;
/// Txs responses likewise.
constexpr size_t kSoftTxsBytes = size_t{4} << 20;
/// Serving budgets per peer and second. Sync asks for a few batches of 64
/// blocks a second and gossip for the hashes just announced; a peer asking
/// for far more is making this node read its disk and pool for nothing.
constexpr uint64_t kMaxServedBlocksPerSecond = 4096;
constexpr uint64_t kMaxRequestedHashesPerSecond = 65536;
/// Until this long after start a validator waits to hear its peers' heads
/// (unless every other validator is connected) before joining consensus.
constexpr auto kSettleTime = std::chrono::seconds(2);

std::string short_id(const p2p::NodeId& id) {
    return to_hex(id.view()).substr(0, 12);
}

}  // namespace

NetworkNode::NetworkNode(ledger::Ledger& ledger, ChainBackend& backend, ledger::HostSettings host,
                         NetworkSettings net, SoloProposer::BlockLog on_block, runtime::log::Logger* logger)
    : ledger_(ledger),
      backend_(backend),
      host_settings_(std::move(host)),
      net_(std::move(net)),
      logger_(&runtime::log::or_global(logger)),
      chain_(backend, std::move(on_block)) {}

Result<std::unique_ptr<NetworkNode>, std::string> NetworkNode::open(
    ledger::Ledger& ledger, ChainBackend& backend, std::optional<Bytes32> key, ledger::HostSettings host,
    NetworkSettings net, SoloProposer::BlockLog on_block, runtime::log::Logger* logger) {
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
// Heads and block sync

void NetworkNode::on_status(const p2p::NodeId& from, uint64_t head) {
    std::lock_guard lock(mu_);
    peer_heads_[from] = head;
    cv_.notify_all();
}

bool NetworkNode::within_budget(const p2p::NodeId& peer, uint64_t blocks, uint64_t hashes) {
    bool ok = true;
    {
        std::lock_guard lock(serve_mu_);
        const auto now = Clock::now();
        ServeWindow& w = serve_[peer];
        if (now - w.start >= std::chrono::seconds(1)) w = ServeWindow{now, 0, 0};
        w.blocks += blocks;
        w.hashes += hashes;
        ok = w.blocks <= kMaxServedBlocksPerSecond && w.hashes <= kMaxRequestedHashesPerSecond;
        // Forget peers that went quiet, so the table stays as small as the peer set.
        if (serve_.size() > 4 * net_.p2p.max_peers + 16)
            std::erase_if(serve_,
                          [now](const auto& e) { return now - e.second.start > std::chrono::seconds(10); });
    }
    if (!ok) peers_->penalise(peer, p2p::Misbehaviour::kSpam);
    return ok;
}

void NetworkNode::on_get_blocks(const p2p::NodeId& from, const p2p::GetBlocks& m) {
    if (!within_budget(from, m.count, 0)) return;
    p2p::Blocks out;
    size_t bytes = 0;
    const uint64_t head = backend_.head_number();
    for (uint64_t n = m.from; n < m.from + m.count && n <= head; ++n) {
        auto rec = ledger::ConsensusHost::committed_record(ledger_, *verifier_, n);
        // Blocks committed before this network (a single-validator chain's)
        // carry no QC: they cannot be served as proven.
        if (!rec || !*rec) break;
        Bytes item = consensus::encode_sync_item((*rec)->first, (*rec)->second);
        if (!out.blocks.empty() && bytes + item.size() > kSoftBlocksBytes) break;
        bytes += item.size();
        out.blocks.push_back(std::move(item));
    }
    peers_->send(from, out);
}

void NetworkNode::on_blocks(const p2p::NodeId& from, p2p::Blocks m) {
    std::lock_guard lock(mu_);
    for (auto it = inflight_.begin(); it != inflight_.end(); ++it) {
        if (it->second.peer != from) continue;
        if (m.blocks.size() > it->second.count) break;  // more than asked: unrequested
        ready_[it->first] = {from, std::move(m.blocks)};
        inflight_.erase(it);
        cv_.notify_all();
        return;
    }
    // A response after its request timed out is not the peer's fault alone;
    // only data nobody asked for at all costs score.
    peers_->penalise(from, p2p::Misbehaviour::kUnrequestedData);
}

uint64_t NetworkNode::best_peer_head_locked() const {
    uint64_t best = 0;
    for (const auto& [_, h] : peer_heads_) best = std::max(best, h);
    return best;
}

uint64_t NetworkNode::credible_peer_head_locked() const {
    // Up to f of the validators (and any observer) may lie about their head;
    // the (f + 1)-th highest claim is made or beaten by an honest node.
    const size_t f = (validator_nodes_.size() - 1) / 3;
    std::vector<uint64_t> heads;
    for (const auto& [_, h] : peer_heads_) heads.push_back(h);
    if (heads.size() <= f) return 0;
    std::nth_element(heads.begin(), heads.begin() + ptrdiff_t(f), heads.end(), std::greater<>());
    return heads[f];
}

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
                const double rate = sync_rate_;
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

void NetworkNode::sync_step(std::unique_lock<std::mutex>& lock) {
    const auto now = Clock::now();
    const uint64_t head = backend_.head_number();
    const uint64_t expected = head + 1 + unproven_.size();
    for (auto it = inflight_.begin(); it != inflight_.end();) {
        if (it->second.deadline < now) {
            TRELLIS_LOG_LIMITED_TO(*logger_, sync, info,
                                   "sync: blocks from {} not received from {} in time; asking again",
                                   it->first, short_id(it->second.peer));
            next_request_ = std::min(next_request_, it->first);
            it = inflight_.erase(it);
        } else {
            ++it;
        }
    }
    // Stale responses (below what we already have) are dropped.
    std::erase_if(ready_, [expected](const auto& e) { return e.first < expected; });
    if (next_request_ < expected) next_request_ = expected;

    const uint64_t best = best_peer_head_locked();
    // Fetching runs at most this far ahead of the import, so responses
    // waiting in ready_ stay bounded (blocks can be megabytes each).
    const uint64_t window = net_.sync_batch * net_.sync_parallel * 4;
    while (inflight_.size() < net_.sync_parallel && next_request_ <= best &&
           next_request_ < expected + window) {
        std::vector<std::pair<p2p::NodeId, uint64_t>> candidates;
        for (const auto& entry : peer_heads_) {
            if (entry.second < next_request_) continue;
            const p2p::NodeId& id = entry.first;
            const bool busy = std::any_of(inflight_.begin(), inflight_.end(),
                                          [&id](const auto& r) { return r.second.peer == id; });
            if (!busy) candidates.push_back(entry);
        }
        if (candidates.empty()) break;
        // Ranges already requested or received are skipped.
        while (ready_.contains(next_request_) || inflight_.contains(next_request_)) {
            const uint64_t n = ready_.contains(next_request_) ? ready_[next_request_].second.size()
                                                              : inflight_[next_request_].count;
            next_request_ += std::max<uint64_t>(n, 1);
        }
        if (next_request_ > best) break;
        const auto& [peer, peer_head] = candidates[peer_cursor_++ % candidates.size()];
        if (peer_head < next_request_) break;
        const uint64_t count =
            std::min({net_.sync_batch, p2p::kMaxBlocksPerRequest, peer_head - next_request_ + 1});
        inflight_[next_request_] = Request{peer, next_request_, count, now + kRequestTimeout};
        peers_->send(peer, p2p::GetBlocks{next_request_, count});
        next_request_ += count;
    }
    import_ready(lock);
}

bool NetworkNode::import_ready(std::unique_lock<std::mutex>& lock) {
    const uint64_t chain_id = ledger_.genesis().chain_id;
    for (;;) {
        const uint64_t head = backend_.head_number();
        const uint64_t expected = head + 1 + unproven_.size();
        auto it = ready_.find(expected);
        if (it == ready_.end()) return true;
        auto [peer, items] = std::move(it->second);
        ready_.erase(it);
        lock.unlock();

        std::string bad;
        bool useless = items.empty();
        std::vector<consensus::SyncItem> got;
        for (size_t i = 0; i < items.size() && bad.empty(); ++i) {
            auto d = consensus::decode_sync_item(items[i], *verifier_);
            if (!d) {
                bad = std::string("undecodable item: ") + consensus::to_string(d.error());
                break;
            }
            auto& [block, qc] = *d;
            const uint64_t num = expected + i;
            if (block.header.block_num != num)
                bad = "block " + std::to_string(block.header.block_num) + " where " + std::to_string(num) +
                      " was asked";
            else if (qc.block_id != block.id)
                bad = "the QC of block " + std::to_string(num) + " certifies another block";
            else if (qc.epoch != 0 || block.header.epoch != 0)
                bad = "block " + std::to_string(num) + " of an epoch this node does not know";
            else if (auto v = consensus::verify_qc(qc, validators_, *verifier_, chain_id); !v)
                bad = "the QC of block " + std::to_string(num) + ": " + consensus::to_string(v.error());
            else {
                const consensus::SyncItem* prev =
                    !got.empty() ? &got.back() : (!unproven_.empty() ? &unproven_.back() : nullptr);
                if (prev && block.header.parent_id() != prev->block.id)
                    bad =
                        "block " + std::to_string(num) + " does not extend block " + std::to_string(num - 1);
                else
                    got.push_back(consensus::SyncItem{std::move(block), std::move(qc)});
            }
        }
        if (!bad.empty()) {
            TRELLIS_LOG_LIMITED_TO(*logger_, sync, warn, "sync: invalid blocks from {}: {}", short_id(peer),
                                   bad);
            peers_->penalise(peer, p2p::Misbehaviour::kInvalidBlock);
            lock.lock();
            next_request_ = expected;
            continue;
        }
        if (useless) {
            peers_->penalise(peer, p2p::Misbehaviour::kUselessResponse);
            lock.lock();
            next_request_ = std::min(next_request_, expected);
            // The peer cannot serve from here (its head moved back, or its
            // blocks carry no QC): stop asking it until it says otherwise.
            if (auto h = peer_heads_.find(peer); h != peer_heads_.end() && h->second >= expected)
                h->second = expected - 1;
            continue;
        }
        for (auto& v : got) unproven_.push_back(std::move(v));

        // Jolteon's commit rule: a block is committed once its child is
        // certified in the next view. Import the longest prefix so proven;
        // the rest waits for its successor (the next batch, or the next
        // commit on the network).
        const size_t proven = consensus::committed_prefix(unproven_);
        std::string failed;
        size_t done = 0;
        const auto t0 = Clock::now();
        if (proven > 0 && !importer_) {
            ledger::HostSettings hs = host_settings_;
            hs.sync_writes = false;  // pending records of a sync import are never needed after a crash
            hs.logger = logger_;
            auto h = ledger::ConsensusHost::open(ledger_, chain_, *this, std::nullopt, std::move(hs));
            if (!h)
                failed = "cannot open the importer: " + h.error();
            else
                importer_ = std::move(h).value();
        }
        for (; done < proven && failed.empty(); ++done) {
            auto r = importer_->import_committed(unproven_[done].block, unproven_[done].qc);
            if (!r) failed = r.error();
        }
        if (done > 0) {
            const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
            if (secs > 0) sync_rate_ = 0.7 * sync_rate_ + 0.3 * (double(done) / secs);
            imported_ += done;
        }
        unproven_.erase(unproven_.begin(), unproven_.begin() + ptrdiff_t(done));
        if (!failed.empty()) {
            // A block with a valid commit proof that does not import is a
            // block of another chain (the peer is not on ours) or a local
            // fault; start over from the head with fresh state.
            TRELLIS_LOG_LIMITED_TO(*logger_, sync, warn, "sync: import failed: {}", failed);
            peers_->penalise(peer, p2p::Misbehaviour::kInvalidBlock);
            importer_.reset();
            unproven_.clear();
            lock.lock();
            next_request_ = backend_.head_number() + 1;
            ready_.clear();
            return false;
        }
        lock.lock();
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
// Transactions

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

void NetworkNode::flush_announcements() {
    std::vector<Hash32> hashes;
    {
        std::lock_guard lock(gossip_mu_);
        hashes.swap(to_announce_);
    }
    for (size_t i = 0; i < hashes.size(); i += p2p::kMaxHashesPerMessage) {
        const size_t end = std::min(hashes.size(), i + p2p::kMaxHashesPerMessage);
        p2p::TxAnnounce a;
        a.hashes.assign(hashes.begin() + ptrdiff_t(i), hashes.begin() + ptrdiff_t(end));
        txs_announced_ += a.hashes.size();
        peers_->broadcast(a);
    }
}

void NetworkNode::on_tx_announce(const p2p::NodeId& from, const p2p::TxAnnounce& m) {
    p2p::TxRequest want;
    const auto now = Clock::now();
    {
        std::lock_guard lock(gossip_mu_);
        if (requested_.size() > kMaxRequested)
            std::erase_if(requested_, [now](const auto& e) { return now - e.second > kTxRequestTimeout; });
        for (const auto& h : m.hashes) {
            auto it = requested_.find(h);
            if (it != requested_.end() && now - it->second < kTxRequestTimeout) continue;
            if (backend_.pool_transaction(h)) continue;
            requested_[h] = now;
            want.hashes.push_back(h);
        }
    }
    if (!want.hashes.empty()) peers_->send(from, want);
}

void NetworkNode::on_tx_request(const p2p::NodeId& from, const p2p::TxRequest& m) {
    if (!within_budget(from, 0, m.hashes.size())) return;
    p2p::Txs out;
    size_t bytes = 0;
    for (const auto& h : m.hashes) {
        auto tx = backend_.pool_transaction(h);
        if (!tx) continue;  // mined or dropped meanwhile
        Bytes raw = chain::encode_transaction(tx->tx);
        if (bytes + raw.size() > kSoftTxsBytes) break;
        bytes += raw.size();
        out.txs.push_back(std::move(raw));
    }
    if (!out.txs.empty()) peers_->send(from, out);
}

void NetworkNode::on_txs(const p2p::NodeId& from, const p2p::Txs& m) {
    std::vector<ByteView> views;
    views.reserve(m.txs.size());
    for (const auto& t : m.txs) views.emplace_back(t);
    auto results = backend_.send_raw_transactions(views);
    txs_from_peers_ += m.txs.size();
    bool hopeless = false;
    {
        std::lock_guard lock(gossip_mu_);
        for (const auto& r : results) {
            if (r) {
                requested_.erase(*r);
            } else if (r.error().error == txpool::AddError::kInvalid) {
                // Undecodable or badly signed: never valid, whoever relays it.
                hopeless = true;
            }
        }
    }
    if (hopeless) peers_->penalise(from, p2p::Misbehaviour::kInvalidTransaction);
}

// ---------------------------------------------------------------------------
// Operators and tests

NetworkStatus NetworkNode::status() {
    NetworkStatus s;
    s.node_id = peers_->node_id();
    s.validator = self_index_;
    s.head = backend_.head_number();
    {
        std::lock_guard lock(mu_);
        s.syncing = syncing_;
        s.best_peer_head = best_peer_head_locked();
        s.sync_blocks_per_second = sync_rate_;
    }
    s.blocks_imported = imported_.load();
    s.consensus_exits = consensus_exits_.load();
    {
        std::lock_guard lock(host_mu_);
        if (host_) s.view = host_->view();
    }
    s.peers = peers_->peers();
    s.banned = peers_->banned();
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

void NetworkNode::set_partition(std::set<p2p::NodeId> isolated) {
    TRELLIS_ASSERT(net_.test_faults);
    if (isolated.empty()) {
        peers_->set_fault_filter(nullptr);
        return;
    }
    auto set = std::make_shared<const std::set<p2p::NodeId>>(std::move(isolated));
    peers_->set_fault_filter([set](const p2p::NodeId& peer, p2p::MessageType) {
        return set->contains(peer) ? p2p::FaultAction{p2p::FaultAction::kDrop} : p2p::FaultAction{};
    });
}

bool NetworkNode::inject(const p2p::NodeId& peer, InjectKind kind) {
    TRELLIS_ASSERT(net_.test_faults);
    Bytes bytes;
    std::mt19937_64 rng(std::random_device{}());
    switch (kind) {
        case InjectKind::kGarbage:
            // An unknown type byte: the framing cannot resynchronise.
            bytes = {0, 0, 0, 8, 0xee};
            for (int i = 0; i < 8; ++i) bytes.push_back(uint8_t(rng()));
            break;
        case InjectKind::kOversizedFrame: {
            // A Status frame announcing 64 MiB: refused from its header.
            const uint32_t n = 64u << 20;
            bytes = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n),
                     uint8_t(p2p::MessageType::kStatus)};
            break;
        }
        case InjectKind::kBadSignature: {
            // A vote whose signature is random bytes, and a transaction with
            // a signature that recovers no sender.
            consensus::Vote v;
            v.view = 1;
            for (auto& b : v.block_id.bytes) b = uint8_t(rng());
            v.voter = self_index_.value_or(0);
            v.sig.resize(65);
            for (auto& b : v.sig) b = uint8_t(rng());
            auto frame =
                p2p::encode_message(p2p::Consensus{consensus::encode_message(consensus::Message{v})});
            if (frame) bytes = std::move(*frame);
            chain::Transaction tx;
            tx.gas_limit = 21000;
            tx.r = uint256(1);
            tx.s = uint256(1);
            auto txs = p2p::encode_message(p2p::Txs{{chain::encode_transaction(tx)}});
            if (txs) bytes.insert(bytes.end(), txs->begin(), txs->end());
            break;
        }
        case InjectKind::kRequestFlood: {
            // 100 GetBlocks of 128 blocks each, at once: past the serving budget.
            auto frame = p2p::encode_message(p2p::GetBlocks{1, p2p::kMaxBlocksPerRequest});
            if (frame)
                for (int i = 0; i < 100; ++i) bytes.insert(bytes.end(), frame->begin(), frame->end());
            break;
        }
        case InjectKind::kFalseHead: {
            // A head far beyond the chain's: must not make validators leave consensus.
            auto frame = p2p::encode_message(p2p::Status{uint64_t{1} << 40, Hash32{}});
            if (frame) bytes = std::move(*frame);
            break;
        }
    }
    return peers_->inject_raw(peer, std::move(bytes));
}

}  // namespace trellis::node
