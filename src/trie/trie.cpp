#include "trie/trie.hpp"

#include <algorithm>

#include "crypto/keccak.hpp"
#include "trie/nibbles.hpp"

namespace trellis::trie {

using detail::as_branch;
using detail::as_extension;
using detail::as_leaf;
using detail::BranchNode;
using detail::ExtensionNode;
using detail::LeafNode;
using detail::Node;
using detail::NodeRef;
using Kind = detail::Node::Kind;

namespace {

bool starts_with(ByteView s, ByteView prefix) noexcept {
    return s.size() >= prefix.size() && equal(s.first(prefix.size()), prefix);
}

/// Lexicographic comparison of nibble paths (a proper prefix sorts first).
int compare(ByteView a, ByteView b) noexcept {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

void prepend(Bytes& path, ByteView prefix) { path.insert(path.begin(), prefix.begin(), prefix.end()); }

}  // namespace

Trie::Trie(NodeStore& store, const Hash32& root) : store_(&store) {
    if (root != kEmptyRoot) root_ = std::make_unique<detail::HashNode>(root);
}

Result<void, TrieError> Trie::load_path(ByteView key) {
    if (key.size() > kMaxKeyLength) return Unexpected{TrieError::kKeyTooLong};
    path_.clear();
    append_nibbles(path_, key);
    return {};
}

Result<void, TrieError> Trie::resolve(NodePtr& slot) {
    if (!slot || slot->kind != Kind::kHash) return {};
    const Hash32 h = slot->ref.hash();
    auto rlp = store_->get(h);
    if (!rlp) return Unexpected{TrieError::kMissingNode};
    // The root is stored by hash even when short; as anyone's child it would
    // be inlined, so its own ref follows the usual rule.
    const NodeRef self = rlp->size() >= 32 ? NodeRef::of_hash(h) : NodeRef::of_rlp(*rlp);
    auto node = detail::decode_node(*rlp, self);
    if (!node) return Unexpected{node.error()};
    slot = std::move(*node);
    return {};
}

// ---------------------------------------------------------------------------
// Reads

Result<std::optional<Bytes>, TrieError> Trie::get(ByteView key) {
    if (auto r = load_path(key); !r) return Unexpected{r.error()};
    ByteView rest = path_;
    NodePtr* slot = &root_;
    for (;;) {
        if (auto r = resolve(*slot); !r) return Unexpected{r.error()};
        Node* n = slot->get();
        if (!n) return std::optional<Bytes>{};
        switch (n->kind) {
            case Kind::kLeaf: {
                auto& leaf = as_leaf(*n);
                if (!equal(leaf.path, rest)) return std::optional<Bytes>{};
                return std::optional<Bytes>{leaf.value};
            }
            case Kind::kExtension: {
                auto& ext = as_extension(*n);
                if (!starts_with(rest, ext.path)) return std::optional<Bytes>{};
                rest = rest.subspan(ext.path.size());
                slot = &ext.child;
                break;
            }
            case Kind::kBranch: {
                auto& br = as_branch(*n);
                if (rest.empty()) {
                    if (br.value.empty()) return std::optional<Bytes>{};
                    return std::optional<Bytes>{br.value};
                }
                slot = &br.children[rest[0]];
                rest = rest.subspan(1);
                break;
            }
            case Kind::kHash: TRELLIS_ASSERT(!"resolved above");
        }
    }
}

// ---------------------------------------------------------------------------
// Insertion. Errors arise only while loading nodes on the way down, before
// anything changes, so a failed put leaves the contents as they were.

Result<void, TrieError> Trie::put(ByteView key, ByteView value) {
    if (value.empty()) return erase(key);
    if (auto r = load_path(key); !r) return Unexpected{r.error()};
    auto r = insert(root_, path_, value);
    if (!r) return Unexpected{r.error()};
    return {};
}

Result<bool, TrieError> Trie::insert(NodePtr& slot, ByteView rest, ByteView value) {
    if (!slot) {
        slot = detail::make_leaf(rest, value);
        return true;
    }
    if (auto r = resolve(slot); !r) return Unexpected{r.error()};
    Node& n = *slot;
    switch (n.kind) {
        case Kind::kLeaf: {
            auto& leaf = as_leaf(n);
            const size_t c = common_prefix_length(leaf.path, rest);
            if (c == leaf.path.size() && c == rest.size()) {
                if (equal(leaf.value, value)) return false;
                leaf.value.assign(value.begin(), value.end());
                leaf.dirty = true;
                return true;
            }
            // Split: a branch at the first differing nibble, under an
            // extension for the shared part.
            NodePtr old = std::move(slot);
            auto br = std::make_unique<BranchNode>();
            if (c == leaf.path.size()) {
                br->value = std::move(leaf.value);
            } else {
                const uint8_t i = leaf.path[c];
                leaf.path.erase(leaf.path.begin(), leaf.path.begin() + ptrdiff_t(c) + 1);
                leaf.dirty = true;
                br->children[i] = std::move(old);
            }
            if (c == rest.size())
                br->value.assign(value.begin(), value.end());
            else
                br->children[rest[c]] = detail::make_leaf(rest.subspan(c + 1), value);
            slot = c > 0 ? detail::make_extension(rest.first(c), std::move(br)) : std::move(br);
            return true;
        }
        case Kind::kExtension: {
            auto& ext = as_extension(n);
            const size_t c = common_prefix_length(ext.path, rest);
            if (c == ext.path.size()) {
                auto r = insert(ext.child, rest.subspan(c), value);
                if (r && *r) ext.dirty = true;
                return r;
            }
            NodePtr old = std::move(slot);
            auto br = std::make_unique<BranchNode>();
            const uint8_t i = ext.path[c];
            if (ext.path.size() == c + 1) {
                br->children[i] = std::move(ext.child);
            } else {
                ext.path.erase(ext.path.begin(), ext.path.begin() + ptrdiff_t(c) + 1);
                ext.dirty = true;
                br->children[i] = std::move(old);
            }
            if (c == rest.size())
                br->value.assign(value.begin(), value.end());
            else
                br->children[rest[c]] = detail::make_leaf(rest.subspan(c + 1), value);
            slot = c > 0 ? detail::make_extension(rest.first(c), std::move(br)) : std::move(br);
            return true;
        }
        case Kind::kBranch: {
            auto& br = as_branch(n);
            if (rest.empty()) {
                if (equal(br.value, value)) return false;
                br.value.assign(value.begin(), value.end());
                br.dirty = true;
                return true;
            }
            auto r = insert(br.children[rest[0]], rest.subspan(1), value);
            if (r && *r) br.dirty = true;
            return r;
        }
        case Kind::kHash: break;
    }
    TRELLIS_ASSERT(!"unreachable");
    return false;
}

// ---------------------------------------------------------------------------
// Deletion. Collapsing a branch left with one entry needs that entry's node
// (to merge paths), so it is loaded before anything changes: a failed erase
// leaves the contents as they were.

Result<void, TrieError> Trie::erase(ByteView key) {
    if (auto r = load_path(key); !r) return Unexpected{r.error()};
    auto r = remove(root_, path_);
    if (!r) return Unexpected{r.error()};
    return {};
}

Result<bool, TrieError> Trie::remove(NodePtr& slot, ByteView rest) {
    if (!slot) return false;
    if (auto r = resolve(slot); !r) return Unexpected{r.error()};
    Node& n = *slot;
    switch (n.kind) {
        case Kind::kLeaf:
            if (!equal(as_leaf(n).path, rest)) return false;
            slot.reset();
            return true;
        case Kind::kExtension: {
            auto& ext = as_extension(n);
            if (!starts_with(rest, ext.path)) return false;
            // Canonically an extension leads to a branch, which a removal never
            // empties; a stored trie breaking that is refused before any change.
            if (auto r = resolve(ext.child); !r) return Unexpected{r.error()};
            if (ext.child->kind != Kind::kBranch) return Unexpected{TrieError::kMalformedNode};
            auto r = remove(ext.child, rest.subspan(ext.path.size()));
            if (!r || !*r) return r;
            NodePtr& child = ext.child;
            // An extension above a node that became a leaf or an extension
            // merges with it (no extension may point at a short node).
            if (child->kind == Kind::kLeaf || child->kind == Kind::kExtension) {
                Bytes& child_path =
                    child->kind == Kind::kLeaf ? as_leaf(*child).path : as_extension(*child).path;
                prepend(child_path, ext.path);
                child->dirty = true;
                NodePtr merged = std::move(child);
                slot = std::move(merged);
            } else {
                ext.dirty = true;
            }
            return true;
        }
        case Kind::kBranch: {
            auto& br = as_branch(n);
            const int entries = br.entries();
            if (rest.empty()) {
                if (br.value.empty()) return false;
                if (entries == 2) {
                    for (auto& c : br.children)
                        if (c)
                            if (auto r = resolve(c); !r) return Unexpected{r.error()};
                }
                br.value.clear();
                br.dirty = true;
                if (entries <= 2) collapse(slot);
                return true;
            }
            NodePtr& child = br.children[rest[0]];
            if (!child) return false;
            if (auto r = resolve(child); !r) return Unexpected{r.error()};
            // The child disappears only when it is the leaf being removed;
            // then a branch of two entries keeps one, which must be loaded.
            if (entries == 2 && child->kind == Kind::kLeaf && equal(as_leaf(*child).path, rest.subspan(1))) {
                for (auto& c : br.children)
                    if (c && c != child)
                        if (auto r = resolve(c); !r) return Unexpected{r.error()};
            }
            auto r = remove(child, rest.subspan(1));
            if (!r || !*r) return r;
            br.dirty = true;
            if (br.entries() <= 1) collapse(slot);
            return true;
        }
        case Kind::kHash: break;
    }
    TRELLIS_ASSERT(!"unreachable");
    return false;
}

void Trie::collapse(NodePtr& slot) {
    auto& br = as_branch(*slot);
    int only = -1;
    for (int i = 0; i < 16; ++i)
        if (br.children[size_t(i)]) only = i;
    if (only < 0) {
        // Only the value is left: a leaf with an empty path (or nothing).
        slot = br.value.empty() ? NodePtr{} : detail::make_leaf({}, br.value);
        return;
    }
    NodePtr child = std::move(br.children[size_t(only)]);
    TRELLIS_ASSERT(child->kind != Kind::kHash);  // loaded before the change
    const uint8_t nibble = uint8_t(only);
    if (child->kind == Kind::kLeaf || child->kind == Kind::kExtension) {
        Bytes& p = child->kind == Kind::kLeaf ? as_leaf(*child).path : as_extension(*child).path;
        p.insert(p.begin(), nibble);
        child->dirty = true;
        slot = std::move(child);
    } else {
        slot = detail::make_extension(ByteView{&nibble, 1}, std::move(child));
    }
}

// ---------------------------------------------------------------------------
// Hashing and commit

void Trie::hash_node(Node& n) {
    switch (n.kind) {
        case Kind::kExtension: {
            auto& c = *as_extension(n).child;
            if (c.dirty) hash_node(c);
            break;
        }
        case Kind::kBranch:
            for (auto& c : as_branch(n).children)
                if (c && c->dirty) hash_node(*c);
            break;
        default: break;
    }
    // Children are done before this node starts, so one buffer serves all.
    scratch_.clear();
    detail::encode_node(scratch_, n);
    n.ref = NodeRef::of_rlp(scratch_);
    if (n.ref.is_hash()) store_->put(n.ref.hash(), scratch_);
    n.dirty = false;
}

Hash32 Trie::commit() {
    if (!root_) return kEmptyRoot;
    const bool was_dirty = root_->dirty;
    if (was_dirty) hash_node(*root_);
    if (root_->ref.is_hash()) return root_->ref.hash();
    // The root is always referred to by hash, even when its RLP is short,
    // and stored so the trie can be reopened at that hash.
    const Hash32 h = crypto::keccak256(root_->ref.view());
    store_->put(h, root_->ref.view());
    return h;
}

// ---------------------------------------------------------------------------
// Proofs

Result<std::vector<Bytes>, TrieError> Trie::prove(ByteView key) {
    if (auto r = load_path(key); !r) return Unexpected{r.error()};
    commit();
    std::vector<Bytes> proof;
    ByteView rest = path_;
    NodePtr* slot = &root_;
    bool is_root = true;
    while (*slot) {
        if (auto r = resolve(*slot); !r) return Unexpected{r.error()};
        Node& n = **slot;
        // Inlined nodes travel inside their parent's RLP.
        if (is_root || n.ref.is_hash()) {
            Bytes enc;
            detail::encode_node(enc, n);
            proof.push_back(std::move(enc));
        }
        is_root = false;
        if (n.kind == Kind::kLeaf) break;
        if (n.kind == Kind::kExtension) {
            auto& ext = as_extension(n);
            if (!starts_with(rest, ext.path)) break;
            rest = rest.subspan(ext.path.size());
            slot = &ext.child;
        } else {
            auto& br = as_branch(n);
            if (rest.empty()) break;
            slot = &br.children[rest[0]];
            rest = rest.subspan(1);
        }
    }
    return proof;
}

Result<std::optional<Bytes>, TrieError> verify_proof(const Hash32& root, ByteView key,
                                                     const std::vector<Bytes>& proof) {
    if (key.size() > kMaxKeyLength) return Unexpected{TrieError::kKeyTooLong};
    if (proof.size() > kMaxProofNodes) return Unexpected{TrieError::kProofTooLarge};
    size_t total = 0;
    for (const auto& p : proof) total += p.size();
    if (total > kMaxProofBytes) return Unexpected{TrieError::kProofTooLarge};
    if (root == kEmptyRoot) return std::optional<Bytes>{};

    std::vector<std::pair<Hash32, const Bytes*>> by_hash;
    by_hash.reserve(proof.size());
    for (const auto& p : proof) by_hash.emplace_back(crypto::keccak256(p), &p);
    auto lookup = [&](const Hash32& h) -> const Bytes* {
        for (const auto& [hash, bytes] : by_hash)
            if (hash == h) return bytes;
        return nullptr;
    };

    const Bytes path = to_nibbles(key);
    ByteView rest = path;
    Hash32 want = root;
    bool is_root = true;
    // Each loaded node consumes at least one nibble or ends the walk, so the
    // loop runs at most path.size() + 1 times.
    for (;;) {
        const Bytes* rlp = lookup(want);
        if (!rlp) return Unexpected{TrieError::kProofMissingNode};
        // Only the root may be referred to by hash while shorter than 32 bytes.
        if (!is_root && rlp->size() < 32) return Unexpected{TrieError::kMalformedNode};
        is_root = false;
        auto decoded = detail::decode_node(*rlp, NodeRef::of_hash(want));
        if (!decoded) return Unexpected{decoded.error()};
        const detail::NodePtr holder = std::move(*decoded);
        const Node* n = holder.get();
        // Walk through this node and any nodes inlined in it.
        for (;;) {
            if (!n) return std::optional<Bytes>{};
            if (n->kind == Kind::kHash) {
                want = n->ref.hash();
                break;
            }
            if (n->kind == Kind::kLeaf) {
                const auto& leaf = static_cast<const LeafNode&>(*n);
                if (!equal(leaf.path, rest)) return std::optional<Bytes>{};
                return std::optional<Bytes>{leaf.value};
            }
            if (n->kind == Kind::kExtension) {
                const auto& ext = static_cast<const ExtensionNode&>(*n);
                if (!starts_with(rest, ext.path)) return std::optional<Bytes>{};
                rest = rest.subspan(ext.path.size());
                n = ext.child.get();
                continue;
            }
            const auto& br = static_cast<const BranchNode&>(*n);
            if (rest.empty()) {
                if (br.value.empty()) return std::optional<Bytes>{};
                return std::optional<Bytes>{br.value};
            }
            n = br.children[rest[0]].get();
            rest = rest.subspan(1);
        }
    }
}

// ---------------------------------------------------------------------------
// Ordered neighbours

Result<std::optional<Bytes>, TrieError> Trie::next_key(ByteView key) { return neighbour(key, true); }
Result<std::optional<Bytes>, TrieError> Trie::prev_key(ByteView key) { return neighbour(key, false); }

Result<std::optional<Bytes>, TrieError> Trie::neighbour(ByteView key, bool next) {
    if (auto r = load_path(key); !r) return Unexpected{r.error()};
    const Bytes target = path_;
    Bytes prefix;
    auto found = next ? successor(root_, prefix, target) : predecessor(root_, prefix, target);
    if (!found) return Unexpected{found.error()};
    if (!*found) return std::optional<Bytes>{};
    // Keys are whole bytes; an odd path can only come from a corrupt store.
    if (prefix.size() % 2 != 0) return Unexpected{TrieError::kMalformedNode};
    return std::optional<Bytes>{from_nibbles(prefix)};
}

Result<bool, TrieError> Trie::min_key(NodePtr& slot, Bytes& prefix) {
    if (!slot) return false;
    if (auto r = resolve(slot); !r) return Unexpected{r.error()};
    Node& n = *slot;
    switch (n.kind) {
        case Kind::kLeaf: append(prefix, as_leaf(n).path); return true;
        case Kind::kExtension:
            append(prefix, as_extension(n).path);
            return min_key(as_extension(n).child, prefix);
        case Kind::kBranch: {
            auto& br = as_branch(n);
            if (!br.value.empty()) return true;  // the branch's own key is the shortest
            for (uint8_t i = 0; i < 16; ++i)
                if (br.children[i]) {
                    prefix.push_back(i);
                    return min_key(br.children[i], prefix);
                }
            return false;
        }
        case Kind::kHash: break;
    }
    return false;
}

Result<bool, TrieError> Trie::max_key(NodePtr& slot, Bytes& prefix) {
    if (!slot) return false;
    if (auto r = resolve(slot); !r) return Unexpected{r.error()};
    Node& n = *slot;
    switch (n.kind) {
        case Kind::kLeaf: append(prefix, as_leaf(n).path); return true;
        case Kind::kExtension:
            append(prefix, as_extension(n).path);
            return max_key(as_extension(n).child, prefix);
        case Kind::kBranch: {
            auto& br = as_branch(n);
            for (int i = 15; i >= 0; --i)
                if (br.children[size_t(i)]) {
                    prefix.push_back(uint8_t(i));
                    return max_key(br.children[size_t(i)], prefix);
                }
            return !br.value.empty();
        }
        case Kind::kHash: break;
    }
    return false;
}

// The keys below slot all start with prefix; rest is the target's remainder.
Result<bool, TrieError> Trie::successor(NodePtr& slot, Bytes& prefix, ByteView rest) {
    if (!slot) return false;
    if (auto r = resolve(slot); !r) return Unexpected{r.error()};
    Node& n = *slot;
    const size_t mark = prefix.size();
    switch (n.kind) {
        case Kind::kLeaf:
            if (compare(rest, as_leaf(n).path) >= 0) return false;
            append(prefix, as_leaf(n).path);
            return true;
        case Kind::kExtension: {
            auto& ext = as_extension(n);
            const size_t m = std::min(ext.path.size(), rest.size());
            const int c = compare(ByteView(ext.path).first(m), rest.first(m));
            if (c < 0) return false;
            append(prefix, ext.path);
            if (c == 0 && rest.size() >= ext.path.size()) {
                auto r = successor(ext.child, prefix, rest.subspan(ext.path.size()));
                if (!r || !*r) prefix.resize(mark);
                return r;
            }
            return min_key(ext.child, prefix);  // every key below is greater
        }
        case Kind::kBranch: {
            auto& br = as_branch(n);
            size_t from = 0;
            if (!rest.empty()) {
                const uint8_t i = rest[0];
                if (br.children[i]) {
                    prefix.push_back(i);
                    auto r = successor(br.children[i], prefix, rest.subspan(1));
                    if (!r || *r) return r;
                    prefix.resize(mark);
                }
                from = size_t(i) + 1;
            }
            for (size_t i = from; i < 16; ++i)
                if (br.children[i]) {
                    prefix.push_back(uint8_t(i));
                    return min_key(br.children[i], prefix);
                }
            return false;
        }
        case Kind::kHash: break;
    }
    return false;
}

Result<bool, TrieError> Trie::predecessor(NodePtr& slot, Bytes& prefix, ByteView rest) {
    if (!slot) return false;
    if (auto r = resolve(slot); !r) return Unexpected{r.error()};
    Node& n = *slot;
    const size_t mark = prefix.size();
    switch (n.kind) {
        case Kind::kLeaf:
            if (compare(as_leaf(n).path, rest) >= 0) return false;
            append(prefix, as_leaf(n).path);
            return true;
        case Kind::kExtension: {
            auto& ext = as_extension(n);
            const size_t m = std::min(ext.path.size(), rest.size());
            const int c = compare(ByteView(ext.path).first(m), rest.first(m));
            if (c > 0 || (c == 0 && rest.size() < ext.path.size())) return false;
            append(prefix, ext.path);
            if (c == 0) {
                auto r = predecessor(ext.child, prefix, rest.subspan(ext.path.size()));
                if (!r || !*r) prefix.resize(mark);
                return r;
            }
            return max_key(ext.child, prefix);  // every key below is smaller
        }
        case Kind::kBranch: {
            auto& br = as_branch(n);
            if (rest.empty()) return false;  // the branch's key equals the target
            const uint8_t i0 = rest[0];
            if (br.children[i0]) {
                prefix.push_back(i0);
                auto r = predecessor(br.children[i0], prefix, rest.subspan(1));
                if (!r || *r) return r;
                prefix.resize(mark);
            }
            for (int i = int(i0) - 1; i >= 0; --i)
                if (br.children[size_t(i)]) {
                    prefix.push_back(uint8_t(i));
                    return max_key(br.children[size_t(i)], prefix);
                }
            return !br.value.empty();
        }
        case Kind::kHash: break;
    }
    return false;
}

// ---------------------------------------------------------------------------
// SecureTrie

Result<std::optional<Bytes>, TrieError> SecureTrie::get(ByteView key) {
    return trie_.get(crypto::keccak256(key));
}
Result<void, TrieError> SecureTrie::put(ByteView key, ByteView value) {
    return trie_.put(crypto::keccak256(key), value);
}
Result<void, TrieError> SecureTrie::erase(ByteView key) { return trie_.erase(crypto::keccak256(key)); }
Result<std::vector<Bytes>, TrieError> SecureTrie::prove(ByteView key) {
    return trie_.prove(crypto::keccak256(key));
}

}  // namespace trellis::trie
