#pragma once

// Blocks, receipts, indexes and the head pointer on storage, committed with
// the block's state change in one atomic write batch. See docs/storage.md for
// the key layouts.

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "chain/block.hpp"
#include "chain/genesis.hpp"
#include "chain/receipt.hpp"
#include "state/state_db.hpp"
#include "storage/database.hpp"
#include "storage/pruner.hpp"
#include "storage/state_store.hpp"

namespace trellis::storage {

using chain::BlockNum;

/// Where a transaction is: its block and position.
struct TxLocation {
    Hash32 block_hash;
    BlockNum block_num = 0;
    uint32_t index = 0;
    friend bool operator==(const TxLocation&, const TxLocation&) = default;
};

/// What eth_getLogs asks for: blocks from..to (inclusive, clamped to the
/// head), logs from any of addresses (empty: any address), and for each topic
/// position i < topics.size() a topic among topics[i] (empty: any).
struct LogFilter {
    BlockNum from = 0;
    BlockNum to = 0;
    std::vector<Address> addresses;
    std::vector<std::vector<Hash32>> topics;  ///< at most chain::kMaxLogTopics positions
    /// More matching logs than this fails the query (kInvalidArgument), as
    /// clients cap eth_getLogs answers.
    size_t max_results = 10'000;
};

/// One log found by a LogFilter, with what eth_getLogs reports beside it.
struct LogMatch {
    chain::Log log;
    BlockNum block_num = 0;
    Hash32 block_hash;
    Hash32 tx_hash;
    uint32_t tx_index = 0;
    uint32_t log_index = 0;  ///< position among the block's logs
};

/// The chain's head: the last committed block.
struct Head {
    Hash32 hash;
    BlockNum number = 0;
    Hash32 state_root;
};

/// The chain on a Database. One writer at a time (commits are serialised
/// internally); reads may come from any thread and see whole commits only.
/// The Database must outlive the store.
class ChainStore {
public:
    /// sync_commits: each commit returns only after it is on stable storage.
    explicit ChainStore(Database& db, bool sync_commits = true) : db_(db), sync_(sync_commits) {}

    /// On an empty store, commits the genesis block of g (header, empty body
    /// and receipts, the alloc's state, indexes, head) and records its hash.
    /// On a store that has one, checks that it is g's: a store made from
    /// another genesis gives kInvalidArgument and is left alone. Returns the
    /// genesis hash. Precondition: validate_genesis(g) passed.
    Result<Hash32, Status> init_genesis(const chain::Genesis& g);
    Result<std::optional<Hash32>, Status> genesis_hash();

    /// The head, or nullopt for a store without genesis.
    Result<std::optional<Head>, Status> head();

    /// Stages diff on top of the head's state: the new state root (for the
    /// block's header) and the writes that commit_block will apply.
    Result<StagedState, Status> stage_state(const state::StateDiff& diff);

    /// Commits block as the new head in one atomic write: its header, body
    /// and receipts, the indexes (number, hash, transactions, logs), the
    /// staged state and the head pointer. Checks (kInvalidArgument, nothing
    /// written) that block extends the head, that state was staged on the
    /// head's state and gives header.state_root, and that there is one
    /// receipt per transaction. Returns the block's hash. state is taken by
    /// value: move it in (its batch becomes the commit's) unless it is reused.
    Result<Hash32, Status> commit_block(const chain::Block& block,
                                        const std::vector<chain::Receipt>& receipts, StagedState state);

    /// Adds block's header, body, receipts and indexes to batch (not the
    /// head pointer nor the state): for callers composing their own commit.
    static void stage_block(WriteBatch& batch, const chain::Block& block, const Hash32& block_hash,
                            const std::vector<chain::Receipt>& receipts);
    /// Adds the head pointer to batch.
    static void stage_head(WriteBatch& batch, const Hash32& block_hash);

    // Reads. nullopt: not stored. kCorruption: stored bytes that do not decode.
    Result<std::optional<Hash32>, Status> canonical_hash(BlockNum n);
    Result<std::optional<BlockNum>, Status> block_number(const Hash32& block_hash);
    Result<std::optional<chain::BlockHeader>, Status> header(const Hash32& block_hash);
    Result<std::optional<chain::BlockHeader>, Status> header_by_number(BlockNum n);
    Result<std::optional<chain::BlockBody>, Status> body(const Hash32& block_hash);
    Result<std::optional<chain::Block>, Status> block(const Hash32& block_hash);
    Result<std::optional<std::vector<chain::Receipt>>, Status> receipts(const Hash32& block_hash);
    Result<std::optional<TxLocation>, Status> transaction_location(const Hash32& tx_hash);
    /// Logs matching filter, in chain order. Uses the log index to visit only
    /// blocks that have a log from one of the addresses and with one of the
    /// topics at each constrained position; without any constraint it visits
    /// every block of the range.
    Result<std::vector<LogMatch>, Status> logs(const LogFilter& filter);

    /// Reads of the head state (flat columns).
    FlatStateReader head_state() { return FlatStateReader(db_); }
    /// Reads of the state after block block_hash, through the tries. A block
    /// older than oldest_state() gives kPruned ("state of block N has been
    /// pruned"); an unknown block kInvalidArgument. A reader made before a
    /// prune that removes its state reads kCorruption (missing node) from then
    /// on, never wrong values.
    Result<TrieStateReader, Status> state_at(const Hash32& block_hash);

    // State pruning (docs/storage.md, "Pruning"). Only trie nodes are ever
    // erased; headers, bodies, receipts, indexes, code and the flat state stay.

    /// Sets the policy (default: archive). Call before the store is shared.
    void set_pruning(const PruneSettings& settings);
    const PruneSettings& pruning() const noexcept { return prune_; }
    /// The number of the oldest block whose state state_at serves: the
    /// larger of the last prune's floor (on disk) and, when pruning, head -
    /// keep_last + 1. 0 in archive mode on an unpruned store.
    Result<BlockNum, Status> oldest_state();
    /// Prunes if the policy says one is due: keep_last > 0, the chain is
    /// longer than keep_last, and the head advanced effective_interval()
    /// blocks since this store's last prune (the first call after opening
    /// always sweeps, which also finishes a prune a crash interrupted). Meant
    /// to be called after each commit_block; blocks commits while it runs.
    Result<PruneStats, Status> prune_if_due();
    /// Prunes now, keeping the states of the last keep_last_n >= 1 blocks:
    /// marks every node reachable from their roots, records the new floor
    /// (synced), then erases every other node in atomic batches. A failure or
    /// crash at any point leaves every kept state whole (the erased nodes
    /// were unreachable from them) and the next prune finishes the work.
    Result<PruneStats, Status> prune(uint64_t keep_last_n);

    Database& database() noexcept { return db_; }

private:
    Result<std::optional<std::vector<BlockNum>>, Status> log_candidates(const LogFilter& f, BlockNum to);
    Result<BlockNum, Status> stored_floor();
    /// prune() with commit_mu_ held.
    Result<PruneStats, Status> prune_locked(uint64_t keep_last_n);

    Database& db_;
    bool sync_;
    /// Serialises init_genesis and commit_block (check head, then write).
    std::mutex commit_mu_;
    PruneSettings prune_;
    /// Head number at this store's last completed prune; nullopt: none yet.
    std::optional<BlockNum> last_prune_head_;
};

/// Index key builders (docs/storage.md), exposed for tests and tools.
Bytes canonical_key(BlockNum n);                       ///< 'n' || n (8 bytes BE)
Bytes block_number_key(const Hash32& block_hash);      ///< 'h' || hash
Bytes tx_location_key(const Hash32& tx_hash);          ///< 't' || tx hash
Bytes log_address_key(const Address& a, BlockNum n);   ///< 'A' || address || n
Bytes log_topic_key(const Hash32& topic, BlockNum n);  ///< 'T' || topic || n

}  // namespace trellis::storage
