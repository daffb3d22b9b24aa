// Kept apart from block.cpp: the roots are the part of blocks that needs the
// trie module, so code that only encodes blocks does not link it.
#include "chain/block.hpp"
#include "trie/root_builder.hpp"

namespace trellis::chain {

Hash32 transactions_root(const std::vector<Transaction>& txs) {
    std::vector<Bytes> encoded;
    encoded.reserve(txs.size());
    for (const Transaction& tx : txs) encoded.push_back(encode_transaction(tx));
    return trie::ordered_list_root(encoded);
}

Result<void, BlockError> validate_body(const BlockHeader& h, const BlockBody& body) {
    if (transactions_root(body.transactions) != h.transactions_root)
        return Unexpected{BlockError::kWrongTransactionsRoot};
    return {};
}

}  // namespace trellis::chain
