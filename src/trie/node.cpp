#include "trie/node.hpp"

#include <cstring>

#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "trie/nibbles.hpp"

namespace trellis::trie::detail {

namespace {

constexpr size_t kBranchItems = 17;
constexpr size_t kShortItems = 2;
constexpr uint8_t kEmptyString = 0x80;

/// Appends a child reference as an item of its parent's list.
void append_ref(Bytes& out, const NodeRef& r) {
    if (r.is_hash())
        rlp::encode_string(out, r.view());
    else
        append(out, r.view());  // an inlined node is its own RLP list
}

/// Appends HP(path, leaf) as an RLP string without a temporary buffer.
void append_path_string(Bytes& out, ByteView path, bool leaf) {
    const size_t n = hex_prefix_length(path.size());
    // A one-byte hex-prefix has flag byte 0x00, 0x20 or 0x1x/0x3x: all < 0x80,
    // so RLP writes it bare.
    if (n > 1) rlp::encode_header(out, false, n);
    append_hex_prefix(out, path, leaf);
}

Result<NodePtr, TrieError> decode_ref(const rlp::Item& item, bool allow_empty) {
    if (!item.is_list) {
        if (item.payload.empty() && allow_empty) return NodePtr{};
        if (item.payload.size() == 32) return NodePtr{std::make_unique<HashNode>(Hash32::from(item.payload))};
        return Unexpected{TrieError::kMalformedNode};
    }
    // Only nodes whose RLP is under 32 bytes may be inlined (Appendix D, eq. (193)).
    if (item.encoded.size() >= 32) return Unexpected{TrieError::kMalformedNode};
    return decode_node(item.encoded, NodeRef::of_rlp(item.encoded));
}

}  // namespace

NodeRef NodeRef::of_hash(const Hash32& h) noexcept {
    NodeRef r;
    r.size = 32;
    std::memcpy(r.bytes.data(), h.data(), 32);
    return r;
}

NodeRef NodeRef::of_rlp(ByteView rlp) noexcept {
    if (rlp.size() >= 32) return of_hash(crypto::keccak256(rlp));
    NodeRef r;
    r.size = uint8_t(rlp.size());
    if (!rlp.empty()) std::memcpy(r.bytes.data(), rlp.data(), rlp.size());
    return r;
}

int BranchNode::entries() const noexcept {
    int n = value.empty() ? 0 : 1;
    for (const auto& c : children) n += c ? 1 : 0;
    return n;
}

NodePtr make_leaf(ByteView path, ByteView value) {
    auto n = std::make_unique<LeafNode>();
    n->path.assign(path.begin(), path.end());
    n->value.assign(value.begin(), value.end());
    return n;
}

NodePtr make_extension(ByteView path, NodePtr child) {
    auto n = std::make_unique<ExtensionNode>();
    n->path.assign(path.begin(), path.end());
    n->child = std::move(child);
    return n;
}

void encode_leaf(Bytes& out, ByteView path, ByteView value) {
    const size_t mark = rlp::begin_list(out);
    append_path_string(out, path, true);
    rlp::encode_string(out, value);
    rlp::end_list(out, mark);
}

void encode_extension(Bytes& out, ByteView path, const NodeRef& child) {
    const size_t mark = rlp::begin_list(out);
    append_path_string(out, path, false);
    append_ref(out, child);
    rlp::end_list(out, mark);
}

void encode_branch(Bytes& out, const std::array<NodeRef, 16>& children, uint16_t present, ByteView value) {
    const size_t mark = rlp::begin_list(out);
    for (size_t i = 0; i < 16; ++i) {
        if (present & (1u << i))
            append_ref(out, children[i]);
        else
            out.push_back(kEmptyString);
    }
    rlp::encode_string(out, value);
    rlp::end_list(out, mark);
}

void encode_node(Bytes& out, const Node& n) {
    switch (n.kind) {
        case Node::Kind::kLeaf: {
            const auto& leaf = static_cast<const LeafNode&>(n);
            encode_leaf(out, leaf.path, leaf.value);
            return;
        }
        case Node::Kind::kExtension: {
            const auto& ext = static_cast<const ExtensionNode&>(n);
            TRELLIS_ASSERT(!ext.child->dirty);
            encode_extension(out, ext.path, ext.child->ref);
            return;
        }
        case Node::Kind::kBranch: {
            const auto& br = static_cast<const BranchNode&>(n);
            const size_t mark = rlp::begin_list(out);
            for (const auto& c : br.children) {
                if (!c) {
                    out.push_back(kEmptyString);
                    continue;
                }
                TRELLIS_ASSERT(!c->dirty);
                append_ref(out, c->ref);
            }
            rlp::encode_string(out, br.value);
            rlp::end_list(out, mark);
            return;
        }
        case Node::Kind::kHash: break;
    }
    TRELLIS_ASSERT(!"a hash node has no encoding of its own");
}

Result<NodePtr, TrieError> decode_node(ByteView rlp_bytes, const NodeRef& self_ref) {
    auto top = rlp::decode_exact(rlp_bytes);
    if (!top || !top->is_list) return Unexpected{TrieError::kMalformedNode};
    std::array<rlp::Item, kBranchItems> items;
    size_t count = 0;
    rlp::ListReader reader(top->payload);
    while (!reader.at_end()) {
        if (count == kBranchItems) return Unexpected{TrieError::kMalformedNode};
        auto it = reader.next();
        if (!it) return Unexpected{TrieError::kMalformedNode};
        items[count++] = *it;
    }

    NodePtr node;
    if (count == kShortItems) {
        if (items[0].is_list) return Unexpected{TrieError::kMalformedNode};
        auto hp = hex_prefix_decode(items[0].payload);
        if (!hp) return Unexpected{hp.error()};
        if (hp->leaf) {
            if (items[1].is_list || items[1].payload.empty()) return Unexpected{TrieError::kMalformedNode};
            auto leaf = std::make_unique<LeafNode>();
            leaf->path = std::move(hp->nibbles);
            leaf->value = to_bytes(items[1].payload);
            node = std::move(leaf);
        } else {
            if (hp->nibbles.empty()) return Unexpected{TrieError::kMalformedNode};
            auto child = decode_ref(items[1], false);
            if (!child) return Unexpected{child.error()};
            // An extension leads to a branch (anything else would have merged).
            if ((*child)->kind != Node::Kind::kHash && (*child)->kind != Node::Kind::kBranch)
                return Unexpected{TrieError::kMalformedNode};
            auto ext = std::make_unique<ExtensionNode>();
            ext->path = std::move(hp->nibbles);
            ext->child = std::move(*child);
            node = std::move(ext);
        }
    } else if (count == kBranchItems) {
        auto br = std::make_unique<BranchNode>();
        for (size_t i = 0; i < 16; ++i) {
            auto child = decode_ref(items[i], true);
            if (!child) return Unexpected{child.error()};
            br->children[i] = std::move(*child);
        }
        if (items[16].is_list) return Unexpected{TrieError::kMalformedNode};
        br->value = to_bytes(items[16].payload);
        // A branch with one entry would have been collapsed (Appendix D).
        if (br->entries() < 2) return Unexpected{TrieError::kMalformedNode};
        node = std::move(br);
    } else {
        return Unexpected{TrieError::kMalformedNode};
    }
    node->dirty = false;
    node->ref = self_ref;
    return node;
}

}  // namespace trellis::trie::detail
