#pragma once

// The receipts root, header-only for the reason block_root.hpp gives.

#include "chain/receipt.hpp"
#include "trie/root_builder.hpp"

namespace trellis::chain {

/// The receipts root of a block: the trie of encode_receipt(receipts[i]) under
/// key RLP(i) (Yellow Paper §4.3).
inline Hash32 receipts_root(const std::vector<Receipt>& receipts) {
    std::vector<Bytes> encoded;
    encoded.reserve(receipts.size());
    for (const Receipt& r : receipts) encoded.push_back(encode_receipt(r));
    return trie::ordered_list_root(encoded);
}

}  // namespace trellis::chain
