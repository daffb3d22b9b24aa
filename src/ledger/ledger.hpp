#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "chain/block.hpp"
#include "chain/genesis.hpp"
#include "evm/evm.hpp"
#include "execution/block_executor.hpp"
#include "storage/chain_store.hpp"
#include "storage/pruner.hpp"
#include "storage/rocks_database.hpp"

namespace trellis::ledger {

struct LedgerSettings {
    storage::Settings database;
    /// Each commit returns only once it is on stable storage (fsync). Turning
    /// it off trades the last commits before a power loss for speed; a
    /// process crash loses nothing either way.
    bool sync_commits = true;
    size_t code_cache_entries = 4096;
    /// State pruning: keep the last `keep_last` blocks' state (0: archive).
    storage::PruneSettings pruning;
};

/// The chain on disk: opens a data directory, checks it belongs to this
/// genesis, and imports or produces blocks, each validated, executed and
/// committed in one atomic write. Not thread-safe: one writer.
class Ledger {
public:
    /// Opens (or creates) the ledger in dir. A new directory is initialised
    /// from genesis; one made from another genesis is refused.
    static Result<std::unique_ptr<Ledger>, std::string> open(const std::filesystem::path& dir,
                                                             const chain::Genesis& genesis,
                                                             const LedgerSettings& settings = {});
    /// Opens an existing data directory in memory only (tests, benchmarks).
    static Result<std::unique_ptr<Ledger>, std::string> open_in_memory(const chain::Genesis& genesis);

    const chain::Genesis& genesis() const noexcept { return genesis_; }
    const Hash32& genesis_hash() const noexcept { return genesis_hash_; }
    const execution::ChainRules& rules() const noexcept { return rules_; }
    storage::ChainStore& store() noexcept { return *store_; }
    storage::Database& database() noexcept { return *db_; }

    chain::BlockHeader head_header();
    Hash32 head_hash();

    /// Validates block against the head (header rules, parent link, base
    /// fee, transactions root), executes it on the head state, checks gas
    /// used, bloom, receipts root and state root, and commits it.
    Result<Hash32, std::string> import_block(const chain::Block& block);

    /// Builds a block on the head from candidates (skipping those the state
    /// rejects), commits it and returns it with its hash.
    struct Produced {
        chain::Block block;
        Hash32 hash;
        std::vector<chain::Receipt> receipts;
        std::vector<std::pair<size_t, execution::TxRejection>> skipped;
        double execute_seconds = 0;  ///< running the transactions
        double commit_seconds = 0;   ///< state root and the atomic write
    };
    Result<Produced, std::string> produce_block(const std::vector<execution::Candidate>& candidates,
                                                uint64_t timestamp, const Address& proposer);

    /// The last pruning failure, empty when the last prune succeeded. A failed
    /// prune never affects the committed block; it is retried after the next.
    const std::string& last_prune_error() const noexcept { return prune_error_; }

    /// BLOCKHASH: the canonical hash of block n (zero when unknown).
    Hash32 block_hash(uint64_t n);

private:
    Ledger() = default;
    Result<void, std::string> init(const chain::Genesis& genesis, bool sync,
                                   const storage::PruneSettings& pruning = {});
    void prune_after_commit();

    chain::Genesis genesis_;
    Hash32 genesis_hash_;
    execution::ChainRules rules_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<storage::ChainStore> store_;
    evm::CodeCache code_cache_;
    std::string prune_error_;
};

}  // namespace trellis::ledger
