#pragma once

#include <map>
#include <optional>
#include <unordered_map>

#include "base/bytes.hpp"
#include "base/uint256.hpp"

namespace trellis::state {

/// keccak256 of empty code (Yellow Paper): the code hash of every account without code.
extern const Hash32 kEmptyCodeHash;

/// An account as the committed state stores it.
struct AccountRecord {
    uint64_t nonce = 0;
    uint256 balance;
    Hash32 code_hash = kEmptyCodeHash;
};

/// Read side of the committed state that a WorldState overlays. The storage
/// module implements it on RocksDB; MemoryStateDb implements it in memory.
class StateReader {
public:
    virtual ~StateReader() = default;
    virtual std::optional<AccountRecord> read_account(const Address& a) = 0;
    /// Zero for absent slots.
    virtual Bytes32 read_storage(const Address& a, const Bytes32& key) = 0;
    /// True when a has any non-zero slot.
    virtual bool has_storage(const Address& a) = 0;
    /// The code with this hash; empty for kEmptyCodeHash or unknown hashes.
    virtual Bytes read_code(const Hash32& code_hash) = 0;
};

/// The effect of a transaction or block on committed state.
struct StateDiff {
    struct AccountChange {
        bool deleted = false;        ///< the account no longer exists
        bool storage_cleared = false;  ///< drop every stored slot before applying storage
        AccountRecord record;
        std::optional<Bytes> code;   ///< set when the code changed
        std::map<Bytes32, Bytes32> storage;  ///< zero values delete
    };
    std::map<Address, AccountChange> accounts;
};

/// A complete state in memory: genesis allocation, tests, tools. Computes the
/// Ethereum state root over everything it holds.
class MemoryStateDb final : public StateReader {
public:
    struct Account {
        AccountRecord record;
        std::map<Bytes32, Bytes32> storage;  // non-zero slots only
    };

    std::optional<AccountRecord> read_account(const Address& a) override;
    Bytes32 read_storage(const Address& a, const Bytes32& key) override;
    bool has_storage(const Address& a) override;
    Bytes read_code(const Hash32& code_hash) override;

    /// Sets an account wholesale (genesis, test pre-state).
    void put_account(const Address& a, uint64_t nonce, const uint256& balance, ByteView code,
                     const std::map<Bytes32, Bytes32>& storage);
    void apply(const StateDiff& diff);

    /// The secure Merkle Patricia Trie root over all accounts.
    Hash32 state_root() const;
    /// The storage root of one account (the empty root when it has none).
    Hash32 storage_root(const Address& a) const;

    const std::map<Address, Account>& accounts() const noexcept { return accounts_; }

private:
    std::map<Address, Account> accounts_;
    std::unordered_map<Hash32, Bytes, FixedBytesHasher> code_;
};

}  // namespace trellis::state
