#include "storage/trie_node_store.hpp"

namespace trellis::storage {

std::optional<Bytes> DbNodeStore::get(const Hash32& hash) {
    if (auto it = pending_.find(hash); it != pending_.end()) return it->second;
    auto r = db_.get(Column::kTrieNodes, hash.view());
    if (!r) {
        if (status_.is_ok()) status_ = r.error();
        return std::nullopt;
    }
    return std::move(*r);
}

void DbNodeStore::put(const Hash32& hash, ByteView rlp) {
    pending_.try_emplace(hash, to_bytes(rlp));
}

void DbNodeStore::stage(WriteBatch& batch) const {
    for (const auto& [hash, rlp] : pending_) batch.put(Column::kTrieNodes, hash.view(), rlp);
}

}  // namespace trellis::storage
