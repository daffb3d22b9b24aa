#include "execution/block_executor.hpp"

#include "chain/block_root.hpp"
#include "chain/receipt_root.hpp"
#include "state/world_state.hpp"

namespace trellis::execution {

std::string to_string(const BlockError& e) {
    std::string where = "transaction " + std::to_string(e.tx_index) + ": ";
    switch (e.kind) {
        case BlockError::Kind::kInvalidTransaction: return where + chain::to_string(e.tx_error);
        case BlockError::Kind::kTransactionRejected: return where + execution::to_string(e.rejection);
        case BlockError::Kind::kGasLimitExceeded: return where + "block gas limit exceeded";
    }
    return where + "unknown error";
}

TxEnvironment block_environment(const chain::BlockHeader& h, const ChainRules& rules, evm::CodeCache* cache) {
    TxEnvironment env;
    env.revision = rules.revision;
    env.code_cache = cache;
    env.block.coinbase = h.proposer;
    env.block.number = h.number;
    env.block.timestamp = h.timestamp;
    env.block.gas_limit = h.gas_limit;
    env.block.base_fee = h.base_fee;
    env.block.blob_base_fee = rules.blob_base_fee;
    env.block.chain_id = rules.chain_id;
    env.block.prev_randao = h.parent_hash;
    env.block_gas_available = h.gas_limit;
    return env;
}

namespace {

chain::Receipt to_receipt(const chain::Transaction& tx, const TxOutcome& o, uint64_t cumulative) {
    std::vector<chain::Log> logs;
    logs.reserve(o.logs.size());
    for (const auto& l : o.logs) logs.push_back(chain::Log{l.address, l.topics, l.data});
    return chain::make_receipt(tx.type, o.success(), cumulative, std::move(logs));
}

/// Executes one transaction into `out` (receipt, sender, outcome, gas).
Result<void, TxRejection> apply_one(state::WorldState& ws, TxEnvironment& env, const chain::Transaction& tx,
                                    const Address& sender, BlockExecution& out) {
    env.block_gas_available = env.block.gas_limit - out.gas_used;
    auto r = apply_transaction(ws, env, tx, sender);
    if (!r) return Unexpected{r.error()};
    out.gas_used += r->gas_used;
    out.receipts.push_back(to_receipt(tx, *r, out.gas_used));
    chain::bloom_merge(out.logs_bloom, out.receipts.back().bloom);
    out.senders.push_back(sender);
    out.outcomes.push_back(std::move(r).value());
    return {};
}

}  // namespace

Result<BlockExecution, BlockError> execute_block(state::StateReader& parent, const chain::Block& block,
                                                 const ChainRules& rules, const BlockHashFn& block_hash,
                                                 evm::CodeCache* cache,
                                                 std::span<const std::optional<Address>> known_senders) {
    state::WorldState ws(parent);
    ws.set_block_hash_source(block_hash);
    TxEnvironment env = block_environment(block.header, rules, cache);
    chain::ValidationRules vrules;
    vrules.chain_id = rules.chain_id;

    BlockExecution out;
    const auto& txs = block.body.transactions;
    for (size_t i = 0; i < txs.size(); ++i) {
        Result<Address, chain::TxError> sender = Address{};
        if (known_senders.size() == txs.size() && known_senders[i]) {
            if (auto ok = chain::validate_fields(txs[i], vrules); !ok)
                sender = Unexpected{ok.error()};
            else
                sender = *known_senders[i];
        } else {
            sender = chain::validate_and_recover(txs[i], vrules);
        }
        if (!sender) {
            BlockError e{BlockError::Kind::kInvalidTransaction, i};
            e.tx_error = sender.error();
            return Unexpected{e};
        }
        if (auto r = apply_one(ws, env, txs[i], *sender, out); !r) {
            BlockError e{r.error() == TxRejection::kGasLimitAboveBlock ? BlockError::Kind::kGasLimitExceeded
                                                                      : BlockError::Kind::kTransactionRejected,
                         i};
            e.rejection = r.error();
            return Unexpected{e};
        }
    }
    out.receipts_root = chain::receipts_root(out.receipts);
    out.diff = ws.diff();
    return out;
}

BuiltBlock build_block(state::StateReader& parent, const chain::BlockHeader& header,
                       const std::vector<Candidate>& candidates, const ChainRules& rules,
                       const BlockHashFn& block_hash, evm::CodeCache* cache) {
    state::WorldState ws(parent);
    ws.set_block_hash_source(block_hash);
    TxEnvironment env = block_environment(header, rules, cache);
    BuiltBlock built;
    built.block.header = header;
    BlockExecution& out = built.execution;
    for (size_t i = 0; i < candidates.size(); ++i) {
        const auto& c = candidates[i];
        if (auto r = apply_one(ws, env, c.tx, c.sender, out); !r) {
            built.skipped.emplace_back(i, r.error());
            continue;
        }
        built.block.body.transactions.push_back(c.tx);
    }
    out.receipts_root = chain::receipts_root(out.receipts);
    out.diff = ws.diff();
    chain::BlockHeader& h = built.block.header;
    h.gas_used = out.gas_used;
    h.logs_bloom = out.logs_bloom;
    h.receipts_root = out.receipts_root;
    h.transactions_root = chain::transactions_root(built.block.body.transactions);
    return built;
}

const char* to_string(ExecutedBlockMismatch m) noexcept {
    switch (m) {
        case ExecutedBlockMismatch::kGasUsed:
            return "gas used mismatch";
        case ExecutedBlockMismatch::kLogsBloom:
            return "logs bloom mismatch";
        case ExecutedBlockMismatch::kReceiptsRoot:
            return "receipts root mismatch";
    }
    return "unknown mismatch";
}

Result<void, ExecutedBlockMismatch> validate_executed_block(const chain::BlockHeader& h,
                                                            const BlockExecution& exec) {
    if (exec.gas_used != h.gas_used) return Unexpected{ExecutedBlockMismatch::kGasUsed};
    if (exec.logs_bloom != h.logs_bloom) return Unexpected{ExecutedBlockMismatch::kLogsBloom};
    if (exec.receipts_root != h.receipts_root) return Unexpected{ExecutedBlockMismatch::kReceiptsRoot};
    return {};
}

}  // namespace trellis::execution
