#include "storage/chain_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "chain_test_util.hpp"
#include "storage_test_util.hpp"

using namespace trellis;
using namespace trellis::storage;
using namespace trellis::storage::test;

namespace {

class ChainStoreTest : public ::testing::TestWithParam<bool> {
protected:
    DbFactory f{GetParam()};
};

/// What a full scan of every receipt finds: the reference for logs().
std::vector<LogMatch> brute_force_logs(const std::vector<BuiltBlock>& blocks, const LogFilter& filter) {
    std::vector<LogMatch> out;
    for (const auto& b : blocks) {
        const auto n = b.block.header.number;
        if (n < filter.from || n > filter.to) continue;
        uint32_t li = 0;
        for (size_t i = 0; i < b.receipts.size(); ++i)
            for (const auto& log : b.receipts[i].logs) {
                bool ok = filter.addresses.empty() ||
                          std::count(filter.addresses.begin(), filter.addresses.end(), log.address);
                for (size_t p = 0; ok && p < filter.topics.size(); ++p)
                    ok = filter.topics[p].empty() ||
                         (p < log.topics.size() &&
                          std::count(filter.topics[p].begin(), filter.topics[p].end(), log.topics[p]));
                if (ok)
                    out.push_back(LogMatch{log, n, chain::header_hash(b.block.header),
                                           chain::transaction_hash(b.block.body.transactions[i]), uint32_t(i),
                                           li});
                ++li;
            }
    }
    return out;
}

bool same(const std::vector<LogMatch>& a, const std::vector<LogMatch>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!(a[i].log == b[i].log && a[i].block_num == b[i].block_num &&
              a[i].block_hash == b[i].block_hash && a[i].tx_hash == b[i].tx_hash &&
              a[i].tx_index == b[i].tx_index && a[i].log_index == b[i].log_index))
            return false;
    return true;
}

}  // namespace

TEST_P(ChainStoreTest, genesis_is_committed_once_and_a_different_genesis_is_refused) {
    ChainStore store(f.db());
    const chain::Genesis g = test_genesis();
    auto h = store.init_genesis(g);
    ASSERT_TRUE(h.ok()) << h.error().to_string();
    EXPECT_EQ(*h, chain::genesis_hash(g));
    auto head = store.head();
    ASSERT_TRUE(head.ok() && head->has_value());
    EXPECT_EQ((*head)->hash, *h);
    EXPECT_EQ((*head)->number, 0u);
    EXPECT_EQ((*head)->state_root, chain::genesis_state_root(g));
    EXPECT_EQ(*store.genesis_hash().value(), *h);
    // The alloc is readable from the flat state.
    auto flat = store.head_state();
    EXPECT_EQ(flat.read_storage(emitter(1), Bytes32{}), uint256(42).to_be());
    EXPECT_EQ(flat.read_code(flat.read_account(emitter(1))->code_hash), g.alloc.at(emitter(1)).code);

    f.reopen();
    ChainStore again(f.db());
    auto h2 = again.init_genesis(g);  // idempotent on the same chain
    ASSERT_TRUE(h2.ok());
    EXPECT_EQ(*h2, *h);
    auto other = again.init_genesis(test_genesis(1338));
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(again.head().value()->hash, *h);
}

TEST_P(ChainStoreTest, every_index_answers_after_commits_and_reopen) {
    auto store = std::make_unique<ChainStore>(f.db());
    ASSERT_TRUE(store->init_genesis(test_genesis()).ok());
    const auto blocks = extend_chain(*store, 12);
    store.reset();
    f.reopen();
    ChainStore s(f.db());
    auto head = s.head();
    ASSERT_TRUE(head.ok() && head->has_value());
    EXPECT_EQ((*head)->number, 12u);
    EXPECT_EQ((*head)->hash, chain::header_hash(blocks.back().block.header));
    for (const auto& b : blocks) {
        const Hash32 hash = chain::header_hash(b.block.header);
        const auto n = b.block.header.number;
        EXPECT_EQ(*s.canonical_hash(n).value(), hash);
        EXPECT_EQ(*s.block_number(hash).value(), n);
        EXPECT_EQ(*s.header(hash).value(), b.block.header);
        EXPECT_EQ(*s.header_by_number(n).value(), b.block.header);
        EXPECT_EQ(*s.body(hash).value(), b.block.body);
        EXPECT_EQ(*s.block(hash).value(), b.block);
        EXPECT_EQ(*s.receipts(hash).value(), b.receipts);
        for (size_t i = 0; i < b.block.body.transactions.size(); ++i) {
            auto loc = s.transaction_location(chain::transaction_hash(b.block.body.transactions[i]));
            ASSERT_TRUE(loc.ok() && loc->has_value());
            EXPECT_EQ(**loc, (TxLocation{hash, n, uint32_t(i)}));
        }
        // The state after each block stays readable through the tries.
        auto st = s.state_at(hash);
        ASSERT_TRUE(st.ok());
        Address counter;
        counter.bytes[0] = 0xcc;
        EXPECT_EQ(st->read_account(counter)->balance, uint256(n));
        EXPECT_EQ(st->read_storage(counter, Bytes32{}), uint256(n + 1).to_be());
    }
    Hash32 unknown;
    unknown.bytes.fill(0x99);
    EXPECT_FALSE(s.header(unknown).value().has_value());
    EXPECT_FALSE(s.canonical_hash(13).value().has_value());
    EXPECT_FALSE(s.transaction_location(unknown).value().has_value());
    EXPECT_FALSE(s.receipts(unknown).value().has_value());
}

TEST_P(ChainStoreTest, log_queries_match_a_full_scan) {
    ChainStore s(f.db());
    ASSERT_TRUE(s.init_genesis(test_genesis()).ok());
    const auto blocks = extend_chain(s, 30);
    std::vector<LogFilter> filters;
    auto add = [&](BlockNum from, BlockNum to, std::vector<Address> a, std::vector<std::vector<Hash32>> t) {
        LogFilter lf;
        lf.from = from;
        lf.to = to;
        lf.addresses = std::move(a);
        lf.topics = std::move(t);
        filters.push_back(lf);
    };
    add(0, 30, {}, {});
    add(5, 9, {}, {});
    add(0, 100, {emitter(2)}, {});
    add(3, 20, {emitter(2), emitter(4)}, {});
    add(0, 30, {}, {{topic(1)}});
    add(0, 30, {}, {{}, {topic(7)}});
    add(0, 30, {}, {{topic(7)}});  // topic 7 only ever sits at position 1
    add(0, 30, {emitter(0)}, {{topic(0), topic(2)}, {topic(7)}});
    add(10, 10, {emitter(3)}, {});
    add(0, 30, {emitter(77)}, {});
    add(0, 30, {}, {{}, {}, {topic(1)}});  // no log has a third topic
    add(20, 10, {}, {});                   // empty range
    for (size_t i = 0; i < filters.size(); ++i) {
        auto got = s.logs(filters[i]);
        ASSERT_TRUE(got.ok()) << got.error().to_string();
        LogFilter clamped = filters[i];
        EXPECT_TRUE(same(*got, brute_force_logs(blocks, clamped))) << "filter " << i << ": " << got->size();
    }
    // Bounded answers.
    LogFilter all;
    all.to = 30;
    all.max_results = 3;
    auto capped = s.logs(all);
    ASSERT_FALSE(capped.ok());
    EXPECT_EQ(capped.error().code(), Status::Code::kInvalidArgument);
    LogFilter five;
    five.to = 30;
    five.topics.resize(5);
    EXPECT_FALSE(s.logs(five).ok());
}

TEST_P(ChainStoreTest, log_index_visits_only_blocks_with_matches) {
    // The index has one entry per (address, block) and (topic, block).
    ChainStore s(f.db());
    ASSERT_TRUE(s.init_genesis(test_genesis()).ok());
    const auto blocks = extend_chain(s, 8);
    for (const auto& b : blocks) {
        const auto n = b.block.header.number;
        for (uint8_t e = 0; e < 5; ++e) {
            bool emits = false;
            for (const auto& r : b.receipts)
                for (const auto& l : r.logs) emits |= l.address == emitter(e);
            auto v = f.db().get(Column::kIndexes, log_address_key(emitter(e), n));
            ASSERT_TRUE(v.ok());
            EXPECT_EQ(v->has_value(), emits) << "block " << n << " emitter " << int(e);
        }
    }
}

TEST_P(ChainStoreTest, commit_refuses_inconsistent_input_and_writes_nothing) {
    ChainStore s(f.db());
    ASSERT_TRUE(s.init_genesis(test_genesis()).ok());
    const Hash32 genesis = s.head().value()->hash;
    BuiltBlock b = build_block(1, 0);
    b.block.header.parent_hash = genesis;
    auto staged = s.stage_state(b.diff);
    ASSERT_TRUE(staged.ok());
    b.block.header.state_root = staged->root;

    auto expect_refused = [&](chain::Block blk, std::vector<chain::Receipt> rs, const StagedState& st) {
        auto r = s.commit_block(blk, rs, st);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code(), Status::Code::kInvalidArgument) << r.error().to_string();
        EXPECT_EQ(s.head().value()->hash, genesis);
        EXPECT_FALSE(s.canonical_hash(1).value().has_value());
    };
    chain::Block x = b.block;
    x.header.parent_hash[0] ^= 1;
    expect_refused(x, b.receipts, *staged);
    x = b.block;
    x.header.number = 2;
    expect_refused(x, b.receipts, *staged);
    x = b.block;
    x.header.state_root[0] ^= 1;
    expect_refused(x, b.receipts, *staged);
    auto fewer = b.receipts;
    fewer.pop_back();
    expect_refused(b.block, fewer, *staged);
    StagedState stale = *staged;
    stale.parent_root[0] ^= 1;
    expect_refused(b.block, b.receipts, stale);

    auto ok = s.commit_block(b.block, b.receipts, *staged);
    ASSERT_TRUE(ok.ok());
    // A second commit of the same block no longer extends the head.
    auto again = s.commit_block(b.block, b.receipts, *staged);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(s.head().value()->hash, *ok);
}

TEST_P(ChainStoreTest, readers_during_commits_never_see_part_of_a_block) {
    // The head pointer is in the block's batch: once a reader sees a head,
    // every record and index of that block is there too.
    ChainStore s(f.db());
    ASSERT_TRUE(s.init_genesis(test_genesis()).ok());
    std::atomic<bool> stop{false};
    std::atomic<int> partial{0}, checks{0};
    std::thread reader([&] {
        ChainStore r(f.db());
        while (!stop || checks == 0) {
            auto head = r.head();
            if (!head.ok() || !head->has_value()) {
                ++partial;
                continue;
            }
            const Head h = **head;
            auto hash = r.canonical_hash(h.number);
            auto body = r.body(h.hash);
            auto receipts = r.receipts(h.hash);
            if (!hash.ok() || !*hash || **hash != h.hash || !body.ok() || !*body || !receipts.ok() ||
                !*receipts || (*receipts)->size() != (*body)->transactions.size()) {
                ++partial;
                continue;
            }
            for (const auto& tx : (*body)->transactions) {
                auto loc = r.transaction_location(chain::transaction_hash(tx));
                if (!loc.ok() || !*loc || (*loc)->block_hash != h.hash) ++partial;
            }
            ++checks;
        }
    });
    extend_chain(s, 40);
    stop = true;
    reader.join();
    EXPECT_EQ(partial.load(), 0);
    EXPECT_GT(checks.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ChainStoreTest, ::testing::Values(false, true), backend_name);
