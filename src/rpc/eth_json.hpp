#pragma once

// Ethereum's JSON-RPC value encodings (execution-apis, EIP-1474) in the exact
// shapes go-ethereum produces, so ethers.js, web3.js and viem read them
// unmodified: quantities are 0x-prefixed minimal hex ("0x0" for zero), data is
// 0x-prefixed even-length hex. Parsers are strict as geth's hexutil: a quantity
// with a leading zero ("0x01"), without the prefix, empty ("0x") or too wide is
// refused, as is data of odd length or with a non-hex digit.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/uint256.hpp"
#include "chain/block.hpp"
#include "chain/receipt.hpp"
#include "chain/transaction.hpp"
#include "rpc/backend.hpp"
#include "rpc/json_rpc.hpp"

namespace trellis::rpc {

enum class ValueError {
    kNotString,       ///< a JSON value that is not a string where one is required
    kMissingPrefix,   ///< no "0x"
    kEmptyNumber,     ///< "0x" as a quantity
    kLeadingZero,     ///< "0x01": quantities are minimal (geth hexutil)
    kInvalidHex,      ///< a non-hex digit
    kOddLength,       ///< data with an odd number of digits
    kTooLarge,        ///< a quantity wider than its type (64 or 256 bits)
    kWrongLength,     ///< a hash or address of the wrong size
    kInvalidBlockTag, ///< not a block number, a known tag or an EIP-1898 object
    kInvalidObject,   ///< an object with missing, conflicting or mistyped members
};
const char* to_string(ValueError e) noexcept;

// --- encoding -------------------------------------------------------------
std::string quantity(uint64_t v);
std::string quantity(const uint256& v);
std::string hex_data(ByteView v);

// --- parsing ---------------------------------------------------------------
Result<uint64_t, ValueError> parse_quantity_u64(const json& j);
Result<uint256, ValueError> parse_quantity(const json& j);
Result<Bytes, ValueError> parse_data(const json& j);
Result<Hash32, ValueError> parse_hash(const json& j);
Result<Address, ValueError> parse_address(const json& j);

/// A block selector: a tag, a number, or an EIP-1898 object.
struct BlockId {
    enum class Tag { kNumber, kLatest, kPending, kSafe, kFinalized, kEarliest, kHash };
    Tag tag = Tag::kLatest;
    BlockNum number = 0;            ///< for kNumber
    Hash32 hash;                    ///< for kHash
    bool require_canonical = false; ///< EIP-1898 requireCanonical (kHash only)
};
/// "latest" | "pending" | "safe" | "finalized" | "earliest" | quantity |
/// {"blockNumber": quantity} | {"blockHash": hash, "requireCanonical": bool}.
/// allow_hash false refuses the object forms (eth_getBlockByNumber).
Result<BlockId, ValueError> parse_block_id(const json& j, bool allow_hash = true);

/// Parses params[index] with f, throwing -32602 "invalid argument N: why" on failure.
template <class F>
auto param(const json& params, size_t index, F&& f) -> typename decltype(f(params))::value_type {
    if (index >= params.size()) throw_invalid_params("missing value for required argument " + std::to_string(index));
    auto r = f(params[index]);
    if (!r) throw_invalid_params("invalid argument " + std::to_string(index) + ": " + to_string(r.error()));
    return std::move(*r);
}

// --- objects ---------------------------------------------------------------

/// Where a transaction is, for its JSON (nullopt: still in the pool).
struct TxContext {
    Hash32 block_hash;
    BlockNum block_num = 0;
    uint64_t index = 0;
    uint256 base_fee;  ///< the block's, for a type-2 transaction's effective gasPrice
};

/// geth's RPCTransaction: fields by type (legacy: gasPrice, v with EIP-155;
/// 1: + chainId, accessList, yParity; 2: maxFeePerGas, maxPriorityFeePerGas,
/// gasPrice = effective price when mined, else the fee cap).
json transaction_json(const chain::Transaction& tx, const Hash32& hash, const Address& from,
                      const std::optional<TxContext>& where);

/// The price per gas a mined transaction paid: gas_price, or for type 2
/// base_fee + min(tip cap, fee cap - base_fee) (EIP-1559).
uint256 effective_gas_price(const chain::Transaction& tx, const uint256& base_fee);

/// Address of a contract created by sender with nonce: keccak256(rlp([sender, nonce]))[12:].
Address create_address(const Address& sender, uint64_t nonce);

json log_json(const LogEntry& e);

/// One receipt as eth_getTransactionReceipt returns it. log_index_start is the
/// block-wide index of this receipt's first log; gas_used is this transaction's
/// (cumulative minus the previous receipt's).
json receipt_json(const chain::Receipt& r, const chain::Transaction& tx, const Hash32& tx_hash,
                  const Address& from, const TxContext& where, Gas gas_used, uint64_t log_index_start);

/// The receipts of one block (eth_getBlockReceipts), hashes and senders in body order.
json block_receipts_json(const chain::BlockHeader& h, const Hash32& block_hash, const chain::BlockBody& body,
                         const std::vector<chain::Receipt>& receipts, const std::vector<Address>& senders);

/// geth's block object. Without full transactions, "transactions" lists
/// hashes; with them, transaction objects (senders needed, in body order).
/// Trellis has no proof of work: difficulty 0, nonce 0, mixHash zero, no uncles.
json block_json(const chain::BlockHeader& h, const Hash32& hash, const chain::BlockBody* body,
                bool full, const std::vector<Address>* senders);
/// The newHeads subscription payload (a header without transactions/size).
json header_json(const chain::BlockHeader& h, const Hash32& hash);

/// keccak256(rlp([])): the uncles hash of a block without uncles.
Hash32 empty_uncles_hash();

/// Parsed eth_getLogs / eth_newFilter criteria.
struct FilterQuery {
    std::optional<BlockId> from, to;   ///< default latest
    std::optional<Hash32> block_hash;  ///< EIP-234: exclusive with from/to
    LogFilter filter;
};
/// {address: addr | [addr], topics: [null | topic | [topic...]], fromBlock, toBlock, blockHash}.
Result<FilterQuery, ValueError> parse_filter(const json& j);

/// A call object (eth_call, eth_estimateGas, eth_createAccessList). Gas and fee
/// fields stay optional; the caller applies defaults.
struct CallArgs {
    std::optional<Address> from, to;
    std::optional<Gas> gas;
    std::optional<uint256> gas_price, max_fee_per_gas, max_priority_fee_per_gas, value;
    std::optional<Bytes> input;
    std::optional<chain::AccessList> access_list;
    std::optional<uint64_t> nonce;
};
/// Accepts "input" or "data" (equal if both given), as geth does.
Result<CallArgs, ValueError> parse_call_args(const json& j);
Result<StateOverrides, ValueError> parse_state_overrides(const json& j);
Result<chain::AccessList, ValueError> parse_access_list(const json& j);
json access_list_json(const chain::AccessList& list);

}  // namespace trellis::rpc
