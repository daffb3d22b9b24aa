#pragma once

// The node as JSON-RPC sees it. rpc declares this interface; the node
// implements it over storage, the txpool and the executor (tests use an
// in-memory MockBackend). Every method may be called from several RPC threads
// at once: implementations must be thread-safe. None may block on a
// subscriber; none throws (failures are values).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/uint256.hpp"
#include "chain/block.hpp"
#include "chain/receipt.hpp"
#include "chain/transaction.hpp"
#include "evm/message.hpp"
#include "execution/transaction_executor.hpp"
#include "txpool/txpool.hpp"

namespace trellis::rpc {

using chain::BlockNum;
using chain::Gas;

/// Where a mined transaction sits.
struct TxLocation {
    BlockNum block_num = 0;
    Hash32 block_hash;
    uint64_t index = 0;  ///< position in the block body
};

/// One account's EIP-1186 proof (eth_getProof).
struct StorageProof {
    Bytes32 key;
    uint256 value;
    std::vector<Bytes> proof;  ///< RLP of each trie node from the storage root down
};
struct AccountProof {
    Address address;
    uint256 balance;
    uint64_t nonce = 0;
    Hash32 code_hash;
    Hash32 storage_hash;
    std::vector<Bytes> account_proof;  ///< RLP of each node from the state root down
    std::vector<StorageProof> storage_proof;
};

/// Read-only state at one block. Lives as long as the caller holds it.
class StateView {
public:
    virtual ~StateView() = default;
    virtual uint256 balance(const Address& a) = 0;
    virtual uint64_t nonce(const Address& a) = 0;
    virtual Bytes code(const Address& a) = 0;
    virtual Bytes32 storage(const Address& a, const Bytes32& slot) = 0;
    virtual AccountProof proof(const Address& a, const std::vector<Bytes32>& slots) = 0;
};

/// A message for eth_call / eth_estimateGas / eth_createAccessList, with the
/// defaults already applied by rpc (from zero address, gas cap, zero fees).
struct CallMsg {
    Address from;
    std::optional<Address> to;  ///< nullopt: contract creation
    Gas gas = 0;
    /// nullopt: no fee given (the call is free, as in geth's eth_call);
    /// otherwise the effective gas price the sender pays.
    std::optional<uint256> gas_price;
    std::optional<uint256> max_fee_per_gas;
    std::optional<uint256> max_priority_fee_per_gas;
    uint256 value;
    Bytes data;
    chain::AccessList access_list;
    std::optional<uint64_t> nonce;
};

/// geth's state override set: per account, fields replaced before the call.
/// `state` replaces the whole storage; `state_diff` patches slots.
struct AccountOverride {
    std::optional<uint256> balance;
    std::optional<uint64_t> nonce;
    std::optional<Bytes> code;
    std::optional<std::map<Bytes32, Bytes32>> state;
    std::map<Bytes32, Bytes32> state_diff;
};
using StateOverrides = std::map<Address, AccountOverride>;

/// The outcome of a simulated call that ran (success, revert or EVM failure).
struct CallResult {
    evm::Status status = evm::Status::kSuccess;
    Bytes output;  ///< return data, or revert data when status is kRevert
    Gas gas_used = 0;
    bool success() const noexcept { return status == evm::Status::kSuccess; }
};

/// Why a simulated call did not run at all.
enum class CallError {
    kRejected,        ///< the message breaks a transaction rule (see CallFailure::rejection)
    kStateUnavailable,///< the block's state is pruned or unknown
    kTimeout,         ///< the executor gave up (the backend's own limit)
};
struct CallFailure {
    CallError error = CallError::kRejected;
    std::optional<execution::TxRejection> rejection;
};

struct AccessListResult {
    chain::AccessList access_list;
    Gas gas_used = 0;
    std::optional<CallResult> failure;  ///< set when the call reverted or failed
};

/// Why eth_sendRawTransaction refused the bytes.
struct SendFailure {
    txpool::AddError error = txpool::AddError::kInvalid;
    std::optional<chain::TxError> tx_error;  ///< for kInvalid: the decoding or validation reason
};

/// A log-query (eth_getLogs, filters, logs subscriptions). Empty addresses
/// matches every address; topics[i] empty matches anything at position i;
/// otherwise position i must equal one of topics[i] (OR).
struct LogFilter {
    std::vector<Address> addresses;
    std::vector<std::vector<Hash32>> topics;
};

/// A log with where it was emitted (the eth_getLogs shape).
struct LogEntry {
    chain::Log log;
    BlockNum block_num = 0;
    Hash32 block_hash;
    Hash32 tx_hash;
    uint64_t tx_index = 0;
    uint64_t log_index = 0;  ///< position among all logs of the block
    bool removed = false;
};

enum class LogQueryError {
    kTooManyResults,   ///< more than max_results matched
    kRangeUnavailable, ///< some block in the range is not stored
};

struct SyncStatus {
    BlockNum starting_block = 0;
    BlockNum current_block = 0;
    BlockNum highest_block = 0;
};

/// A networked node's view of its peers and consensus (trellis_nodeInfo).
struct NetworkInfo {
    Hash32 node_id;                               ///< from its TLS certificate
    std::optional<uint64_t> validator_index;      ///< in the validator set, if a validator
    bool syncing = false;                         ///< catching up by block sync, not in consensus
    BlockNum best_peer_head = 0;                  ///< the head its peers credibly claim
    double sync_blocks_per_second = 0;
    uint64_t blocks_imported = 0;                 ///< by sync, since start
    uint64_t view = 0;                            ///< consensus view (0: not in consensus)
    uint64_t consensus_exits = 0;                 ///< times it left consensus to sync
    uint16_t p2p_port = 0;
};

struct NodeInfo {
    std::string client_version;  ///< e.g. "trellis/v0.1.0/linux-x86_64"
    std::string name;
    std::optional<Address> validator;  ///< this node's validator address, if it is one
    std::optional<NetworkInfo> network;  ///< absent on a node without peers
};

/// A committed block as subscribers and filters see it. Shared, immutable.
struct BlockEvent {
    chain::BlockHeader header;
    Hash32 hash;
    std::vector<Hash32> tx_hashes;
    std::vector<chain::Receipt> receipts;
};
/// What the node announces: a new head block, or a transaction admitted to the pool.
struct ChainEvent {
    std::shared_ptr<const BlockEvent> block;  ///< set for a new head
    std::optional<Hash32> pending_tx;         ///< set for a new pending transaction
};
/// Called on the node's thread; must return quickly (rpc only queues).
using EventListener = std::function<void(const ChainEvent&)>;

class Backend {
public:
    virtual ~Backend() = default;

    virtual chain::ChainId chain_id() = 0;
    virtual BlockNum head_number() = 0;
    /// Latest final block. A BFT chain finalises on commit, so the default is the head.
    virtual BlockNum finalized_number() { return head_number(); }

    virtual std::optional<Hash32> canonical_hash(BlockNum n) = 0;
    /// A block by hash (canonical or not); nullopt if unknown.
    virtual std::optional<chain::BlockHeader> header_by_hash(const Hash32& h) = 0;
    virtual std::optional<chain::BlockBody> body(const Hash32& block_hash) = 0;
    virtual std::optional<std::vector<chain::Receipt>> receipts(const Hash32& block_hash) = 0;
    /// Senders of the body's transactions, in order. The default recovers
    /// them; a node with a sender cache overrides it.
    virtual std::vector<Address> senders(const Hash32& block_hash, const chain::BlockBody& body);
    virtual std::optional<TxLocation> tx_location(const Hash32& tx_hash) = 0;

    /// State after block n; nullptr when not available.
    virtual std::unique_ptr<StateView> state_at(BlockNum n) = 0;

    /// Runs msg on the state after block n (with overrides), changing nothing.
    virtual Result<CallResult, CallFailure> call(const CallMsg& msg, BlockNum n,
                                                 const StateOverrides& overrides) = 0;
    virtual Result<AccessListResult, CallFailure> create_access_list(const CallMsg& msg, BlockNum n) = 0;

    /// Admits an encoded transaction to the pool; its hash on success.
    virtual Result<Hash32, SendFailure> send_raw_transaction(ByteView encoded) = 0;
    /// Several at once (a JSON-RPC batch): results in order, each what
    /// send_raw_transaction would return had they been sent one by one in
    /// that order. The default does exactly that; a node overrides it to
    /// recover the senders in parallel.
    virtual std::vector<Result<Hash32, SendFailure>> send_raw_transactions(std::span<const ByteView> encoded);
    /// A pooled (not yet mined) transaction by hash, with its sender.
    virtual std::shared_ptr<const txpool::PooledTx> pool_transaction(const Hash32& h) = 0;
    virtual size_t pool_pending() = 0;
    virtual size_t pool_queued() = 0;
    virtual txpool::TxPool::Content pool_content() = 0;

    /// Logs in [from, to] matching filter, in chain order; at most max_results.
    virtual Result<std::vector<LogEntry>, LogQueryError> logs(BlockNum from, BlockNum to,
                                                              const LogFilter& filter,
                                                              size_t max_results) = 0;

    /// Base fee of the next block (eth_gasPrice, eth_feeHistory's last entry).
    virtual uint256 next_base_fee() = 0;
    /// The tip rpc suggests (eth_maxPriorityFeePerGas); the chain's minimum by default.
    virtual uint256 suggested_tip() = 0;

    /// nullopt when in sync.
    virtual std::optional<SyncStatus> sync_status() = 0;
    virtual size_t peer_count() = 0;
    virtual NodeInfo node_info() = 0;

    /// Registers a listener for new heads and pending transactions; returns an
    /// id for remove_listener. The node fires listeners after commit and never
    /// waits for anything but the listener's return (which only queues).
    virtual uint64_t add_listener(EventListener listener) = 0;
    virtual void remove_listener(uint64_t id) = 0;
};

/// Does log match filter (address set and topic positions)?
bool log_matches(const chain::Log& log, const LogFilter& filter) noexcept;

}  // namespace trellis::rpc
