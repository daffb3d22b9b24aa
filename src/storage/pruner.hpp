#pragma once

// State pruning: deletes the trie nodes (Column::kTrieNodes) that no kept
// block's state reaches, by mark-and-sweep from the state roots to keep
// (docs/storage.md, "Pruning" argues the design). ChainStore::prune and
// ChainStore::prune_if_due drive it; these functions are its two phases,
// exposed for tests and tools.

#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "storage/database.hpp"

namespace trellis::storage {

/// How much state to keep. Headers, bodies, receipts, indexes, code and the
/// head's flat state are never pruned; only trie nodes are.
struct PruneSettings {
    /// Keep the states of the last keep_last blocks (the head's and the
    /// keep_last - 1 before it). 0: archive, keep every state.
    uint64_t keep_last = 0;
    /// Sweep when the head has advanced this many blocks since the last
    /// sweep (prune_if_due); 0: max(1, keep_last / 4). States older than the
    /// last keep_last are refused at once either way; the interval only
    /// bounds how long their nodes stay on disk (a sweep reads the whole
    /// kept state, so sweeping every block costs the most).
    uint64_t interval = 0;
    /// Erases per atomic write batch during a sweep.
    size_t batch_erases = 4096;

    uint64_t effective_interval() const noexcept {
        if (interval != 0) return interval;
        return keep_last / 4 == 0 ? 1 : keep_last / 4;
    }
};

/// What one prune did.
struct PruneStats {
    bool ran = false;         ///< false: nothing was due (archive, young chain, interval)
    uint64_t floor = 0;       ///< every block >= floor keeps its state
    uint64_t kept_roots = 0;  ///< state roots marked from
    uint64_t marked_nodes = 0;
    uint64_t erased_nodes = 0;
    uint64_t writes = 0;  ///< write batches issued (the floor marker included)
};

/// The set of reachable trie nodes, with which kind of trie reached each
/// (an account-trie visit also walks the storage tries its leaves name).
class NodeMarks {
public:
    static constexpr uint8_t kAccountTrie = 1;
    static constexpr uint8_t kStorageTrie = 2;

    /// True if hash was not yet marked for kind (and marks it).
    bool mark(const Hash32& hash, uint8_t kind) {
        uint8_t& m = marks_[hash];
        if (m & kind) return false;
        m |= kind;
        return true;
    }
    bool contains(const Hash32& hash) const { return marks_.contains(hash); }
    size_t size() const noexcept { return marks_.size(); }

private:
    struct KeyHasher {
        size_t operator()(const Hash32& h) const noexcept {
            size_t v;
            std::memcpy(&v, h.data(), sizeof v);  // keccak outputs are uniform already
            return v;
        }
    };
    std::unordered_map<Hash32, uint8_t, KeyHasher> marks_;
};

/// Marks every node reachable from the state roots (account tries, and the
/// storage tries their accounts name). A node that is missing or does not
/// decode gives kCorruption: a kept state is already incomplete, and the
/// caller must then erase nothing.
Status mark_reachable(ReadView& db, const std::vector<Hash32>& state_roots, NodeMarks& marks);

/// Erases every 32-byte key of Column::kTrieNodes not in marks, batch_erases
/// at a time, each batch atomic and unsynced (a lost erase leaves garbage,
/// never a hole). Adds to stats' erased_nodes and writes.
Status sweep_unmarked(Database& db, const NodeMarks& marks, size_t batch_erases, PruneStats& stats);

}  // namespace trellis::storage
