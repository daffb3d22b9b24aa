#pragma once

// Where trie nodes live between uses: a content-addressed map from
// keccak256(node RLP) to the node RLP. The core declares it; the storage
// module implements it over RocksDB, MemoryNodeStore serves tests and
// throw-away tries.

#include <cstddef>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "base/bytes.hpp"

namespace trellis::trie {

/// The node-store contract, as Trie relies on it:
/// - Keys are keccak256 of the value: a hash names exactly one byte string, so
///   put is idempotent and a second put of the same hash carries the same bytes.
/// - put copies the bytes; the caller's view may die as soon as put returns.
///   Trie calls put only from commit() (and root_hash(), prove(), which
///   commit), once for each new node whose RLP is 32 bytes or longer and once
///   for the root node whatever its size. Nodes under 32 bytes (other than the
///   root) are inlined in their parent and never put.
/// - get returns an owned copy of the bytes put under hash, or nullopt if the
///   store never received it. Trie turns nullopt into TrieError::kMissingNode.
/// - Nothing is ever deleted by Trie: nodes of old roots stay (pruning is the
///   storage module's policy, not the trie's).
/// - The store is trusted to return the bytes that hash to the key (the trie
///   does not re-hash what it reads); a store filled from the network must
///   check hashes when it is filled.
/// Not thread-safe unless an implementation says so; a Trie uses its store
/// from the caller's thread only.
class NodeStore {
public:
    virtual ~NodeStore() = default;

    /// The RLP of the node whose keccak256 is hash, or nullopt if absent.
    virtual std::optional<Bytes> get(const Hash32& hash) = 0;
    /// Stores rlp under hash (= keccak256(rlp)). Overwriting is harmless.
    virtual void put(const Hash32& hash, ByteView rlp) = 0;
};

/// A NodeStore in a hash map. Holds every node ever put; never forgets.
class MemoryNodeStore final : public NodeStore {
public:
    std::optional<Bytes> get(const Hash32& hash) override;
    void put(const Hash32& hash, ByteView rlp) override;

    /// Number of distinct nodes held.
    size_t size() const noexcept { return nodes_.size(); }
    /// Number of put calls received (including repeats of a hash).
    size_t put_count() const noexcept { return puts_; }
    /// Forgets every node (lets a test simulate a store that lost data).
    void clear() noexcept { nodes_.clear(); }
    /// Removes one node; true if it was present (tests of kMissingNode).
    bool erase(const Hash32& hash) { return nodes_.erase(hash) != 0; }
    /// Replaces the bytes under hash without re-hashing (tests of corrupt stores).
    void overwrite(const Hash32& hash, ByteView rlp) { nodes_[hash] = to_bytes(rlp); }

private:
    /// Keys are keccak256 outputs, already uniform: 8 of their bytes make a
    /// good bucket hash at a fraction of hashing all 32.
    struct KeyHasher {
        size_t operator()(const Hash32& h) const noexcept {
            size_t v;
            std::memcpy(&v, h.data(), sizeof v);
            return v;
        }
    };
    std::unordered_map<Hash32, Bytes, KeyHasher> nodes_;
    size_t puts_ = 0;
};

}  // namespace trellis::trie
