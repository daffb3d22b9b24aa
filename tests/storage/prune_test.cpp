#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "chain_test_util.hpp"
#include "crypto/keccak.hpp"
#include "storage/fault_injecting_database.hpp"
#include "storage_test_util.hpp"
#include "trie/common.hpp"

using namespace trellis;
using namespace trellis::storage;
using namespace trellis::storage::test;

namespace {

bool same(const state::AccountRecord& x, const state::AccountRecord& y) {
    return x.nonce == y.nonce && x.balance == y.balance && x.code_hash == y.code_hash;
}

constexpr size_t kAccounts = 24;
constexpr size_t kSlots = 12;

Address account(size_t i) {
    Address a;
    a.bytes[0] = 0xac;
    a.bytes[19] = uint8_t(i);
    return a;
}

Bytes32 slot(size_t i) {
    Bytes32 s;
    s.bytes[31] = uint8_t(i);
    return s;
}

/// The genesis state as a MemoryStateDb: the model the chain's states are
/// compared with.
state::MemoryStateDb genesis_model(const chain::Genesis& g) {
    state::MemoryStateDb m;
    for (const auto& [addr, acc] : g.alloc)
        m.put_account(addr, acc.nonce, acc.balance, acc.code, acc.storage);
    return m;
}

/// A block's churn: slot writes drawn from few values (so tries return to
/// earlier shapes and nodes erased by a prune are created again later),
/// balance changes, and now and then an account deleted or its storage
/// wiped (whole storage tries become unreachable).
state::StateDiff churn(std::mt19937_64& rng, state::MemoryStateDb& model) {
    state::StateDiff diff;
    for (int i = 0; i < 20; ++i) {
        const Address a = account(rng() % kAccounts);
        const bool first = !diff.accounts.contains(a);
        auto& ch = diff.accounts[a];
        if (ch.deleted) continue;
        auto prior = model.read_account(a);
        if (first && prior) ch.record = *prior;
        const uint64_t pick = rng() % 40;
        if (pick == 0 && prior) {
            ch = {};
            ch.deleted = true;
            continue;
        }
        if (pick == 1) ch.storage_cleared = true;
        ch.record.balance = uint256(rng() % 7);
        ch.record.nonce = rng() % 3;
        const uint64_t v = rng() % 4;  // 0 erases the slot
        ch.storage[slot(rng() % kSlots)] = uint256(v).to_be();
    }
    model.apply(diff);
    return diff;
}

/// Commits `count` churn blocks on top of store's head, calling
/// prune_if_due after each; models[n] is the state after block n.
void grow(ChainStore& store, std::mt19937_64& rng, std::vector<state::MemoryStateDb>& models,
          std::vector<Hash32>& hashes, uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) {
        auto head = store.head();
        ASSERT_TRUE(head.ok() && head->has_value());
        state::MemoryStateDb model = models.back();
        const state::StateDiff diff = churn(rng, model);
        auto staged = store.stage_state(diff);
        ASSERT_TRUE(staged.ok()) << staged.error().to_string();
        ASSERT_EQ(staged->root, model.state_root());
        chain::Block block;
        block.header.parent_hash = (*head)->hash;
        block.header.number = (*head)->number + 1;
        block.header.timestamp = 1'700'000'000 + block.header.number;
        block.header.gas_limit = 30'000'000;
        block.header.state_root = staged->root;
        block.header.transactions_root = chain::transactions_root({});
        block.header.receipts_root = chain::receipts_root({});
        auto hash = store.commit_block(block, {}, std::move(*staged));
        ASSERT_TRUE(hash.ok()) << hash.error().to_string();
        auto pruned = store.prune_if_due();
        ASSERT_TRUE(pruned.ok()) << pruned.error().to_string();
        models.push_back(std::move(model));
        hashes.push_back(*hash);
    }
}

/// Every account and slot of the universe the churn touches (and the
/// genesis accounts) read through the tries equals the model's.
void expect_state_complete(ChainStore& store, const Hash32& block_hash, state::MemoryStateDb& model,
                           uint64_t n) {
    SCOPED_TRACE("block " + std::to_string(n));
    auto reader = store.state_at(block_hash);
    ASSERT_TRUE(reader.ok()) << reader.error().to_string();
    size_t compared = 0;
    for (size_t i = 0; i < kAccounts; ++i) {
        const Address a = account(i);
        auto got = reader->read_stored_account(a);
        auto want = model.read_account(a);
        ASSERT_EQ(got.has_value(), want.has_value());
        if (want) {
            EXPECT_TRUE(same(got->record, *want));
            EXPECT_EQ(got->storage_root, model.storage_root(a));
        }
        for (size_t s = 0; s < kSlots; ++s, ++compared)
            ASSERT_EQ(reader->read_storage(a, slot(s)), model.read_storage(a, slot(s))) << "slot " << s;
    }
    for (const auto& [a, acc] : model.accounts()) {
        auto got = reader->read_account(a);
        ASSERT_TRUE(got.has_value());
        EXPECT_TRUE(same(*got, acc.record));
        for (const auto& [k, v] : acc.storage) EXPECT_EQ(reader->read_storage(a, k), v);
    }
    EXPECT_TRUE(reader->status().is_ok()) << reader->status().to_string();
    EXPECT_EQ(compared, kAccounts * kSlots);
}

void expect_pruned(ChainStore& store, const Hash32& block_hash, uint64_t n) {
    auto reader = store.state_at(block_hash);
    ASSERT_FALSE(reader.ok()) << "state of block " << n << " is still served";
    EXPECT_EQ(reader.error().code(), Status::Code::kPruned);
    EXPECT_NE(reader.error().message().find("state of block " + std::to_string(n) + " has been pruned"),
              std::string::npos)
        << reader.error().message();
}

size_t count_nodes(ReadView& db) {
    size_t n = 0;
    for (auto it = db.iterate(Column::kTrieNodes, {}, {}); it->valid(); it->next()) ++n;
    return n;
}

class PruneTest : public ::testing::TestWithParam<bool> {};

/// Genesis plus `blocks` churn blocks under settings; models[n] and
/// hashes[n] for n = 0..blocks.
struct Chain {
    std::vector<state::MemoryStateDb> models;
    std::vector<Hash32> hashes;
};

Chain build(ChainStore& store, const PruneSettings& settings, uint64_t blocks, uint64_t seed = 7) {
    Chain c;
    const chain::Genesis g = test_genesis();
    store.set_pruning(settings);
    auto gh = store.init_genesis(g);
    EXPECT_TRUE(gh.ok());
    c.models.push_back(genesis_model(g));
    c.hashes.push_back(*gh);
    std::mt19937_64 rng(seed);
    grow(store, rng, c.models, c.hashes, blocks);
    return c;
}

void check_pruned_chain(ChainStore& store, Chain& c, uint64_t keep) {
    const uint64_t head = c.hashes.size() - 1;
    for (uint64_t n = 0; n <= head; ++n) {
        if (n + keep > head)
            expect_state_complete(store, c.hashes[n], c.models[n], n);
        else
            expect_pruned(store, c.hashes[n], n);
        // Only state goes: every block's records stay.
        auto blk = store.block(c.hashes[n]);
        ASSERT_TRUE(blk.ok() && blk->has_value()) << n;
        auto rs = store.receipts(c.hashes[n]);
        ASSERT_TRUE(rs.ok() && rs->has_value()) << n;
        auto canon = store.canonical_hash(n);
        ASSERT_TRUE(canon.ok() && canon->has_value() && **canon == c.hashes[n]) << n;
    }
    // The head's flat state is untouched.
    auto flat = store.head_state();
    for (size_t i = 0; i < kAccounts; ++i)
        for (size_t s = 0; s < kSlots; ++s)
            ASSERT_EQ(flat.read_storage(account(i), slot(s)),
                      c.models.back().read_storage(account(i), slot(s)));
    EXPECT_TRUE(flat.status().is_ok());
}

TEST_P(PruneTest, every_block_keeps_the_last_n_states_whole_and_refuses_older_ones) {
    DbFactory f(GetParam());
    ChainStore store(f.db(), false);
    const uint64_t keep = 5;
    Chain c = build(store, PruneSettings{.keep_last = keep, .interval = 1}, 20);
    check_pruned_chain(store, c, keep);
    // More blocks after a check (nodes erased earlier are re-created by the churn).
    std::mt19937_64 rng(99);
    grow(store, rng, c.models, c.hashes, 20);
    check_pruned_chain(store, c, keep);
    // With interval 1 the last prune ran at the head: exactly the kept states' nodes remain.
    auto stats = store.prune(keep);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->erased_nodes, 0u);
    EXPECT_EQ(count_nodes(f.db()), stats->marked_nodes);
    // The nodes are really gone, not only refused: the trie of block 0 is unreadable.
    TrieStateReader old(f.db(), c.models[0].state_root());
    (void)old.read_account(emitter(1));
    EXPECT_FALSE(old.status().is_ok());
}

TEST_P(PruneTest, sweeps_every_interval_blocks_and_still_refuses_past_the_depth_between_sweeps) {
    DbFactory f(GetParam());
    ChainStore store(f.db(), false);
    const uint64_t keep = 4;
    Chain c = build(store, PruneSettings{.keep_last = keep, .interval = 3, .batch_erases = 16}, 31);
    check_pruned_chain(store, c, keep);
    auto oldest = store.oldest_state();
    ASSERT_TRUE(oldest.ok());
    EXPECT_EQ(*oldest, 31 - keep + 1);
}

TEST_P(PruneTest, reopened_store_keeps_the_floor_and_refuses_pruned_states) {
    DbFactory f(GetParam());
    Chain c;
    {
        ChainStore store(f.db(), false);
        c = build(store, PruneSettings{.keep_last = 3, .interval = 1}, 12);
    }
    f.reopen();
    // Opened in archive mode: the floor on disk still refuses what is gone.
    ChainStore store(f.db(), false);
    auto oldest = store.oldest_state();
    ASSERT_TRUE(oldest.ok());
    EXPECT_EQ(*oldest, 10u);
    check_pruned_chain(store, c, 3);
}

TEST_P(PruneTest, archive_mode_keeps_every_state) {
    DbFactory f(GetParam());
    ChainStore store(f.db(), false);
    Chain c = build(store, PruneSettings{}, 25);
    auto due = store.prune_if_due();
    ASSERT_TRUE(due.ok());
    EXPECT_FALSE(due->ran);
    for (uint64_t n = 0; n < c.hashes.size(); ++n) expect_state_complete(store, c.hashes[n], c.models[n], n);
    auto oldest = store.oldest_state();
    ASSERT_TRUE(oldest.ok());
    EXPECT_EQ(*oldest, 0u);
    EXPECT_FALSE(store.prune(0).ok());  // keeping nothing is not a prune
}

/// Fails the k-th write of a prune for every k (the floor marker, then each
/// erase batch), with and without a crash that loses the unsynced erases,
/// reopens, and reads every kept state completely; then a prune finishes and
/// leaves exactly the kept states' nodes.
TEST_P(PruneTest, a_failure_or_crash_at_any_write_of_a_prune_leaves_every_kept_state_whole) {
    const uint64_t blocks = 16, keep = 4;
    const PruneSettings settings{.keep_last = 0, .batch_erases = 24};
    uint64_t total_writes = 0;
    {
        DbFactory f(GetParam());
        ChainStore store(f.db(), false);
        build(store, settings, blocks);
        auto s = store.prune(keep);
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        total_writes = s->writes;
    }
    ASSERT_GE(total_writes, 3u);  // the floor and at least two erase batches
    for (bool crash : {false, true}) {
        for (uint64_t k = 1; k <= total_writes; ++k) {
            SCOPED_TRACE((crash ? "crash after failing write " : "failing write ") + std::to_string(k));
            DbFactory f(GetParam());
            auto fdb = std::make_unique<FaultInjectingDatabase>(f.db());
            auto store = std::make_unique<ChainStore>(*fdb, true);
            Chain c = build(*store, settings, blocks);
            fdb->fail_nth_write(k);
            auto s = store->prune(keep);
            ASSERT_FALSE(s.ok());
            EXPECT_EQ(s.error().code(), Status::Code::kInjectedFault);
            if (crash) ASSERT_TRUE(fdb->crash().is_ok());
            store.reset();
            fdb.reset();
            f.reopen();
            ChainStore reopened(f.db(), true);
            auto head = reopened.head();
            ASSERT_TRUE(head.ok() && head->has_value());
            ASSERT_EQ((*head)->number, blocks);
            for (uint64_t n = blocks + 1 - keep; n <= blocks; ++n)
                expect_state_complete(reopened, c.hashes[n], c.models[n], n);
            auto oldest = reopened.oldest_state();
            ASSERT_TRUE(oldest.ok());
            // The floor is written first and synced: present unless it was the failed write.
            EXPECT_EQ(*oldest, k == 1 ? 0 : blocks + 1 - keep);
            auto done = reopened.prune(keep);
            ASSERT_TRUE(done.ok()) << done.error().to_string();
            EXPECT_EQ(count_nodes(f.db()), done->marked_nodes);
            check_pruned_chain(reopened, c, keep);
        }
    }
}

TEST_P(PruneTest, a_kept_state_found_incomplete_stops_the_prune_before_any_write) {
    DbFactory f(GetParam());
    ChainStore store(f.db(), false);
    Chain c = build(store, PruneSettings{}, 6);
    // Remove the head's root node: marking must fail and erase nothing.
    WriteBatch b;
    b.erase(Column::kTrieNodes, c.models.back().state_root().view());
    ASSERT_TRUE(f.db().write(b, true).is_ok());
    const size_t before = count_nodes(f.db());
    auto s = store.prune(2);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Status::Code::kCorruption);
    EXPECT_EQ(count_nodes(f.db()), before);
    auto oldest = store.oldest_state();
    ASSERT_TRUE(oldest.ok());
    EXPECT_EQ(*oldest, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, PruneTest, ::testing::Bool(), backend_name);

}  // namespace
