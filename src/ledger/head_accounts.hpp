#pragma once

#include <optional>

#include "storage/state_store.hpp"
#include "txpool/txpool.hpp"

namespace trellis::ledger {

/// The head's flat state as the pool sees it when it checks an admission or
/// re-checks its transactions after a commit. The caller holds whatever lock
/// keeps commits from running underneath. The pool asks for an account's
/// nonce and then its balance, so one read serves both.
class HeadAccounts final : public txpool::AccountView {
public:
    /// db must outlive this.
    explicit HeadAccounts(storage::Database& db) : reader_(db) {}
    uint64_t nonce(const Address& a) override {
        const auto& acc = read(a);
        return acc ? acc->nonce : 0;
    }
    uint256 balance(const Address& a) override {
        const auto& acc = read(a);
        return acc ? acc->balance : uint256();
    }

private:
    const std::optional<state::AccountRecord>& read(const Address& a) {
        if (!last_ || *last_ != a) {
            account_ = reader_.read_account(a);
            last_ = a;
        }
        return account_;
    }

    storage::FlatStateReader reader_;
    std::optional<Address> last_;
    std::optional<state::AccountRecord> account_;
};

}  // namespace trellis::ledger
