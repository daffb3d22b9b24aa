#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.hpp"
#include "base/uint256.hpp"

namespace trellis::evm {

/// Block-level values the EVM reads (COINBASE, NUMBER, ...).
struct BlockContext {
    Address coinbase;
    uint64_t number = 0;
    uint64_t timestamp = 0;
    uint64_t gas_limit = 0;
    Bytes32 prev_randao;    ///< PREVRANDAO (DIFFICULTY before the merge)
    uint256 base_fee;
    uint256 blob_base_fee;  ///< BLOBBASEFEE; Trellis has no blobs, so it is fixed by the chain
    uint64_t chain_id = 1;
};

/// Transaction-level values the EVM reads.
struct TxContext {
    Address origin;
    uint256 gas_price;                   ///< effective gas price
    std::vector<Hash32> blob_hashes;     ///< BLOBHASH; always empty on Trellis
};

struct Log {
    Address address;
    std::vector<Hash32> topics;
    Bytes data;
};

/// The world as the EVM sees it: a journaled account store. Every mutation is
/// undone by revert_to() back to a snapshot, including refunds, logs, access
/// lists (EIP-2929), transient storage (EIP-1153) and self-destructs.
/// Implemented by the state module; tests use it with in-memory state.
/// Not thread-safe: one execution at a time.
class Host {
public:
    virtual ~Host() = default;

    // Accounts. An account that does not exist reads as balance 0, nonce 0,
    // no code, zero storage.
    virtual bool account_exists(const Address& a) = 0;
    /// EIP-161: exists with nonce 0, balance 0 and no code, or does not exist.
    virtual bool account_is_empty(const Address& a) = 0;
    virtual uint256 get_balance(const Address& a) = 0;
    virtual void set_balance(const Address& a, const uint256& v) = 0;
    virtual uint64_t get_nonce(const Address& a) = 0;
    virtual void set_nonce(const Address& a, uint64_t nonce) = 0;
    /// The code; the view stays valid until the account's code next changes.
    virtual ByteView get_code(const Address& a) = 0;
    /// keccak256 of the code; zero for an account that does not exist.
    virtual Hash32 get_code_hash(const Address& a) = 0;
    virtual void set_code(const Address& a, ByteView code) = 0;
    /// True when the account has any non-zero storage (EIP-7610 collision rule).
    virtual bool has_storage(const Address& a) = 0;
    /// Makes a fresh contract account at a, keeping its balance and dropping
    /// anything else it had. Marks it as created in this transaction (EIP-6780).
    virtual void create_contract_account(const Address& a) = 0;
    /// Marks a as touched (EIP-161: touched empty accounts are deleted at the
    /// end of the transaction), creating it if needed.
    virtual void touch(const Address& a) = 0;

    // Storage.
    virtual Bytes32 get_storage(const Address& a, const Bytes32& key) = 0;
    /// The value at the start of the transaction (EIP-2200 "original value").
    virtual Bytes32 get_committed_storage(const Address& a, const Bytes32& key) = 0;
    virtual void set_storage(const Address& a, const Bytes32& key, const Bytes32& value) = 0;
    virtual Bytes32 get_transient_storage(const Address& a, const Bytes32& key) = 0;
    virtual void set_transient_storage(const Address& a, const Bytes32& key, const Bytes32& value) = 0;

    // EIP-2929 access lists. Each returns whether the item was already warm and
    // makes it warm.
    virtual bool access_account(const Address& a) = 0;
    virtual bool access_storage(const Address& a, const Bytes32& key) = 0;

    /// EIP-6780: true when a was created earlier in the current transaction.
    virtual bool created_in_transaction(const Address& a) = 0;
    /// Schedules a for deletion at the end of the transaction.
    virtual void mark_destructed(const Address& a) = 0;

    virtual void add_refund(int64_t gas) = 0;  ///< may be negative (EIP-2200)
    virtual int64_t refund() = 0;
    virtual void emit_log(Log log) = 0;

    virtual size_t snapshot() = 0;
    virtual void revert_to(size_t snapshot) = 0;

    /// BLOCKHASH for a block in the last 256 (the caller checks the range).
    virtual Hash32 block_hash(uint64_t number) = 0;
};

}  // namespace trellis::evm
