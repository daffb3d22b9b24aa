#pragma once
// A small in-memory Host for the interpreter tests, so they need neither the
// state nor the execution module. Snapshots are whole copies of the world:
// simple and slow, which is fine for tests.

#include <map>
#include <ostream>
#include <set>
#include <utility>
#include <vector>

#include "crypto/keccak.hpp"
#include "evm/evm.hpp"
#include "evm/host.hpp"

namespace trellis::evm {
/// Lets GoogleTest print a Status by name.
inline void PrintTo(Status s, std::ostream* os) {
    *os << to_string(s);
}
}  // namespace trellis::evm

namespace trellis::evm::test {

class TestHost final : public Host {
public:
    struct Account {
        uint64_t nonce = 0;
        uint256 balance;
        Bytes code;
        std::map<Bytes32, Bytes32> storage;
    };

    /// Sets an account; call begin_transaction() afterwards so it is also the
    /// committed state (EIP-2200 original values).
    void put_account(const Address& a, uint64_t nonce, const uint256& balance, ByteView code = {}) {
        Account& acc = w_.accounts[a];
        acc.nonce = nonce;
        acc.balance = balance;
        acc.code.assign(code.begin(), code.end());
    }
    /// The current state becomes the committed one; access lists, transient
    /// storage, refunds, logs and creation marks start empty.
    void begin_transaction() {
        committed_ = w_.accounts;
        const auto accounts = std::move(w_.accounts);
        w_ = World{};
        w_.accounts = accounts;
        snapshots_.clear();
    }
    const std::vector<Log>& logs() const noexcept { return w_.logs; }

    bool account_exists(const Address& a) override { return w_.accounts.count(a) != 0; }
    bool account_is_empty(const Address& a) override {
        const Account* acc = find(a);
        return !acc || (acc->nonce == 0 && acc->balance.is_zero() && acc->code.empty());
    }
    uint256 get_balance(const Address& a) override { return find(a) ? find(a)->balance : uint256(); }
    void set_balance(const Address& a, const uint256& v) override { w_.accounts[a].balance = v; }
    uint64_t get_nonce(const Address& a) override { return find(a) ? find(a)->nonce : 0; }
    void set_nonce(const Address& a, uint64_t nonce) override { w_.accounts[a].nonce = nonce; }
    ByteView get_code(const Address& a) override { return find(a) ? ByteView(find(a)->code) : ByteView(); }
    Hash32 get_code_hash(const Address& a) override {
        return find(a) ? crypto::keccak256(find(a)->code) : Hash32();
    }
    void set_code(const Address& a, ByteView code) override {
        w_.accounts[a].code.assign(code.begin(), code.end());
    }
    bool has_storage(const Address& a) override {
        if (const Account* acc = find(a))
            for (const auto& [k, v] : acc->storage)
                if (!v.is_zero()) return true;
        return false;
    }
    void create_contract_account(const Address& a) override {
        const uint256 balance = get_balance(a);
        w_.accounts[a] = Account{};
        w_.accounts[a].balance = balance;
        w_.created.insert(a);
    }
    void touch(const Address& a) override { w_.accounts[a]; }

    Bytes32 get_storage(const Address& a, const Bytes32& key) override {
        const Account* acc = find(a);
        if (!acc) return {};
        const auto it = acc->storage.find(key);
        return it == acc->storage.end() ? Bytes32() : it->second;
    }
    Bytes32 get_committed_storage(const Address& a, const Bytes32& key) override {
        const auto acc = committed_.find(a);
        if (acc == committed_.end()) return {};
        const auto it = acc->second.storage.find(key);
        return it == acc->second.storage.end() ? Bytes32() : it->second;
    }
    void set_storage(const Address& a, const Bytes32& key, const Bytes32& value) override {
        w_.accounts[a].storage[key] = value;
    }
    Bytes32 get_transient_storage(const Address& a, const Bytes32& key) override {
        const auto it = w_.transient.find({a, key});
        return it == w_.transient.end() ? Bytes32() : it->second;
    }
    void set_transient_storage(const Address& a, const Bytes32& key, const Bytes32& value) override {
        w_.transient[{a, key}] = value;
    }

    bool access_account(const Address& a) override { return !w_.warm_accounts.insert(a).second; }
    bool access_storage(const Address& a, const Bytes32& key) override {
        return !w_.warm_slots.insert({a, key}).second;
    }
    bool created_in_transaction(const Address& a) override { return w_.created.count(a) != 0; }
    void mark_destructed(const Address& a) override { w_.destructed.insert(a); }

    void add_refund(int64_t gas) override { w_.refund += gas; }
    int64_t refund() override { return w_.refund; }
    void emit_log(Log log) override { w_.logs.push_back(std::move(log)); }

    size_t snapshot() override {
        snapshots_.push_back(w_);
        return snapshots_.size() - 1;
    }
    void revert_to(size_t snapshot) override {
        w_ = snapshots_.at(snapshot);
        snapshots_.resize(snapshot);
    }

    /// A made-up hash that names the block: its number in the last 8 bytes.
    Hash32 block_hash(uint64_t number) override {
        Hash32 h;
        for (int i = 0; i < 8; ++i) h[31 - i] = uint8_t(number >> (8 * i));
        return h;
    }

private:
    struct World {
        std::map<Address, Account> accounts;
        std::map<std::pair<Address, Bytes32>, Bytes32> transient;
        std::set<Address> warm_accounts;
        std::set<std::pair<Address, Bytes32>> warm_slots;
        std::set<Address> created;
        std::set<Address> destructed;
        int64_t refund = 0;
        std::vector<Log> logs;
    };
    const Account* find(const Address& a) const {
        const auto it = w_.accounts.find(a);
        return it == w_.accounts.end() ? nullptr : &it->second;
    }

    World w_;
    std::map<Address, Account> committed_;
    std::vector<World> snapshots_;
};

/// Runs code as a top-level call from a funded caller in a fresh TestHost.
struct Runner {
    TestHost host;
    BlockContext block;
    TxContext tx;
    Address contract = make_address(1);
    Address caller = make_address(2);

    explicit Runner(ByteView code) {
        host.put_account(contract, 1, uint256(0), code);
        host.put_account(caller, 0, uint256(1'000'000'000));
        host.begin_transaction();
        block.gas_limit = 30'000'000;
    }

    static Address make_address(uint8_t last) {
        Address a;
        a[0] = 0xaa;
        a[19] = last;
        return a;
    }

    ExecResult call(Revision rev, int64_t gas = 1'000'000, ByteView input = {}) {
        host.access_account(contract);
        host.access_account(caller);
        Evm vm(host, block, tx, rev);
        Message m;
        m.gas = gas;
        m.recipient = contract;
        m.code_address = contract;
        m.sender = caller;
        m.input = input;
        return vm.execute(m);
    }
};

}  // namespace trellis::evm::test
