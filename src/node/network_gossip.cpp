// Transaction gossip: hashes announced in bursts, each transaction fetched
// once from whoever announced it (NetworkNode, guarded by gossip_mu_).

#include <algorithm>

#include "node/network.hpp"

namespace trellis::node {

using Clock = std::chrono::steady_clock;

namespace {

/// A transaction asked for and not received within this is asked again.
constexpr auto kTxRequestTimeout = std::chrono::seconds(5);
/// Bound on remembered transaction requests (pruned of expired entries beyond it).
constexpr size_t kMaxRequested = 200'000;

}  // namespace

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

}  // namespace trellis::node
