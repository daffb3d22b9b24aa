#include "chain/block.hpp"

#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"

namespace trellis::chain {

namespace {

using rlp::ListReader;
using rlp::RlpError;

BlockError from_rlp(RlpError e) noexcept {
    switch (e) {
        case RlpError::kTrailingBytes:
            return BlockError::kRlpTrailingBytes;
        case RlpError::kExpectedString:
            return BlockError::kRlpUnexpectedList;
        case RlpError::kExpectedList:
            return BlockError::kRlpExpectedList;
        case RlpError::kLeadingZeroInInteger:
            return BlockError::kRlpLeadingZeros;
        case RlpError::kIntegerOverflow:
            return BlockError::kIntegerOverflow;
        case RlpError::kMissingItem:
            return BlockError::kRlpTooFewFields;
        case RlpError::kTooManyItems:
            return BlockError::kRlpTooManyFields;
        case RlpError::kWrongFixedSize:
            return BlockError::kWrongFieldSize;
        case RlpError::kInputTooShort:
        case RlpError::kLengthBeyondInput:
        case RlpError::kNonCanonicalLength:
        case RlpError::kLeadingZeroInLength:
        case RlpError::kNonCanonicalSingleByte:
        case RlpError::kTooDeep:
            return BlockError::kRlpMalformed;
    }
    return BlockError::kRlpMalformed;
}

#define TRELLIS_TRY_RLP(var, expr) \
    auto var = (expr);             \
    if (!var) return Unexpected {  \
            from_rlp(var.error())  \
        }

Result<BlockHeader, BlockError> read_header(ListReader& f) {
    BlockHeader h;
    TRELLIS_TRY_RLP(parent, f.read_fixed<32>());
    h.parent_hash = *parent;
    TRELLIS_TRY_RLP(number, f.read_uint64());
    h.number = *number;
    TRELLIS_TRY_RLP(timestamp, f.read_uint64());
    h.timestamp = *timestamp;
    TRELLIS_TRY_RLP(proposer, f.read_fixed<20>());
    h.proposer = *proposer;
    TRELLIS_TRY_RLP(state_root, f.read_fixed<32>());
    h.state_root = *state_root;
    TRELLIS_TRY_RLP(tx_root, f.read_fixed<32>());
    h.transactions_root = *tx_root;
    TRELLIS_TRY_RLP(receipts_root, f.read_fixed<32>());
    h.receipts_root = *receipts_root;
    TRELLIS_TRY_RLP(bloom, f.read_fixed<Bloom::kSize>());
    h.logs_bloom = *bloom;
    TRELLIS_TRY_RLP(gas_limit, f.read_uint64());
    h.gas_limit = *gas_limit;
    TRELLIS_TRY_RLP(gas_used, f.read_uint64());
    h.gas_used = *gas_used;
    TRELLIS_TRY_RLP(base_fee, f.read_uint256());
    h.base_fee = *base_fee;
    TRELLIS_TRY_RLP(extra, f.read_bytes());
    if (extra->size() > kMaxExtraData) return Unexpected{BlockError::kExtraDataTooLong};
    h.extra_data = to_bytes(*extra);
    TRELLIS_TRY_RLP(consensus, f.read_bytes());
    if (consensus->size() > kMaxConsensusData) return Unexpected{BlockError::kConsensusDataTooLong};
    h.consensus = to_bytes(*consensus);
    TRELLIS_TRY_RLP(done, f.finish());
    return h;
}

/// One transaction of a block's list: a legacy transaction is a list item; a
/// typed one is a byte string whose payload is type || RLP (EIP-2718).
Result<Transaction, BlockError> read_transaction(ListReader& txs) {
    TRELLIS_TRY_RLP(item, txs.next());
    ByteView encoded = item->encoded;
    if (!item->is_list) {
        // A legacy transaction wrapped in a string would decode too; only a
        // typed payload is canonical here.
        if (item->payload.empty() || item->payload[0] >= 0x80)
            return Unexpected{BlockError::kInvalidTransaction};
        encoded = item->payload;
    }
    auto tx = decode_transaction(encoded);
    if (!tx) return Unexpected{BlockError::kInvalidTransaction};
    return std::move(*tx);
}

Result<std::vector<Transaction>, BlockError> read_transactions(ListReader& f) {
    TRELLIS_TRY_RLP(list, f.read_list());
    std::vector<Transaction> txs;
    while (!list->at_end()) {
        auto tx = read_transaction(*list);
        if (!tx) return Unexpected{tx.error()};
        txs.push_back(std::move(*tx));
    }
    return txs;
}

void write_transactions(Bytes& out, const std::vector<Transaction>& txs) {
    const size_t mark = rlp::begin_list(out);
    for (const Transaction& tx : txs) {
        if (tx.type == TxType::kLegacy) {
            append(out, encode_transaction(tx));
        } else {
            rlp::encode_string(out, encode_transaction(tx));
        }
    }
    rlp::end_list(out, mark);
}

Result<ListReader, BlockError> open_top_list(ByteView in) {
    if (in.empty()) return Unexpected{BlockError::kEmptyInput};
    if (in.size() > kMaxBlockBytes) return Unexpected{BlockError::kTooLarge};
    TRELLIS_TRY_RLP(item, rlp::decode_exact(in));
    if (!item->is_list) return Unexpected{BlockError::kRlpExpectedList};
    return ListReader(item->payload);
}

}  // namespace

const char* to_string(BlockError e) noexcept {
    switch (e) {
        case BlockError::kEmptyInput:
            return "empty input";
        case BlockError::kTooLarge:
            return "block too large";
        case BlockError::kRlpMalformed:
            return "malformed RLP";
        case BlockError::kRlpTrailingBytes:
            return "trailing bytes";
        case BlockError::kRlpLeadingZeros:
            return "integer with leading zeros";
        case BlockError::kRlpUnexpectedList:
            return "list where a string is required";
        case BlockError::kRlpExpectedList:
            return "string where a list is required";
        case BlockError::kRlpTooFewFields:
            return "too few fields";
        case BlockError::kRlpTooManyFields:
            return "too many fields";
        case BlockError::kIntegerOverflow:
            return "integer overflow";
        case BlockError::kWrongFieldSize:
            return "field of the wrong size";
        case BlockError::kExtraDataTooLong:
            return "extra data too long";
        case BlockError::kConsensusDataTooLong:
            return "consensus data too long";
        case BlockError::kInvalidTransaction:
            return "invalid transaction encoding";
        case BlockError::kGasUsedAboveLimit:
            return "gas used above gas limit";
        case BlockError::kWrongParentHash:
            return "wrong parent hash";
        case BlockError::kWrongNumber:
            return "wrong block number";
        case BlockError::kTimestampBeforeParent:
            return "timestamp before parent's";
        case BlockError::kWrongGasLimit:
            return "wrong gas limit";
        case BlockError::kWrongBaseFee:
            return "wrong base fee";
        case BlockError::kWrongTransactionsRoot:
            return "wrong transactions root";
    }
    return "unknown block error";
}

void encode_header(Bytes& out, const BlockHeader& h) {
    const size_t mark = rlp::begin_list(out);
    rlp::encode_string(out, h.parent_hash.view());
    rlp::encode_uint(out, h.number);
    rlp::encode_uint(out, h.timestamp);
    rlp::encode_string(out, h.proposer.view());
    rlp::encode_string(out, h.state_root.view());
    rlp::encode_string(out, h.transactions_root.view());
    rlp::encode_string(out, h.receipts_root.view());
    rlp::encode_string(out, h.logs_bloom.view());
    rlp::encode_uint(out, h.gas_limit);
    rlp::encode_uint(out, h.gas_used);
    rlp::encode_uint(out, h.base_fee);
    rlp::encode_string(out, h.extra_data);
    rlp::encode_string(out, h.consensus);
    rlp::end_list(out, mark);
}

Bytes encode_header(const BlockHeader& h) {
    Bytes out;
    out.reserve(600 + h.extra_data.size() + h.consensus.size());
    encode_header(out, h);
    return out;
}

Result<BlockHeader, BlockError> decode_header(ByteView in) {
    auto fields = open_top_list(in);
    if (!fields) return Unexpected{fields.error()};
    return read_header(*fields);
}

Hash32 header_hash(const BlockHeader& h) {
    return crypto::keccak256(encode_header(h));
}

Bytes encode_body(const BlockBody& b) {
    Bytes out;
    const size_t mark = rlp::begin_list(out);
    write_transactions(out, b.transactions);
    rlp::end_list(out, mark);
    return out;
}

Result<BlockBody, BlockError> decode_body(ByteView in) {
    auto fields = open_top_list(in);
    if (!fields) return Unexpected{fields.error()};
    auto txs = read_transactions(*fields);
    if (!txs) return Unexpected{txs.error()};
    TRELLIS_TRY_RLP(done, fields->finish());
    return BlockBody{std::move(*txs)};
}

Bytes encode_block(const Block& b) {
    Bytes out;
    const size_t mark = rlp::begin_list(out);
    encode_header(out, b.header);
    write_transactions(out, b.body.transactions);
    rlp::end_list(out, mark);
    return out;
}

Result<Block, BlockError> decode_block(ByteView in) {
    auto fields = open_top_list(in);
    if (!fields) return Unexpected{fields.error()};
    TRELLIS_TRY_RLP(header_fields, fields->read_list());
    auto header = read_header(*header_fields);
    if (!header) return Unexpected{header.error()};
    auto txs = read_transactions(*fields);
    if (!txs) return Unexpected{txs.error()};
    TRELLIS_TRY_RLP(done, fields->finish());
    return Block{std::move(*header), BlockBody{std::move(*txs)}};
}

Result<void, BlockError> validate_header(const BlockHeader& h) {
    if (h.gas_used > h.gas_limit) return Unexpected{BlockError::kGasUsedAboveLimit};
    if (h.extra_data.size() > kMaxExtraData) return Unexpected{BlockError::kExtraDataTooLong};
    if (h.consensus.size() > kMaxConsensusData) return Unexpected{BlockError::kConsensusDataTooLong};
    return {};
}

Result<void, BlockError> validate_against_parent(const BlockHeader& h, const BlockHeader& parent,
                                                 const uint256& expected_base_fee) {
    if (h.parent_hash != header_hash(parent)) return Unexpected{BlockError::kWrongParentHash};
    if (parent.number == UINT64_MAX || h.number != parent.number + 1)
        return Unexpected{BlockError::kWrongNumber};
    if (h.timestamp < parent.timestamp) return Unexpected{BlockError::kTimestampBeforeParent};
    if (h.gas_limit != parent.gas_limit) return Unexpected{BlockError::kWrongGasLimit};
    if (h.base_fee != expected_base_fee) return Unexpected{BlockError::kWrongBaseFee};
    return {};
}

}  // namespace trellis::chain
