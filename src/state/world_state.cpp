#include "state/world_state.hpp"

#include "crypto/keccak.hpp"

namespace trellis::state {

WorldState::Account& WorldState::load(const Address& a) {
    auto [it, inserted] = accounts_.try_emplace(a);
    if (inserted) {
        if (auto rec = base_.read_account(a)) {
            it->second.exists = true;
            it->second.record = *rec;
        }
    }
    return it->second;
}

WorldState::Account& WorldState::load_for_write(const Address& a) {
    Account& acc = load(a);
    if (!acc.exists) {
        JournalEntry e{Change::kAccount, a};
        e.prev_account = std::make_shared<Account>(acc);
        journal_.push_back(std::move(e));
        acc.exists = true;
    }
    acc.dirty = true;
    return acc;
}

Bytes32& WorldState::slot(Account& acc, const Address& a, const Bytes32& key) {
    auto [it, inserted] = acc.storage.try_emplace(key);
    if (inserted && !acc.storage_cleared && acc.exists) it->second = base_.read_storage(a, key);
    return it->second;
}

bool WorldState::account_exists(const Address& a) { return load(a).exists; }

bool WorldState::account_is_empty(const Address& a) {
    const Account& acc = load(a);
    return !acc.exists || (acc.record.nonce == 0 && acc.record.balance.is_zero() &&
                           acc.record.code_hash == kEmptyCodeHash);
}

uint256 WorldState::get_balance(const Address& a) { return load(a).record.balance; }

void WorldState::set_balance(const Address& a, const uint256& v) {
    Account& acc = load_for_write(a);
    JournalEntry e{Change::kBalance, a};
    e.prev_balance = acc.record.balance;
    journal_.push_back(std::move(e));
    acc.record.balance = v;
}

uint64_t WorldState::get_nonce(const Address& a) { return load(a).record.nonce; }

void WorldState::set_nonce(const Address& a, uint64_t nonce) {
    Account& acc = load_for_write(a);
    JournalEntry e{Change::kNonce, a};
    e.prev_u64 = acc.record.nonce;
    journal_.push_back(std::move(e));
    acc.record.nonce = nonce;
}

ByteView WorldState::get_code(const Address& a) {
    Account& acc = load(a);
    if (!acc.exists || acc.record.code_hash == kEmptyCodeHash) return {};
    if (!acc.code) acc.code = std::make_shared<const Bytes>(base_.read_code(acc.record.code_hash));
    return *acc.code;
}

Hash32 WorldState::get_code_hash(const Address& a) {
    const Account& acc = load(a);
    return acc.exists ? acc.record.code_hash : Hash32{};
}

void WorldState::set_code(const Address& a, ByteView code) {
    Account& acc = load_for_write(a);
    JournalEntry e{Change::kCode, a};
    e.prev_code = acc.code;
    e.prev_code_hash = acc.record.code_hash;
    e.prev_flag = acc.code_dirty;
    journal_.push_back(std::move(e));
    acc.code = std::make_shared<const Bytes>(code.begin(), code.end());
    acc.record.code_hash = crypto::keccak256(code);
    acc.code_dirty = true;
}

bool WorldState::has_storage(const Address& a) {
    Account& acc = load(a);
    for (const auto& [k, v] : acc.storage)
        if (!v.is_zero()) return true;
    return acc.exists && !acc.storage_cleared && base_.has_storage(a);
}

void WorldState::create_contract_account(const Address& a) {
    Account& acc = load(a);
    JournalEntry e{Change::kAccount, a};
    e.prev_account = std::make_shared<Account>(acc);
    journal_.push_back(std::move(e));
    const uint256 balance = acc.record.balance;
    Account fresh;
    fresh.exists = true;
    fresh.storage_cleared = true;
    fresh.dirty = true;
    fresh.record.balance = balance;
    // Slots written earlier in this transaction keep their original values
    // for EIP-2200 accounting.
    fresh.committed = std::move(acc.committed);
    acc = std::move(fresh);
    if (created_.insert(a).second) journal_.push_back(JournalEntry{Change::kCreated, a});
}

void WorldState::touch(const Address& a) {
    if (touched_.insert(a).second) journal_.push_back(JournalEntry{Change::kTouch, a});
}

Bytes32 WorldState::get_storage(const Address& a, const Bytes32& key) {
    Account& acc = load(a);
    if (!acc.exists) return {};
    return slot(acc, a, key);
}

Bytes32 WorldState::get_committed_storage(const Address& a, const Bytes32& key) {
    Account& acc = load(a);
    if (auto it = acc.committed.find(key); it != acc.committed.end()) return it->second;
    if (!acc.exists) return {};
    return slot(acc, a, key);  // not written in this transaction: current = original
}

void WorldState::set_storage(const Address& a, const Bytes32& key, const Bytes32& value) {
    Account& acc = load_for_write(a);
    Bytes32& s = slot(acc, a, key);
    if (acc.committed.empty()) with_committed_.push_back(a);
    acc.committed.try_emplace(key, s);
    JournalEntry e{Change::kStorage, a, key, s};
    journal_.push_back(std::move(e));
    s = value;
}

Bytes32 WorldState::get_transient_storage(const Address& a, const Bytes32& key) {
    auto it = transient_.find(SlotKey{a, key});
    return it == transient_.end() ? Bytes32{} : it->second;
}

void WorldState::set_transient_storage(const Address& a, const Bytes32& key, const Bytes32& value) {
    Bytes32& s = transient_[SlotKey{a, key}];
    journal_.push_back(JournalEntry{Change::kTransient, a, key, s});
    s = value;
}

bool WorldState::access_account(const Address& a) {
    if (!warm_accounts_.insert(a).second) return true;
    journal_.push_back(JournalEntry{Change::kAccessAccount, a});
    return false;
}

bool WorldState::access_storage(const Address& a, const Bytes32& key) {
    if (!warm_slots_.insert(SlotKey{a, key}).second) return true;
    journal_.push_back(JournalEntry{Change::kAccessSlot, a, key});
    return false;
}

bool WorldState::created_in_transaction(const Address& a) { return created_.count(a) != 0; }

void WorldState::mark_destructed(const Address& a) {
    if (destructed_.insert(a).second) journal_.push_back(JournalEntry{Change::kDestructed, a});
}

void WorldState::add_refund(int64_t gas) {
    JournalEntry e{Change::kRefund};
    e.prev_u64 = uint64_t(refund_);
    journal_.push_back(std::move(e));
    refund_ += gas;
}

void WorldState::emit_log(evm::Log log) {
    logs_.push_back(std::move(log));
    journal_.push_back(JournalEntry{Change::kLog});
}

void WorldState::revert_to(size_t snapshot) {
    while (journal_.size() > snapshot) {
        JournalEntry& e = journal_.back();
        switch (e.change) {
            case Change::kAccount: {
                Account& acc = accounts_[e.address];
                acc = std::move(*e.prev_account);
                break;
            }
            case Change::kBalance: accounts_[e.address].record.balance = e.prev_balance; break;
            case Change::kNonce: accounts_[e.address].record.nonce = e.prev_u64; break;
            case Change::kCode: {
                Account& acc = accounts_[e.address];
                acc.code = std::move(e.prev_code);
                acc.record.code_hash = e.prev_code_hash;
                acc.code_dirty = e.prev_flag;
                break;
            }
            case Change::kStorage: accounts_[e.address].storage[e.key] = e.prev_word; break;
            case Change::kTransient: transient_[SlotKey{e.address, e.key}] = e.prev_word; break;
            case Change::kTouch: touched_.erase(e.address); break;
            case Change::kAccessAccount: warm_accounts_.erase(e.address); break;
            case Change::kAccessSlot: warm_slots_.erase(SlotKey{e.address, e.key}); break;
            case Change::kRefund: refund_ = int64_t(e.prev_u64); break;
            case Change::kLog: logs_.pop_back(); break;
            case Change::kCreated: created_.erase(e.address); break;
            case Change::kDestructed: destructed_.erase(e.address); break;
        }
        journal_.pop_back();
    }
}

Hash32 WorldState::block_hash(uint64_t number) { return block_hash_ ? block_hash_(number) : Hash32{}; }

void WorldState::begin_transaction() {
    journal_.clear();
    logs_.clear();
    refund_ = 0;
}

void WorldState::finalize_transaction() {
    auto remove = [&](const Address& a) {
        Account& acc = load(a);
        acc = Account{};
        acc.storage_cleared = true;
        acc.dirty = true;
    };
    for (const Address& a : destructed_) remove(a);
    for (const Address& a : touched_)
        if (account_is_empty(a) && (load(a).exists)) remove(a);
    for (const Address& a : with_committed_) {
        auto it = accounts_.find(a);
        if (it != accounts_.end()) it->second.committed.clear();
    }
    with_committed_.clear();
    journal_.clear();
    touched_.clear();
    created_.clear();
    destructed_.clear();
    warm_accounts_.clear();
    warm_slots_.clear();
    transient_.clear();
    refund_ = 0;
}

StateDiff WorldState::diff() const {
    StateDiff d;
    for (const auto& [addr, acc] : accounts_) {
        if (!acc.dirty) continue;
        StateDiff::AccountChange ch;
        if (!acc.exists) {
            ch.deleted = true;
            d.accounts.emplace(addr, std::move(ch));
            continue;
        }
        ch.storage_cleared = acc.storage_cleared;
        ch.record = acc.record;
        if (acc.code_dirty && acc.code) ch.code = *acc.code;
        for (const auto& [k, v] : acc.storage) ch.storage.emplace(k, v);
        d.accounts.emplace(addr, std::move(ch));
    }
    return d;
}

}  // namespace trellis::state
