#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "rpc/eth_api.hpp"
#include "rpc/eth_json.hpp"
#include "rpc/subscriptions.hpp"
#include "test_chain.hpp"

namespace trellis::rpc {
namespace {

using test::addr;
using test::call;
using test::topic;

struct EthApiTest : ::testing::Test {
    test::TestChain chain;
    test::MockBackend& be = chain.backend;
    ApiSettings settings;
    std::unique_ptr<EthApi> api;
    Dispatcher d;

    void SetUp() override { make(); }
    void make() {
        api = std::make_unique<EthApi>(be, settings);
        d = Dispatcher();
        api->register_methods(d);
    }
    json result(const std::string& m, json p = json::array()) {
        json r = call(d, m, std::move(p));
        EXPECT_TRUE(r.contains("result")) << m << ": " << r.dump();
        return r["result"];
    }
    json error(const std::string& m, json p = json::array()) {
        json r = call(d, m, std::move(p));
        EXPECT_TRUE(r.contains("error")) << m << ": " << r.dump();
        return r["error"];
    }
    std::string hx(const Hash32& h) { return to_0x_hex(h); }
    std::string hx(const Address& a) { return to_0x_hex(a); }
};

TEST_F(EthApiTest, simple_chain_and_node_methods) {
    EXPECT_EQ(result("eth_chainId"), "0x539");
    EXPECT_EQ(result("net_version"), "1337");
    EXPECT_EQ(result("eth_blockNumber"), "0x2");
    EXPECT_EQ(result("net_listening"), true);
    EXPECT_EQ(result("net_peerCount"), "0x3");
    EXPECT_EQ(result("web3_clientVersion"), "trellis/v0.1.0-test");
    EXPECT_EQ(result("eth_syncing"), false);
    be.sync = SyncStatus{0, 2, 10};
    EXPECT_EQ(result("eth_syncing"), json::parse(R"({"startingBlock":"0x0","currentBlock":"0x2","highestBlock":"0xa"})"));
    EXPECT_EQ(result("eth_gasPrice"), quantity(uint256(7) + 1'000'000'000));
    EXPECT_EQ(result("eth_maxPriorityFeePerGas"), "0x3b9aca00");
    EXPECT_EQ(result("web3_sha3", {"0x"}), "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    EXPECT_EQ(result("eth_accounts"), json::array());
    const json info = result("trellis_nodeInfo");
    EXPECT_EQ(info["headBlock"], "0x2");
    EXPECT_EQ(info["chainId"], "0x539");
    EXPECT_EQ(info["headHash"], hx(be.blocks[2].hash));
}

TEST_F(EthApiTest, state_queries_at_tags_numbers_and_hashes) {
    const std::string alice = hx(chain.alice);
    EXPECT_EQ(result("eth_getBalance", {alice, "0x0"}), "0xde0b6b3a7640000");
    EXPECT_EQ(result("eth_getBalance", {alice, "earliest"}), "0xde0b6b3a7640000");
    EXPECT_EQ(result("eth_getBalance", {alice, "latest"}), "0xddd2935029d8000");
    EXPECT_EQ(result("eth_getBalance", {alice}), "0xddd2935029d8000");  // default latest
    EXPECT_EQ(result("eth_getTransactionCount", {alice, "0x1"}), "0x3");
    EXPECT_EQ(result("eth_getTransactionCount", {alice, "finalized"}), "0x5");
    EXPECT_EQ(result("eth_getTransactionCount", {alice, json{{"blockHash", hx(be.blocks[1].hash)}}}), "0x3");
    EXPECT_EQ(result("eth_getTransactionCount", {alice, json{{"blockNumber", "0x0"}}}), "0x0");
    EXPECT_EQ(result("eth_getCode", {hx(chain.contract), "latest"}), "0x6001");
    EXPECT_EQ(result("eth_getCode", {hx(addr(0x42)), "latest"}), "0x");
    EXPECT_EQ(result("eth_getStorageAt", {hx(chain.contract), "0x1", "latest"}),
              "0x000000000000000000000000000000000000000000000000000000000000002a");
    EXPECT_EQ(result("eth_getStorageAt", {hx(chain.contract), "0x" + std::string(63, '0') + "1", "latest"}),
              "0x000000000000000000000000000000000000000000000000000000000000002a");
    // Errors: unknown block, bad address, bad tag, missing args.
    EXPECT_EQ(error("eth_getBalance", {alice, "0x9"})["message"], "header not found");
    EXPECT_EQ(error("eth_getBalance", {"0x12", "latest"})["code"], code::kInvalidParams);
    EXPECT_EQ(error("eth_getBalance", {alice, "newest"})["code"], code::kInvalidParams);
    EXPECT_EQ(error("eth_getBalance")["code"], code::kInvalidParams);
    EXPECT_EQ(error("eth_getBalance", {42, "latest"})["code"], code::kInvalidParams);
    EXPECT_EQ(error("eth_getStorageAt", {hx(chain.contract), "0x" + std::string(65, '1'), "latest"})["code"],
              code::kInvalidParams);
}

TEST_F(EthApiTest, require_canonical_rejects_unknown_hash) {
    json id = {{"blockHash", "0x" + std::string(64, '7')}, {"requireCanonical", true}};
    EXPECT_EQ(error("eth_getBalance", {hx(chain.alice), id})["message"], "header not found");
}

TEST_F(EthApiTest, pending_nonce_counts_pool_transactions) {
    chain::Transaction tx;
    tx.chain_id = 1337;
    tx.nonce = 5;
    tx.gas_price = 10;
    tx.gas_limit = 21000;
    tx.to = addr(1);
    (void)chain::sign(tx, test::test_key(1));
    const json h = result("eth_sendRawTransaction", {to_0x_hex(chain::encode_transaction(tx))});
    EXPECT_EQ(h, hx(chain::transaction_hash(tx)));
    EXPECT_EQ(result("eth_getTransactionCount", {hx(chain.alice), "pending"}), "0x6");
    EXPECT_EQ(result("eth_getTransactionCount", {hx(chain.alice), "latest"}), "0x5");
    // The pooled transaction is visible by hash without block fields.
    const json t = result("eth_getTransactionByHash", {h});
    EXPECT_TRUE(t["blockHash"].is_null());
    EXPECT_EQ(t["from"], hx(chain.alice));
    EXPECT_EQ(result("txpool_status"), json::parse(R"({"pending":"0x1","queued":"0x0"})"));
    const json content = result("txpool_content");
    EXPECT_EQ(content["pending"][checksum_address(chain.alice)]["5"]["nonce"], "0x5");
}

TEST_F(EthApiTest, send_raw_transaction_reports_pool_and_decoding_errors) {
    EXPECT_EQ(error("eth_sendRawTransaction", {"0x"})["message"], "invalid transaction: " + std::string(chain::to_string(chain::TxError::kEmptyInput)));
    EXPECT_EQ(error("eth_sendRawTransaction", {"0xf8"})["code"], code::kServerError);
    EXPECT_EQ(error("eth_sendRawTransaction", {"0xzz"})["code"], code::kInvalidParams);
    be.send_fn = [](ByteView) -> Result<Hash32, SendFailure> { return Unexpected{SendFailure{txpool::AddError::kNonceTooLow, {}}}; };
    EXPECT_EQ(error("eth_sendRawTransaction", {"0x00"})["message"], "nonce too low");
    be.send_fn = [](ByteView) -> Result<Hash32, SendFailure> {
        return Unexpected{SendFailure{txpool::AddError::kInsufficientFunds, {}}};
    };
    EXPECT_EQ(error("eth_sendRawTransaction", {"0x00"})["message"], "insufficient funds for gas * price + value");
}

TEST_F(EthApiTest, blocks_by_number_and_hash_with_and_without_transactions) {
    const json b1 = result("eth_getBlockByNumber", {"0x1", false});
    EXPECT_EQ(b1["hash"], hx(be.blocks[1].hash));
    EXPECT_EQ(b1["parentHash"], hx(be.blocks[0].hash));
    ASSERT_EQ(b1["transactions"].size(), 3u);
    EXPECT_EQ(b1["transactions"][0], hx(chain::transaction_hash(chain.txs[0])));
    const json full = result("eth_getBlockByHash", {hx(be.blocks[1].hash), true});
    ASSERT_EQ(full["transactions"].size(), 3u);
    EXPECT_EQ(full["transactions"][2]["from"], hx(chain.alice));
    EXPECT_EQ(full["transactions"][2]["type"], "0x2");
    EXPECT_EQ(full["transactions"][2]["gasPrice"], "0x9");  // base fee 7 + tip 2
    EXPECT_EQ(result("eth_getBlockByNumber", {"latest", false})["number"], "0x2");
    EXPECT_EQ(result("eth_getBlockByNumber", {"pending", false})["number"], "0x2");
    EXPECT_EQ(result("eth_getBlockByNumber", {"earliest", false})["number"], "0x0");
    EXPECT_TRUE(result("eth_getBlockByNumber", {"0x63", false}).is_null());
    EXPECT_TRUE(result("eth_getBlockByHash", {"0x" + std::string(64, '0'), false}).is_null());
    EXPECT_EQ(error("eth_getBlockByNumber", {"0x1"})["code"], code::kInvalidParams);         // missing bool
    EXPECT_EQ(error("eth_getBlockByNumber", {"0x1", "true"})["code"], code::kInvalidParams); // wrong type
    EXPECT_EQ(result("eth_getBlockTransactionCountByNumber", {"0x1"}), "0x3");
    EXPECT_EQ(result("eth_getBlockTransactionCountByHash", {hx(be.blocks[2].hash)}), "0x2");
    EXPECT_TRUE(result("eth_getBlockTransactionCountByNumber", {"0x7"}).is_null());
}

TEST_F(EthApiTest, transactions_by_hash_and_by_block_and_index) {
    const Hash32 h = chain::transaction_hash(chain.txs[1]);
    const json t = result("eth_getTransactionByHash", {hx(h)});
    EXPECT_EQ(t["hash"], hx(h));
    EXPECT_EQ(t["blockNumber"], "0x1");
    EXPECT_EQ(t["transactionIndex"], "0x1");
    EXPECT_EQ(t["type"], "0x1");
    EXPECT_EQ(t["accessList"].size(), 1u);
    EXPECT_EQ(result("eth_getTransactionByBlockNumberAndIndex", {"0x1", "0x1"}), t);
    EXPECT_EQ(result("eth_getTransactionByBlockHashAndIndex", {hx(be.blocks[1].hash), "0x1"}), t);
    EXPECT_TRUE(result("eth_getTransactionByBlockNumberAndIndex", {"0x1", "0x9"}).is_null());
    EXPECT_TRUE(result("eth_getTransactionByHash", {"0x" + std::string(64, '5')}).is_null());
}

TEST_F(EthApiTest, receipts_carry_per_tx_gas_and_block_wide_log_indexes) {
    const Hash32 h4 = chain::transaction_hash(chain.txs[4]);
    const json r = result("eth_getTransactionReceipt", {hx(h4)});
    EXPECT_EQ(r["status"], "0x1");
    EXPECT_EQ(r["gasUsed"], "0x7530");            // 60000 - 30000
    EXPECT_EQ(r["cumulativeGasUsed"], "0xea60");  // 60000
    EXPECT_EQ(r["transactionIndex"], "0x1");
    ASSERT_EQ(r["logs"].size(), 2u);
    EXPECT_EQ(r["logs"][1]["logIndex"], "0x1");
    EXPECT_EQ(r["logs"][0]["transactionHash"], hx(h4));
    EXPECT_EQ(r["effectiveGasPrice"], "0x9");
    const json creation = result("eth_getTransactionReceipt", {hx(chain::transaction_hash(chain.txs[2]))});
    EXPECT_EQ(creation["contractAddress"], hx(create_address(chain.alice, 2)));
    EXPECT_EQ(creation["gasUsed"], quantity(uint64_t(53000)));
    const json failed = result("eth_getTransactionReceipt", {hx(chain::transaction_hash(chain.txs[3]))});
    EXPECT_EQ(failed["status"], "0x0");
    EXPECT_TRUE(result("eth_getTransactionReceipt", {"0x" + std::string(64, '5')}).is_null());
    const json all = result("eth_getBlockReceipts", {"0x2"});
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1], r);
    EXPECT_EQ(result("eth_getBlockReceipts", {hx(be.blocks[2].hash)}), all);
    EXPECT_TRUE(result("eth_getBlockReceipts", {"0x9"}).is_null());
}

TEST_F(EthApiTest, get_logs_by_range_address_topics_and_block_hash) {
    const json all = result("eth_getLogs", {json{{"fromBlock", "0x0"}, {"toBlock", "latest"}}});
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0]["blockNumber"], "0x1");
    EXPECT_EQ(all[2]["logIndex"], "0x1");
    const json by_addr = result("eth_getLogs", {json{{"fromBlock", "0x0"}, {"address", hx(chain.contract)}}});
    EXPECT_EQ(by_addr.size(), 2u);
    const json by_topic = result("eth_getLogs", {json{{"fromBlock", "earliest"}, {"topics", {hx(topic(3))}}}});
    EXPECT_EQ(by_topic.size(), 2u);
    const json second = result("eth_getLogs", {json{{"fromBlock", "0x0"}, {"topics", {nullptr, {hx(topic(4)), hx(topic(2))}}}}});
    EXPECT_EQ(second.size(), 2u);
    const json by_hash = result("eth_getLogs", {json{{"blockHash", hx(be.blocks[2].hash)}}});
    EXPECT_EQ(by_hash.size(), 2u);
    EXPECT_EQ(by_hash, result("eth_getLogs", {json{{"fromBlock", "0x2"}, {"toBlock", "0x2"}}}));
    EXPECT_EQ(result("eth_getLogs", {json::object()}).size(), 2u);  // latest only
    EXPECT_EQ(error("eth_getLogs", {json{{"fromBlock", "0x2"}, {"toBlock", "0x1"}}})["message"], "invalid block range params");
    EXPECT_EQ(error("eth_getLogs", {json{{"address", "0x1"}}})["code"], code::kInvalidParams);
}

TEST_F(EthApiTest, get_logs_limits_range_and_result_count) {
    settings.max_log_results = 2;
    settings.max_log_range = 2;
    make();
    EXPECT_EQ(error("eth_getLogs", {json{{"fromBlock", "0x0"}, {"toBlock", "0x2"}}})["code"], code::kLimitExceeded);
    settings.max_log_range = 100;
    make();
    EXPECT_EQ(error("eth_getLogs", {json{{"fromBlock", "0x0"}}})["code"], code::kLimitExceeded);
    EXPECT_EQ(result("eth_getLogs", {json{{"fromBlock", "0x2"}}}).size(), 2u);
}

TEST_F(EthApiTest, call_returns_output_and_reverts_with_code_3_and_data) {
    be.call_fn = [](const CallMsg& m, BlockNum n, const StateOverrides& ov) -> Result<CallResult, CallFailure> {
        if (!ov.empty()) return CallResult{evm::Status::kSuccess, {0x0b}, 21000};
        if (m.data == Bytes{0x01}) return CallResult{evm::Status::kSuccess, {0xab, uint8_t(n)}, 22000};
        if (m.data == Bytes{0x02})
            return CallResult{evm::Status::kRevert, *from_hex("08c379a0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000036261640000000000000000000000000000000000000000000000000000000000"), 500};
        if (m.data == Bytes{0x03}) return CallResult{evm::Status::kRevert, {0xde, 0xad, 0xbe, 0xef}, 500};
        if (m.data == Bytes{0x04}) return CallResult{evm::Status::kOutOfGas, {}, m.gas};
        return Unexpected{CallFailure{CallError::kRejected, execution::TxRejection::kInsufficientFunds}};
    };
    const std::string to = hx(chain.contract);
    EXPECT_EQ(result("eth_call", {json{{"to", to}, {"data", "0x01"}}, "latest"}), "0xab02");
    EXPECT_EQ(result("eth_call", {json{{"to", to}, {"input", "0x01"}}, "0x1"}), "0xab01");
    const json rev = error("eth_call", {json{{"to", to}, {"data", "0x02"}}, "latest"});
    EXPECT_EQ(rev["code"], 3);
    EXPECT_EQ(rev["message"], "execution reverted: bad");
    const json custom = error("eth_call", {json{{"to", to}, {"data", "0x03"}}, "latest"});
    EXPECT_EQ(custom, json::parse(R"({"code":3,"message":"execution reverted","data":"0xdeadbeef"})"));
    EXPECT_EQ(error("eth_call", {json{{"to", to}, {"data", "0x04"}}, "latest"})["code"], code::kServerError);
    EXPECT_EQ(error("eth_call", {json{{"to", to}, {"data", "0x05"}}, "latest"})["message"],
              "insufficient funds for gas * price + value");
    const json ov = {{to, {{"balance", "0x1"}}}};
    EXPECT_EQ(result("eth_call", {json{{"to", to}}, "latest", ov}), "0x0b");
    EXPECT_EQ(error("eth_call", {json{{"to", to}}, "latest", json{{to, {{"balance", 1}}}}})["code"], code::kInvalidParams);
    EXPECT_EQ(error("eth_call", {"nope"})["code"], code::kInvalidParams);
}

TEST_F(EthApiTest, estimate_gas_is_exact_for_gasleft_checking_contracts) {
    // A contract that uses 30,000 gas but requires gasleft() >= 47,123 at its
    // check (as OpenZeppelin-style gas guards do): anything less reverts.
    constexpr Gas kNeeded = 47'123;
    be.call_fn = [](const CallMsg& m, BlockNum, const StateOverrides&) -> Result<CallResult, CallFailure> {
        if (m.gas < 21000) return Unexpected{CallFailure{CallError::kRejected, execution::TxRejection::kIntrinsicGasTooLow}};
        if (m.gas < kNeeded) return CallResult{evm::Status::kOutOfGas, {}, m.gas};
        return CallResult{evm::Status::kSuccess, {}, 30'000};
    };
    const json got = result("eth_estimateGas", {json{{"to", hx(chain.contract)}}});
    EXPECT_EQ(got, quantity(kNeeded));
    EXPECT_LT(be.call_count, 40u);
    // A plain transfer: 21000 exactly.
    be.call_fn = [](const CallMsg& m, BlockNum, const StateOverrides&) -> Result<CallResult, CallFailure> {
        if (m.gas < 21000) return Unexpected{CallFailure{CallError::kRejected, execution::TxRejection::kIntrinsicGasTooLow}};
        return CallResult{evm::Status::kSuccess, {}, 21000};
    };
    EXPECT_EQ(result("eth_estimateGas", {json{{"to", hx(addr(0xbb))}, {"value", "0x1"}}}), "0x5208");
}

TEST_F(EthApiTest, estimate_gas_reports_revert_and_allowance) {
    be.call_fn = [](const CallMsg&, BlockNum, const StateOverrides&) -> Result<CallResult, CallFailure> {
        return CallResult{evm::Status::kRevert, {0x01, 0x02}, 100};
    };
    const json e = error("eth_estimateGas", {json{{"to", hx(chain.contract)}}});
    EXPECT_EQ(e["code"], 3);
    EXPECT_EQ(e["data"], "0x0102");
    be.call_fn = [](const CallMsg& m, BlockNum, const StateOverrides&) -> Result<CallResult, CallFailure> {
        return CallResult{evm::Status::kOutOfGas, {}, m.gas};
    };
    EXPECT_EQ(error("eth_estimateGas", {json{{"to", hx(chain.contract)}, {"gas", "0x6000"}}})["message"],
              "gas required exceeds allowance (24576)");
    // A price the sender cannot pay for: insufficient funds for the value.
    EXPECT_EQ(error("eth_estimateGas", {json{{"from", hx(addr(0x42))}, {"to", hx(chain.contract)}, {"value", "0x1"}, {"gasPrice", "0x1"}}})["message"],
              "insufficient funds for transfer");
}

TEST_F(EthApiTest, estimate_gas_times_out_at_the_deadline) {
    be.call_fn = [](const CallMsg& m, BlockNum, const StateOverrides&) -> Result<CallResult, CallFailure> {
        if (m.gas < 40000) return CallResult{evm::Status::kOutOfGas, {}, m.gas};
        return CallResult{evm::Status::kSuccess, {}, 21000};
    };
    CallContext ctx;
    ctx.deadline = std::chrono::steady_clock::now();
    const json r = call(d, "eth_estimateGas", {json{{"to", hx(chain.contract)}}}, &ctx);
    EXPECT_EQ(r["error"]["code"], code::kServerError);
}

TEST_F(EthApiTest, create_access_list_shape) {
    const json r = result("eth_createAccessList", {json{{"to", hx(chain.contract)}}, "latest"});
    EXPECT_EQ(r["gasUsed"], "0x5b68");
    ASSERT_EQ(r["accessList"].size(), 1u);
    EXPECT_EQ(r["accessList"][0]["address"], hx(chain.contract));
    EXPECT_EQ(r["accessList"][0]["storageKeys"][0], "0x0000000000000000000000000000000000000000000000000000000000000001");
}

TEST_F(EthApiTest, get_proof_shape) {
    const json r = result("eth_getProof", {hx(chain.contract), {"0x1"}, "latest"});
    EXPECT_EQ(r["address"], hx(chain.contract));
    EXPECT_EQ(r["accountProof"], json::parse(R"(["0xf801","0xe202"])"));
    EXPECT_EQ(r["nonce"], "0x0");
    EXPECT_EQ(r["balance"], "0x0");
    ASSERT_EQ(r["storageProof"].size(), 1u);
    EXPECT_EQ(r["storageProof"][0]["key"], "0x1");
    EXPECT_EQ(r["storageProof"][0]["value"], "0x2a");
    EXPECT_EQ(r["storageProof"][0]["proof"], json::parse(R"(["0xab"])"));
    EXPECT_EQ(error("eth_getProof", {hx(chain.contract), "0x1", "latest"})["code"], code::kInvalidParams);
}

TEST_F(EthApiTest, fee_history_base_fees_ratios_and_rewards) {
    const json r = result("eth_feeHistory", {"0x2", "latest", {0, 50, 100}});
    EXPECT_EQ(r["oldestBlock"], "0x1");
    EXPECT_EQ(r["baseFeePerGas"], json::parse(R"(["0x7","0x7","0x7"])"));
    ASSERT_EQ(r["gasUsedRatio"].size(), 2u);
    EXPECT_DOUBLE_EQ(r["gasUsedRatio"][1].get<double>(), 60000.0 / 30'000'000.0);
    ASSERT_EQ(r["reward"].size(), 2u);
    // Block 1 tips: legacy price 10 - 7 = 3 (x2), type-2 tip 2.
    EXPECT_EQ(r["reward"][0], json::parse(R"(["0x2","0x3","0x3"])"));
    EXPECT_EQ(result("eth_feeHistory", {4, "0x1", json::array()})["oldestBlock"], "0x0");
    EXPECT_FALSE(result("eth_feeHistory", {"0x1", "latest"}).contains("reward"));
    EXPECT_EQ(error("eth_feeHistory", {"0x1", "latest", {50, 10}})["code"], code::kInvalidParams);
    EXPECT_EQ(error("eth_feeHistory", {"0x1", "0x10"})["code"], code::kServerError);
}

TEST_F(EthApiTest, filters_report_new_blocks_pending_hashes_and_logs) {
    const std::string bf = result("eth_newBlockFilter");
    const std::string pf = result("eth_newPendingTransactionFilter");
    const std::string lf = result("eth_newFilter", {json{{"fromBlock", "0x0"}, {"topics", {hx(topic(3))}}}});
    EXPECT_EQ(api->filter_count(), 3u);
    EXPECT_EQ(result("eth_getFilterChanges", {lf}).size(), 2u);  // blocks 0..2 on the first poll
    EXPECT_EQ(result("eth_getFilterChanges", {lf}).size(), 0u);
    EXPECT_EQ(result("eth_getFilterChanges", {bf}).size(), 0u);
    // A new block with one topic-3 log arrives.
    std::vector<chain::Receipt> r = {chain::make_receipt(chain::TxType::kLegacy, true, 21000,
                                                         {chain::Log{addr(1), {topic(3)}, {}}})};
    be.add_block({chain.txs[0]}, r, be.blocks.back().state);
    be.fire_head();
    be.fire(ChainEvent{nullptr, topic(9)});
    EXPECT_EQ(result("eth_getFilterChanges", {bf}), json::array({hx(be.blocks[3].hash)}));
    EXPECT_EQ(result("eth_getFilterChanges", {pf}), json::array({hx(topic(9))}));
    EXPECT_EQ(result("eth_getFilterChanges", {lf}).size(), 1u);
    EXPECT_EQ(result("eth_getFilterLogs", {lf}).size(), 3u);
    EXPECT_EQ(result("eth_uninstallFilter", {lf}), true);
    EXPECT_EQ(result("eth_uninstallFilter", {lf}), false);
    EXPECT_EQ(error("eth_getFilterChanges", {lf})["message"], "filter not found");
    EXPECT_EQ(error("eth_getFilterChanges", {5})["code"], code::kInvalidParams);
}

TEST_F(EthApiTest, filters_expire_and_are_limited) {
    settings.filter_timeout = std::chrono::seconds(0);
    settings.max_filters = 2;
    make();
    const std::string f = result("eth_newBlockFilter");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(error("eth_getFilterChanges", {f})["message"], "filter not found");
    settings.filter_timeout = std::chrono::seconds(60);
    make();
    result("eth_newBlockFilter");
    result("eth_newBlockFilter");
    EXPECT_EQ(error("eth_newBlockFilter")["code"], code::kLimitExceeded);
}

TEST_F(EthApiTest, api_unregisters_its_listener) {
    const size_t before = be.listener_count();
    api.reset();
    EXPECT_EQ(be.listener_count(), before - 1);
    make();
}

TEST_F(EthApiTest, subscribe_needs_a_websocket) {
    EXPECT_EQ(error("eth_subscribe", {"newHeads"})["message"], "notifications not supported");
}

TEST_F(EthApiTest, subscriptions_fan_out_and_drop_slow_connections) {
    SubscriptionHub hub(2);
    std::vector<std::string> got;
    bool full = false;
    const uint64_t conn = hub.connect([&](std::shared_ptr<const std::string> m) {
        if (full) return false;
        got.push_back(*m);
        return true;
    });
    ConnectionSubscriptions subs(hub, conn);
    CallContext ctx;
    ctx.subscriptions = &subs;
    const json heads = call(d, "eth_subscribe", {"newHeads"}, &ctx);
    const json logs = call(d, "eth_subscribe", {"logs", json{{"topics", {hx(topic(3))}}}}, &ctx);
    ASSERT_TRUE(heads.contains("result")) << heads;
    ASSERT_TRUE(logs.contains("result")) << logs;
    EXPECT_EQ(call(d, "eth_subscribe", {"newPendingTransactions"}, &ctx)["error"]["code"], code::kLimitExceeded);
    EXPECT_EQ(call(d, "eth_subscribe", {"syncing"}, &ctx)["error"]["code"], code::kInvalidParams);
    EXPECT_EQ(call(d, "eth_subscribe", {"logs", json{{"fromBlock", "0x1"}}}, &ctx)["error"]["code"], code::kInvalidParams);

    test::MockBackend& b = be;
    auto ev = std::make_shared<BlockEvent>();
    ev->header = b.blocks[2].header;
    ev->hash = b.blocks[2].hash;
    ev->receipts = b.blocks[2].receipts;
    for (const auto& tx : b.blocks[2].body.transactions) ev->tx_hashes.push_back(chain::transaction_hash(tx));
    hub.publish(ChainEvent{ev, std::nullopt});
    ASSERT_EQ(got.size(), 3u);  // one head + two topic-3 logs
    int heads_seen = 0, logs_seen = 0;
    for (const auto& m : got) {
        const json n = json::parse(m);
        EXPECT_EQ(n["method"], "eth_subscription");
        if (n["params"]["subscription"] == heads["result"]) {
            ++heads_seen;
            EXPECT_EQ(n["params"]["result"]["hash"], hx(b.blocks[2].hash));
        } else {
            ++logs_seen;
            EXPECT_EQ(n["params"]["subscription"], logs["result"]);
        }
    }
    EXPECT_EQ(heads_seen, 1);
    EXPECT_EQ(logs_seen, 2);
    EXPECT_EQ(call(d, "eth_unsubscribe", {heads["result"]}, &ctx)["result"], true);
    EXPECT_EQ(call(d, "eth_unsubscribe", {heads["result"]}, &ctx)["result"], false);
    // A connection whose queue is full is dropped with its subscriptions.
    full = true;
    hub.publish(ChainEvent{ev, std::nullopt});
    EXPECT_EQ(hub.subscription_count(), 0u);
    EXPECT_EQ(hub.connection_count(), 0u);
}

TEST_F(EthApiTest, hostile_params_get_errors_not_crashes) {
    const std::vector<std::string> methods = {
        "eth_getBalance", "eth_getCode", "eth_getStorageAt", "eth_getTransactionCount", "eth_call", "eth_estimateGas",
        "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getTransactionByHash", "eth_getTransactionReceipt",
        "eth_getLogs", "eth_newFilter", "eth_getFilterChanges", "eth_feeHistory", "eth_getProof",
        "eth_sendRawTransaction", "eth_getBlockReceipts", "eth_createAccessList",
        "eth_getTransactionByBlockNumberAndIndex", "eth_getTransactionByBlockHashAndIndex", "eth_uninstallFilter"};
    const std::vector<json> junk = {json::array(), json::array({nullptr}), json::array({1e308}), json::array({-1}),
                                    json::array({"0x" + std::string(200, 'f')}), json::array({json::object()}),
                                    json::array({json::array({json::array()})}), json::array({true, true, true}),
                                    json::array({"latest", "latest", "latest", "latest"}),
                                    json::array({"0x" + std::string(40, '1'), 18446744073709551615ull})};
    for (const auto& m : methods)
        for (const auto& p : junk) {
            const json r = call(d, m, p);
            ASSERT_TRUE(r.contains("result") || r.contains("error")) << m << " " << p;
            if (r.contains("error")) {
                EXPECT_NE(r["error"]["code"], code::kInternal) << m << " " << p << " " << r;
            }
        }
}

}  // namespace
}  // namespace trellis::rpc
