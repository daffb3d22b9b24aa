// Kept apart from receipt.cpp: this is the one part of receipts that needs the
// trie module, so code that only encodes receipts does not link it.
#include "chain/receipt.hpp"
#include "trie/root_builder.hpp"

namespace trellis::chain {

Hash32 receipts_root(const std::vector<Receipt>& receipts) {
    std::vector<Bytes> encoded;
    encoded.reserve(receipts.size());
    for (const Receipt& r : receipts) encoded.push_back(encode_receipt(r));
    return trie::ordered_list_root(encoded);
}

}  // namespace trellis::chain
