// A real node (ledger on disk, pool, proposer, JSON-RPC server on 127.0.0.1
// port 0) driven over HTTP with Beast's client, as a dApp would drive it.

#include "node/service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/hex.hpp"
#include "chain/transaction.hpp"
#include "chain/devnet.hpp"
#include "runtime/asio.hpp"

using namespace trellis;
using json = nlohmann::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

struct ServiceDir {
    std::filesystem::path path;
    ServiceDir() {
        path = std::filesystem::temp_directory_path() / ("trellis-service-" + std::to_string(::getpid()) +
                                                         "-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~ServiceDir() { std::filesystem::remove_all(path); }
};

Address addr(uint8_t last) {
    Address a;
    a.bytes[0] = 0xc0;
    a.bytes[19] = last;
    return a;
}
// Returns the word 42: PUSH1 42 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN.
const Address kAnswer = addr(0x01);
// Emits LOG1(topic 0xaa) with no data: PUSH1 0xaa PUSH1 0 PUSH1 0 LOG1 STOP.
const Address kLogger = addr(0x02);
// Returns storage slot 5: PUSH1 5 SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN.
const Address kReader = addr(0x03);
const Address kProxy = addr(0x04);

chain::Genesis test_genesis(const std::vector<chain::DevAccount>& accounts) {
    chain::Genesis g = chain::devnet_genesis(accounts, chain::devnet_default_balance());
    g.alloc[kAnswer].code = *from_hex("602a60005260206000f3");
    g.alloc[kLogger].code = *from_hex("60aa60006000a100");
    g.alloc[kReader].code = *from_hex("60055460005260206000f3");
    // STATICCALLs kReader and returns its answer.
    g.alloc[kProxy].code = *from_hex(
        "6020600060006000"
        "73"
        "c000000000000000000000000000000000000003"
        "5afa50"
        "60206000f3");
    Bytes32 five;
    five.bytes[31] = 5;
    Bytes32 v;
    v.bytes[31] = 0x77;
    g.alloc[kReader].storage[five] = v;
    return g;
}

struct NodeServiceTest : ::testing::Test {
    ServiceDir dir;
    std::vector<chain::DevAccount> accounts = chain::devnet_accounts(3);
    chain::Genesis genesis = test_genesis(accounts);
    std::unique_ptr<node::Service> service;
    asio::io_context client;

    void start(std::chrono::seconds empty_blocks = std::chrono::seconds(0)) {
        node::ServiceSettings s;
        s.datadir = dir.path / "data";
        s.genesis = genesis;
        s.ledger.sync_commits = false;
        s.http_port = 0;
        s.empty_block_interval = empty_blocks;
        auto r = node::Service::start(s);
        ASSERT_TRUE(r) << r.error();
        service = std::move(r).value();
    }
    void TearDown() override {
        if (service) service->stop();
    }

    json rpc(const std::string& method, json params = json::array()) {
        tcp::socket sock(client);
        sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), service->http_port()));
        http::request<http::string_body> req{http::verb::post, "/", 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, "application/json");
        req.body() = json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}}.dump();
        req.prepare_payload();
        http::write(sock, req);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(sock, buf, res);
        return json::parse(res.body());
    }
    /// The result, failing the test on an error answer.
    json result(const std::string& method, json params = json::array()) {
        json r = rpc(method, params);
        EXPECT_TRUE(r.contains("result")) << method << ": " << r.dump();
        return r.contains("result") ? r["result"] : json();
    }

    std::string signed_tx(size_t from, uint64_t nonce, const Address& to, uint64_t value, uint64_t gas,
                          Bytes data = {}) {
        chain::Transaction tx;
        tx.type = chain::TxType::kDynamicFee;
        tx.chain_id = chain::kDevnetChainId;
        tx.nonce = nonce;
        tx.max_priority_fee_per_gas = uint256(1'000'000'000);
        tx.max_fee_per_gas = uint256(2'000'000'000);
        tx.gas_limit = gas;
        tx.to = to;
        tx.value = uint256(value);
        tx.data = std::move(data);
        EXPECT_TRUE(chain::sign(tx, accounts[from].private_key));
        return to_0x_hex(chain::encode_transaction(tx));
    }

    json wait_receipt(const std::string& hash) {
        for (int i = 0; i < 200; ++i) {
            json r = result("eth_getTransactionReceipt", {hash});
            if (!r.is_null()) return r;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ADD_FAILURE() << "no receipt for " << hash;
        return json();
    }
};

TEST_F(NodeServiceTest, transfer_call_logs_over_http_and_data_survives_restart) {
    start();
    EXPECT_EQ(result("eth_chainId"), "0x539");
    EXPECT_EQ(result("eth_blockNumber"), "0x0");

    // A transfer: admitted, sealed into a block, receipt and balance visible.
    const Address to = addr(0x99);
    const std::string h1 = result("eth_sendRawTransaction", {signed_tx(0, 0, to, 1000, 21000)});
    ASSERT_EQ(h1.size(), 66u);
    json receipt = wait_receipt(h1);
    ASSERT_FALSE(receipt.is_null());
    EXPECT_EQ(receipt["status"], "0x1");
    EXPECT_EQ(receipt["gasUsed"], "0x5208");
    const std::string block_num = receipt["blockNumber"];
    EXPECT_EQ(result("eth_getBalance", {to_0x_hex(to.view()), "latest"}), "0x3e8");
    EXPECT_EQ(result("eth_getTransactionCount", {to_0x_hex(accounts[0].address.view()), "latest"}), "0x1");

    json block = result("eth_getBlockByNumber", {block_num, false});
    ASSERT_TRUE(block.is_object());
    EXPECT_EQ(block["number"], block_num);
    EXPECT_EQ(block["hash"], receipt["blockHash"]);
    ASSERT_EQ(block["transactions"].size(), 1u);
    EXPECT_EQ(block["transactions"][0], h1);

    // eth_call of a contract from the genesis alloc.
    json call = result("eth_call", {{{"to", to_0x_hex(kAnswer.view())}}, "latest"});
    EXPECT_EQ(call, "0x000000000000000000000000000000000000000000000000000000000000002a");
    json slot = result("eth_call", {{{"to", to_0x_hex(kReader.view())}}, "latest"});
    EXPECT_EQ(slot, "0x0000000000000000000000000000000000000000000000000000000000000077");

    // A log-emitting transaction, found by eth_getLogs.
    const std::string h2 = result("eth_sendRawTransaction", {signed_tx(1, 0, kLogger, 0, 100000)});
    json r2 = wait_receipt(h2);
    ASSERT_FALSE(r2.is_null());
    EXPECT_EQ(r2["status"], "0x1");
    ASSERT_EQ(r2["logs"].size(), 1u);
    json logs =
        result("eth_getLogs",
               {{{"fromBlock", "0x0"}, {"toBlock", "latest"}, {"address", to_0x_hex(kLogger.view())}}});
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0]["transactionHash"], h2);
    EXPECT_EQ(logs[0]["topics"][0], "0x00000000000000000000000000000000000000000000000000000000000000aa");
    EXPECT_EQ(logs[0]["blockNumber"], r2["blockNumber"]);

    // Restart on the same data directory: head, receipts and state are there.
    const std::string head = result("eth_blockNumber");
    service->stop();
    service.reset();
    start();
    EXPECT_EQ(result("eth_blockNumber"), head);
    json again = result("eth_getTransactionReceipt", {h1});
    ASSERT_TRUE(again.is_object());
    EXPECT_EQ(again["blockHash"], receipt["blockHash"]);
    EXPECT_EQ(result("eth_getBalance", {to_0x_hex(to.view()), "latest"}), "0x3e8");
    // And the chain goes on from there: the next nonce is accepted.
    const std::string h3 = result("eth_sendRawTransaction", {signed_tx(0, 1, to, 1, 21000)});
    json r3 = wait_receipt(h3);
    ASSERT_FALSE(r3.is_null());
    EXPECT_EQ(result("eth_getBalance", {to_0x_hex(to.view()), "latest"}), "0x3e9");
}

TEST_F(NodeServiceTest, rejected_transactions_get_errors_and_make_no_block) {
    start();
    // Nonce too low after a mined transaction; a bad signature; garbage bytes.
    const std::string h = result("eth_sendRawTransaction", {signed_tx(0, 0, addr(0x98), 1, 21000)});
    ASSERT_FALSE(wait_receipt(h).is_null());
    const std::string head = result("eth_blockNumber");
    json low = rpc("eth_sendRawTransaction", {signed_tx(0, 0, addr(0x98), 1, 21000)});
    ASSERT_TRUE(low.contains("error")) << low.dump();
    EXPECT_NE(low["error"]["message"].get<std::string>().find("nonce too low"), std::string::npos)
        << low.dump();
    json garbage = rpc("eth_sendRawTransaction", {"0x1234"});
    EXPECT_TRUE(garbage.contains("error")) << garbage.dump();
    // No block for the rejected ones, and no empty block: the next block is
    // the one that carries the next valid transaction, right after the head.
    const std::string h2 = result("eth_sendRawTransaction", {signed_tx(0, 1, addr(0x98), 1, 21000)});
    const json r2 = wait_receipt(h2);
    ASSERT_FALSE(r2.is_null());
    EXPECT_EQ(std::stoull(r2["blockNumber"].get<std::string>(), nullptr, 16),
              std::stoull(head, nullptr, 16) + 1);
    const json block = result("eth_getBlockByNumber", {r2["blockNumber"], false});
    ASSERT_EQ(block["transactions"].size(), 1u) << block.dump();
    EXPECT_EQ(block["transactions"][0], h2);
}

TEST_F(NodeServiceTest, listeners_hear_the_pending_transaction_then_its_block) {
    start();
    std::mutex mu;
    std::vector<rpc::ChainEvent> events;
    const uint64_t id = service->backend().add_listener([&](const rpc::ChainEvent& ev) {
        std::lock_guard lock(mu);
        events.push_back(ev);
    });
    const std::string h = result("eth_sendRawTransaction", {signed_tx(2, 0, addr(0x97), 5, 21000)});
    ASSERT_FALSE(wait_receipt(h).is_null());
    // The receipt is readable as soon as the block commits; listeners hear it just after.
    for (int i = 0; i < 100; ++i) {
        {
            std::lock_guard lock(mu);
            if (events.size() >= 2) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    service->backend().remove_listener(id);
    std::lock_guard lock(mu);
    ASSERT_GE(events.size(), 2u);
    ASSERT_TRUE(events[0].pending_tx.has_value());
    EXPECT_EQ(to_0x_hex(events[0].pending_tx->view()), h);
    ASSERT_TRUE(events[1].block);
    EXPECT_EQ(events[1].block->header.number, 1u);
    ASSERT_EQ(events[1].block->tx_hashes.size(), 1u);
    EXPECT_EQ(to_0x_hex(events[1].block->tx_hashes[0].view()), h);
    ASSERT_EQ(events[1].block->receipts.size(), 1u);
    EXPECT_TRUE(events[1].block->receipts[0].success);
}

TEST_F(NodeServiceTest, empty_blocks_when_configured) {
    start(std::chrono::seconds(1));
    for (int i = 0; i < 60 && result("eth_blockNumber") == "0x0"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_NE(result("eth_blockNumber"), "0x0");
}

TEST_F(NodeServiceTest, backend_call_applies_state_overrides_and_builds_access_lists) {
    start();
    auto& b = service->backend();
    rpc::CallMsg m;
    m.to = kAnswer;
    m.gas = 100000;
    // Override the code: PUSH1 7 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN.
    rpc::StateOverrides ov;
    ov[kAnswer].code = *from_hex("600760005260206000f3");
    auto r = b.call(m, 0, ov);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->success());
    ASSERT_EQ(r->output.size(), 32u);
    EXPECT_EQ(r->output[31], 7);
    // Without the override the genesis code runs.
    auto plain = b.call(m, 0, {});
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->output[31], 42);
    // A storage override (stateDiff) is what SLOAD reads.
    m.to = kReader;
    rpc::StateOverrides sov;
    Bytes32 five, nine;
    five.bytes[31] = 5;
    nine.bytes[31] = 9;
    sov[kReader].state_diff[five] = nine;
    auto s = b.call(m, 0, sov);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->output[31], 9);
    // Through a proxy, kReader and its slot 5 are cold: the access list names
    // them (not the sender, the recipient or the coinbase, which are warm anyway),
    // and the call costs less with it (EIP-2930/2929: 2400 + 1900 up front and 100 + 100 warm instead of 2600
    // + 2100 cold).
    rpc::CallMsg m2;
    m2.from = accounts[0].address;
    m2.to = kProxy;
    m2.gas = 100000;
    auto al = b.create_access_list(m2, 0);
    ASSERT_TRUE(al);
    EXPECT_FALSE(al->failure.has_value());
    ASSERT_EQ(al->access_list.size(), 1u);
    EXPECT_EQ(al->access_list[0].address, kReader);
    ASSERT_EQ(al->access_list[0].storage_keys.size(), 1u);
    EXPECT_EQ(al->access_list[0].storage_keys[0], five);
    auto via_proxy = b.call(m2, 0, {});
    ASSERT_TRUE(via_proxy);
    EXPECT_EQ(via_proxy->output[31], 0x77);
    EXPECT_EQ(via_proxy->gas_used, al->gas_used + 200);
    // State unavailable for a block that does not exist.
    auto missing = b.call(m, 99, {});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().error, rpc::CallError::kStateUnavailable);
}

}  // namespace
