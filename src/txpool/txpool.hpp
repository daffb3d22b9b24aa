#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "base/uint256.hpp"
#include "chain/transaction.hpp"

namespace trellis::txpool {

/// Limits and fee rules; every field is a chain or node setting.
struct Settings {
    size_t max_transactions = 8192;       ///< pending + queued, across all senders
    size_t max_per_sender = 128;          ///< pending + queued of one sender
    size_t max_queued_per_sender = 64;    ///< future-nonce transactions of one sender
    uint64_t max_nonce_gap = 64;          ///< how far above the account nonce a tx may be
    unsigned replacement_bump_percent = 10;  ///< a same-nonce replacement must pay this much more
    uint256 min_priority_fee;             ///< the chain's minimum tip (zero on fee-less chains)
    uint64_t block_gas_limit = 30'000'000;
    chain::ValidationRules rules;         ///< chain id, sizes (context-free checks)
};

/// The committed state the pool checks against (the head block's state).
class AccountView {
public:
    virtual ~AccountView() = default;
    virtual uint64_t nonce(const Address& a) = 0;
    virtual uint256 balance(const Address& a) = 0;
};

/// Why a transaction is not admitted. Each maps to an RPC error (see to_string,
/// which uses go-ethereum's wording so clients recognise it) and a peer action.
enum class AddError {
    kInvalid,                 ///< context-free validation failed (see the TxError)
    kAlreadyKnown,
    kNonceTooLow,
    kNonceTooHigh,            ///< beyond max_nonce_gap
    kInsufficientFunds,       ///< balance < gas_limit * fee cap + value
    kGasLimitExceedsBlock,
    kTipBelowMinimum,
    kReplacementUnderpriced,
    kSenderLimit,
    kPoolFull,                ///< full of transactions that pay at least as much
};
const char* to_string(AddError e) noexcept;

/// A transaction in the pool, sender recovered once on admission.
struct PooledTx {
    chain::Transaction tx;
    Hash32 hash;
    Address sender;
    size_t size = 0;        ///< encoded bytes
    uint64_t sequence = 0;  ///< arrival order, for fair ties
};

/// A transaction ready for admission: context-free valid, sender recovered,
/// hash and encoded size known. The node computes it on its recovery workers
/// so that add() under the pool's lock does no hashing or encoding.
struct RecoveredTx {
    chain::Transaction tx;
    Address sender;
    Hash32 hash;      ///< chain::transaction_hash(tx)
    size_t size = 0;  ///< chain::encoded_length(tx)
};

struct Admitted {
    Hash32 hash;
    bool replaced = false;  ///< it replaced a same-nonce transaction
    bool pending = false;   ///< executable now (else queued for a nonce gap)
};

/// Pending transactions: per-sender nonce-ordered queues split into pending
/// (contiguous from the account nonce: executable) and queued (after a gap).
/// Pure bookkeeping: signature recovery happens before add() (on a worker
/// pool, in the node), and the caller serialises access.
class TxPool {
public:
    explicit TxPool(Settings settings) : settings_(std::move(settings)) {}

    /// Admits tx (already context-free valid, sender recovered) if the state
    /// allows it. A full pool evicts its cheapest transaction for a richer one.
    Result<Admitted, AddError> add(chain::Transaction tx, const Address& sender, AccountView& state);
    /// The same with hash and size precomputed (the caller vouches for them).
    Result<Admitted, AddError> add(RecoveredTx tx, AccountView& state);

    /// Convenience for callers that have only bytes: decodes, validates
    /// context-free and recovers the sender, then add(). tx_error receives
    /// the decoding/validation reason when the result is kInvalid.
    Result<Admitted, AddError> add_raw(ByteView encoded, AccountView& state, chain::TxError* tx_error = nullptr);

    /// Up to gas_limit of executable transactions ordered for a block: by
    /// effective tip at base_fee (highest first), nonce order within a sender,
    /// arrival order on ties. Transactions whose fee cap is below base_fee wait.
    std::vector<std::shared_ptr<const PooledTx>> select(uint64_t gas_limit, const uint256& base_fee) const;

    /// After a block: drops included and now-invalid transactions (nonce too
    /// low, unaffordable) and promotes queued ones that became executable.
    void on_new_head(AccountView& state);

    std::shared_ptr<const PooledTx> get(const Hash32& hash) const;
    size_t pending_count() const noexcept { return pending_count_; }
    size_t queued_count() const noexcept { return size() - pending_count_; }
    size_t size() const noexcept { return by_hash_.size(); }

    /// sender -> nonce -> tx, split as txpool_content reports it.
    struct Content {
        std::map<Address, std::map<uint64_t, std::shared_ptr<const PooledTx>>> pending, queued;
    };
    Content content() const;

private:
    struct SenderQueue {
        uint64_t state_nonce = 0;  // the account nonce when last checked
        std::map<uint64_t, std::shared_ptr<const PooledTx>> txs;
        size_t pending = 0;  // txs[state_nonce .. state_nonce + pending) are contiguous
    };

    void recount(SenderQueue& q);
    void remove(SenderQueue& q, std::map<uint64_t, std::shared_ptr<const PooledTx>>::iterator it);
    /// The cheapest evictable transaction: the last one of some sender, so no
    /// sender is left with a gap. Null when the pool is empty.
    const PooledTx* cheapest_tail() const;

    Settings settings_;
    std::map<Address, SenderQueue> senders_;
    std::unordered_map<Hash32, std::shared_ptr<const PooledTx>, FixedBytesHasher> by_hash_;
    size_t pending_count_ = 0;
    uint64_t sequence_ = 0;
};

/// The tip a transaction pays per gas at base_fee (0 when it cannot pay the base fee).
uint256 effective_tip(const chain::Transaction& tx, const uint256& base_fee);

}  // namespace trellis::txpool
