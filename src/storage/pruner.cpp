#include "storage/pruner.hpp"

#include "base/hex.hpp"
#include "codec/rlp.hpp"
#include "storage/state_store.hpp"
#include "trie/common.hpp"

namespace trellis::storage {

namespace {

struct Pending {
    Hash32 hash;
    uint8_t kind;
};

Status bad_node(const Hash32& h, const char* why) {
    return Status::corruption("pruning: trie node " + to_0x_hex(h.view()) + " " + why +
                              "; nothing was erased");
}

/// A node's children: hashes go on the stack, inline nodes (RLP under 32
/// bytes, Yellow Paper Appendix D eq. (193)) are walked in place; an account
/// trie's leaf values name storage tries. Recursion only enters inline nodes,
/// which are shorter than 32 bytes, so it is shallow.
bool walk(ByteView rlp, uint8_t kind, std::vector<Pending>& stack) {
    auto item = rlp::decode_exact(rlp);
    if (!item || !item->is_list) return false;
    auto child = [&](const rlp::Item& ref) {
        if (ref.is_list) return walk(ref.encoded, kind, stack);
        if (ref.payload.empty()) return true;
        if (ref.payload.size() != Hash32::kSize) return false;
        stack.push_back({Hash32::from(ref.payload), kind});
        return true;
    };
    auto value = [&](const rlp::Item& v) {
        if (v.is_list) return false;
        if (kind != NodeMarks::kAccountTrie || v.payload.empty()) return true;
        auto acc = decode_account(v.payload);
        if (!acc) return false;
        if (acc->storage_root != trie::kEmptyRoot)
            stack.push_back({acc->storage_root, NodeMarks::kStorageTrie});
        return true;
    };
    rlp::Item items[17];
    size_t n = 0;
    ByteView rest = item->payload;
    while (!rest.empty()) {
        if (n == 17) return false;
        auto it = rlp::decode_item(rest);
        if (!it) return false;
        items[n++] = *it;
    }
    if (n == 17) {
        for (size_t i = 0; i < 16; ++i)
            if (!child(items[i])) return false;
        return value(items[16]);
    }
    if (n != 2 || items[0].is_list || items[0].payload.empty()) return false;
    // Hex-prefix flag nibble: bit 2 set marks a leaf (Appendix C).
    const bool leaf = (items[0].payload[0] >> 4) & 2;
    return leaf ? value(items[1]) : child(items[1]);
}

}  // namespace

Status mark_reachable(ReadView& db, const std::vector<Hash32>& state_roots, NodeMarks& marks) {
    std::vector<Pending> stack;
    for (const Hash32& r : state_roots)
        if (r != trie::kEmptyRoot) stack.push_back({r, NodeMarks::kAccountTrie});
    while (!stack.empty()) {
        const Pending p = stack.back();
        stack.pop_back();
        if (!marks.mark(p.hash, p.kind)) continue;
        auto r = db.get(Column::kTrieNodes, p.hash.view());
        if (!r) return r.error();
        if (!*r) return bad_node(p.hash, "of a kept state is missing");
        if (!walk(**r, p.kind, stack)) return bad_node(p.hash, "does not decode");
    }
    return Status::ok();
}

Status sweep_unmarked(Database& db, const NodeMarks& marks, size_t batch_erases, PruneStats& stats) {
    if (batch_erases == 0) batch_erases = 1;
    WriteBatch batch;
    auto flush = [&]() -> Status {
        if (batch.empty()) return Status::ok();
        ++stats.writes;
        if (Status s = db.write(batch, false); !s.is_ok()) return s;
        stats.erased_nodes += batch.size();
        batch.clear();
        return Status::ok();
    };
    // The iterator sees the column as of its creation, so erasing behind it is
    // safe; the caller holds off commits, so no node appears meanwhile.
    auto it = db.iterate(Column::kTrieNodes, {}, {});
    for (; it->valid(); it->next()) {
        const ByteView k = it->key();
        // Only what is certainly a node key; anything else is not ours to erase.
        if (k.size() != Hash32::kSize || marks.contains(Hash32::from(k))) continue;
        batch.erase(Column::kTrieNodes, k);
        if (batch.size() >= batch_erases)
            if (Status s = flush(); !s.is_ok()) return s;
    }
    if (Status s = it->status(); !s.is_ok()) return s;
    return flush();
}

}  // namespace trellis::storage
