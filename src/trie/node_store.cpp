#include "trie/node_store.hpp"

namespace trellis::trie {

std::optional<Bytes> MemoryNodeStore::get(const Hash32& hash) {
    const auto it = nodes_.find(hash);
    if (it == nodes_.end()) return std::nullopt;
    return it->second;
}

void MemoryNodeStore::put(const Hash32& hash, ByteView rlp) {
    ++puts_;
    // Content-addressed: an existing entry already holds these bytes.
    nodes_.try_emplace(hash, rlp.begin(), rlp.end());
}

}  // namespace trellis::trie
