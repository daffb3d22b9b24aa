#pragma once

// Ethereum transactions as Trellis accepts them: legacy (with and without
// EIP-155 replay protection), EIP-2930 access-list (type 1) and EIP-1559
// dynamic-fee (type 2), in their canonical network encoding (EIP-2718
// envelopes). Blob transactions (EIP-4844, type 3) are not supported.
// See docs/transactions.md for the rules and their sources.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/uint256.hpp"

namespace trellis::chain {

using Gas = uint64_t;
using Nonce = uint64_t;
using ChainId = uint64_t;

/// EIP-2718 transaction type. Legacy transactions have no type byte on the wire.
enum class TxType : uint8_t {
    kLegacy = 0,
    kAccessList = 1,  ///< EIP-2930
    kDynamicFee = 2,  ///< EIP-1559
};

/// One EIP-2930 access-list entry: an address and the storage slots it warms.
struct AccessListEntry {
    Address address;
    std::vector<Bytes32> storage_keys;

    friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};
using AccessList = std::vector<AccessListEntry>;

/// A decoded transaction. Which fee fields are meaningful depends on type:
/// legacy and type 1 use gas_price; type 2 uses max_priority_fee_per_gas and
/// max_fee_per_gas. access_list is empty for legacy.
struct Transaction {
    TxType type = TxType::kLegacy;
    /// Replay-protection chain id; nullopt only for a pre-EIP-155 legacy
    /// transaction (v = 27/28). Typed transactions always carry one.
    std::optional<ChainId> chain_id;
    Nonce nonce = 0;
    uint256 gas_price;
    uint256 max_priority_fee_per_gas;
    uint256 max_fee_per_gas;
    Gas gas_limit = 0;
    std::optional<Address> to;  ///< nullopt: contract creation
    uint256 value;
    Bytes data;  ///< call data, or init code for a creation
    AccessList access_list;

    /// ECDSA signature over signing_hash(). y_parity is the recovery id (0 or
    /// 1); for legacy transactions the wire v is derived from it and chain_id
    /// (27 + y, or chain_id * 2 + 35 + y per EIP-155).
    uint256 r;
    uint256 s;
    uint8_t y_parity = 0;

    /// The most the sender pays per gas: gas_price, or max_fee_per_gas for type 2.
    const uint256& max_fee() const noexcept {
        return type == TxType::kDynamicFee ? max_fee_per_gas : gas_price;
    }
    /// The most the sender tips per gas: gas_price, or max_priority_fee_per_gas for type 2.
    const uint256& max_priority_fee() const noexcept {
        return type == TxType::kDynamicFee ? max_priority_fee_per_gas : gas_price;
    }
    bool is_create() const noexcept { return !to.has_value(); }

    friend bool operator==(const Transaction&, const Transaction&) = default;
};

/// Why a transaction is rejected. Each reason maps to an RPC error and a peer
/// action (docs/transactions.md): decoding errors and bad signatures come from
/// a malformed or forged message; the rest may be an honest client's mistake.
enum class TxError {
    // Decoding (the bytes are not a canonical transaction).
    kEmptyInput,            ///< zero bytes
    kMalformedEnvelope,     ///< first byte is neither a list header nor a type byte (EIP-2718)
    kUnsupportedType,       ///< type byte other than 1 or 2 (includes EIP-4844 blob type 3)
    kRlpMalformed,          ///< RLP lengths not canonical, or running past the input
    kRlpTrailingBytes,      ///< bytes after the transaction's RLP list
    kRlpLeadingZeros,       ///< an integer field with leading zero bytes
    kRlpUnexpectedList,     ///< a list where a field must be a byte string
    kRlpExpectedList,       ///< a byte string where a list is required
    kRlpTooFewFields,       ///< the transaction (or an access-list entry) lacks fields
    kRlpTooManyFields,      ///< the transaction (or an access-list entry) has extra fields
    kNonceTooLarge,         ///< nonce does not fit in 64 bits
    kGasLimitTooLarge,      ///< gas limit does not fit in 64 bits
    kFeeTooLarge,           ///< a gas price / fee cap does not fit in 256 bits
    kValueTooLarge,         ///< value does not fit in 256 bits
    kChainIdTooLarge,       ///< chain id does not fit in 64 bits
    kInvalidToAddress,      ///< `to` is neither empty nor 20 bytes
    kInvalidAccessListAddress,  ///< an access-list address is not 20 bytes
    kInvalidStorageKey,     ///< an access-list storage key is not 32 bytes
    kSignatureValueTooLarge,  ///< r or s longer than 32 bytes
    kInvalidV,              ///< legacy v not 27/28 nor chain_id * 2 + 35/36 (EIP-155)
    kInvalidYParity,        ///< typed y_parity not 0 or 1

    // Context-free validation.
    kTxTooLarge,            ///< encoding longer than ValidationRules::max_tx_size
    kWrongChainId,          ///< chain id differs from the chain's (EIP-155 / EIP-2930)
    kUnprotectedNotAllowed, ///< pre-EIP-155 legacy transaction where the rules forbid it
    kNonceMax,              ///< nonce is 2^64 - 1 (EIP-2681)
    kInitcodeTooLarge,      ///< creation init code above max_initcode_size (EIP-3860)
    kIntrinsicGasTooLow,    ///< gas limit below intrinsic gas
    kPriorityFeeAboveMaxFee,  ///< max_priority_fee_per_gas > max_fee_per_gas (EIP-1559)
    kFeeCapGasOverflow,     ///< gas_limit * max fee does not fit in 256 bits
    kInvalidSignature,      ///< r or s is zero or not below the secp256k1 order n
    kHighS,                 ///< s above n/2 (EIP-2)
    kRecoveryFailed,        ///< no public key recovers from the signature
    kSigningFailed,         ///< sign(): the private key is invalid
};

/// A short, stable description of e (for logs and RPC error messages).
const char* to_string(TxError e) noexcept;

/// Context-free validation settings (chain parameters).
struct ValidationRules {
    /// The chain's id; nullopt accepts any chain id (tools, tests).
    std::optional<ChainId> chain_id;
    /// Accept legacy transactions without EIP-155 replay protection (v = 27/28).
    /// Ethereum still does; a consortium may turn it off.
    bool allow_unprotected = true;
    /// EIP-3860: 2 * MAX_CODE_SIZE (24576).
    size_t max_initcode_size = 49152;
    /// Largest accepted encoding; 128 KiB as go-ethereum's pool (4 * 32 KiB slots).
    size_t max_tx_size = 128 * 1024;
};

/// Decodes the canonical network form: an RLP list (legacy) or type byte ||
/// RLP list (EIP-2718). Strict: only the one canonical encoding is accepted,
/// so encode_transaction(*decode_transaction(b)) == b.
Result<Transaction, TxError> decode_transaction(ByteView encoded);

/// The canonical network encoding (the inverse of decode_transaction).
/// Precondition (asserted): type is one of TxType, typed transactions carry a chain_id,
/// y_parity is 0 or 1.
Bytes encode_transaction(const Transaction& tx);
/// Bytes encode_transaction would produce, without producing them.
size_t encoded_length(const Transaction& tx);

/// keccak256 of the full encoding (type byte included for typed transactions).
Hash32 transaction_hash(const Transaction& tx);

/// The digest that is signed. Pre-EIP-155 legacy: keccak(RLP[nonce, gasPrice,
/// gas, to, value, data]); EIP-155: the same plus [chainId, 0, 0]; typed:
/// keccak(type || RLP[fields without the signature]) (EIP-2930, EIP-1559).
Hash32 signing_hash(const Transaction& tx);

/// Signs tx in place (RFC 6979, low s) with key, over signing_hash(tx): sets r,
/// s and y_parity. chain_id and every other field must be final before.
Result<void, TxError> sign(Transaction& tx, const Bytes32& private_key);

/// Checks r, s (nonzero, below n, low s per EIP-2) and recovers the sender's
/// address from the signature over signing_hash(tx).
Result<Address, TxError> recover_sender(const Transaction& tx);

/// Gas charged before execution, Cancun rules: 21000, +32000 for a creation,
/// 4 per zero and 16 per non-zero data byte (EIP-2028), 2400 per access-list
/// address and 1900 per storage key (EIP-2930), 2 per 32-byte word of init code
/// (EIP-3860). Saturates at 2^64 - 1 instead of wrapping.
Gas intrinsic_gas(const Transaction& tx) noexcept;

/// Every check that needs no state: size, chain id, EIP-2681 nonce bound,
/// EIP-3860 init code size, intrinsic gas, fee-field relations and overflow,
/// and the signature (values, EIP-2, recoverable). Returns the sender, so
/// callers do not recover twice.
Result<Address, TxError> validate_and_recover(const Transaction& tx, const ValidationRules& rules);
/// validate_and_recover without the sender.
Result<void, TxError> validate_context_free(const Transaction& tx, const ValidationRules& rules);
/// The rules of validate_and_recover except the signature (for a
/// transaction whose sender was already recovered from the same bytes).
Result<void, TxError> validate_fields(const Transaction& tx, const ValidationRules& rules);

}  // namespace trellis::chain
