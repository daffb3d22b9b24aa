#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "chain/block_root.hpp"
#include "chain/receipt_root.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "execution/block_executor.hpp"

using namespace trellis;

namespace {

Bytes hex(std::string_view s) { return from_hex(s).value(); }

struct Fixture {
    state::MemoryStateDb db;
    Bytes32 key = Bytes32::from(hex("4646464646464646464646464646464646464646464646464646464646464646"));
    Address sender;
    Address logger;  // LOG1(topic 0x01) with no data, then STOP
    execution::ChainRules rules;
    chain::BlockHeader header;

    Fixture() {
        sender = crypto::secp256k1::address_of(crypto::secp256k1::public_key(key).value());
        db.put_account(sender, 0, uint256(1) << 80, {}, {});
        logger[19] = 0x10;
        db.put_account(logger, 1, uint256(), hex("60015f5fa100"), {});
        rules.chain_id = 1;
        header.number = 1;
        header.timestamp = 1000;
        header.gas_limit = 1'000'000;
        header.base_fee = 7;
        header.proposer[19] = 0xcb;
    }

    chain::Transaction signed_tx(uint64_t nonce, std::optional<Address> to, Bytes data = {}, uint64_t gas = 100000) {
        chain::Transaction t;
        t.type = chain::TxType::kDynamicFee;
        t.chain_id = 1;
        t.nonce = nonce;
        t.max_fee_per_gas = 10;
        t.max_priority_fee_per_gas = 2;
        t.gas_limit = gas;
        t.to = to;
        t.value = 5;
        t.data = std::move(data);
        EXPECT_TRUE(chain::sign(t, key));
        return t;
    }
};

Hash32 no_hashes(uint64_t) { return {}; }

}  // namespace

TEST(BlockExecutor, receipts_accumulate_gas_and_carry_logs_and_bloom) {
    Fixture f;
    chain::Block block;
    block.header = f.header;
    Address payee;
    payee[19] = 0x77;
    block.body.transactions = {f.signed_tx(0, payee, {}, 21000), f.signed_tx(1, f.logger)};
    auto r = execution::execute_block(f.db, block, f.rules, no_hashes);
    ASSERT_TRUE(r) << execution::to_string(r.error());
    ASSERT_EQ(r->receipts.size(), 2u);
    EXPECT_EQ(r->receipts[0].cumulative_gas_used, 21000u);
    EXPECT_GT(r->receipts[1].cumulative_gas_used, 21000u);
    EXPECT_EQ(r->gas_used, r->receipts[1].cumulative_gas_used);
    ASSERT_EQ(r->receipts[1].logs.size(), 1u);
    EXPECT_EQ(r->receipts[1].logs[0].address, f.logger);
    EXPECT_TRUE(chain::bloom_may_contain(r->logs_bloom, f.logger.view()));
    EXPECT_EQ(r->senders[0], f.sender);
    EXPECT_EQ(r->receipts_root, chain::receipts_root(r->receipts));
    // The coinbase (proposer) earned the tip on all gas used.
    EXPECT_EQ(r->diff.accounts.at(f.header.proposer).record.balance, uint256(2 * r->gas_used));
}

TEST(BlockExecutor, the_same_block_on_the_same_state_gives_identical_results) {
    Fixture f;
    chain::Block block;
    block.header = f.header;
    // Deploy a contract whose constructor stores TIMESTAMP, then call the logger.
    block.body.transactions = {f.signed_tx(0, std::nullopt, hex("425f55")), f.signed_tx(1, f.logger)};
    auto a = execution::execute_block(f.db, block, f.rules, no_hashes);
    auto b = execution::execute_block(f.db, block, f.rules, no_hashes);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(chain::encode_stored_receipts(a->receipts), chain::encode_stored_receipts(b->receipts));
    ASSERT_EQ(a->diff.accounts.size(), b->diff.accounts.size());
    state::MemoryStateDb da = f.db, dbb = f.db;
    da.apply(a->diff);
    dbb.apply(b->diff);
    EXPECT_EQ(da.state_root(), dbb.state_root());
    EXPECT_NE(da.state_root(), f.db.state_root());
}

TEST(BlockExecutor, a_block_with_a_bad_nonce_is_rejected_naming_the_transaction) {
    Fixture f;
    chain::Block block;
    block.header = f.header;
    block.body.transactions = {f.signed_tx(0, f.logger), f.signed_tx(5, f.logger)};
    auto r = execution::execute_block(f.db, block, f.rules, no_hashes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, execution::BlockError::Kind::kTransactionRejected);
    EXPECT_EQ(r.error().tx_index, 1u);
    EXPECT_EQ(r.error().rejection, execution::TxRejection::kNonceTooHigh);
}

TEST(BlockExecutor, transactions_beyond_the_block_gas_limit_are_rejected) {
    Fixture f;
    f.header.gas_limit = 120000;  // the first uses ~21.7k, leaving less than the second asks
    chain::Block block;
    block.header = f.header;
    block.body.transactions = {f.signed_tx(0, f.logger, {}, 100000), f.signed_tx(1, f.logger, {}, 100000)};
    auto r = execution::execute_block(f.db, block, f.rules, no_hashes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, execution::BlockError::Kind::kGasLimitExceeded);
}

TEST(BlockExecutor, wrong_chain_id_is_an_invalid_transaction) {
    Fixture f;
    f.rules.chain_id = 9;
    chain::Block block;
    block.header = f.header;
    block.body.transactions = {f.signed_tx(0, f.logger)};
    auto r = execution::execute_block(f.db, block, f.rules, no_hashes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, execution::BlockError::Kind::kInvalidTransaction);
    EXPECT_EQ(r.error().tx_error, chain::TxError::kWrongChainId);
}

TEST(BlockBuilder, skips_rejected_candidates_and_fills_the_header) {
    Fixture f;
    std::vector<execution::Candidate> candidates = {
        {f.signed_tx(0, f.logger), f.sender},
        {f.signed_tx(7, f.logger), f.sender},  // nonce gap: skipped
        {f.signed_tx(1, f.logger), f.sender},
    };
    auto built = execution::build_block(f.db, f.header, candidates, f.rules, no_hashes);
    ASSERT_EQ(built.block.body.transactions.size(), 2u);
    ASSERT_EQ(built.skipped.size(), 1u);
    EXPECT_EQ(built.skipped[0].first, 1u);
    EXPECT_EQ(built.block.header.gas_used, built.execution.gas_used);
    EXPECT_EQ(built.block.header.transactions_root, chain::transactions_root(built.block.body.transactions));
    // Re-executing the built block reproduces its receipts.
    auto again = execution::execute_block(f.db, built.block, f.rules, no_hashes);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->receipts_root, built.block.header.receipts_root);
    EXPECT_EQ(again->logs_bloom, built.block.header.logs_bloom);
}

TEST(BlockExecutor, known_senders_skip_recovery_but_not_the_other_rules) {
    Fixture f;
    chain::Block block;
    block.header = f.header;
    Address payee;
    payee[19] = 0x77;
    block.body.transactions = {f.signed_tx(0, payee, {}, 21000), f.signed_tx(1, payee, {}, 21000)};
    const auto plain = execution::execute_block(f.db, block, f.rules, no_hashes);
    ASSERT_TRUE(plain);

    // The same senders given: the same result.
    std::vector<std::optional<Address>> known{f.sender, std::nullopt};
    auto same = execution::execute_block(f.db, block, f.rules, no_hashes, nullptr, known);
    ASSERT_TRUE(same);
    EXPECT_EQ(chain::encode_stored_receipts(same->receipts), chain::encode_stored_receipts(plain->receipts));
    EXPECT_EQ(same->senders, plain->senders);

    // A given sender is used as is (no recovery): a wrong one shows through
    // as that account paying (here it has no funds, so the block is refused).
    Address stranger;
    stranger[19] = 0x99;
    std::vector<std::optional<Address>> wrong{stranger, std::nullopt};
    auto r = execution::execute_block(f.db, block, f.rules, no_hashes, nullptr, wrong);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, execution::BlockError::Kind::kTransactionRejected);

    // The field rules still apply with a known sender: a wrong chain id.
    chain::Block other = block;
    other.body.transactions[0].chain_id = 5;
    auto bad = execution::execute_block(f.db, other, f.rules, no_hashes, nullptr, known);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, execution::BlockError::Kind::kInvalidTransaction);
    EXPECT_EQ(bad.error().tx_error, chain::TxError::kWrongChainId);
}
