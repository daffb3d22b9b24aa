// Serving peers: committed blocks with their QCs (GetBlocks) and pooled
// transactions (TxRequest), within a per-peer budget (NetworkNode, guarded by
// serve_mu_).

#include "chain/transaction.hpp"
#include "consensus/sync.hpp"
#include "node/network.hpp"

namespace trellis::node {

using Clock = std::chrono::steady_clock;

namespace {

/// Blocks responses are filled up to this many bytes (at least one block).
constexpr size_t kSoftBlocksBytes = size_t{2} << 20;
/// Txs responses likewise.
constexpr size_t kSoftTxsBytes = size_t{4} << 20;
/// Serving budgets per peer and second. Sync asks for a few batches of 64
/// blocks a second and gossip for the hashes just announced; a peer asking
/// for far more is making this node read its disk and pool for nothing.
constexpr uint64_t kMaxServedBlocksPerSecond = 4096;
constexpr uint64_t kMaxRequestedHashesPerSecond = 65536;

}  // namespace

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

}  // namespace trellis::node
