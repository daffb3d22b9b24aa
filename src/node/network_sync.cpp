// Block sync: peers' heads, GetBlocks requests and their timeouts, and the
// verification and import of what arrives (NetworkNode, guarded by mu_).

#include <algorithm>

#include "base/hex.hpp"
#include "consensus/messages.hpp"
#include "consensus/sync.hpp"
#include "node/network.hpp"

namespace trellis::node {

using Clock = std::chrono::steady_clock;

namespace {

/// A GetBlocks unanswered this long is re-requested (from another peer if any).
constexpr auto kRequestTimeout = std::chrono::seconds(10);

std::string short_id(const p2p::NodeId& id) {
    return to_hex(id.view()).substr(0, 12);
}

}  // namespace

void NetworkNode::on_status(const p2p::NodeId& from, uint64_t head) {
    std::lock_guard lock(mu_);
    peer_heads_[from] = head;
    cv_.notify_all();
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
            if (secs > 0) sync_rate_.store(0.7 * sync_rate_.load() + 0.3 * (double(done) / secs));
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

}  // namespace trellis::node
