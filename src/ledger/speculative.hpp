#pragma once

// Speculative execution for the consensus host (docs/node-consensus.md).
// Validators execute a proposal before voting (docs/consensus.md §2), and
// under the two-chain commit a proposal usually extends a block that is not
// committed yet. So every executed-but-uncommitted block keeps its chain
// block, receipts and state diff here, and a block is executed on the
// committed (flat) state seen through the merged diffs of its uncommitted
// ancestors. Nothing here touches the database's write side.

#include <optional>
#include <unordered_map>
#include <vector>

#include "chain/block.hpp"
#include "chain/receipt.hpp"
#include "state/state_db.hpp"

namespace trellis::ledger {

/// Folds later into acc, so that applying acc afterwards equals applying the
/// old acc and then later (oldest first; later changes win). A later
/// `deleted` or `storage_cleared` drops every earlier slot of the account;
/// an earlier `deleted` followed by a re-creation becomes `storage_cleared`
/// (the re-created account starts with no storage).
void merge_diff(state::StateDiff& acc, const state::StateDiff& later);

/// base with overlay applied on top: what base would read after
/// MemoryStateDb::apply(overlay)-style application. Both must outlive the
/// reader. Not thread-safe (as every StateReader).
class OverlayStateReader final : public state::StateReader {
public:
    OverlayStateReader(state::StateReader& base, const state::StateDiff& overlay);

    std::optional<state::AccountRecord> read_account(const Address& a) override;
    Bytes32 read_storage(const Address& a, const Bytes32& key) override;
    /// Exact except when overlay zeroed every slot base holds for a (then
    /// base's answer, true, stands). has_storage only feeds the CREATE
    /// collision rule (EIP-7610), which an account that has storage meets
    /// anyway through its code: storage is written only by the account's own
    /// code, and code goes away only with the account (`deleted`, exact).
    /// WorldState::has_storage makes the same approximation within a block.
    bool has_storage(const Address& a) override;
    Bytes read_code(const Hash32& code_hash) override;

private:
    state::StateReader& base_;
    const state::StateDiff& overlay_;
    std::unordered_map<Hash32, const Bytes*, FixedBytesHasher> code_;
};

/// A block executed on its parent's speculative state, not committed yet.
struct SpeculativeBlock {
    chain::Block block;
    Hash32 hash;  ///< chain::header_hash(block.header)
    std::vector<chain::Receipt> receipts;
    std::vector<Address> senders;
    std::vector<Hash32> tx_hashes;  ///< of block.body.transactions, in order
    state::StateDiff diff;          ///< this block's own changes (not merged with its ancestors)
    double execute_seconds = 0;     ///< running its transactions here (metrics)
};

/// The executed-but-uncommitted blocks, by chain hash, above the ledger's
/// head. Blocks on competing forks may coexist until a commit prunes them.
/// Not thread-safe: the consensus host's strand owns it.
class SpeculativeChain {
public:
    /// At most this many blocks are held; add() refuses more (a run of
    /// views without a commit cannot grow it without bound).
    static constexpr size_t kMaxBlocks = 256;

    const SpeculativeBlock* find(const Hash32& hash) const;
    /// False (and nothing kept) when full.
    bool add(SpeculativeBlock b);
    size_t size() const noexcept { return blocks_.size(); }

    /// The uncommitted blocks from head's child up to and including tip,
    /// oldest first; empty when tip is head itself. nullopt when tip's
    /// ancestry does not reach head through blocks held here.
    std::optional<std::vector<const SpeculativeBlock*>> path(const Hash32& tip, const Hash32& head) const;
    /// The merged diff of a path (merge_diff over it, oldest first).
    static state::StateDiff merged(const std::vector<const SpeculativeBlock*>& path);

    /// Takes the block that just became the head out (nullopt if absent)
    /// and drops every block that does not descend from it.
    std::optional<SpeculativeBlock> take_committed(const Hash32& new_head);
    void clear() { blocks_.clear(); }

private:
    std::unordered_map<Hash32, SpeculativeBlock, FixedBytesHasher> blocks_;
};

}  // namespace trellis::ledger
