#include "storage/state_store.hpp"

#include <gtest/gtest.h>

#include <random>

#include "crypto/keccak.hpp"
#include "state/state_db.hpp"
#include "storage/trie_node_store.hpp"
#include "storage_test_util.hpp"
#include "trie/trie.hpp"

using namespace trellis;
using namespace trellis::storage;
using namespace trellis::storage::test;

namespace {

Address addr(uint8_t i) {
    Address a;
    a.bytes[19] = i;
    a.bytes[0] = 0xa0;
    return a;
}
Bytes32 word(uint64_t v) {
    return uint256(v).to_be();
}

/// A random diff over a small address and slot space, so changes hit
/// existing accounts and slots often: creations, updates, deletions, storage
/// wipes, slot zeroing, code.
state::StateDiff random_diff(std::mt19937_64& rng, const state::MemoryStateDb& current) {
    state::StateDiff d;
    const int n = 1 + int(rng() % 6);
    for (int i = 0; i < n; ++i) {
        const Address a = addr(uint8_t(rng() % 12));
        auto& ch = d.accounts[a];
        ch = {};  // a second pick of the same address replaces the first
        const unsigned kind = rng() % 10;
        if (kind == 0) {
            ch.deleted = true;
            continue;
        }
        ch.record.nonce = rng() % 5;
        ch.record.balance = uint256(rng() % 1000);
        auto it = current.accounts().find(a);
        if (it != current.accounts().end()) ch.record.code_hash = it->second.record.code_hash;
        if (kind == 1) {
            Bytes code(1 + rng() % 40, uint8_t(rng()));
            ch.record.code_hash = crypto::keccak256(code);
            ch.code = code;
        }
        if (kind == 2) ch.storage_cleared = true;
        const int slots = int(rng() % 5);
        for (int s = 0; s < slots; ++s)
            ch.storage[word(rng() % 8)] = word(rng() % 3 == 0 ? 0 : rng() % 100000 + 1);
    }
    return d;
}

class StateStoreTest : public ::testing::TestWithParam<bool> {
protected:
    DbFactory f{GetParam()};
};

}  // namespace

TEST_P(StateStoreTest, roots_match_memory_state_over_random_diffs_and_history_stays_readable) {
    std::mt19937_64 rng(20261128);
    state::MemoryStateDb mem;
    Hash32 root = trie::kEmptyRoot;
    std::vector<std::pair<Hash32, state::MemoryStateDb>> history;
    for (int step = 0; step < 60; ++step) {
        const state::StateDiff diff = random_diff(rng, mem);
        auto staged = stage_state_diff(f.db(), root, diff);
        ASSERT_TRUE(staged.ok()) << staged.error().to_string();
        mem.apply(diff);
        ASSERT_EQ(staged->root, mem.state_root()) << "step " << step;
        ASSERT_TRUE(f.db().write(staged->batch, false).is_ok());
        root = staged->root;
        history.emplace_back(root, mem);

        // The flat state reads as the memory state.
        FlatStateReader flat(f.db());
        for (uint8_t i = 0; i < 12; ++i) {
            const Address a = addr(i);
            ASSERT_EQ(flat.read_account(a).has_value(), mem.read_account(a).has_value()) << int(i);
            if (auto acc = mem.read_account(a)) {
                EXPECT_EQ(flat.read_account(a)->balance, acc->balance);
                EXPECT_EQ(flat.read_account(a)->nonce, acc->nonce);
                EXPECT_EQ(flat.read_account(a)->code_hash, acc->code_hash);
                EXPECT_EQ(flat.read_code(acc->code_hash), mem.read_code(acc->code_hash));
                EXPECT_EQ(flat.read_stored_account(a)->storage_root, mem.storage_root(a));
            }
            EXPECT_EQ(flat.has_storage(a), mem.has_storage(a)) << int(i) << " step " << step;
            for (uint64_t s = 0; s < 8; ++s)
                EXPECT_EQ(flat.read_storage(a, word(s)), mem.read_storage(a, word(s)));
        }
        EXPECT_TRUE(flat.status().is_ok());
    }
    if (f.is_rocks()) {
        f.reopen();
    }
    // Every earlier state is still readable through the tries.
    for (size_t h = 0; h < history.size(); h += 7) {
        auto& [r, m] = history[h];
        TrieStateReader tr(f.db(), r);
        for (uint8_t i = 0; i < 12; ++i) {
            const Address a = addr(i);
            auto want = m.read_account(a);
            auto got = tr.read_account(a);
            ASSERT_EQ(got.has_value(), want.has_value());
            if (want) {
                EXPECT_EQ(got->balance, want->balance);
            }
            EXPECT_EQ(tr.has_storage(a), m.has_storage(a));
            for (uint64_t s = 0; s < 8; ++s)
                EXPECT_EQ(tr.read_storage(a, word(s)), m.read_storage(a, word(s)));
        }
        EXPECT_TRUE(tr.status().is_ok()) << tr.status().to_string();
    }
}

TEST_P(StateStoreTest, proofs_verify_against_the_state_root) {
    state::StateDiff d;
    for (uint8_t i = 0; i < 20; ++i) {
        auto& ch = d.accounts[addr(i)];
        ch.record.balance = uint256(i + 1u);
        ch.storage[word(1)] = word(100 + i);
    }
    auto staged = stage_state_diff(f.db(), trie::kEmptyRoot, d);
    ASSERT_TRUE(staged.ok());
    ASSERT_TRUE(f.db().write(staged->batch, true).is_ok());
    TrieStateReader tr(f.db(), staged->root);
    auto proof = tr.account_proof(addr(3));
    ASSERT_TRUE(proof.ok());
    auto leaf = trie::verify_proof(staged->root, crypto::keccak256(addr(3).view()), *proof);
    ASSERT_TRUE(leaf.ok() && leaf->has_value());
    auto acc = decode_account(**leaf);
    ASSERT_TRUE(acc.has_value());
    EXPECT_EQ(acc->record.balance, uint256(4));
    auto sp = tr.storage_proof(addr(3), word(1));
    ASSERT_TRUE(sp.ok());
    auto slot = trie::verify_proof(acc->storage_root, crypto::keccak256(word(1).view()), *sp);
    ASSERT_TRUE(slot.ok() && slot->has_value());
    // Absence of an account is provable too.
    auto none = tr.account_proof(addr(99));
    ASSERT_TRUE(none.ok());
    auto absent = trie::verify_proof(staged->root, crypto::keccak256(addr(99).view()), *none);
    ASSERT_TRUE(absent.ok());
    EXPECT_FALSE(absent->has_value());
}

TEST_P(StateStoreTest, nothing_is_written_until_the_batch_is) {
    state::StateDiff d;
    d.accounts[addr(1)].record.balance = 5;
    auto staged = stage_state_diff(f.db(), trie::kEmptyRoot, d);
    ASSERT_TRUE(staged.ok());
    EXPECT_FALSE(staged->batch.empty());
    FlatStateReader flat(f.db());
    EXPECT_FALSE(flat.read_account(addr(1)).has_value());
    auto it = f.db().iterate(Column::kTrieNodes, {}, {});
    EXPECT_FALSE(it->valid());
}

TEST_P(StateStoreTest, missing_trie_nodes_are_a_status_not_a_crash) {
    Hash32 bogus;
    bogus.bytes.fill(0x77);
    state::StateDiff d;
    d.accounts[addr(1)].record.balance = 5;
    auto staged = stage_state_diff(f.db(), bogus, d);
    ASSERT_FALSE(staged.ok());
    EXPECT_EQ(staged.error().code(), Status::Code::kCorruption);
    TrieStateReader tr(f.db(), bogus);
    EXPECT_FALSE(tr.read_account(addr(1)).has_value());
    EXPECT_FALSE(tr.status().is_ok());
}

TEST(StateStore, account_encoding_is_ethereums_leaf) {
    StoredAccount a;
    a.record.nonce = 1;
    a.record.balance = 2;
    a.storage_root = trie::kEmptyRoot;
    const Bytes enc = encode_account(a);
    // RLP[1, 2, emptyRoot, emptyCodeHash]: 0xf8 0x44 0x01 0x02 0xa0 ... 0xa0 ...
    EXPECT_EQ(enc.size(), 70u);
    EXPECT_EQ(enc[0], 0xf8);
    EXPECT_EQ(enc[2], 0x01);
    EXPECT_EQ(enc[3], 0x02);
    auto d = decode_account(enc);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->storage_root, trie::kEmptyRoot);
    EXPECT_EQ(d->record.code_hash, state::kEmptyCodeHash);
    EXPECT_FALSE(decode_account(ByteView(enc).first(10)).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, StateStoreTest, ::testing::Values(false, true), backend_name);

TEST_P(StateStoreTest, node_store_holds_puts_until_staged_and_written) {
    DbNodeStore nodes(f.db());
    trie::Trie t(nodes);
    for (int i = 0; i < 50; ++i) {
        const Bytes k = {uint8_t(i), uint8_t(i * 7)};
        ASSERT_TRUE(t.put(k, Bytes(40, uint8_t(i))).ok());
    }
    const Hash32 root = t.commit();
    EXPECT_GT(nodes.pending_count(), 1u);
    // Pending nodes are readable before they reach the database.
    EXPECT_TRUE(nodes.get(root).has_value());
    EXPECT_FALSE(f.db().get(Column::kTrieNodes, root.view()).value().has_value());
    WriteBatch w;
    nodes.stage(w);
    EXPECT_EQ(w.size(), nodes.pending_count());
    ASSERT_TRUE(f.db().write(w, true).is_ok());
    nodes.clear_pending();
    // A fresh store on the database opens the same trie.
    DbNodeStore fresh(f.db());
    trie::Trie again(fresh, root);
    auto v = again.get(Bytes{7, 49});
    ASSERT_TRUE(v.ok() && v->has_value());
    EXPECT_EQ(**v, Bytes(40, 7));
    EXPECT_TRUE(fresh.status().is_ok());
}

TEST_P(StateStoreTest, corrupt_flat_records_are_reported_in_status) {
    WriteBatch w;
    w.put(Column::kFlatState, account_key(addr(1)), Bytes{0xc0});
    w.put(Column::kFlatState, storage_key(addr(1), word(1)), Bytes(33, 1));
    ASSERT_TRUE(f.db().write(w, true).is_ok());
    FlatStateReader flat(f.db());
    EXPECT_FALSE(flat.read_account(addr(1)).has_value());
    EXPECT_EQ(flat.status().code(), Status::Code::kCorruption);
    FlatStateReader flat2(f.db());
    EXPECT_EQ(flat2.read_storage(addr(1), word(1)), Bytes32{});
    EXPECT_EQ(flat2.status().code(), Status::Code::kCorruption);
}
