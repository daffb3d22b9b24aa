#pragma once

// Block sync between nodes (docs/network.md): the item a peer serves for one
// committed block, and the commit rule a syncing node checks before it
// imports a block it did not see committed itself.

#include <span>
#include <utility>

#include "consensus/messages.hpp"

namespace trellis::consensus {

/// One committed block as served by sync: the consensus block (its header,
/// the chain block as payload) and the QC certifying it.
struct SyncItem {
    Block block;
    QuorumCert qc;
};

/// RLP [block, qc].
Bytes encode_sync_item(const Block& b, const QuorumCert& qc);
/// The strict inverse; the block id is filled with scheme's hash.
Result<SyncItem, RejectReason> decode_sync_item(ByteView item, const SignatureScheme& scheme);

/// Jolteon's two-chain commit rule (docs/consensus.md): a certified block is
/// committed once its direct child, certified in the very next view, exists.
bool child_commits(const BlockHeader& parent, const Hash32& parent_id, const BlockHeader& child);

/// How many leading items of a chain of certified blocks (each extending the
/// one before) the chain itself proves committed: the longest prefix whose
/// last block has a direct child in the next view. The rest awaits a successor.
size_t committed_prefix(std::span<const SyncItem> chain);

/// True when bytes are a SyncRequest message (peeks at the type only; the
/// caller still decodes it in full).
bool is_sync_request(ByteView bytes);

}  // namespace trellis::consensus
