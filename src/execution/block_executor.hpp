#pragma once

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "chain/block.hpp"
#include "chain/receipt.hpp"
#include "execution/transaction_executor.hpp"
#include "state/state_db.hpp"

namespace trellis::execution {

/// Chain parameters the executor needs.
struct ChainRules {
    uint64_t chain_id = 1;
    evm::Revision revision = evm::Revision::kTrellis;
    /// BLOBBASEFEE: Trellis has no blobs, so this is a constant of the chain.
    uint256 blob_base_fee = uint256(1);
};

/// BLOCKHASH answers for the 256 blocks before the one executing.
using BlockHashFn = std::function<Hash32(uint64_t)>;

/// The environment transactions of a block with this header run in: COINBASE
/// is the proposer, PREVRANDAO the parent hash (BFT finality gives no beacon
/// randomness), the rest from the header and the chain rules. The block's whole
/// gas limit is available; callers adjust block_gas_available.
TxEnvironment block_environment(const chain::BlockHeader& h, const ChainRules& rules, evm::CodeCache* cache = nullptr);

/// What executing a block produced. The state root is not here: the caller
/// applies `diff` to its state backend, which computes the root (and the
/// block is valid only if it equals header.state_root).
struct BlockExecution {
    std::vector<chain::Receipt> receipts;
    std::vector<Address> senders;
    std::vector<TxOutcome> outcomes;
    uint64_t gas_used = 0;
    chain::Bloom logs_bloom{};
    Hash32 receipts_root;
    state::StateDiff diff;
};

/// Why a block cannot be executed as given.
struct BlockError {
    enum class Kind {
        kInvalidTransaction,   ///< decoding-level or signature rules (tx_error)
        kTransactionRejected,  ///< stateful validity (rejection)
        kGasLimitExceeded,     ///< the transactions use more gas than the header allows
    };
    Kind kind;
    size_t tx_index = 0;
    chain::TxError tx_error{};
    TxRejection rejection{};
};
std::string to_string(const BlockError& e);

/// Applies the block's transactions in order on top of `parent` (the parent
/// block's post-state) under the header's context: COINBASE is the proposer,
/// NUMBER/TIMESTAMP/GASLIMIT/BASEFEE come from the header. Deterministic: the
/// same block on the same state gives byte-identical receipts and diff.
///
/// known_senders (empty, or one entry per transaction): senders the caller
/// already recovered from these very transactions (e.g. its pool did on
/// admission); for those, only the context-free rules are checked and the
/// signature is not recovered again.
Result<BlockExecution, BlockError> execute_block(state::StateReader& parent, const chain::Block& block,
                                                 const ChainRules& rules, const BlockHashFn& block_hash,
                                                 evm::CodeCache* cache = nullptr,
                                                 std::span<const std::optional<Address>> known_senders = {});

/// Where an executed block disagrees with its header.
enum class ExecutedBlockMismatch { kGasUsed, kLogsBloom, kReceiptsRoot };
const char* to_string(ExecutedBlockMismatch m) noexcept;

/// Checks what execution produced against what the header claims (gas used,
/// logs bloom, receipts root). The state root is the caller's to compare, on
/// its state backend, after applying exec.diff.
Result<void, ExecutedBlockMismatch> validate_executed_block(const chain::BlockHeader& h,
                                                            const BlockExecution& exec);

/// A candidate for a new block, with its sender already recovered.
struct Candidate {
    chain::Transaction tx;
    Address sender;
};

/// Builds a block body from candidates in order: each transaction that the
/// state rejects (or that no longer fits the gas limit) is skipped and
/// reported in `skipped`. `header` supplies the context and gas limit; the
/// result's block carries the body, gas used, bloom and the roots of
/// transactions and receipts (the state root is the caller's to fill).
struct BuiltBlock {
    chain::Block block;
    BlockExecution execution;
    std::vector<std::pair<size_t, TxRejection>> skipped;  ///< candidate index, reason
};
BuiltBlock build_block(state::StateReader& parent, const chain::BlockHeader& header,
                       const std::vector<Candidate>& candidates, const ChainRules& rules,
                       const BlockHashFn& block_hash, evm::CodeCache* cache = nullptr);

}  // namespace trellis::execution
