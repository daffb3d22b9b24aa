// /metrics on a running node: the head block, pool sizes, RPC requests and
// latency by method, block execution and commit time and gas per block, in
// the Prometheus text format.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/hex.hpp"
#include "chain/devnet.hpp"
#include "node/service.hpp"
#include "runtime/asio.hpp"

using namespace trellis;
using json = nlohmann::json;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string http_request(uint16_t port, http::verb verb, const std::string& target, const std::string& body) {
    asio::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(sock, req);
    boost::beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(sock, buf, res);
    return res.body();
}

json call_rpc(uint16_t port, const std::string& method, json params) {
    return json::parse(http_request(
        port, http::verb::post, "/",
        json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", std::move(params)}}.dump()));
}

/// The value of the sample line that starts with `series ` (nullopt if none).
std::optional<double> sample(const std::string& text, const std::string& series) {
    size_t at = 0;
    while ((at = text.find(series + " ", at)) != std::string::npos) {
        if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
        ++at;
    }
    return std::nullopt;
}

}  // namespace

TEST(NodeMetrics, metrics_cover_head_pool_rpc_and_blocks) {
    const auto dir =
        std::filesystem::temp_directory_path() /
        ("trellis-metrics-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    const auto accounts = chain::devnet_accounts(2);
    node::ServiceSettings s;
    s.datadir = dir;
    s.genesis = chain::devnet_genesis(accounts, chain::devnet_default_balance());
    s.ledger.sync_commits = false;
    s.http_port = 0;
    auto started = node::Service::start(s);
    ASSERT_TRUE(started.ok()) << started.error();
    auto& service = **started;
    const uint16_t port = service.http_port();

    chain::Transaction tx;
    tx.type = chain::TxType::kDynamicFee;
    tx.chain_id = chain::kDevnetChainId;
    tx.max_priority_fee_per_gas = uint256(1);
    tx.max_fee_per_gas = uint256(1);
    tx.gas_limit = 21000;
    tx.to = accounts[1].address;
    tx.value = uint256(5);
    ASSERT_TRUE(chain::sign(tx, accounts[0].private_key));
    json sent = call_rpc(port, "eth_sendRawTransaction", {to_0x_hex(chain::encode_transaction(tx))});
    ASSERT_TRUE(sent.contains("result")) << sent.dump();
    json receipt;
    for (int i = 0;
         i < 400 && (receipt.is_null() || !receipt.contains("result") || receipt["result"].is_null()); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        receipt = call_rpc(port, "eth_getTransactionReceipt", {sent["result"]});
    }
    ASSERT_FALSE(receipt["result"].is_null());
    // A second transaction from a nonce gap stays queued.
    tx.nonce = 5;
    ASSERT_TRUE(chain::sign(tx, accounts[0].private_key));
    ASSERT_TRUE(call_rpc(port, "eth_sendRawTransaction", {to_0x_hex(chain::encode_transaction(tx))})
                    .contains("result"));

    const std::string text = http_request(port, http::verb::get, "/metrics", "");
    EXPECT_EQ(sample(text, "trellis_head_block"), 1.0) << text;
    EXPECT_EQ(sample(text, "trellis_txpool_pending"), 0.0) << text;
    EXPECT_EQ(sample(text, "trellis_txpool_queued"), 1.0) << text;
    EXPECT_EQ(sample(text, "trellis_rpc_requests_total{method=\"eth_sendRawTransaction\"}"), 2.0) << text;
    EXPECT_GE(
        sample(text, "trellis_rpc_request_seconds_count{method=\"eth_getTransactionReceipt\"}").value_or(0),
        1.0);
    EXPECT_NE(
        text.find("trellis_rpc_request_seconds_bucket{method=\"eth_sendRawTransaction\",le=\"+Inf\"} 2"),
        std::string::npos)
        << text;
    EXPECT_EQ(sample(text, "trellis_block_execution_seconds_count"), 1.0) << text;
    EXPECT_GT(sample(text, "trellis_block_execution_seconds_sum").value_or(0), 0.0) << text;
    EXPECT_EQ(sample(text, "trellis_block_commit_seconds_count"), 1.0) << text;
    EXPECT_EQ(sample(text, "trellis_block_gas_used_sum"), 21000.0) << text;
    EXPECT_EQ(sample(text, "trellis_block_gas_used_count"), 1.0) << text;
    EXPECT_EQ(sample(text, "trellis_block_transactions_sum"), 1.0) << text;
    EXPECT_EQ(sample(text, "trellis_transactions_mined_total"), 1.0) << text;
    EXPECT_NE(text.find("# TYPE trellis_block_execution_seconds histogram"), std::string::npos);

    service.stop();
    std::filesystem::remove_all(dir);
}
