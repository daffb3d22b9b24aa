#include "txpool/txpool.hpp"

#include <gtest/gtest.h>

#include <map>

#include "base/hex.hpp"
#include "chain/transaction.hpp"
#include "crypto/secp256k1.hpp"

using namespace trellis;
using txpool::AddError;

namespace {

struct FakeState : txpool::AccountView {
    std::map<Address, uint64_t> nonces;
    std::map<Address, uint256> balances;
    uint64_t nonce(const Address& a) override { return nonces[a]; }
    uint256 balance(const Address& a) override {
        auto it = balances.find(a);
        return it == balances.end() ? uint256(1'000'000'000'000ull) : it->second;
    }
};

Address sender(uint8_t n) {
    Address a;
    a[19] = n;
    return a;
}

chain::Transaction tx(uint64_t nonce, uint64_t max_fee, uint64_t tip, uint64_t gas = 21000) {
    chain::Transaction t;
    t.type = chain::TxType::kDynamicFee;
    t.chain_id = 1;
    t.nonce = nonce;
    t.max_fee_per_gas = max_fee;
    t.max_priority_fee_per_gas = tip;
    t.gas_limit = gas;
    t.to = sender(0xee);
    return t;
}

txpool::Settings settings() {
    txpool::Settings s;
    s.max_transactions = 16;
    s.max_per_sender = 8;
    s.max_queued_per_sender = 4;
    return s;
}

}  // namespace

TEST(TxPool, contiguous_nonces_are_pending_and_a_gap_is_queued) {
    txpool::TxPool pool(settings());
    FakeState st;
    EXPECT_TRUE(pool.add(tx(0, 10, 1), sender(1), st)->pending);
    EXPECT_FALSE(pool.add(tx(2, 10, 1), sender(1), st)->pending);
    EXPECT_EQ(pool.pending_count(), 1u);
    EXPECT_EQ(pool.queued_count(), 1u);
    // Filling the gap promotes the queued one.
    EXPECT_TRUE(pool.add(tx(1, 10, 1), sender(1), st)->pending);
    EXPECT_EQ(pool.pending_count(), 3u);
    EXPECT_EQ(pool.queued_count(), 0u);
}

TEST(TxPool, nonce_below_the_account_nonce_is_rejected) {
    txpool::TxPool pool(settings());
    FakeState st;
    st.nonces[sender(1)] = 5;
    EXPECT_EQ(pool.add(tx(4, 10, 1), sender(1), st).error(), AddError::kNonceTooLow);
    EXPECT_EQ(pool.add(tx(5 + 65, 10, 1), sender(1), st).error(), AddError::kNonceTooHigh);
}

TEST(TxPool, same_nonce_replacement_needs_a_ten_percent_bump_of_fee_cap_and_tip) {
    txpool::TxPool pool(settings());
    FakeState st;
    ASSERT_TRUE(pool.add(tx(0, 100, 10), sender(1), st));
    EXPECT_EQ(pool.add(tx(0, 109, 11), sender(1), st).error(), AddError::kReplacementUnderpriced);
    EXPECT_EQ(pool.add(tx(0, 110, 10), sender(1), st).error(), AddError::kReplacementUnderpriced);
    auto r = pool.add(tx(0, 110, 11), sender(1), st);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->replaced);
    EXPECT_EQ(pool.size(), 1u);
    EXPECT_EQ(pool.get(r->hash)->tx.max_fee_per_gas, uint256(110));
}

TEST(TxPool, unaffordable_transactions_are_rejected) {
    txpool::TxPool pool(settings());
    FakeState st;
    st.balances[sender(1)] = uint256(21000 * 10 - 1);
    EXPECT_EQ(pool.add(tx(0, 10, 1), sender(1), st).error(), AddError::kInsufficientFunds);
    st.balances[sender(1)] = uint256(21000 * 10);
    EXPECT_TRUE(pool.add(tx(0, 10, 1), sender(1), st));
}

TEST(TxPool, gas_above_the_block_limit_and_tip_below_minimum_are_rejected) {
    auto s = settings();
    s.min_priority_fee = 2;
    s.block_gas_limit = 100000;
    txpool::TxPool pool(s);
    FakeState st;
    EXPECT_EQ(pool.add(tx(0, 10, 1), sender(1), st).error(), AddError::kTipBelowMinimum);
    EXPECT_EQ(pool.add(tx(0, 10, 2, 100001), sender(1), st).error(), AddError::kGasLimitExceedsBlock);
    EXPECT_TRUE(pool.add(tx(0, 10, 2), sender(1), st));
    EXPECT_EQ(pool.add(tx(0, 10, 2), sender(1), st).error(), AddError::kAlreadyKnown);
}

TEST(TxPool, per_sender_and_queued_limits_hold) {
    txpool::TxPool pool(settings());
    FakeState st;
    for (uint64_t n = 10; n < 14; ++n) ASSERT_TRUE(pool.add(tx(n, 10, 1), sender(1), st));
    EXPECT_EQ(pool.add(tx(14, 10, 1), sender(1), st).error(), AddError::kSenderLimit);  // 4 queued max
    for (uint64_t n = 0; n < 4; ++n) ASSERT_TRUE(pool.add(tx(n, 10, 1), sender(1), st));
    EXPECT_EQ(pool.add(tx(4, 10, 1), sender(1), st).error(), AddError::kSenderLimit);  // 8 per sender
}

TEST(TxPool, a_full_pool_evicts_its_cheapest_transaction_for_a_richer_one) {
    txpool::TxPool pool(settings());
    FakeState st;
    for (uint8_t s = 1; s <= 16; ++s) ASSERT_TRUE(pool.add(tx(0, 10 + s, 1), sender(s), st));
    EXPECT_EQ(pool.add(tx(0, 5, 1), sender(100), st).error(), AddError::kPoolFull);
    auto r = pool.add(tx(0, 50, 1), sender(100), st);
    ASSERT_TRUE(r);
    EXPECT_EQ(pool.size(), 16u);
    // Sender 1 paid the least (11) and is gone.
    EXPECT_EQ(pool.content().pending.count(sender(1)), 0u);
}

TEST(TxPool, selection_orders_by_tip_keeps_nonce_order_and_respects_gas) {
    txpool::TxPool pool(settings());
    FakeState st;
    ASSERT_TRUE(pool.add(tx(0, 100, 1), sender(1), st));
    ASSERT_TRUE(pool.add(tx(1, 100, 50), sender(1), st));  // rich, but behind a poor nonce 0
    ASSERT_TRUE(pool.add(tx(0, 100, 20), sender(2), st));
    ASSERT_TRUE(pool.add(tx(0, 5, 5), sender(3), st));  // cannot pay base fee 7
    const auto picked = pool.select(21000 * 3, uint256(7));
    ASSERT_EQ(picked.size(), 3u);
    EXPECT_EQ(picked[0]->sender, sender(2));
    EXPECT_EQ(picked[1]->sender, sender(1));
    EXPECT_EQ(picked[1]->tx.nonce, 0u);
    EXPECT_EQ(picked[2]->tx.nonce, 1u);
    EXPECT_EQ(pool.select(21000, uint256(7)).size(), 1u);
}

TEST(TxPool, new_head_drops_included_and_unaffordable_and_promotes_queued) {
    txpool::TxPool pool(settings());
    FakeState st;
    ASSERT_TRUE(pool.add(tx(0, 10, 1), sender(1), st));
    ASSERT_TRUE(pool.add(tx(1, 10, 1), sender(1), st));
    auto r3 = pool.add(tx(3, 10, 1), sender(1), st);
    ASSERT_TRUE(r3) << txpool::to_string(r3.error());
    ASSERT_TRUE(pool.add(tx(0, 11, 1), sender(2), st));  // unsigned: a different fee keeps the hash distinct
    EXPECT_EQ(pool.queued_count(), 1u);
    st.nonces[sender(1)] = 3;             // nonces 0..2 were included
    st.balances[sender(2)] = uint256(1);  // sender 2 went broke
    pool.on_new_head(st);
    EXPECT_EQ(pool.size(), 1u);
    EXPECT_EQ(pool.pending_count(), 1u);  // nonce 3 is now executable
    EXPECT_EQ(pool.queued_count(), 0u);
}

TEST(TxPool, raw_transactions_are_decoded_validated_and_recovered) {
    auto s = settings();
    s.rules.chain_id = 1;
    txpool::TxPool pool(s);
    FakeState st;
    const Bytes32 key =
        Bytes32::from(from_hex("4646464646464646464646464646464646464646464646464646464646464646").value());
    chain::Transaction t = tx(0, 10, 1);
    ASSERT_TRUE(chain::sign(t, key));
    const Bytes raw = chain::encode_transaction(t);
    auto r = pool.add_raw(raw, st);
    ASSERT_TRUE(r);
    const Address expected = crypto::secp256k1::address_of(crypto::secp256k1::public_key(key).value());
    EXPECT_EQ(pool.get(r->hash)->sender, expected);
    chain::TxError why{};
    chain::Transaction other_chain = tx(1, 10, 1);
    other_chain.chain_id = 2;
    ASSERT_TRUE(chain::sign(other_chain, key));
    EXPECT_EQ(pool.add_raw(chain::encode_transaction(other_chain), st, &why).error(), AddError::kInvalid);
    EXPECT_EQ(why, chain::TxError::kWrongChainId);
    EXPECT_EQ(pool.add_raw(Bytes{0xc0}, st, &why).error(), AddError::kInvalid);
}

TEST(TxPool, precomputed_hash_and_size_are_what_add_computes_itself) {
    txpool::TxPool a(settings()), b(settings());
    FakeState st;
    for (uint64_t n = 0; n < 3; ++n) {
        const chain::Transaction t = tx(n, 10, 1);
        auto plain = a.add(t, sender(1), st);
        txpool::RecoveredTx r{t, sender(1), chain::transaction_hash(t), chain::encoded_length(t)};
        auto pre = b.add(std::move(r), st);
        ASSERT_TRUE(plain.ok() && pre.ok());
        EXPECT_EQ(plain->hash, pre->hash);
        EXPECT_EQ(plain->pending, pre->pending);
        EXPECT_EQ(a.get(plain->hash)->size, b.get(pre->hash)->size);
        EXPECT_EQ(b.get(pre->hash)->size, chain::encode_transaction(t).size());
    }
    // The same transaction again is known under its precomputed hash.
    const chain::Transaction t = tx(0, 10, 1);
    EXPECT_EQ(
        b.add(txpool::RecoveredTx{t, sender(1), chain::transaction_hash(t), chain::encoded_length(t)}, st)
            .error(),
        AddError::kAlreadyKnown);
}
