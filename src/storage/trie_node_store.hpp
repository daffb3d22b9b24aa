#pragma once

// The trie's NodeStore (trie/node_store.hpp) over Column::kTrieNodes.

#include <unordered_map>

#include "storage/database.hpp"
#include "trie/node_store.hpp"

namespace trellis::storage {

/// Reads nodes from a ReadView; keeps the nodes a trie puts in memory until
/// the caller stages them into a WriteBatch, so a block's new nodes reach the
/// disk in the block's atomic commit and never before. get() sees the pending
/// nodes first.
///
/// NodeStore::get has no error channel: a read error is reported to the trie
/// as a missing node (TrieError::kMissingNode) and kept in status(), which the
/// caller checks before trusting a result. Not thread-safe.
class DbNodeStore final : public trie::NodeStore {
public:
    /// db must outlive the store.
    explicit DbNodeStore(ReadView& db) : db_(db) {}

    std::optional<Bytes> get(const Hash32& hash) override;
    void put(const Hash32& hash, ByteView rlp) override;

    /// Adds every pending node to batch (they stay pending: the batch is not
    /// written yet and tries may still read them).
    void stage(WriteBatch& batch) const;
    /// Forgets the pending nodes (after the batch holding them was written).
    void clear_pending() noexcept { pending_.clear(); }
    size_t pending_count() const noexcept { return pending_.size(); }

    /// The first read error met, or ok.
    const Status& status() const noexcept { return status_; }

private:
    struct KeyHasher {
        size_t operator()(const Hash32& h) const noexcept {
            size_t v;
            std::memcpy(&v, h.data(), sizeof v);  // keccak outputs are uniform already
            return v;
        }
    };
    ReadView& db_;
    std::unordered_map<Hash32, Bytes, KeyHasher> pending_;
    Status status_;
};

}  // namespace trellis::storage
