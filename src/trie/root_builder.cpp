#include "trie/root_builder.hpp"

#include <algorithm>

#include "base/assert.hpp"
#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "trie/nibbles.hpp"

namespace trellis::trie {

using detail::NodeRef;

namespace {

bool less(ByteView a, ByteView b) noexcept {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace

NodeRef RootBuilder::ref_of_scratch() { return NodeRef::of_rlp(scratch_); }

NodeRef RootBuilder::pending_ref(size_t from) {
    const ByteView last = last_path_;
    scratch_.clear();
    if (!pending_.built) {
        detail::encode_leaf(scratch_, last.subspan(from), last_value_);
        return ref_of_scratch();
    }
    TRELLIS_ASSERT(pending_.depth >= from);
    if (pending_.depth == from) return pending_.ref;
    detail::encode_extension(scratch_, last.subspan(from, pending_.depth - from), pending_.ref);
    return ref_of_scratch();
}

void RootBuilder::close_top() {
    Frame& f = frames_[open_ - 1];
    const uint8_t slot = last_path_[f.depth];
    f.children[slot] = pending_ref(f.depth + 1);
    f.present = uint16_t(f.present | (1u << slot));
    scratch_.clear();
    detail::encode_branch(scratch_, f.children, f.present, f.value);
    pending_ = Pending{true, f.depth, ref_of_scratch()};
    --open_;
}

void RootBuilder::add(ByteView key, ByteView value) {
    if (value.empty()) return;  // absent, as in Trie::put
    TRELLIS_ASSERT(key.size() <= kMaxKeyLength);
    key_nibbles_.clear();
    append_nibbles(key_nibbles_, key);
    if (!has_last_) {
        std::swap(last_path_, key_nibbles_);
        last_value_.assign(value.begin(), value.end());
        has_last_ = true;
        pending_ = Pending{};
        return;
    }
    // Nibble order is byte order, so this is the documented precondition.
    TRELLIS_ASSERT(less(last_path_, key_nibbles_));
    const size_t c = common_prefix_length(last_path_, key_nibbles_);

    // Branches deeper than the divergence point can get no more keys.
    while (open_ > 0 && frames_[open_ - 1].depth > c) close_top();

    // The new key leaves the last key's path at nibble c: a branch there.
    if (open_ == 0 || frames_[open_ - 1].depth < c) {
        if (open_ == frames_.size()) frames_.emplace_back();
        Frame& f = frames_[open_++];
        f.depth = c;
        f.present = 0;
        f.value.clear();
    }
    Frame& f = frames_[open_ - 1];
    if (c == last_path_.size()) {
        // The last key is a prefix of the new one: its value sits in the branch.
        TRELLIS_ASSERT(!pending_.built);
        f.value = last_value_;
    } else {
        const uint8_t slot = last_path_[c];
        f.children[slot] = pending_ref(c + 1);
        f.present = uint16_t(f.present | (1u << slot));
    }
    std::swap(last_path_, key_nibbles_);
    last_value_.assign(value.begin(), value.end());
    pending_ = Pending{};
}

Hash32 RootBuilder::root() {
    if (!has_last_) return kEmptyRoot;
    while (open_ > 0) close_top();
    const NodeRef r = pending_ref(0);
    has_last_ = false;
    pending_ = Pending{};
    // The root is referred to by hash even when its RLP is short.
    return r.is_hash() ? r.hash() : crypto::keccak256(r.view());
}

Hash32 ordered_root(const std::vector<std::pair<Bytes, Bytes>>& sorted_pairs) {
    RootBuilder b;
    for (const auto& [k, v] : sorted_pairs) b.add(k, v);
    return b.root();
}

Hash32 ordered_list_root(const std::vector<Bytes>& values) {
    // Keys are RLP(i). In byte order RLP(1..127) = 0x01..0x7f come first,
    // then RLP(0) = 0x80, then RLP(128..) = 0x81 xx, 0x82 xx xx, ... in order.
    RootBuilder b;
    Bytes key;
    auto add = [&](size_t i) {
        TRELLIS_ASSERT(!values[i].empty());
        key.clear();
        rlp::encode_uint(key, uint64_t(i));
        b.add(key, values[i]);
    };
    const size_t n = values.size();
    for (size_t i = 1; i < std::min<size_t>(n, 128); ++i) add(i);
    if (n > 0) add(0);
    for (size_t i = 128; i < n; ++i) add(i);
    return b.root();
}

}  // namespace trellis::trie
