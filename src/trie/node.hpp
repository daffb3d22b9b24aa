#pragma once

// In-memory trie nodes and their RLP form (Yellow Paper Appendix D, eq. (193)):
//   leaf       [HP(path, leaf=true),  value]
//   extension  [HP(path, leaf=false), ref(child)]
//   branch     [ref(child_0), ..., ref(child_15), value]
// where ref(n) is n's RLP itself when shorter than 32 bytes (inlined) and
// otherwise the 32-byte string keccak256(RLP(n)); an absent child is "" (0x80).
// Internal to the trie module.

#include <array>
#include <cstdint>
#include <memory>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "trie/common.hpp"

namespace trellis::trie::detail {

/// How a parent refers to a child: its RLP (size < 32, inlined) or its hash
/// (size == 32). The sizes never collide: a 32-byte RLP is referred to by hash.
struct NodeRef {
    uint8_t size = 0;
    std::array<uint8_t, 32> bytes{};

    bool is_hash() const noexcept { return size == 32; }
    ByteView view() const noexcept { return {bytes.data(), size}; }
    Hash32 hash() const noexcept { return Hash32::from(view()); }
    static NodeRef of_hash(const Hash32& h) noexcept;
    /// The reference to a node whose RLP is rlp: inline if short, else its hash.
    static NodeRef of_rlp(ByteView rlp) noexcept;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

/// A node. kHash is a child known only by hash, not yet loaded from the store.
/// dirty nodes have changed since their ref was computed; a clean node's ref
/// is valid and, when it is a hash, the node is in the store.
struct Node {
    enum class Kind : uint8_t { kLeaf, kExtension, kBranch, kHash };

    explicit Node(Kind k) noexcept : kind(k) {}
    virtual ~Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    Kind kind;
    bool dirty = true;
    NodeRef ref;
};

struct LeafNode final : Node {
    LeafNode() noexcept : Node(Kind::kLeaf) {}
    Bytes path;   ///< remaining key nibbles
    Bytes value;  ///< never empty
};

struct ExtensionNode final : Node {
    ExtensionNode() noexcept : Node(Kind::kExtension) {}
    Bytes path;     ///< shared nibbles, never empty
    NodePtr child;  ///< never null
};

struct BranchNode final : Node {
    BranchNode() noexcept : Node(Kind::kBranch) {}
    std::array<NodePtr, 16> children;
    Bytes value;  ///< empty = no value here
    /// Children plus the value, if any: at least 2 in a canonical trie.
    int entries() const noexcept;
};

struct HashNode final : Node {
    explicit HashNode(const Hash32& h) noexcept : Node(Kind::kHash) {
        dirty = false;
        ref = NodeRef::of_hash(h);
    }
};

inline LeafNode& as_leaf(Node& n) noexcept { return static_cast<LeafNode&>(n); }
inline ExtensionNode& as_extension(Node& n) noexcept { return static_cast<ExtensionNode&>(n); }
inline BranchNode& as_branch(Node& n) noexcept { return static_cast<BranchNode&>(n); }

NodePtr make_leaf(ByteView path, ByteView value);
NodePtr make_extension(ByteView path, NodePtr child);

/// Append the RLP of a node given by its parts (RootBuilder builds no Node).
void encode_leaf(Bytes& out, ByteView path, ByteView value);
void encode_extension(Bytes& out, ByteView path, const NodeRef& child);
/// children[i] is used when bit i of present is set; absent children are "".
void encode_branch(Bytes& out, const std::array<NodeRef, 16>& children, uint16_t present, ByteView value);

/// Appends the RLP of n to out. Precondition: every child of n is clean (its
/// ref is valid); n's own dirty flag and ref are not consulted.
void encode_node(Bytes& out, const Node& n);

/// Decodes one node's RLP into a clean in-memory node. Children referenced by
/// hash become HashNodes; inlined children are decoded too. rlp must be the
/// canonical form of a node a canonical trie can hold: a strict RLP list of 2
/// or 17 items, a valid hex-prefix path (non-empty for an extension), a
/// non-empty leaf value, child refs that are "" (branch only), a 32-byte hash
/// or an inlined list shorter than 32 bytes, and a branch with at least two
/// entries. Anything else is kMalformedNode (or kInvalidHexPrefix). The
/// decoded node's ref is self_ref (the reference its parent used).
Result<NodePtr, TrieError> decode_node(ByteView rlp, const NodeRef& self_ref);

}  // namespace trellis::trie::detail
