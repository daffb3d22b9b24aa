#pragma once

#include <optional>
#include <vector>

#include "base/result.hpp"
#include "chain/transaction.hpp"
#include "evm/evm.hpp"
#include "state/world_state.hpp"

namespace trellis::execution {

/// Why a transaction cannot be included in a block (it changes nothing).
enum class TxRejection {
    kNonceTooLow,
    kNonceTooHigh,
    kNonceMax,                ///< EIP-2681
    kSenderHasCode,           ///< EIP-3607
    kGasLimitAboveBlock,      ///< more gas than the block has left
    kFeeCapBelowBaseFee,      ///< EIP-1559
    kPriorityFeeAboveFeeCap,  ///< EIP-1559
    kIntrinsicGasTooLow,
    kInitcodeTooLarge,        ///< EIP-3860
    kInsufficientFunds,       ///< balance < gas_limit * fee cap + value
};
const char* to_string(TxRejection r) noexcept;

/// What one executed transaction did.
struct TxOutcome {
    evm::Status status = evm::Status::kSuccess;
    uint64_t gas_used = 0;          ///< after the refund
    std::vector<evm::Log> logs;     ///< empty unless status is success
    Bytes output;                   ///< return or revert data
    std::optional<Address> created; ///< the new contract of a successful creation
    evm::EvmStats evm_stats;
    bool success() const noexcept { return status == evm::Status::kSuccess; }
};

/// The environment one transaction runs in.
struct TxEnvironment {
    evm::BlockContext block;
    evm::Revision revision = evm::Revision::kCancun;
    uint64_t block_gas_available = 0;  ///< the block's gas limit minus gas already used
    evm::CodeCache* code_cache = nullptr;
    /// eth_call / eth_estimateGas: skip the nonce and EIP-3607 sender-code
    /// checks, as geth does for simulated calls, so a client that passes a
    /// stale nonce or calls from a contract address still gets an answer.
    bool simulation = false;
};

/// Applies tx from sender (already recovered and context-free validated) to
/// state under Cancun rules: stateful validity checks, gas purchase, EIP-2929
/// warm set (sender, recipient, precompiles, coinbase per EIP-3651, access
/// list), execution, refund capped at gas_used/5 (EIP-3529), priority fee to
/// the coinbase (which is touched even when the fee is zero) and the base fee
/// burnt, then EIP-161/6780 clean-up. A rejected transaction leaves state
/// untouched.
Result<TxOutcome, TxRejection> apply_transaction(state::WorldState& state, const TxEnvironment& env,
                                                 const chain::Transaction& tx, const Address& sender);

}  // namespace trellis::execution
