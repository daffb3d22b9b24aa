#pragma once

// The root of a trie built in one pass from keys in increasing order, with no
// node store and no tree in memory: only the branches on the path of the last
// key are open at any time. For transaction and receipt roots and for the
// state module's account and storage roots. Gives the same root as Trie.

#include <array>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "trie/common.hpp"
#include "trie/node.hpp"

namespace trellis::trie {

/// Builds a root from (key, value) pairs given in strictly increasing key
/// order (bytewise lexicographic, a proper prefix first). A key out of order
/// or repeated is a caller bug and trips TRELLIS_ASSERT; so does a key longer
/// than kMaxKeyLength. An empty value means "absent" (as in Trie) and is
/// skipped. Memory is O(longest key); each node is encoded and hashed once.
/// Not thread-safe; reusable after root().
class RootBuilder {
public:
    RootBuilder() = default;

    /// Adds one pair. Precondition: key is greater than every key added since
    /// construction or the last root().
    void add(ByteView key, ByteView value);

    /// The root of everything added (kEmptyRoot if nothing), then resets the
    /// builder to empty.
    Hash32 root();

private:
    /// An open branch at nibble depth `depth` of the last key's path.
    struct Frame {
        size_t depth = 0;
        std::array<detail::NodeRef, 16> children;
        uint16_t present = 0;  ///< bit i set: children[i] is filled
        Bytes value;
    };

    /// The part of the trie below the deepest open slot that is complete: the
    /// last key's leaf (built_ false), or a branch at depth built_depth_ whose
    /// ref is built_ref_ (built_ true).
    struct Pending {
        bool built = false;
        size_t depth = 0;
        detail::NodeRef ref;
    };

    /// The ref of the pending subtree as a child starting at nibble `from` of
    /// the last key's path (wrapping a branch in an extension if needed).
    detail::NodeRef pending_ref(size_t from);
    /// Encodes and hashes the top frame into pending_, and pops it.
    void close_top();
    detail::NodeRef ref_of_scratch();

    Bytes last_path_;           ///< nibbles of the last key added
    Bytes last_value_;          ///< its value (its leaf is not built yet)
    bool has_last_ = false;
    Pending pending_;
    std::vector<Frame> frames_;  ///< open branches, shallowest first
    size_t open_ = 0;            ///< frames_[0, open_) are in use (the rest are kept for reuse)
    Bytes scratch_;
    Bytes key_nibbles_;
};

/// The root over (key, value) pairs sorted by strictly increasing key.
Hash32 ordered_root(const std::vector<std::pair<Bytes, Bytes>>& sorted_pairs);

/// The root Ethereum gives a list (transactions, receipts, withdrawals): item i
/// is stored under key RLP(i). values must not contain empty items.
Hash32 ordered_list_root(const std::vector<Bytes>& values);

}  // namespace trellis::trie
