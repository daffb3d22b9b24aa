#pragma once

// The world state on storage. Two representations, written together in each
// block's commit:
//  - the flat state (Column::kFlatState): the head state's accounts, storage
//    slots and code by direct key, for O(1) reads during execution;
//  - the tries (Column::kTrieNodes): Ethereum's secure account trie and
//    per-account storage tries, which give the state root, proofs, and the
//    state of any earlier block whose nodes are kept.
// Key layouts (docs/storage.md):
//   'a' || address(20)             -> RLP[nonce, balance, storageRoot, codeHash]
//   's' || address(20) || slot(32) -> the value, big-endian without leading zeros (never zero)
//   'c' || codeHash(32)            -> code

#include <vector>

#include "state/state_db.hpp"
#include "storage/database.hpp"
#include "storage/trie_node_store.hpp"

namespace trellis::storage {

inline constexpr uint8_t kAccountPrefix = 'a';
inline constexpr uint8_t kStoragePrefix = 's';
inline constexpr uint8_t kCodePrefix = 'c';

Bytes account_key(const Address& a);
Bytes storage_key(const Address& a, const Bytes32& slot);
Bytes code_key(const Hash32& code_hash);

/// An account as stored: its record and the root of its storage trie.
struct StoredAccount {
    state::AccountRecord record;
    Hash32 storage_root;
};

/// Ethereum's account encoding RLP[nonce, balance, storageRoot, codeHash] (the
/// state trie's leaf value, and the flat state's value).
Bytes encode_account(const StoredAccount& a);
std::optional<StoredAccount> decode_account(ByteView rlp);

/// The head state from the flat columns: what execution reads. A read error or
/// a corrupt record reads as absent and is kept in status(), which the caller
/// must check before committing what it computed. Not thread-safe (status).
class FlatStateReader final : public state::StateReader {
public:
    /// db must outlive the reader; pass a Snapshot for a stable view.
    explicit FlatStateReader(ReadView& db) : db_(db) {}

    std::optional<state::AccountRecord> read_account(const Address& a) override;
    Bytes32 read_storage(const Address& a, const Bytes32& key) override;
    bool has_storage(const Address& a) override;
    Bytes read_code(const Hash32& code_hash) override;

    std::optional<StoredAccount> read_stored_account(const Address& a);
    const Status& status() const noexcept { return status_; }

private:
    void note(const Status& s) {
        if (status_.is_ok()) status_ = s;
    }
    ReadView& db_;
    Status status_;
};

/// The state of any block whose trie nodes are stored, read through the
/// tries (slower than FlatStateReader; for eth_call at an older block and for
/// proofs). Errors as FlatStateReader's. Not thread-safe.
class TrieStateReader final : public state::StateReader {
public:
    TrieStateReader(ReadView& db, const Hash32& state_root);

    std::optional<state::AccountRecord> read_account(const Address& a) override;
    Bytes32 read_storage(const Address& a, const Bytes32& key) override;
    bool has_storage(const Address& a) override;
    Bytes read_code(const Hash32& code_hash) override;

    std::optional<StoredAccount> read_stored_account(const Address& a);
    /// eth_getProof: the account proof, and the storage proof of each slot.
    Result<std::vector<Bytes>, Status> account_proof(const Address& a);
    Result<std::vector<Bytes>, Status> storage_proof(const Address& a, const Bytes32& slot);

    const Status& status() const noexcept { return status_; }

private:
    void note(const Status& s) {
        if (status_.is_ok()) status_ = s;
    }
    ReadView& db_;
    Hash32 root_;
    DbNodeStore nodes_;
    Status status_;
};

/// A state change ready to commit: the flat-state and trie-node writes that
/// take the state from parent_root to root.
struct StagedState {
    Hash32 parent_root;
    Hash32 root;
    WriteBatch batch;
};

/// Stages diff on top of the head state. Precondition: the flat state in db is
/// the state whose root is parent_root (the head's); nothing is written.
Result<StagedState, Status> stage_state_diff(ReadView& db, const Hash32& parent_root,
                                             const state::StateDiff& diff);

}  // namespace trellis::storage
