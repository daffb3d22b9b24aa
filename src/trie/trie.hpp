#pragma once

// Ethereum's Merkle Patricia Trie (Yellow Paper, Appendix D) over a NodeStore:
// the root hash is bit-for-bit Ethereum's, so state, transaction and receipt
// roots and eth_getProof proofs agree with other clients.

#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "trie/common.hpp"
#include "trie/node.hpp"
#include "trie/node_store.hpp"

namespace trellis::trie {

/// A mutable trie from raw byte keys to non-empty byte values.
///
/// Nodes are loaded from the store on first use and kept in memory; changes
/// stay in memory until commit() (or root_hash()/prove(), which commit) writes
/// the new nodes to the store. An empty value means "absent", as in Ethereum:
/// put(k, "") erases k.
///
/// Errors: a node missing from the store or a malformed stored node gives a
/// TrieError and leaves the trie's contents unchanged (nodes loaded on the way
/// may stay cached). Keys longer than kMaxKeyLength give kKeyTooLong.
///
/// Lifetime: the store must outlive the Trie. Not thread-safe; even get()
/// mutates (it caches loaded nodes).
class Trie {
public:
    /// Opens the trie whose root hash is root (kEmptyRoot: a new, empty trie).
    /// Nothing is read until an operation needs it.
    explicit Trie(NodeStore& store, const Hash32& root = kEmptyRoot);

    Trie(Trie&&) noexcept = default;
    Trie& operator=(Trie&&) = delete;

    /// The value under key, or nullopt if there is none.
    Result<std::optional<Bytes>, TrieError> get(ByteView key);
    /// Sets key to value; an empty value erases key.
    Result<void, TrieError> put(ByteView key, ByteView value);
    /// Removes key (absent keys are fine), collapsing branches and extensions
    /// so the trie stays canonical.
    Result<void, TrieError> erase(ByteView key);

    /// Computes the root hash and writes every new node to the store (see
    /// NodeStore for exactly which). Cheap when nothing changed.
    Hash32 commit();
    /// The root hash; the same as commit(), which it calls: a root that was
    /// announced must be loadable from the store.
    Hash32 root_hash() { return commit(); }

    /// The proof for key as eth_getProof returns it: the RLP of each node on
    /// key's path from the root that is stored by hash (the root always; nodes
    /// under 32 bytes are inside their parent's RLP). For an absent key, the
    /// nodes up to where the path ends prove the absence. Commits first. An
    /// empty trie gives an empty proof.
    Result<std::vector<Bytes>, TrieError> prove(ByteView key);

    /// The smallest key strictly greater than key, or nullopt if none.
    Result<std::optional<Bytes>, TrieError> next_key(ByteView key);
    /// The largest key strictly less than key, or nullopt if none.
    Result<std::optional<Bytes>, TrieError> prev_key(ByteView key);

    /// True when the trie holds no key (no store access needed).
    bool empty() const noexcept { return !root_; }

private:
    using NodePtr = detail::NodePtr;

    Result<void, TrieError> resolve(NodePtr& slot);
    Result<bool, TrieError> insert(NodePtr& slot, ByteView rest, ByteView value);
    Result<bool, TrieError> remove(NodePtr& slot, ByteView rest);
    void collapse(NodePtr& slot);
    void hash_node(detail::Node& n);
    Result<bool, TrieError> successor(NodePtr& slot, Bytes& prefix, ByteView rest);
    Result<bool, TrieError> predecessor(NodePtr& slot, Bytes& prefix, ByteView rest);
    Result<bool, TrieError> min_key(NodePtr& slot, Bytes& prefix);
    Result<bool, TrieError> max_key(NodePtr& slot, Bytes& prefix);
    Result<std::optional<Bytes>, TrieError> neighbour(ByteView key, bool next);
    /// key's nibbles in path_ (reused buffer), or kKeyTooLong.
    Result<void, TrieError> load_path(ByteView key);

    NodeStore* store_;
    NodePtr root_;
    Bytes path_;     ///< nibbles of the key being worked on
    Bytes scratch_;  ///< encoding buffer for commit
};

/// A trie keyed by keccak256(key), as Ethereum's state and storage tries are
/// ("secure" trie). Proofs are for the hashed key: check them with
/// verify_proof(root, keccak256(key), proof).
class SecureTrie {
public:
    explicit SecureTrie(NodeStore& store, const Hash32& root = kEmptyRoot) : trie_(store, root) {}

    Result<std::optional<Bytes>, TrieError> get(ByteView key);
    Result<void, TrieError> put(ByteView key, ByteView value);
    Result<void, TrieError> erase(ByteView key);
    Hash32 commit() { return trie_.commit(); }
    Hash32 root_hash() { return trie_.commit(); }
    Result<std::vector<Bytes>, TrieError> prove(ByteView key);

    /// The underlying trie over hashed keys.
    Trie& raw() noexcept { return trie_; }

private:
    Trie trie_;
};

/// Checks a proof (as prove() or eth_getProof give it) of key against root.
/// Returns the value under key, nullopt when the proof shows key is absent,
/// or an error: kProofMissingNode when a node the path needs is not in the
/// proof (or was altered, which changes its hash), kMalformedNode for a node
/// that is not a canonical trie node, kProofTooLarge, kKeyTooLong. Nodes not
/// on the path are ignored. Work is bounded by the proof's size and the key's
/// length; any bytes are safe to pass.
Result<std::optional<Bytes>, TrieError> verify_proof(const Hash32& root, ByteView key,
                                                     const std::vector<Bytes>& proof);

}  // namespace trellis::trie
