// Test faults (NetworkSettings::test_faults only): partitions and hostile
// frames sent to a peer.

#include <random>

#include "chain/transaction.hpp"
#include "consensus/messages.hpp"
#include "node/network.hpp"

namespace trellis::node {

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
