// ChainBackend's sender cache: the senders it reports for a sealed block
// (receipts' and full blocks' "from") are the recovered ones, also when the
// block skipped some selected transactions.

#include "node/backend.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "chain/devnet.hpp"

using namespace trellis;

namespace {

Bytes transfer(const chain::DevAccount& from, uint64_t nonce, uint64_t value) {
    chain::Transaction tx;
    tx.type = chain::TxType::kDynamicFee;
    tx.chain_id = chain::kDevnetChainId;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = uint256(1'000'000'000);
    tx.max_fee_per_gas = uint256(1'000'000'000);
    tx.gas_limit = 21000;
    Address to;
    to.bytes[19] = 0x42;
    tx.to = to;
    tx.value = uint256(value);
    EXPECT_TRUE(chain::sign(tx, from.private_key));
    return chain::encode_transaction(tx);
}

}  // namespace

TEST(ChainBackend, sealed_block_senders_match_recovery_with_a_skipped_transaction) {
    const auto accounts = chain::devnet_accounts(4);
    chain::Genesis g = chain::devnet_genesis(accounts, chain::devnet_default_balance());
    // Account 3 can pay for one transfer only: the pool admits both (each is
    // affordable against the head), the block executes the first and skips the second.
    const uint64_t one = 21000ull * 1'000'000'000ull + 1000;
    g.alloc[accounts[3].address].balance = uint256(one);
    auto ledger = ledger::Ledger::open_in_memory(g);
    ASSERT_TRUE(ledger.ok()) << ledger.error();
    node::BackendSettings bs;
    bs.recovery.threads = 2;
    node::ChainBackend backend(**ledger, bs);

    std::vector<Bytes> raws = {transfer(accounts[3], 0, 1000), transfer(accounts[3], 1, 1000),
                               transfer(accounts[0], 0, 1),    transfer(accounts[1], 0, 2),
                               transfer(accounts[2], 0, 3),    transfer(accounts[0], 1, 4)};
    std::vector<ByteView> views(raws.begin(), raws.end());
    for (const auto& r : backend.send_raw_transactions(views)) ASSERT_TRUE(r.ok());

    auto sealed = backend.seal_block(1, Address{}, false);
    ASSERT_TRUE(sealed.ok()) << sealed.error();
    ASSERT_TRUE(sealed->has_value());
    EXPECT_EQ((*sealed)->skipped, 1u);
    EXPECT_EQ((*sealed)->tx_count, raws.size() - 1);

    auto body = backend.body((*sealed)->hash);
    ASSERT_TRUE(body.has_value());
    const auto cached = backend.senders((*sealed)->hash, *body);
    const auto recovered = backend.rpc::Backend::senders((*sealed)->hash, *body);
    ASSERT_EQ(cached.size(), body->transactions.size());
    EXPECT_EQ(cached, recovered);
    for (const auto& a : cached) EXPECT_NE(a, Address{});
}

TEST(ChainBackend, admissions_during_block_production_lose_nothing) {
    // Senders admit batches while another thread seals blocks back to back.
    // Every transaction must end up in a block exactly once.
    const auto accounts = chain::devnet_accounts(4);
    auto ledger =
        ledger::Ledger::open_in_memory(chain::devnet_genesis(accounts, chain::devnet_default_balance()));
    ASSERT_TRUE(ledger.ok()) << ledger.error();
    node::BackendSettings bs;
    bs.recovery.threads = 2;
    node::ChainBackend backend(**ledger, bs);

    constexpr uint64_t kPerSender = 150;
    std::atomic<size_t> senders_done{0};
    std::atomic<int> unexpected{0};
    std::vector<std::thread> threads;
    for (size_t a = 0; a < accounts.size(); ++a)
        threads.emplace_back([&, a] {
            uint64_t next = 0;
            while (next < kPerSender) {
                std::vector<Bytes> raws;
                for (uint64_t n = next; n < std::min(kPerSender, next + 10); ++n)
                    raws.push_back(transfer(accounts[a], n, 1 + n));
                std::vector<ByteView> views(raws.begin(), raws.end());
                const auto results = backend.send_raw_transactions(views);
                for (const auto& r : results) {
                    if (r.ok()) {
                        ++next;
                        continue;
                    }
                    // The pool is full for this sender until a block lands: retry from here.
                    if (r.error().error != txpool::AddError::kNonceTooHigh &&
                        r.error().error != txpool::AddError::kSenderLimit)
                        ++unexpected;
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    break;
                }
            }
            ++senders_done;
        });
    size_t mined = 0;
    for (uint64_t ts = 1;
         senders_done < accounts.size() || backend.pool_pending() + backend.pool_queued() > 0;) {
        auto sealed = backend.seal_block(ts++, Address{}, false);
        ASSERT_TRUE(sealed.ok()) << sealed.error();
        if (sealed->has_value()) {
            EXPECT_EQ((*sealed)->skipped, 0u);
            mined += (*sealed)->tx_count;
        }
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(unexpected.load(), 0);
    EXPECT_EQ(mined, accounts.size() * kPerSender);
    auto state = backend.state_at(backend.head_number());
    ASSERT_TRUE(state);
    for (const auto& a : accounts) EXPECT_EQ(state->nonce(a.address), kPerSender);
}
