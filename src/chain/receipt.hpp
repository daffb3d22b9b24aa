#pragma once

// Transaction receipts as Ethereum encodes them, so tools that check a block's
// receipts root against its receipts agree with Trellis:
//   legacy (type 0):  RLP[status, cumulativeGasUsed, logsBloom, logs]
//   typed (1, 2):     type || RLP[status, cumulativeGasUsed, logsBloom, logs]   (EIP-2718)
// status is 1 (success, encoded 0x01) or 0 (failure, encoded as the empty
// string 0x80) per EIP-658; a log is RLP[address, [topic...], data].
// Pre-Byzantium receipts (an intermediate state root instead of a status) are
// not accepted.

#include <cstddef>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "chain/bloom.hpp"
#include "chain/transaction.hpp"

namespace trellis::chain {

/// One event a transaction emitted (LOG0..LOG4).
struct Log {
    Address address;
    std::vector<Hash32> topics;  ///< at most kMaxLogTopics
    Bytes data;

    friend bool operator==(const Log&, const Log&) = default;
};

/// LOG4 is the widest log instruction.
inline constexpr size_t kMaxLogTopics = 4;
/// Largest encoding decode_receipt and decode_stored_receipts accept. A block's
/// gas bounds its log data far below this (8 gas a byte); the bound keeps a
/// hostile input from asking for more.
inline constexpr size_t kMaxReceiptBytes = 32 * 1024 * 1024;

/// The outcome of one transaction in a block.
struct Receipt {
    TxType type = TxType::kLegacy;
    bool success = true;
    Gas cumulative_gas_used = 0;  ///< gas used by this and every earlier transaction of the block
    Bloom bloom;                  ///< logs_bloom(logs); make_receipt sets it
    std::vector<Log> logs;

    friend bool operator==(const Receipt&, const Receipt&) = default;
};

/// Why bytes are not a receipt (or a stored receipt list).
enum class ReceiptError {
    kEmptyInput,         ///< zero bytes
    kTooLarge,           ///< more than kMaxReceiptBytes
    kUnsupportedType,    ///< a type byte other than 1 or 2 (EIP-2718)
    kRlpMalformed,       ///< RLP lengths not canonical or running past the input
    kRlpTrailingBytes,   ///< bytes after the receipt
    kRlpLeadingZeros,    ///< an integer with a leading zero byte
    kRlpUnexpectedList,  ///< a list where a byte string must be
    kRlpExpectedList,    ///< a byte string where a list must be
    kRlpTooFewFields,    ///< the receipt or a log lacks fields
    kRlpTooManyFields,   ///< the receipt or a log has extra fields
    kIntegerOverflow,    ///< cumulative gas (or a stored type) does not fit
    kInvalidStatus,      ///< status neither empty nor 0x01 (includes pre-Byzantium roots)
    kWrongFieldSize,     ///< an address, topic or bloom of the wrong length
    kTooManyTopics,      ///< a log with more than kMaxLogTopics topics
    kBloomMismatch,      ///< the bloom is not the bloom of the logs
};

/// A short, stable description of e.
const char* to_string(ReceiptError e) noexcept;

/// The bloom of a list of logs: every address and topic added (Yellow Paper §4.3.1).
Bloom logs_bloom(const std::vector<Log>& logs) noexcept;

/// A receipt with its bloom computed from logs.
Receipt make_receipt(TxType type, bool success, Gas cumulative_gas_used, std::vector<Log> logs);

/// The consensus encoding (what the receipts trie stores).
Bytes encode_receipt(const Receipt& r);
/// Strict inverse of encode_receipt: only canonical encodings, and the bloom
/// must equal logs_bloom(logs), so encode_receipt(*decode_receipt(b)) == b.
Result<Receipt, ReceiptError> decode_receipt(ByteView encoded);

// receipts_root (which needs the trie) is in chain/receipt_root.hpp.

/// A block's receipts as the storage module keeps them: RLP[[type, status,
/// cumulativeGasUsed, logs]...], without the blooms (256 bytes a receipt),
/// which decode_stored_receipts recomputes. Not a consensus format.
Bytes encode_stored_receipts(const std::vector<Receipt>& receipts);
Result<std::vector<Receipt>, ReceiptError> decode_stored_receipts(ByteView encoded);

}  // namespace trellis::chain
