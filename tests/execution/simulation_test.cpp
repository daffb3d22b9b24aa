#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "execution/block_executor.hpp"
#include "execution/transaction_executor.hpp"
#include "state/state_db.hpp"
#include "state/world_state.hpp"

using namespace trellis;

namespace {

struct CallWorld {
    state::MemoryStateDb db;
    Address eoa, contract;
    execution::TxEnvironment env;

    CallWorld() {
        eoa[19] = 0x01;
        contract[19] = 0x02;
        db.put_account(eoa, 7, uint256(1) << 70, {}, {});
        db.put_account(contract, 1, uint256(1) << 70, from_hex("00").value(), {});
        env.block.gas_limit = 1'000'000;
        env.block.number = 1;
        env.revision = evm::Revision::kCancun;
        env.block_gas_available = 1'000'000;
    }

    chain::Transaction call(uint64_t nonce) const {
        chain::Transaction t;
        t.nonce = nonce;
        t.gas_limit = 50'000;
        t.to = contract;
        return t;
    }
};

}  // namespace

TEST(Simulation, a_stale_nonce_is_rejected_in_a_block_but_answered_in_a_simulated_call) {
    CallWorld s;
    state::WorldState ws(s.db);
    EXPECT_EQ(execution::apply_transaction(ws, s.env, s.call(0), s.eoa).error(), execution::TxRejection::kNonceTooLow);
    EXPECT_EQ(execution::apply_transaction(ws, s.env, s.call(9), s.eoa).error(), execution::TxRejection::kNonceTooHigh);
    s.env.simulation = true;
    auto r = execution::apply_transaction(ws, s.env, s.call(0), s.eoa);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, evm::Status::kSuccess);
}

TEST(Simulation, a_call_from_a_contract_address_is_rejected_by_eip3607_but_answered_when_simulated) {
    CallWorld s;
    state::WorldState ws(s.db);
    EXPECT_EQ(execution::apply_transaction(ws, s.env, s.call(1), s.contract).error(),
              execution::TxRejection::kSenderHasCode);
    s.env.simulation = true;
    EXPECT_TRUE(execution::apply_transaction(ws, s.env, s.call(1), s.contract));
}

TEST(Simulation, balance_checks_still_apply_when_simulated) {
    CallWorld s;
    s.env.simulation = true;
    s.env.block.base_fee = 1;
    chain::Transaction t = s.call(7);
    t.gas_price = uint256(1) << 60;  // 50,000 * 2^60 > 2^70
    state::WorldState ws(s.db);
    EXPECT_EQ(execution::apply_transaction(ws, s.env, t, s.eoa).error(), execution::TxRejection::kInsufficientFunds);
}
