#pragma once

// Trellis blocks: a header and a body of transactions. The header is
// Ethereum-like (so RPC can present it as an Ethereum block) but carries BFT
// data instead of proof-of-work fields. Encodings (canonical RLP, strictly
// decoded):
//   header = RLP[parentHash, number, timestamp, proposer, stateRoot,
//                transactionsRoot, receiptsRoot, logsBloom, gasLimit, gasUsed,
//                baseFee, extraData, consensus]
//   body   = RLP[[tx...]]              tx as in an Ethereum block: a legacy
//                                      transaction is its RLP list, a typed one
//                                      the byte string type || payload (EIP-2718)
//   block  = RLP[header, [tx...]]
// The block hash is keccak256(header RLP).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/uint256.hpp"
#include "chain/bloom.hpp"
#include "chain/transaction.hpp"

namespace trellis::chain {

using trellis::BlockNum;

/// Longest extra_data, as Ethereum (Yellow Paper §4.3.4: at most 32 bytes).
inline constexpr size_t kMaxExtraData = 32;
/// Longest consensus field. Room for a commit certificate of a few hundred
/// validators' signatures; the BFT engine decides what it holds.
inline constexpr size_t kMaxConsensusData = 64 * 1024;
/// Largest block encoding any decoder here accepts.
inline constexpr size_t kMaxBlockBytes = 64 * 1024 * 1024;

struct BlockHeader {
    Hash32 parent_hash;  ///< hash of the parent header; zero for genesis
    BlockNum number = 0;
    uint64_t timestamp = 0;    ///< seconds since the Unix epoch (the TIMESTAMP opcode)
    Address proposer;          ///< the validator that proposed the block; COINBASE
    Hash32 state_root;         ///< state after executing the block
    Hash32 transactions_root;  ///< transactions_root(body.transactions)
    Hash32 receipts_root;      ///< receipts_root(receipts)
    Bloom logs_bloom;          ///< OR of the receipts' blooms
    Gas gas_limit = 0;
    Gas gas_used = 0;
    uint256 base_fee;  ///< EIP-1559 base fee per gas (zero allowed)
    Bytes extra_data;  ///< at most kMaxExtraData bytes
    /// Reserved for the BFT engine (at most kMaxConsensusData bytes): e.g. the
    /// hash of the commit certificate of the parent, or the certificate. Opaque here.
    Bytes consensus;

    friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

struct BlockBody {
    std::vector<Transaction> transactions;

    friend bool operator==(const BlockBody&, const BlockBody&) = default;
};

struct Block {
    BlockHeader header;
    BlockBody body;

    friend bool operator==(const Block&, const Block&) = default;
};

/// Why bytes are not a block (or header, body), or a block breaks a rule.
/// Each comes from a malformed or invalid block: the proposer or the peer that
/// relayed it is at fault.
enum class BlockError {
    // Decoding.
    kEmptyInput,
    kTooLarge,      ///< input above kMaxBlockBytes
    kRlpMalformed,  ///< RLP lengths not canonical or past the input
    kRlpTrailingBytes,
    kRlpLeadingZeros,
    kRlpUnexpectedList,
    kRlpExpectedList,
    kRlpTooFewFields,
    kRlpTooManyFields,
    kIntegerOverflow,       ///< number, timestamp, gas or base fee too wide
    kWrongFieldSize,        ///< a hash, address or bloom of the wrong length
    kExtraDataTooLong,      ///< above kMaxExtraData
    kConsensusDataTooLong,  ///< above kMaxConsensusData
    kInvalidTransaction,    ///< a transaction that does not decode (or a typed one wrapped wrongly)
    // Validation.
    kGasUsedAboveLimit,
    kWrongParentHash,
    kWrongNumber,  ///< not the parent's number + 1
    kTimestampBeforeParent,
    kWrongGasLimit,  ///< differs from the parent's (the limit is a chain parameter)
    kWrongBaseFee,
    kWrongTransactionsRoot,
};

/// A short, stable description of e.
const char* to_string(BlockError e) noexcept;

Bytes encode_header(const BlockHeader& h);
/// Appends encode_header(h) to out.
void encode_header(Bytes& out, const BlockHeader& h);
/// Strict: encode_header(*decode_header(b)) == b for every accepted b.
Result<BlockHeader, BlockError> decode_header(ByteView encoded);
/// keccak256(encode_header(h)).
Hash32 header_hash(const BlockHeader& h);

Bytes encode_body(const BlockBody& b);
Result<BlockBody, BlockError> decode_body(ByteView encoded);

Bytes encode_block(const Block& b);
Result<Block, BlockError> decode_block(ByteView encoded);

/// Checks that need only the header: gas used within the limit and the bounded
/// fields (decode_header checks the bounds too; this catches built headers).
Result<void, BlockError> validate_header(const BlockHeader& h);

/// Checks h against its parent: parent hash, number + 1, a timestamp not
/// before the parent's (BFT blocks can come faster than one a second, so equal
/// is allowed), the parent's gas limit (a chain parameter until governance
/// changes it), and the base fee the chain's rule gives (see expected_base_fee
/// in chain/genesis.hpp; passed in so this stays independent of the rule).
Result<void, BlockError> validate_against_parent(const BlockHeader& h, const BlockHeader& parent,
                                                 const uint256& expected_base_fee);

// transactions_root and validate_body (which need the trie) are in
// chain/block_root.hpp.

}  // namespace trellis::chain
