// Sender recovery on the worker pool must answer exactly as the sequential
// path (decode_transaction then validate_and_recover) does, for good and bad
// inputs alike, and a JSON-RPC batch of eth_sendRawTransaction must get the
// same answers as the same requests sent one by one.

#include "node/recovery_pool.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "base/hex.hpp"
#include "node/backend.hpp"
#include "chain/devnet.hpp"
#include "ledger/ledger.hpp"
#include "rpc/eth_api.hpp"
#include "rpc/json_rpc.hpp"

using namespace trellis;
using json = nlohmann::json;

namespace {

const std::vector<chain::DevAccount>& accounts() {
    static const auto a = chain::devnet_accounts(4);
    return a;
}

Bytes signed_tx(size_t from, uint64_t nonce, chain::ChainId chain_id = chain::kDevnetChainId,
                uint64_t tip = 1'000'000'000) {
    chain::Transaction tx;
    tx.type = chain::TxType::kDynamicFee;
    tx.chain_id = chain_id;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = uint256(tip);
    tx.max_fee_per_gas = uint256(2'000'000'000);
    tx.gas_limit = 21000;
    Address to;
    to.bytes[19] = 0x77;
    tx.to = to;
    tx.value = uint256(1 + nonce);
    EXPECT_TRUE(chain::sign(tx, accounts()[from].private_key));
    return chain::encode_transaction(tx);
}

/// Valid transactions, a bad signature, bad RLP, a wrong chain id, an empty
/// input, a duplicate, an underpriced replacement and a nonce gap.
std::vector<Bytes> mixed_inputs() {
    std::vector<Bytes> in;
    for (uint64_t n = 0; n < 6; ++n)
        for (size_t a = 0; a < 3; ++a) in.push_back(signed_tx(a, n));
    {
        // EIP-2: s above n/2 is invalid (the same signature with s flipped is what sign() made).
        auto tx = chain::decode_transaction(signed_tx(0, 10));
        EXPECT_TRUE(tx.ok());
        tx->s = *parse_uint256("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141") - tx->s;
        in.push_back(chain::encode_transaction(*tx));
    }
    Bytes bad_rlp = signed_tx(1, 10);
    bad_rlp.pop_back();
    in.push_back(bad_rlp);
    in.push_back(signed_tx(2, 10, 99));  // wrong chain id
    in.push_back({});
    in.push_back(*from_hex("02c0"));
    in.push_back(signed_tx(0, 0));                       // already known
    in.push_back(signed_tx(1, 1, 1337, 1'000'000'001));  // same nonce, barely more: underpriced
    in.push_back(signed_tx(3, 200));                     // nonce too high
    return in;
}

std::vector<ByteView> views(const std::vector<Bytes>& in) {
    return std::vector<ByteView>(in.begin(), in.end());
}

chain::ValidationRules devnet_rules() {
    chain::ValidationRules r;
    r.chain_id = chain::kDevnetChainId;
    return r;
}

void expect_same(const node::RecoveryPool::Outcome& got, const node::RecoveryPool::Outcome& want, size_t i) {
    ASSERT_EQ(got.ok(), want.ok()) << "input " << i;
    if (!want.ok()) {
        EXPECT_EQ(got.error(), want.error()) << "input " << i << ": " << chain::to_string(want.error());
        return;
    }
    EXPECT_EQ(got->sender, want->sender) << i;
    EXPECT_EQ(got->hash, want->hash) << i;
    EXPECT_EQ(got->hash, chain::transaction_hash(want->tx)) << i;
    EXPECT_EQ(got->size, chain::encoded_length(want->tx)) << i;
    EXPECT_EQ(chain::encode_transaction(got->tx), chain::encode_transaction(want->tx)) << i;
}

}  // namespace

TEST(RecoveryPool, pool_results_equal_sequential_recovery) {
    const auto in = mixed_inputs();
    const auto v = views(in);
    const auto rules = devnet_rules();
    // Small queues make the caller recover part of the batch itself.
    for (const size_t max_queued : {size_t(1), size_t(3), size_t(4096)}) {
        node::RecoveryPool pool(rules, {4, max_queued});
        const auto got = pool.recover(v);
        ASSERT_EQ(got.size(), in.size());
        size_t ok = 0;
        for (size_t i = 0; i < in.size(); ++i) {
            expect_same(got[i], node::RecoveryPool::recover_here(v[i], rules), i);
            ok += got[i].ok();
        }
        EXPECT_EQ(ok, 18u + 3u);  // 18 distinct valid ones, the duplicate, the replacement, the gap
        EXPECT_EQ(pool.recover_one(v[19]).error(), chain::TxError::kRlpMalformed);
        EXPECT_EQ(pool.recover_one(v[20]).error(), chain::TxError::kWrongChainId);
        EXPECT_FALSE(pool.recover_one(v[18]).ok());
    }
}

TEST(RecoveryPool, many_callers_at_once_each_get_their_own_results) {
    const auto in = mixed_inputs();
    const auto v = views(in);
    const auto rules = devnet_rules();
    node::RecoveryPool pool(rules, {3, 8});
    std::vector<std::thread> callers;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 4; ++t)
        callers.emplace_back([&] {
            for (int round = 0; round < 5; ++round) {
                const auto got = pool.recover(v);
                for (size_t i = 0; i < in.size(); ++i) {
                    const auto want = node::RecoveryPool::recover_here(v[i], rules);
                    if (got[i].ok() != want.ok() || (want.ok() && got[i]->sender != want->sender) ||
                        (!want.ok() && got[i].error() != want.error()))
                        ++mismatches;
                }
            }
        });
    for (auto& c : callers) c.join();
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(RecoveryPool, shutdown_with_work_queued_answers_every_caller) {
    std::vector<Bytes> in;
    for (uint64_t n = 0; n < 400; ++n) in.push_back(signed_tx(n % 4, n));
    const auto v = views(in);
    const auto rules = devnet_rules();
    std::vector<node::RecoveryPool::Outcome> got;
    {
        auto pool = std::make_unique<node::RecoveryPool>(rules, node::RecoverySettings{1, 4096});
        std::thread caller([&] { got = pool->recover(v); });
        // Wait until the batch is queued, then destroy the pool under it.
        while (pool->queued() == 0 && got.empty()) std::this_thread::yield();
        EXPECT_GT(pool->queued() + got.size(), 0u);
        pool.reset();
        caller.join();
    }
    ASSERT_EQ(got.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        ASSERT_TRUE(got[i].ok()) << i;
        EXPECT_EQ(got[i]->sender, accounts()[i % 4].address) << i;
    }
}

namespace {

/// A node's RPC stack without sockets: ledger in memory, backend, EthApi, dispatcher.
struct RpcStack {
    std::unique_ptr<ledger::Ledger> ledger;
    std::unique_ptr<node::ChainBackend> backend;
    std::unique_ptr<rpc::EthApi> api;
    rpc::Dispatcher dispatcher;

    RpcStack() {
        auto l =
            ledger::Ledger::open_in_memory(chain::devnet_genesis(accounts(), chain::devnet_default_balance()));
        EXPECT_TRUE(l.ok());
        ledger = std::move(l).value();
        node::BackendSettings bs;
        bs.recovery.threads = 3;
        backend = std::make_unique<node::ChainBackend>(*ledger, bs);
        api = std::make_unique<rpc::EthApi>(*backend);
        api->register_methods(dispatcher);
    }
    json handle(const json& body) {
        rpc::CallContext ctx;
        auto r = dispatcher.handle(body.dump(), ctx);
        return r ? json::parse(*r) : json();
    }
};

}  // namespace

TEST(RecoveryPool, rpc_batch_of_raw_transactions_answers_as_one_by_one) {
    json batch = json::array();
    int id = 1;
    for (const auto& raw : mixed_inputs())
        batch.push_back({{"jsonrpc", "2.0"},
                         {"id", id++},
                         {"method", "eth_sendRawTransaction"},
                         {"params", {to_0x_hex(raw)}}});
    // Malformed params, a notification and another method between the sends.
    batch.push_back(
        {{"jsonrpc", "2.0"}, {"id", id++}, {"method", "eth_sendRawTransaction"}, {"params", {"0xzz"}}});
    batch.push_back(
        {{"jsonrpc", "2.0"}, {"id", id++}, {"method", "eth_sendRawTransaction"}, {"params", json::array()}});
    batch.push_back(
        {{"jsonrpc", "2.0"}, {"id", id++}, {"method", "eth_sendRawTransaction"}, {"params", {42}}});
    batch.push_back({{"jsonrpc", "2.0"}, {"id", id++}, {"method", "eth_chainId"}});
    batch.push_back(
        {{"jsonrpc", "2.0"}, {"method", "eth_sendRawTransaction"}, {"params", {to_0x_hex(signed_tx(3, 0))}}});
    batch.push_back({{"jsonrpc", "2.0"},
                     {"id", id++},
                     {"method", "eth_sendRawTransaction"},
                     {"params", {to_0x_hex(signed_tx(3, 1))}}});
    batch.push_back({{"jsonrpc", "1.0"},
                     {"id", id++},
                     {"method", "eth_sendRawTransaction"},
                     {"params", {to_0x_hex(signed_tx(3, 2))}}});

    RpcStack batched, single;
    const json got = batched.handle(batch);
    json want = json::array();
    for (const auto& req : batch) {
        json r = single.handle(req);
        if (!r.is_null()) want.push_back(r);
    }
    ASSERT_TRUE(got.is_array()) << got.dump();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << i;
    // The answers are the expected mix, not two equally wrong runs.
    size_t results = 0;
    for (const auto& r : got) results += r.contains("result");
    EXPECT_EQ(results,
              18u + 1u + 1u);  // the valid sends, eth_chainId, the nonce-1 send after the notification
    EXPECT_EQ(batched.backend->pool_pending(), single.backend->pool_pending());
    EXPECT_EQ(batched.backend->pool_pending(), 18u + 2u);
    EXPECT_EQ(batched.backend->pool_queued(), single.backend->pool_queued());
}
