#include "execution/transaction_executor.hpp"

#include "evm/precompiles.hpp"

namespace trellis::execution {

const char* to_string(TxRejection r) noexcept {
    switch (r) {
        case TxRejection::kNonceTooLow: return "nonce too low";
        case TxRejection::kNonceTooHigh: return "nonce too high";
        case TxRejection::kNonceMax: return "nonce has max value";
        case TxRejection::kSenderHasCode: return "sender not an eoa";
        case TxRejection::kGasLimitAboveBlock: return "gas limit reached";
        case TxRejection::kFeeCapBelowBaseFee: return "max fee per gas less than block base fee";
        case TxRejection::kPriorityFeeAboveFeeCap: return "max priority fee per gas higher than max fee per gas";
        case TxRejection::kIntrinsicGasTooLow: return "intrinsic gas too low";
        case TxRejection::kInitcodeTooLarge: return "max initcode size exceeded";
        case TxRejection::kInsufficientFunds: return "insufficient funds for gas * price + value";
    }
    return "unknown rejection";
}

Result<TxOutcome, TxRejection> apply_transaction(state::WorldState& state, const TxEnvironment& env,
                                                 const chain::Transaction& tx, const Address& sender) {
    const evm::BlockContext& block = env.block;
    // Stateful validity (Yellow Paper §6.2, EIP-1559, EIP-3607, EIP-2681, EIP-3860).
    const uint64_t nonce = state.get_nonce(sender);
    if (!env.simulation) {
        if (tx.nonce < nonce) return Unexpected{TxRejection::kNonceTooLow};
        if (tx.nonce > nonce) return Unexpected{TxRejection::kNonceTooHigh};
        if (state.get_code_hash(sender) != Hash32{} && state.get_code_hash(sender) != state::kEmptyCodeHash)
            return Unexpected{TxRejection::kSenderHasCode};
    }
    if (nonce == ~uint64_t{0}) return Unexpected{TxRejection::kNonceMax};
    if (tx.gas_limit > env.block_gas_available) return Unexpected{TxRejection::kGasLimitAboveBlock};
    if (tx.max_priority_fee() > tx.max_fee()) return Unexpected{TxRejection::kPriorityFeeAboveFeeCap};
    if (tx.max_fee() < block.base_fee) return Unexpected{TxRejection::kFeeCapBelowBaseFee};
    const uint64_t intrinsic = chain::intrinsic_gas(tx);
    if (intrinsic > tx.gas_limit) return Unexpected{TxRejection::kIntrinsicGasTooLow};
    if (tx.is_create() && tx.data.size() > evm::kMaxInitcodeSize)
        return Unexpected{TxRejection::kInitcodeTooLarge};

    // balance >= gas_limit * fee cap + value, without overflow.
    const uint512 max_cost = mul_full(uint256(tx.gas_limit), tx.max_fee());
    const bool cost_overflows = (max_cost.w[4] | max_cost.w[5] | max_cost.w[6] | max_cost.w[7]) != 0;
    bool carry = false;
    const uint256 max_total =
        add_with_carry(uint256(max_cost.w[0], max_cost.w[1], max_cost.w[2], max_cost.w[3]), tx.value, &carry);
    if (cost_overflows || carry || state.get_balance(sender) < max_total)
        return Unexpected{TxRejection::kInsufficientFunds};

    const uint256 priority = std::min(tx.max_priority_fee(), tx.max_fee() - block.base_fee);
    const uint256 effective_price = block.base_fee + priority;

    state.begin_transaction();
    state.set_balance(sender, state.get_balance(sender) - uint256(tx.gas_limit) * effective_price);
    if (!tx.is_create()) state.set_nonce(sender, nonce + 1);

    // EIP-2929/2930/3651 warm set.
    state.access_account(sender);
    if (tx.to) state.access_account(*tx.to);
    for (unsigned i = 1; i <= 10; ++i) {
        Address p;
        p[19] = uint8_t(i);
        state.access_account(p);
    }
    if (env.revision >= evm::Revision::kTrellis) {
        Address p;
        p[18] = 0x01;
        state.access_account(p);
    }
    state.access_account(block.coinbase);
    for (const auto& entry : tx.access_list) {
        state.access_account(entry.address);
        for (const auto& key : entry.storage_keys) state.access_storage(entry.address, key);
    }

    evm::TxContext tx_ctx;
    tx_ctx.origin = sender;
    tx_ctx.gas_price = effective_price;
    evm::Evm vm(state, block, tx_ctx, env.revision, env.code_cache);
    evm::Message msg;
    msg.kind = tx.is_create() ? evm::CallKind::kCreate : evm::CallKind::kCall;
    msg.gas = int64_t(tx.gas_limit - intrinsic);
    msg.sender = sender;
    if (tx.to) {
        msg.recipient = *tx.to;
        msg.code_address = *tx.to;
    }
    msg.input = tx.data;
    msg.value = tx.value;
    evm::ExecResult r = vm.execute(msg);

    TxOutcome out;
    out.status = r.status;
    out.evm_stats = vm.stats();
    uint64_t gas_used = tx.gas_limit - uint64_t(r.gas_left);
    const int64_t refund = state.refund();
    if (refund > 0) gas_used -= std::min<uint64_t>(uint64_t(refund), gas_used / 5);  // EIP-3529
    out.gas_used = gas_used;
    out.output = std::move(r.output);
    if (r.status == evm::Status::kSuccess) {
        if (tx.is_create()) out.created = r.created;
        out.logs = state.take_logs();
    }

    state.set_balance(sender, state.get_balance(sender) + uint256(tx.gas_limit - gas_used) * effective_price);
    // The coinbase is paid the priority fee and touched even when it is zero,
    // as reference clients do; the base fee is burnt.
    state.touch(block.coinbase);
    state.set_balance(block.coinbase, state.get_balance(block.coinbase) + uint256(gas_used) * priority);
    state.finalize_transaction();
    return out;
}

}  // namespace trellis::execution
