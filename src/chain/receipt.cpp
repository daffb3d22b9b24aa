#include "chain/receipt.hpp"

#include "codec/rlp.hpp"

namespace trellis::chain {

namespace {

using rlp::ListReader;
using rlp::RlpError;

ReceiptError from_rlp(RlpError e) noexcept {
    switch (e) {
        case RlpError::kTrailingBytes:
            return ReceiptError::kRlpTrailingBytes;
        case RlpError::kExpectedString:
            return ReceiptError::kRlpUnexpectedList;
        case RlpError::kExpectedList:
            return ReceiptError::kRlpExpectedList;
        case RlpError::kLeadingZeroInInteger:
            return ReceiptError::kRlpLeadingZeros;
        case RlpError::kIntegerOverflow:
            return ReceiptError::kIntegerOverflow;
        case RlpError::kMissingItem:
            return ReceiptError::kRlpTooFewFields;
        case RlpError::kTooManyItems:
            return ReceiptError::kRlpTooManyFields;
        case RlpError::kWrongFixedSize:
            return ReceiptError::kWrongFieldSize;
        case RlpError::kInputTooShort:
        case RlpError::kLengthBeyondInput:
        case RlpError::kNonCanonicalLength:
        case RlpError::kLeadingZeroInLength:
        case RlpError::kNonCanonicalSingleByte:
        case RlpError::kTooDeep:
            return ReceiptError::kRlpMalformed;
    }
    return ReceiptError::kRlpMalformed;
}

#define TRELLIS_TRY_RLP(var, expr) \
    auto var = (expr);             \
    if (!var) return Unexpected {  \
            from_rlp(var.error())  \
        }

void encode_logs(Bytes& out, const std::vector<Log>& logs) {
    const size_t mark = rlp::begin_list(out);
    for (const Log& log : logs) {
        const size_t lm = rlp::begin_list(out);
        rlp::encode_string(out, log.address.view());
        const size_t tm = rlp::begin_list(out);
        for (const Hash32& t : log.topics) rlp::encode_string(out, t.view());
        rlp::end_list(out, tm);
        rlp::encode_string(out, log.data);
        rlp::end_list(out, lm);
    }
    rlp::end_list(out, mark);
}

Result<std::vector<Log>, ReceiptError> decode_logs(ListReader& fields) {
    TRELLIS_TRY_RLP(list, fields.read_list());
    std::vector<Log> logs;
    while (!list->at_end()) {
        TRELLIS_TRY_RLP(entry, list->read_list());
        Log log;
        TRELLIS_TRY_RLP(address, entry->read_fixed<Address::kSize>());
        log.address = *address;
        TRELLIS_TRY_RLP(topics, entry->read_list());
        while (!topics->at_end()) {
            if (log.topics.size() == kMaxLogTopics) return Unexpected{ReceiptError::kTooManyTopics};
            TRELLIS_TRY_RLP(topic, topics->read_fixed<Hash32::kSize>());
            log.topics.push_back(*topic);
        }
        TRELLIS_TRY_RLP(data, entry->read_bytes());
        log.data = to_bytes(*data);
        TRELLIS_TRY_RLP(done, entry->finish());
        logs.push_back(std::move(log));
    }
    return logs;
}

/// EIP-658 status: 0x01 for success, the empty string for failure.
Result<bool, ReceiptError> decode_status(ListReader& fields) {
    TRELLIS_TRY_RLP(item, fields.next());
    if (item->is_list) return Unexpected{ReceiptError::kRlpUnexpectedList};
    if (item->payload.empty()) return false;
    if (item->payload.size() == 1 && item->payload[0] == 1) return true;
    return Unexpected{ReceiptError::kInvalidStatus};
}

void encode_status(Bytes& out, bool success) {
    rlp::encode_uint(out, uint64_t(success ? 1 : 0));
}

}  // namespace

const char* to_string(ReceiptError e) noexcept {
    switch (e) {
        case ReceiptError::kEmptyInput:
            return "empty input";
        case ReceiptError::kTooLarge:
            return "receipt too large";
        case ReceiptError::kUnsupportedType:
            return "unsupported receipt type";
        case ReceiptError::kRlpMalformed:
            return "malformed RLP";
        case ReceiptError::kRlpTrailingBytes:
            return "trailing bytes after receipt";
        case ReceiptError::kRlpLeadingZeros:
            return "integer with leading zeros";
        case ReceiptError::kRlpUnexpectedList:
            return "list where a string is required";
        case ReceiptError::kRlpExpectedList:
            return "string where a list is required";
        case ReceiptError::kRlpTooFewFields:
            return "too few fields";
        case ReceiptError::kRlpTooManyFields:
            return "too many fields";
        case ReceiptError::kIntegerOverflow:
            return "integer overflow";
        case ReceiptError::kInvalidStatus:
            return "invalid status";
        case ReceiptError::kWrongFieldSize:
            return "field of the wrong size";
        case ReceiptError::kTooManyTopics:
            return "more than four topics";
        case ReceiptError::kBloomMismatch:
            return "bloom does not match logs";
    }
    return "unknown receipt error";
}

Bloom logs_bloom(const std::vector<Log>& logs) noexcept {
    Bloom b;
    for (const Log& log : logs) {
        bloom_add(b, log.address.view());
        for (const Hash32& t : log.topics) bloom_add(b, t.view());
    }
    return b;
}

Receipt make_receipt(TxType type, bool success, Gas cumulative_gas_used, std::vector<Log> logs) {
    Receipt r;
    r.type = type;
    r.success = success;
    r.cumulative_gas_used = cumulative_gas_used;
    r.bloom = logs_bloom(logs);
    r.logs = std::move(logs);
    return r;
}

Bytes encode_receipt(const Receipt& r) {
    Bytes out;
    if (r.type != TxType::kLegacy) out.push_back(uint8_t(r.type));  // EIP-2718
    const size_t mark = rlp::begin_list(out);
    encode_status(out, r.success);
    rlp::encode_uint(out, r.cumulative_gas_used);
    rlp::encode_string(out, r.bloom.view());
    encode_logs(out, r.logs);
    rlp::end_list(out, mark);
    return out;
}

Result<Receipt, ReceiptError> decode_receipt(ByteView in) {
    if (in.empty()) return Unexpected{ReceiptError::kEmptyInput};
    if (in.size() > kMaxReceiptBytes) return Unexpected{ReceiptError::kTooLarge};
    Receipt r;
    // EIP-2718: a first byte below 0x80 is a type; a list header (>= 0xc0) is legacy.
    if (in[0] < 0x80) {
        if (in[0] != uint8_t(TxType::kAccessList) && in[0] != uint8_t(TxType::kDynamicFee))
            return Unexpected{ReceiptError::kUnsupportedType};
        r.type = TxType(in[0]);
        in = in.subspan(1);
    } else if (in[0] < 0xc0) {
        return Unexpected{ReceiptError::kRlpExpectedList};
    }
    TRELLIS_TRY_RLP(item, rlp::decode_exact(in));
    if (!item->is_list) return Unexpected{ReceiptError::kRlpExpectedList};
    ListReader fields(item->payload);
    auto status = decode_status(fields);
    if (!status) return Unexpected{status.error()};
    r.success = *status;
    TRELLIS_TRY_RLP(gas, fields.read_uint64());
    r.cumulative_gas_used = *gas;
    TRELLIS_TRY_RLP(bloom, fields.read_fixed<Bloom::kSize>());
    r.bloom = *bloom;
    auto logs = decode_logs(fields);
    if (!logs) return Unexpected{logs.error()};
    r.logs = std::move(*logs);
    TRELLIS_TRY_RLP(done, fields.finish());
    // The bloom is a function of the logs; a stored or received receipt whose
    // bloom disagrees would make bloom filtering miss its logs.
    if (logs_bloom(r.logs) != r.bloom) return Unexpected{ReceiptError::kBloomMismatch};
    return r;
}

Bytes encode_stored_receipts(const std::vector<Receipt>& receipts) {
    Bytes out;
    const size_t mark = rlp::begin_list(out);
    for (const Receipt& r : receipts) {
        const size_t rm = rlp::begin_list(out);
        rlp::encode_uint(out, uint64_t(r.type));
        encode_status(out, r.success);
        rlp::encode_uint(out, r.cumulative_gas_used);
        encode_logs(out, r.logs);
        rlp::end_list(out, rm);
    }
    rlp::end_list(out, mark);
    return out;
}

Result<std::vector<Receipt>, ReceiptError> decode_stored_receipts(ByteView in) {
    if (in.empty()) return Unexpected{ReceiptError::kEmptyInput};
    if (in.size() > kMaxReceiptBytes) return Unexpected{ReceiptError::kTooLarge};
    TRELLIS_TRY_RLP(item, rlp::decode_exact(in));
    if (!item->is_list) return Unexpected{ReceiptError::kRlpExpectedList};
    ListReader list(item->payload);
    std::vector<Receipt> out;
    while (!list.at_end()) {
        TRELLIS_TRY_RLP(fields, list.read_list());
        Receipt r;
        TRELLIS_TRY_RLP(type, fields->read_uint64());
        if (*type > uint64_t(TxType::kDynamicFee)) return Unexpected{ReceiptError::kUnsupportedType};
        r.type = TxType(*type);
        auto status = decode_status(*fields);
        if (!status) return Unexpected{status.error()};
        r.success = *status;
        TRELLIS_TRY_RLP(gas, fields->read_uint64());
        r.cumulative_gas_used = *gas;
        auto logs = decode_logs(*fields);
        if (!logs) return Unexpected{logs.error()};
        r.logs = std::move(*logs);
        TRELLIS_TRY_RLP(done, fields->finish());
        r.bloom = logs_bloom(r.logs);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace trellis::chain
