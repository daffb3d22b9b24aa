// EVM rules that need the world state or the transaction rules, pinned down
// one EIP at a time: refunds, fees, EIP-6780 deletion, deployment rules, and
// transient storage reverting with WorldState's journal. The interpreter's own
// rules are tested against an in-memory host in tests/evm.
#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "chain/transaction.hpp"
#include "crypto/secp256k1.hpp"
#include "evm/evm.hpp"
#include "execution/transaction_executor.hpp"
#include "state/world_state.hpp"

using namespace trellis;

namespace {

Bytes hex(std::string_view s) {
    return from_hex(s).value();
}

Address addr(uint8_t last) {
    Address a;
    a[0] = 0xaa;
    a[19] = last;
    return a;
}

/// Runs code as a top-level call in a fresh world with the given revision.
struct Runner {
    state::MemoryStateDb db;
    std::unique_ptr<state::WorldState> ws;
    evm::BlockContext block;
    evm::TxContext tx;
    Address contract = addr(1);
    Address caller = addr(2);

    explicit Runner(ByteView code) {
        db.put_account(contract, 1, uint256(0), code, {});
        db.put_account(caller, 0, uint256(1'000'000'000), {}, {});
        ws = std::make_unique<state::WorldState>(db);
        ws->begin_transaction();
        block.gas_limit = 30'000'000;
    }

    evm::ExecResult call(evm::Revision rev, int64_t gas = 1'000'000, ByteView input = {}) {
        ws->access_account(contract);
        ws->access_account(caller);
        evm::Evm vm(*ws, block, tx, rev);
        evm::Message m;
        m.gas = gas;
        m.recipient = contract;
        m.code_address = contract;
        m.sender = caller;
        m.input = input;
        return vm.execute(m);
    }
};

uint256 word_of(const evm::ExecResult& r) {
    EXPECT_EQ(r.output.size(), 32u);
    return r.output.size() == 32 ? uint256::from_be(r.output) : uint256();
}

// Returns the top of the stack: ... PUSH0 MSTORE PUSH1 32 PUSH0 RETURN
const std::string kReturnTop = "5f5260205ff3";

}  // namespace

TEST(Eip1153, transient_storage_reverts_with_the_frame_and_never_touches_storage) {
    // TSTORE(1, 42); TLOAD(1) returned.
    Runner rn(hex("602a60015d60015c" + kReturnTop));
    const auto r = rn.call(evm::Revision::kCancun);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_EQ(word_of(r), uint256(42));
    EXPECT_TRUE(rn.ws->get_storage(rn.contract, uint256(1).to_be()).is_zero());
    // A frame that TSTOREs and then reverts leaves nothing behind.
    Runner rv(hex("602a60015d5f5ffd"));
    EXPECT_EQ(rv.call(evm::Revision::kCancun).status, evm::Status::kRevert);
    EXPECT_TRUE(rv.ws->get_transient_storage(rv.contract, uint256(1).to_be()).is_zero());
}

namespace {
struct TxFixture {
    state::MemoryStateDb db;
    Bytes32 key = Bytes32::from(hex("4646464646464646464646464646464646464646464646464646464646464646"));
    Address sender;
    execution::TxEnvironment env;
    TxFixture() {
        sender = crypto::secp256k1::address_of(crypto::secp256k1::public_key(key).value());
        db.put_account(sender, 0, uint256(1) << 80, {}, {});
        env.block.gas_limit = 30'000'000;
        env.block.base_fee = uint256(7);
        env.block.coinbase = addr(0xcb);
        env.block_gas_available = env.block.gas_limit;
    }
    chain::Transaction tx(std::optional<Address> to, Bytes data, uint64_t gas) {
        chain::Transaction t;
        t.type = chain::TxType::kDynamicFee;
        t.chain_id = 1;
        t.nonce = 0;
        t.max_fee_per_gas = 10;
        t.max_priority_fee_per_gas = 2;
        t.gas_limit = gas;
        t.to = to;
        t.data = std::move(data);
        return t;
    }
};
}  // namespace

TEST(Eip3529, clearing_a_slot_refunds_4800_when_under_the_cap) {
    TxFixture f;
    const Address c = addr(0xc1);
    std::map<Bytes32, Bytes32> storage{{uint256(1).to_be(), uint256(1).to_be()}};
    f.db.put_account(c, 1, uint256(), hex("5f60015500"), storage);  // SSTORE(1, 0)
    state::WorldState ws(f.db);
    const auto out = execution::apply_transaction(ws, f.env, f.tx(c, {}, 100000), f.sender);
    ASSERT_TRUE(out);
    ASSERT_TRUE(out->success());
    // 21000 + PUSH0 2 + PUSH1 3 + SSTORE (cold 2100 + 2900) = 26005; refund 4800 < 26005/5.
    EXPECT_EQ(out->gas_used, 26005u - 4800u);
}

TEST(Eip3529, refund_is_capped_at_one_fifth_of_gas_used) {
    TxFixture f;
    const Address c = addr(0xc1);
    std::map<Bytes32, Bytes32> storage{{uint256(1).to_be(), uint256(1).to_be()},
                                       {uint256(2).to_be(), uint256(1).to_be()}};
    f.db.put_account(c, 1, uint256(), hex("5f6001555f60025500"), storage);  // clear slots 1 and 2
    state::WorldState ws(f.db);
    const auto out = execution::apply_transaction(ws, f.env, f.tx(c, {}, 100000), f.sender);
    ASSERT_TRUE(out);
    ASSERT_TRUE(out->success());
    // 21000 + 2 * (2 + 3 + 5000) = 31010; refund 9600 > 31010/5 = 6202.
    EXPECT_EQ(out->gas_used, 31010u - 6202u);
}

TEST(Eip1559, sender_pays_effective_price_and_coinbase_gets_only_the_tip) {
    TxFixture f;
    state::WorldState ws(f.db);
    const auto out = execution::apply_transaction(ws, f.env, f.tx(addr(0x55), {}, 21000), f.sender);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->gas_used, 21000u);
    EXPECT_EQ(ws.get_balance(f.sender), (uint256(1) << 80) - uint256(21000 * 9));
    EXPECT_EQ(ws.get_balance(f.env.block.coinbase), uint256(21000 * 2));
    EXPECT_EQ(ws.get_nonce(f.sender), 1u);
}

TEST(Eip1559, fee_cap_below_base_fee_is_rejected_without_state_change) {
    TxFixture f;
    f.env.block.base_fee = uint256(11);
    state::WorldState ws(f.db);
    const auto out = execution::apply_transaction(ws, f.env, f.tx(addr(0x55), {}, 21000), f.sender);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error(), execution::TxRejection::kFeeCapBelowBaseFee);
    EXPECT_EQ(ws.get_nonce(f.sender), 0u);
}

TEST(Eip6780, selfdestruct_deletes_only_a_contract_created_in_the_same_transaction) {
    TxFixture f;
    // Pre-existing contract: SELFDESTRUCT(beneficiary 0x..be) keeps the account, moves the balance.
    const Address old_contract = addr(0xd0);
    f.db.put_account(old_contract, 1, uint256(500), hex("60beff"), {});
    state::WorldState ws(f.db);
    auto out = execution::apply_transaction(ws, f.env, f.tx(old_contract, {}, 100000), f.sender);
    ASSERT_TRUE(out && out->success());
    EXPECT_TRUE(ws.account_exists(old_contract));
    EXPECT_FALSE(ws.get_code(old_contract).empty());
    EXPECT_EQ(ws.get_balance(old_contract), uint256(0));
    Address beneficiary;
    beneficiary[19] = 0xbe;
    EXPECT_EQ(ws.get_balance(beneficiary), uint256(500));

    // Initcode that self-destructs: the created account is gone after the transaction.
    TxFixture g;
    state::WorldState ws2(g.db);
    auto create = g.tx(std::nullopt, hex("60beff"), 100000);
    out = execution::apply_transaction(ws2, g.env, create, g.sender);
    ASSERT_TRUE(out && out->success());
    EXPECT_FALSE(ws2.account_exists(evm::create_address(g.sender, 0)));
}

TEST(Eip3541, deploying_code_that_starts_with_0xef_fails) {
    TxFixture f;
    state::WorldState ws(f.db);
    // initcode: MSTORE8(0, 0xef); RETURN(0, 1)
    const auto out = execution::apply_transaction(
        ws, f.env, f.tx(std::nullopt, hex("60ef5f5360015ff3"), 100000), f.sender);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->status, evm::Status::kInvalidCodePrefix);
    EXPECT_EQ(out->gas_used, 100000u);
}
