#pragma once

#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "evm/host.hpp"
#include "state/state_db.hpp"

namespace trellis::state {

/// Hash of a (address, slot) pair for the access list and transient storage.
struct SlotKey {
    Address address;
    Bytes32 key;
    friend bool operator==(const SlotKey&, const SlotKey&) = default;
};
struct SlotKeyHasher {
    size_t operator()(const SlotKey& k) const noexcept {
        return FixedBytesHasher{}(k.address) * 31 + FixedBytesHasher{}(k.key);
    }
};

/// The mutable world during execution: a journaled overlay over committed
/// state (a StateReader). Implements evm::Host. Transaction boundaries are
/// explicit: begin_transaction() before, finalize_transaction() after, which
/// applies EIP-161 and EIP-6780 deletions and resets the per-transaction
/// data (access lists, transient storage, refund, logs). diff() gives the
/// accumulated changes to commit. Not thread-safe.
class WorldState final : public evm::Host {
public:
    explicit WorldState(StateReader& base) : base_(base) {}

    // evm::Host
    bool account_exists(const Address& a) override;
    bool account_is_empty(const Address& a) override;
    uint256 get_balance(const Address& a) override;
    void set_balance(const Address& a, const uint256& v) override;
    uint64_t get_nonce(const Address& a) override;
    void set_nonce(const Address& a, uint64_t nonce) override;
    ByteView get_code(const Address& a) override;
    Hash32 get_code_hash(const Address& a) override;
    void set_code(const Address& a, ByteView code) override;
    bool has_storage(const Address& a) override;
    void create_contract_account(const Address& a) override;
    void touch(const Address& a) override;
    Bytes32 get_storage(const Address& a, const Bytes32& key) override;
    Bytes32 get_committed_storage(const Address& a, const Bytes32& key) override;
    void set_storage(const Address& a, const Bytes32& key, const Bytes32& value) override;
    Bytes32 get_transient_storage(const Address& a, const Bytes32& key) override;
    void set_transient_storage(const Address& a, const Bytes32& key, const Bytes32& value) override;
    bool access_account(const Address& a) override;
    bool access_storage(const Address& a, const Bytes32& key) override;
    bool created_in_transaction(const Address& a) override;
    void mark_destructed(const Address& a) override;
    void add_refund(int64_t gas) override;
    int64_t refund() override { return refund_; }
    void emit_log(evm::Log log) override;
    size_t snapshot() override { return journal_.size(); }
    void revert_to(size_t snapshot) override;
    Hash32 block_hash(uint64_t number) override;

    /// Supplies BLOCKHASH answers (set by the block executor).
    void set_block_hash_source(std::function<Hash32(uint64_t)> f) { block_hash_ = std::move(f); }

    void begin_transaction();
    /// Deletes self-destructed accounts and touched empty accounts (EIP-161,
    /// EIP-6780), and forgets the per-transaction data.
    void finalize_transaction();
    const std::vector<evm::Log>& logs() const noexcept { return logs_; }
    std::vector<evm::Log> take_logs() { return std::move(logs_); }

    /// Everything changed since construction (or the last clear_diff()).
    StateDiff diff() const;

private:
    struct Account {
        bool exists = false;
        bool storage_cleared = false;  // base storage is hidden (re-created or deleted)
        bool dirty = false;            // differs from base: goes into diff()
        bool code_dirty = false;
        AccountRecord record;
        std::shared_ptr<const Bytes> code;  // loaded lazily
        std::unordered_map<Bytes32, Bytes32, FixedBytesHasher> storage;    // current values read or written
        std::unordered_map<Bytes32, Bytes32, FixedBytesHasher> committed;  // values at transaction start
    };
    enum class Change : uint8_t {
        kAccount,   // whole account replaced (prev_account)
        kBalance, kNonce, kCode, kStorage, kTransient, kTouch, kAccessAccount, kAccessSlot,
        kRefund, kLog, kCreated, kDestructed,
    };
    struct JournalEntry {
        Change change;
        Address address;
        Bytes32 key;
        Bytes32 prev_word;
        uint256 prev_balance;
        uint64_t prev_u64 = 0;
        bool prev_flag = false;
        std::shared_ptr<Account> prev_account;
        std::shared_ptr<const Bytes> prev_code;
        Hash32 prev_code_hash;
    };

    Account& load(const Address& a);
    Account& load_for_write(const Address& a);  // creates the account if missing
    Bytes32& slot(Account& acc, const Address& a, const Bytes32& key);

    StateReader& base_;
    std::unordered_map<Address, Account, FixedBytesHasher> accounts_;
    std::vector<JournalEntry> journal_;
    std::unordered_set<Address, FixedBytesHasher> touched_;
    std::vector<Address> with_committed_;  // accounts whose `committed` map has entries this transaction
    std::unordered_set<Address, FixedBytesHasher> created_;
    std::unordered_set<Address, FixedBytesHasher> destructed_;
    std::unordered_set<Address, FixedBytesHasher> warm_accounts_;
    std::unordered_set<SlotKey, SlotKeyHasher> warm_slots_;
    std::unordered_map<SlotKey, Bytes32, SlotKeyHasher> transient_;
    std::vector<evm::Log> logs_;
    int64_t refund_ = 0;
    std::function<Hash32(uint64_t)> block_hash_;
};

}  // namespace trellis::state
