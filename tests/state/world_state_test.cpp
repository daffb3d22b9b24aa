// WorldState: the journaled overlay the EVM runs on. These tests pin the
// journal (revert undoes exactly what came after a snapshot), the
// per-transaction data reset by finalize_transaction, EIP-161 and
// self-destruct deletions, and that diff() carries only what changed against the base.

#include "state/world_state.hpp"

#include <gtest/gtest.h>

using namespace trellis;
using namespace trellis::state;

namespace {

Address addr(uint8_t n) {
    Address a;
    a.bytes[19] = n;
    return a;
}

Bytes32 word(uint8_t n) {
    Bytes32 w;
    w.bytes[31] = n;
    return w;
}

/// A base state with account 1 (nonce 3, balance 100, slot 1 = 7) and an
/// empty account 2.
MemoryStateDb base_state() {
    MemoryStateDb db;
    db.put_account(addr(1), 3, uint256(100), Bytes{0x60, 0x00}, {{word(1), word(7)}});
    db.put_account(addr(2), 0, uint256(0), Bytes{}, {});
    return db;
}

TEST(WorldState, revert_to_a_snapshot_undoes_exactly_the_changes_after_it) {
    MemoryStateDb db = base_state();
    WorldState ws(db);
    ws.begin_transaction();
    ws.set_balance(addr(1), uint256(90));
    const size_t snap = ws.snapshot();
    ws.set_balance(addr(1), uint256(50));
    ws.set_nonce(addr(1), 9);
    ws.set_storage(addr(1), word(1), word(8));
    ws.set_storage(addr(3), word(2), word(5));
    ws.add_refund(4800);
    ws.emit_log(evm::Log{addr(1), {}, Bytes{1}});
    ws.revert_to(snap);
    EXPECT_EQ(ws.get_balance(addr(1)), uint256(90)) << "the change before the snapshot stays";
    EXPECT_EQ(ws.get_nonce(addr(1)), 3u);
    EXPECT_EQ(ws.get_storage(addr(1), word(1)), word(7));
    EXPECT_FALSE(ws.account_exists(addr(3)));
    EXPECT_EQ(ws.refund(), 0);
    EXPECT_TRUE(ws.logs().empty());
}

TEST(WorldState, eip2929_access_marks_are_journaled_and_reset_per_transaction) {
    MemoryStateDb db = base_state();
    WorldState ws(db);
    ws.begin_transaction();
    EXPECT_FALSE(ws.access_account(addr(1))) << "cold on first access";
    EXPECT_TRUE(ws.access_account(addr(1))) << "warm after";
    const size_t snap = ws.snapshot();
    EXPECT_FALSE(ws.access_storage(addr(1), word(1)));
    EXPECT_TRUE(ws.access_storage(addr(1), word(1)));
    ws.revert_to(snap);
    EXPECT_FALSE(ws.access_storage(addr(1), word(1))) << "a reverted access is cold again";
    ws.finalize_transaction();
    ws.begin_transaction();
    EXPECT_FALSE(ws.access_account(addr(1))) << "a new transaction starts cold";
}

TEST(WorldState, eip1153_transient_storage_reverts_and_clears_at_the_transaction_end) {
    MemoryStateDb db = base_state();
    WorldState ws(db);
    ws.begin_transaction();
    ws.set_transient_storage(addr(1), word(1), word(9));
    const size_t snap = ws.snapshot();
    ws.set_transient_storage(addr(1), word(1), word(10));
    ws.revert_to(snap);
    EXPECT_EQ(ws.get_transient_storage(addr(1), word(1)), word(9));
    ws.finalize_transaction();
    ws.begin_transaction();
    EXPECT_EQ(ws.get_transient_storage(addr(1), word(1)), Bytes32{});
    EXPECT_TRUE(ws.diff().accounts.empty()) << "transient storage never reaches the state";
}

TEST(WorldState, committed_storage_is_the_value_at_the_transaction_start) {
    MemoryStateDb db = base_state();
    WorldState ws(db);
    ws.begin_transaction();
    ws.set_storage(addr(1), word(1), word(8));
    EXPECT_EQ(ws.get_committed_storage(addr(1), word(1)), word(7));
    ws.finalize_transaction();
    ws.begin_transaction();
    EXPECT_EQ(ws.get_committed_storage(addr(1), word(1)), word(8))
        << "EIP-2200 original value of the next tx";
}

TEST(WorldState, eip161_touched_empty_accounts_are_deleted) {
    MemoryStateDb db = base_state();
    WorldState ws(db);
    ws.begin_transaction();
    ws.touch(addr(2));
    ws.finalize_transaction();
    EXPECT_FALSE(ws.account_exists(addr(2)));
    const StateDiff d = ws.diff();
    ASSERT_TRUE(d.accounts.count(addr(2)));
    EXPECT_TRUE(d.accounts.at(addr(2)).deleted);
}

TEST(WorldState, destructed_accounts_go_at_the_transaction_end_and_creation_is_tracked_for_eip6780) {
    // The EVM's SELFDESTRUCT marks an account only when created_in_transaction
    // says it was created in this transaction (EIP-6780); the state deletes
    // what was marked when the transaction ends, not before.
    MemoryStateDb db = base_state();
    WorldState ws(db);
    ws.begin_transaction();
    EXPECT_FALSE(ws.created_in_transaction(addr(1)));
    ws.create_contract_account(addr(4));
    ws.set_balance(addr(4), uint256(1));
    EXPECT_TRUE(ws.created_in_transaction(addr(4)));
    ws.mark_destructed(addr(4));
    EXPECT_TRUE(ws.account_exists(addr(4))) << "still there until the transaction ends";
    ws.finalize_transaction();
    EXPECT_FALSE(ws.account_exists(addr(4)));
    ws.begin_transaction();
    EXPECT_FALSE(ws.created_in_transaction(addr(4))) << "creation marks do not outlive the transaction";
}

TEST(WorldState, diff_holds_only_what_changed_and_applies_to_the_base) {
    MemoryStateDb db = base_state();
    const Hash32 before = db.state_root();
    WorldState ws(db);
    ws.begin_transaction();
    EXPECT_EQ(ws.get_balance(addr(1)), uint256(100));  // reads alone change nothing
    ws.finalize_transaction();
    EXPECT_TRUE(ws.diff().accounts.empty());

    ws.begin_transaction();
    ws.set_storage(addr(1), word(1), Bytes32{});  // zero deletes the slot
    ws.set_balance(addr(1), uint256(99));
    ws.finalize_transaction();
    const StateDiff d = ws.diff();
    ASSERT_EQ(d.accounts.size(), 1u);
    const auto& c = d.accounts.at(addr(1));
    EXPECT_EQ(c.record.balance, uint256(99));
    EXPECT_EQ(c.record.nonce, 3u);
    ASSERT_EQ(c.storage.size(), 1u);
    EXPECT_EQ(c.storage.at(word(1)), Bytes32{});
    db.apply(d);
    EXPECT_EQ(db.read_storage(addr(1), word(1)), Bytes32{});
    EXPECT_FALSE(db.has_storage(addr(1)));
    EXPECT_NE(db.state_root(), before);
}

}  // namespace
