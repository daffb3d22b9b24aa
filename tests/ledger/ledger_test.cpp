#include "ledger/ledger.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "base/hex.hpp"
#include "chain/block_root.hpp"
#include "crypto/secp256k1.hpp"
#include "support/temp_dir.hpp"

using namespace trellis;

namespace {

/// Each test's directory (tests/support/temp_dir.hpp).
struct TempDir : test::TempDir {
    TempDir() : test::TempDir("trellis-ledger") {}
};

Bytes32 key(uint8_t n) {
    Bytes32 k;
    k[31] = n;
    k[0] = 0x11;
    return k;
}
Address address_of(const Bytes32& k) {
    return crypto::secp256k1::address_of(crypto::secp256k1::public_key(k).value());
}

chain::Genesis test_genesis(uint64_t chain_id = 1337) {
    chain::Genesis g;
    g.chain_id = chain_id;
    g.gas_limit = 30'000'000;
    for (uint8_t i = 1; i <= 4; ++i) g.alloc[address_of(key(i))].balance = uint256(1) << 90;
    chain::GenesisValidator v;
    v.public_key = crypto::secp256k1::public_key(key(99)).value();
    v.address = address_of(key(99));
    v.stake = 100;
    g.validators.push_back(v);
    return g;
}

std::vector<execution::Candidate> transfers(uint8_t from, uint64_t first_nonce, int count,
                                            uint64_t chain_id = 1337) {
    std::vector<execution::Candidate> out;
    for (int i = 0; i < count; ++i) {
        chain::Transaction t;
        t.type = chain::TxType::kDynamicFee;
        t.chain_id = chain_id;
        t.nonce = first_nonce + uint64_t(i);
        t.gas_limit = 21000;
        t.max_fee_per_gas = 1;
        t.to = address_of(key(uint8_t(from + 1)));
        t.value = 1000;
        EXPECT_TRUE(chain::sign(t, key(from)));
        out.push_back({t, address_of(key(from))});
    }
    return out;
}

}  // namespace

TEST(Ledger, produced_blocks_survive_reopening_the_data_directory) {
    TempDir dir;
    Hash32 head;
    {
        auto l = ledger::Ledger::open(dir.path, test_genesis());
        ASSERT_TRUE(l) << l.error();
        for (int b = 0; b < 3; ++b) {
            auto p = (*l)->produce_block(transfers(1, uint64_t(b) * 5, 5), 1000 + uint64_t(b), Address{});
            ASSERT_TRUE(p) << p.error();
            EXPECT_EQ(p->block.body.transactions.size(), 5u);
            EXPECT_TRUE(p->skipped.empty());
        }
        head = (*l)->head_hash();
        EXPECT_EQ((*l)->head_header().number, 3u);
    }
    auto l = ledger::Ledger::open(dir.path, test_genesis());
    ASSERT_TRUE(l) << l.error();
    EXPECT_EQ((*l)->head_hash(), head);
    auto tx_loc = (*l)->store().transaction_location(chain::transaction_hash(transfers(1, 7, 1)[0].tx));
    ASSERT_TRUE(tx_loc && tx_loc->has_value());
}

TEST(Ledger, a_data_directory_from_another_genesis_is_refused) {
    TempDir dir;
    { ASSERT_TRUE(ledger::Ledger::open(dir.path, test_genesis(1337))); }
    auto other = ledger::Ledger::open(dir.path, test_genesis(1338));
    ASSERT_FALSE(other);
    EXPECT_NE(other.error().find("another chain"), std::string::npos) << other.error();
}

TEST(Ledger, imported_blocks_reproduce_the_producers_chain) {
    auto producer = ledger::Ledger::open_in_memory(test_genesis());
    auto follower = ledger::Ledger::open_in_memory(test_genesis());
    ASSERT_TRUE(producer && follower);
    for (int b = 0; b < 4; ++b) {
        auto p = (*producer)->produce_block(transfers(2, uint64_t(b) * 3, 3), 2000 + uint64_t(b), Address{});
        ASSERT_TRUE(p) << p.error();
        auto h = (*follower)->import_block(p->block);
        ASSERT_TRUE(h) << h.error();
        EXPECT_EQ(*h, p->hash);
    }
    EXPECT_EQ((*follower)->head_header().state_root, (*producer)->head_header().state_root);
}

TEST(Ledger, a_block_with_a_wrong_state_root_is_rejected_and_nothing_is_committed) {
    auto producer = ledger::Ledger::open_in_memory(test_genesis());
    auto follower = ledger::Ledger::open_in_memory(test_genesis());
    auto p = (*producer)->produce_block(transfers(3, 0, 2), 3000, Address{});
    ASSERT_TRUE(p);
    chain::Block bad = p->block;
    bad.header.state_root[0] ^= 1;
    auto r = (*follower)->import_block(bad);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("state root"), std::string::npos) << r.error();
    EXPECT_EQ((*follower)->head_header().number, 0u);
    chain::Block wrong_gas = p->block;
    wrong_gas.header.gas_used += 1;
    EXPECT_FALSE((*follower)->import_block(wrong_gas));
    EXPECT_TRUE((*follower)->import_block(p->block));
}

TEST(Ledger, pruning_keeps_the_last_states_and_refuses_older_ones) {
    TempDir dir;
    ledger::LedgerSettings settings;
    settings.pruning.keep_last = 2;
    settings.pruning.interval = 1;
    auto l = ledger::Ledger::open(dir.path, test_genesis(), settings);
    ASSERT_TRUE(l) << l.error();
    for (int b = 0; b < 5; ++b)
        ASSERT_TRUE((*l)->produce_block(transfers(4, uint64_t(b), 1), 5000 + uint64_t(b), Address{}));
    EXPECT_TRUE((*l)->last_prune_error().empty()) << (*l)->last_prune_error();
    const auto head = (*l)->head_hash();
    EXPECT_TRUE((*l)->store().state_at(head));
    auto old = (*l)->store().canonical_hash(1);
    ASSERT_TRUE(old && old->has_value());
    auto pruned = (*l)->store().state_at(**old);
    ASSERT_FALSE(pruned);
    EXPECT_NE(pruned.error().message().find("pruned"), std::string::npos) << pruned.error().to_string();
}
