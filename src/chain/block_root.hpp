#pragma once

// Block roots, header-only on purpose: they need the trie module, which the
// chain library does not link (src/CMakeLists.txt gives chain only base,
// crypto and codec). Inline here, the code lands in the caller's module
// (execution, storage), which links trie after itself.

#include "chain/block.hpp"
#include "trie/root_builder.hpp"

namespace trellis::chain {

/// The transactions root: the trie of encode_transaction(txs[i]) under key
/// RLP(i) (Yellow Paper §4.3).
inline Hash32 transactions_root(const std::vector<Transaction>& txs) {
    std::vector<Bytes> encoded;
    encoded.reserve(txs.size());
    for (const Transaction& tx : txs) encoded.push_back(encode_transaction(tx));
    return trie::ordered_list_root(encoded);
}

/// Checks that the body belongs to the header (its transactions root).
inline Result<void, BlockError> validate_body(const BlockHeader& h, const BlockBody& body) {
    if (transactions_root(body.transactions) != h.transactions_root)
        return Unexpected{BlockError::kWrongTransactionsRoot};
    return {};
}

/// Everything a block must satisfy before it is executed on its parent's
/// state: the header's own bounds, its link to the parent (validate_against_parent)
/// and its transactions root. The one rule for every path that accepts a block
/// from elsewhere (import, consensus proposals, sync).
inline Result<void, BlockError> validate_block_on_parent(const Block& block, const BlockHeader& parent,
                                                         const uint256& expected_base_fee) {
    if (auto ok = validate_header(block.header); !ok) return ok;
    if (auto ok = validate_against_parent(block.header, parent, expected_base_fee); !ok) return ok;
    return validate_body(block.header, block.body);
}

}  // namespace trellis::chain
