#include <gtest/gtest.h>

#include <map>

#include "chain_test_util.hpp"
#include "storage/fault_injecting_database.hpp"
#include "storage_test_util.hpp"

using namespace trellis;
using namespace trellis::storage;
using namespace trellis::storage::test;

namespace {

using Dump = std::map<std::pair<size_t, Bytes>, Bytes>;

/// Every key and value of every column.
Dump dump(ReadView& db) {
    Dump out;
    for (size_t c = 0; c < kNumColumns; ++c)
        for (auto it = db.iterate(Column(c), {}, {}); it->valid(); it->next())
            out.emplace(std::make_pair(c, to_bytes(it->key())), to_bytes(it->value()));
    return out;
}

WriteBatch one(std::string_view k, std::string_view v) {
    WriteBatch w;
    w.put(Column::kMeta, as_view(k), as_view(v));
    return w;
}

class FaultTest : public ::testing::TestWithParam<bool> {
protected:
    DbFactory f{GetParam()};
};

}  // namespace

TEST_P(FaultTest, nth_write_fails_and_applies_nothing) {
    FaultInjectingDatabase db(f.db());
    db.fail_nth_write(2);
    EXPECT_TRUE(db.write(one("a", "1"), true).is_ok());
    WriteBatch two = one("b", "2");
    two.put(Column::kHeaders, as_view("c"), as_view("3"));
    Status s = db.write(two, true);
    EXPECT_EQ(s.code(), Status::Code::kInjectedFault);
    EXPECT_FALSE(db.get(Column::kMeta, as_view("b")).value().has_value());
    EXPECT_FALSE(db.get(Column::kHeaders, as_view("c")).value().has_value());
    EXPECT_TRUE(db.write(two, true).is_ok());  // not sticky: the next write works
    EXPECT_TRUE(db.get(Column::kHeaders, as_view("c")).value().has_value());
    EXPECT_EQ(db.write_count(), 3u);
}

TEST_P(FaultTest, sticky_failure_fails_every_later_write) {
    FaultInjectingDatabase db(f.db());
    db.fail_nth_write(1, true);
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(db.write(one("k", "v"), true).is_ok());
    db.fail_nth_write(0);
    EXPECT_TRUE(db.write(one("k", "v"), true).is_ok());
}

TEST_P(FaultTest, crash_drops_unsynced_writes_only) {
    FaultInjectingDatabase db(f.db());
    ASSERT_TRUE(db.write(one("a", "synced"), true).is_ok());
    ASSERT_TRUE(db.write(one("b", "lost"), false).is_ok());
    WriteBatch over = one("a", "overwritten, lost");
    over.erase(Column::kMeta, as_view("b"));
    over.put(Column::kMeta, as_view("b"), as_view("again"));
    ASSERT_TRUE(db.write(over, false).is_ok());
    EXPECT_EQ(*db.get(Column::kMeta, as_view("a")).value(), to_bytes(as_view("overwritten, lost")));
    EXPECT_EQ(db.unsynced_count(), 2u);
    ASSERT_TRUE(db.crash().is_ok());
    EXPECT_EQ(*db.get(Column::kMeta, as_view("a")).value(), to_bytes(as_view("synced")));
    EXPECT_FALSE(db.get(Column::kMeta, as_view("b")).value().has_value());

    // A synced write makes every earlier write durable.
    ASSERT_TRUE(db.write(one("c", "kept"), false).is_ok());
    ASSERT_TRUE(db.write(one("d", "kept"), true).is_ok());
    EXPECT_EQ(db.unsynced_count(), 0u);
    ASSERT_TRUE(db.crash().is_ok());
    EXPECT_TRUE(db.get(Column::kMeta, as_view("c")).value().has_value());
    EXPECT_TRUE(db.get(Column::kMeta, as_view("d")).value().has_value());
}

// A block commit is one batch: failing it at any point of a chain's life
// leaves every column exactly as before, and the commit can be retried.
TEST_P(FaultTest, failed_block_commit_changes_nothing) {
    FaultInjectingDatabase db(f.db());
    ChainStore store(db);
    ASSERT_TRUE(store.init_genesis(test_genesis()).ok());
    uint64_t nonce = 0;
    for (uint64_t n = 1; n <= 6; ++n) {
        BuiltBlock b = build_block(n, nonce);
        nonce += b.block.body.transactions.size();
        b.block.header.parent_hash = store.head().value()->hash;
        auto staged = store.stage_state(b.diff);
        ASSERT_TRUE(staged.ok());
        b.block.header.state_root = staged->root;
        const Dump before = dump(db);
        db.fail_nth_write(1);
        auto failed = store.commit_block(b.block, b.receipts, *staged);
        ASSERT_FALSE(failed.ok());
        EXPECT_EQ(failed.error().code(), Status::Code::kInjectedFault);
        EXPECT_EQ(dump(db), before) << "block " << n;
        EXPECT_EQ(store.head().value()->number, n - 1);
        auto ok = store.commit_block(b.block, b.receipts, *staged);
        ASSERT_TRUE(ok.ok()) << ok.error().to_string();
        EXPECT_EQ(store.head().value()->number, n);
    }
}

// Commits that were not synced vanish whole in a crash: the head goes back to
// the last synced block, none of the later blocks' records, indexes or state
// remain, and the chain continues from there.
TEST_P(FaultTest, crash_rolls_back_to_the_last_synced_block_whole) {
    FaultInjectingDatabase db(f.db());
    ChainStore synced(db, true);
    ChainStore unsynced(db, false);
    ASSERT_TRUE(synced.init_genesis(test_genesis()).ok());
    std::vector<BuiltBlock> blocks;
    uint64_t nonce = 0;
    Dump at_three;
    for (uint64_t n = 1; n <= 5; ++n) {
        ChainStore& s = n <= 3 ? synced : unsynced;
        BuiltBlock b = build_block(n, nonce);
        nonce += b.block.body.transactions.size();
        b.block.header.parent_hash = s.head().value()->hash;
        auto staged = s.stage_state(b.diff);
        ASSERT_TRUE(staged.ok());
        b.block.header.state_root = staged->root;
        ASSERT_TRUE(s.commit_block(b.block, b.receipts, *staged).ok());
        if (n == 3) at_three = dump(db);
        blocks.push_back(b);
    }
    EXPECT_EQ(synced.head().value()->number, 5u);
    ASSERT_TRUE(db.crash().is_ok());
    ChainStore reopened(db);
    auto head = reopened.head().value();
    EXPECT_EQ(head->number, 3u);
    EXPECT_EQ(head->hash, chain::header_hash(blocks[2].block.header));
    EXPECT_EQ(dump(db), at_three);
    for (size_t i = 3; i < 5; ++i)
        for (const auto& tx : blocks[i].block.body.transactions)
            EXPECT_FALSE(reopened.transaction_location(chain::transaction_hash(tx)).value().has_value());
    // The head state is block 3's.
    Address counter;
    counter.bytes[0] = 0xcc;
    EXPECT_EQ(reopened.head_state().read_account(counter)->balance, uint256(3));
    // And the chain goes on from block 3.
    const auto& b4 = blocks[3];
    auto staged = reopened.stage_state(b4.diff);
    ASSERT_TRUE(staged.ok());
    EXPECT_EQ(staged->root, b4.block.header.state_root);
    ASSERT_TRUE(reopened.commit_block(b4.block, b4.receipts, *staged).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, FaultTest, ::testing::Values(false, true), backend_name);
