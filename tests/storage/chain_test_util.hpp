#pragma once

// Builds small chains for the chain store tests: signed transactions, receipts
// with logs on a pattern the tests can predict, and a state change per block.

#include <gtest/gtest.h>

#include "chain/block_root.hpp"
#include "chain/genesis.hpp"
#include "chain/genesis_state.hpp"
#include "chain/receipt_root.hpp"
#include "crypto/suite.hpp"
#include "storage/chain_store.hpp"

namespace trellis::storage::test {

inline Bytes32 test_key(uint8_t b) {
    Bytes32 k;
    k.bytes.fill(b);
    return k;
}

inline Address emitter(uint8_t i) {
    Address a;
    a.bytes[0] = 0xe0;
    a.bytes[19] = i;
    return a;
}

inline Hash32 topic(uint8_t i) {
    Hash32 t;
    t.bytes[0] = 0x70;
    t.bytes[31] = i;
    return t;
}

inline chain::Genesis test_genesis(uint64_t chain_id = 1337) {
    chain::Genesis g;
    g.chain_id = chain_id;
    g.timestamp = 1'700'000'000;
    g.base_fee = chain::FixedBaseFee{0};
    chain::GenesisAccount rich;
    rich.balance = uint256(1) << 100;
    g.alloc[crypto::ethereum_suite().address_of(crypto::ethereum_suite().public_key(test_key(1)).value())] =
        rich;
    chain::GenesisAccount contract;
    contract.code = {0x60, 0x01, 0x60, 0x00, 0x55};
    contract.storage[Bytes32{}] = uint256(42).to_be();
    g.alloc[emitter(1)] = contract;
    chain::GenesisValidator v;
    v.public_key = crypto::ethereum_suite().public_key(test_key(9)).value();
    v.address = crypto::ethereum_suite().address_of(v.public_key);
    v.stake = 1;
    g.validators.push_back(v);
    return g;
}

/// Block n's content: n % 4 transactions; transaction i logs from
/// emitter((n + i) % 5) with topics {topic(n % 3), topic(7)}; the state
/// change sets a counter account's balance to n.
struct BuiltBlock {
    chain::Block block;
    std::vector<chain::Receipt> receipts;
    state::StateDiff diff;
};

inline BuiltBlock build_block(uint64_t n, uint64_t first_nonce) {
    BuiltBlock out;
    const size_t ntx = n % 4;
    chain::Gas cumulative = 0;
    for (size_t i = 0; i < ntx; ++i) {
        chain::Transaction tx;
        tx.type = chain::TxType(i % 3);
        tx.chain_id = 1337;
        tx.nonce = first_nonce + i;
        tx.gas_limit = 100000;
        if (tx.type == chain::TxType::kDynamicFee)
            tx.max_fee_per_gas = 1;
        else
            tx.gas_price = 1;
        tx.to = emitter(1);
        tx.value = n;
        EXPECT_TRUE(chain::sign(tx, test_key(1)).ok());
        out.block.body.transactions.push_back(tx);
        cumulative += 30000;
        chain::Log log;
        log.address = emitter(uint8_t((n + i) % 5));
        log.topics = {topic(uint8_t(n % 3)), topic(7)};
        log.data = {uint8_t(n), uint8_t(i)};
        out.receipts.push_back(chain::make_receipt(tx.type, true, cumulative, {log}));
    }
    Address counter;
    counter.bytes[0] = 0xcc;
    out.diff.accounts[counter].record.balance = uint256(n);
    out.diff.accounts[counter].storage[Bytes32{}] = uint256(n + 1).to_be();
    auto& h = out.block.header;
    h.number = n;
    h.timestamp = 1'700'000'000 + n;
    h.gas_limit = 30'000'000;
    h.gas_used = cumulative;
    h.transactions_root = chain::transactions_root(out.block.body.transactions);
    h.receipts_root = chain::receipts_root(out.receipts);
    for (const auto& r : out.receipts) chain::bloom_merge(h.logs_bloom, r.bloom);
    return out;
}

/// Builds and commits blocks 1..count on top of store's head; returns them.
inline std::vector<BuiltBlock> extend_chain(ChainStore& store, uint64_t count) {
    std::vector<BuiltBlock> blocks;
    uint64_t nonce = 0;
    for (uint64_t n = 1; n <= count; ++n) {
        BuiltBlock b = build_block(n, nonce);
        nonce += b.block.body.transactions.size();
        auto head = store.head();
        EXPECT_TRUE(head.ok() && head->has_value());
        b.block.header.parent_hash = (*head)->hash;
        auto staged = store.stage_state(b.diff);
        EXPECT_TRUE(staged.ok()) << staged.error().to_string();
        b.block.header.state_root = staged->root;
        auto committed = store.commit_block(b.block, b.receipts, std::move(*staged));
        EXPECT_TRUE(committed.ok()) << committed.error().to_string();
        blocks.push_back(std::move(b));
    }
    return blocks;
}

}  // namespace trellis::storage::test
