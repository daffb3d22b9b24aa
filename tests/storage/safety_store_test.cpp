#include <gtest/gtest.h>

#include "crypto/keccak.hpp"
#include "storage/fault_injecting_database.hpp"
#include "storage/safety_store.hpp"
#include "storage_test_util.hpp"

using namespace trellis;
using namespace trellis::storage;
using namespace trellis::storage::test;

namespace {

consensus::SafetyState state_at(uint64_t view) {
    consensus::SafetyState s;
    s.epoch = 2;
    s.last_voted_view = view;
    s.last_voted_block = crypto::keccak256(as_view("block " + std::to_string(view)));
    s.last_timeout_view = view - 1;
    s.high_qc = consensus::QuorumCert{2, view - 1, crypto::keccak256(as_view("qc")), {{0, {1, 2}}, {3, {4}}}};
    return s;
}

}  // namespace

TEST(DbSafetyStore, a_fresh_database_has_no_state_and_the_last_save_survives_reopening) {
    DbFactory f(/*rocks=*/true);
    {
        DbSafetyStore store(f.db());
        auto empty = store.load();
        ASSERT_TRUE(empty);
        EXPECT_FALSE(empty->has_value());
        ASSERT_TRUE(store.save(state_at(10)));
        ASSERT_TRUE(store.save(state_at(11)));
    }
    f.reopen();
    DbSafetyStore again(f.db());
    auto loaded = again.load();
    ASSERT_TRUE(loaded);
    ASSERT_TRUE(loaded->has_value());
    EXPECT_EQ(**loaded, state_at(11));
}

TEST(DbSafetyStore, saves_are_synced_so_a_power_loss_keeps_every_returned_save) {
    MemoryDatabase inner;
    FaultInjectingDatabase db(inner);
    DbSafetyStore store(db);
    ASSERT_TRUE(store.save(state_at(5)));
    ASSERT_TRUE(db.crash().is_ok());  // drops unsynced writes only
    auto loaded = store.load();
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ(**loaded, state_at(5));
}

TEST(DbSafetyStore, a_failed_write_is_reported_and_keeps_the_previous_state) {
    MemoryDatabase inner;
    FaultInjectingDatabase db(inner);
    DbSafetyStore store(db);
    ASSERT_TRUE(store.save(state_at(5)));
    db.fail_nth_write(1);
    auto r = store.save(state_at(6));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), consensus::StoreError::kWriteFailed);
    EXPECT_EQ(**store.load(), state_at(5));
}

TEST(DbSafetyStore, a_record_that_does_not_decode_is_corrupt_not_a_fresh_start) {
    MemoryDatabase db;
    WriteBatch w;
    w.put(Column::kMeta, as_view("consensus/safety"), as_view("garbage"));
    ASSERT_TRUE(db.write(w, true).is_ok());
    DbSafetyStore store(db);
    auto r = store.load();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), consensus::StoreError::kCorrupt);
}
