// A real server on 127.0.0.1 port 0, driven with Beast's HTTP and WebSocket clients.

#include <gtest/gtest.h>

#include "runtime/asio.hpp"
#include "rpc/eth_api.hpp"
#include "rpc/eth_json.hpp"
#include "runtime/metrics.hpp"
#include "rpc/server.hpp"
#include "test_chain.hpp"

namespace trellis::rpc {
namespace {

struct ServerTest : ::testing::Test {
    test::TestChain chain;
    asio::io_context ioc;
    runtime::metrics::Registry registry;
    std::unique_ptr<EthApi> api;
    std::unique_ptr<Dispatcher> dispatcher;
    std::unique_ptr<Server> server;
    uint16_t port = 0;

    void start(Settings s = {}) {
        s.port = 0;
        s.threads = 2;
        api = std::make_unique<EthApi>(chain.backend);
        dispatcher = std::make_unique<Dispatcher>(s.dispatch, &registry);
        api->register_methods(*dispatcher);
        server = std::make_unique<Server>(ioc, s, *dispatcher, &chain.backend, &registry);
        auto p = server->start();
        ASSERT_TRUE(p) << to_string(p.error());
        port = *p;
    }
    void TearDown() override {
        if (server) server->stop();
    }

    tcp::socket connect() {
        asio::io_context& client_ioc = client;
        tcp::socket s(client_ioc);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        return s;
    }
    http::response<http::string_body> request(tcp::socket& s, http::verb verb, const std::string& target,
                                              const std::string& body = "") {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        http::write(s, req);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(s, buf, res);
        return res;
    }
    http::response<http::string_body> post(const std::string& body) {
        auto s = connect();
        return request(s, http::verb::post, "/", body);
    }
    json rpc(const std::string& body) { return json::parse(post(body).body()); }

    asio::io_context client;
};

TEST_F(ServerTest, http_post_json_rpc_and_batch) {
    start();
    EXPECT_EQ(rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"})")["result"], "0x2");
    const json batch = rpc(R"([{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"net_version"}])");
    ASSERT_EQ(batch.size(), 2u);
    EXPECT_EQ(batch[1]["result"], "1337");
    // Keep-alive: several requests on one connection.
    auto s = connect();
    for (int i = 0; i < 3; ++i) {
        auto res = request(s, http::verb::post, "/", R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})");
        EXPECT_EQ(json::parse(res.body())["result"], "0x539");
    }
    // A notification gets an empty 200.
    auto n = post(R"({"jsonrpc":"2.0","method":"eth_chainId"})");
    EXPECT_EQ(n.result(), http::status::ok);
    EXPECT_TRUE(n.body().empty());
}

TEST_F(ServerTest, health_and_metrics_endpoints) {
    start();
    rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"})");
    auto s = connect();
    auto h = request(s, http::verb::get, "/health");
    EXPECT_EQ(h.result(), http::status::ok);
    EXPECT_EQ(json::parse(h.body())["headBlock"], "0x2");
    auto root = request(s, http::verb::get, "/");
    EXPECT_EQ(json::parse(root.body())["status"], "ok");
    auto m = request(s, http::verb::get, "/metrics");
    EXPECT_EQ(m.result(), http::status::ok);
    EXPECT_NE(m[http::field::content_type].find("text/plain"), beast::string_view::npos);
    EXPECT_NE(m.body().find("trellis_rpc_requests_total{method=\"eth_blockNumber\"} 1"), std::string::npos) << m.body();
    EXPECT_NE(m.body().find("trellis_rpc_connections"), std::string::npos);
    EXPECT_EQ(request(s, http::verb::get, "/nope").result(), http::status::not_found);
    EXPECT_EQ(request(s, http::verb::put, "/").result(), http::status::method_not_allowed);
}

TEST_F(ServerTest, oversized_body_gets_413_and_server_keeps_serving) {
    Settings st;
    st.max_body_bytes = 1024;
    start(st);
    auto res = post(std::string(2000, ' ') + R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})");
    EXPECT_EQ(res.result(), http::status::payload_too_large);
    EXPECT_EQ(json::parse(res.body())["error"]["code"], code::kLimitExceeded);
    EXPECT_EQ(rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})")["result"], "0x539");
}

TEST_F(ServerTest, default_limit_refuses_a_5_mib_body) {
    start();
    // The server answers as soon as it sees Content-Length; a client may get
    // EPIPE on the rest of its write but still reads the 413.
    auto s = connect();
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.body() = std::string(5 * 1024 * 1024 + 1, ' ');
    req.prepare_payload();
    beast::error_code ec;
    http::write(s, req, ec);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res, ec);
    EXPECT_EQ(res.result(), http::status::payload_too_large) << ec.message();
    EXPECT_EQ(rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})")["result"], "0x539");
}

TEST_F(ServerTest, batch_of_1001_is_refused_with_32005) {
    start();
    json batch = json::array();
    for (int i = 0; i < 1001; ++i) batch.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "eth_chainId"}});
    EXPECT_EQ(rpc(batch.dump())["error"]["code"], code::kLimitExceeded);
    batch.erase(batch.begin());
    EXPECT_EQ(rpc(batch.dump()).size(), 1000u);
}

TEST_F(ServerTest, too_many_connections_get_503_then_room_frees) {
    Settings st;
    st.max_connections = 2;
    start(st);
    auto a = connect();
    auto b = connect();
    // Make sure both are accepted and active.
    request(a, http::verb::get, "/health");
    request(b, http::verb::get, "/health");
    auto c = connect();
    http::response<http::string_body> res;
    beast::flat_buffer buf;
    http::read(c, buf, res);
    EXPECT_EQ(res.result(), http::status::service_unavailable);
    EXPECT_EQ(json::parse(res.body())["error"]["code"], code::kLimitExceeded);
    a.close();
    b.close();
    for (int i = 0; i < 1000 && server->connection_count() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})")["result"], "0x539");
}

TEST_F(ServerTest, hostile_input_is_answered_and_server_keeps_serving) {
    start();
    const std::vector<std::pair<std::string, int>> cases = {
        {"{", code::kParseError},
        {"\x00\x01\x02", code::kParseError},
        {"[]", code::kInvalidRequest},
        {std::string(100000, '['), code::kParseError},
        {R"({"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":[123,"latest"]})", code::kInvalidParams},
        {R"({"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xZZ","latest"]})", code::kInvalidParams},
        {R"({"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x)" + std::string(5000, 'f') + R"(",false]})",
         code::kInvalidParams},
        {R"({"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":[1e400,false]})", code::kParseError},
        {R"({"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":[123456789012345678901234567890,false]})",
         code::kInvalidParams},
        {R"({"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0xf86c0980"]})", code::kServerError},
        {R"({"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x123"]})", code::kInvalidParams},
        {R"({"jsonrpc":"2.0","id":1,"method":"no_such_method"})", code::kMethodNotFound},
    };
    for (const auto& [body, expected] : cases) {
        const auto res = post(body);
        EXPECT_EQ(res.result(), http::status::ok) << body.substr(0, 80);
        const json j = json::parse(res.body());
        EXPECT_EQ(j["error"]["code"], expected) << body.substr(0, 80) << " -> " << res.body();
    }
    // Garbage that is not HTTP at all: 400, then still serving.
    {
        auto s = connect();
        asio::write(s, asio::buffer(std::string("GARBAGE\r\n\r\n")));
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        beast::error_code ec;
        http::read(s, buf, res, ec);
        EXPECT_EQ(res.result(), http::status::bad_request);
    }
    EXPECT_EQ(rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})")["result"], "0x539");
}

TEST_F(ServerTest, slow_request_times_out) {
    Settings st;
    st.request_timeout = std::chrono::milliseconds(200);
    start(st);
    auto s = connect();
    asio::write(s, asio::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")));
    char byte;
    beast::error_code ec;
    const auto t0 = std::chrono::steady_clock::now();
    s.read_some(asio::buffer(&byte, 1), ec);  // the server closes the connection
    EXPECT_TRUE(ec);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_EQ(rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})")["result"], "0x539");
}

struct WsClient {
    websocket::stream<tcp::socket> ws;
    WsClient(asio::io_context& ioc, uint16_t port) : ws(ioc) {
        ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        ws.handshake("127.0.0.1", "/");
    }
    void send(const std::string& s) { ws.write(asio::buffer(s)); }
    json read() {
        beast::flat_buffer buf;
        ws.read(buf);
        return json::parse(beast::buffers_to_string(buf.data()));
    }
};

TEST_F(ServerTest, websocket_requests_and_new_heads_subscription) {
    start();
    WsClient c(client, port);
    c.send(R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"})");
    EXPECT_EQ(c.read()["result"], "0x2");
    c.send(R"({"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["newHeads"]})");
    const json sub = c.read();
    ASSERT_TRUE(sub.contains("result")) << sub;
    c.send(R"({"jsonrpc":"2.0","id":3,"method":"eth_subscribe","params":["logs",{"topics":[null]}]})");
    const json logsub = c.read();
    chain.backend.fire_head();  // block 2: one head, two logs
    std::set<std::string> kinds;
    int logs = 0;
    for (int i = 0; i < 3; ++i) {
        const json n = c.read();
        EXPECT_EQ(n["method"], "eth_subscription");
        if (n["params"]["subscription"] == sub["result"]) {
            EXPECT_EQ(n["params"]["result"]["number"], "0x2");
            kinds.insert("head");
        } else {
            EXPECT_EQ(n["params"]["subscription"], logsub["result"]);
            ++logs;
        }
    }
    EXPECT_EQ(kinds.size(), 1u);
    EXPECT_EQ(logs, 2);
    c.send(R"({"jsonrpc":"2.0","id":4,"method":"eth_unsubscribe","params":[)" + sub["result"].dump() + "]}");
    EXPECT_EQ(c.read()["result"], true);
    // Hostile input over WebSocket gets errors too.
    c.send("{nope");
    EXPECT_EQ(c.read()["error"]["code"], code::kParseError);
    c.send(R"({"jsonrpc":"2.0","id":5,"method":"eth_chainId"})");
    EXPECT_EQ(c.read()["result"], "0x539");
}

TEST_F(ServerTest, websocket_subscription_limit_per_connection) {
    Settings st;
    st.max_subscriptions_per_connection = 1;
    start(st);
    WsClient c(client, port);
    c.send(R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]})");
    EXPECT_TRUE(c.read().contains("result"));
    c.send(R"({"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["newPendingTransactions"]})");
    EXPECT_EQ(c.read()["error"]["code"], code::kLimitExceeded);
}

TEST_F(ServerTest, websocket_oversized_message_is_refused) {
    Settings st;
    st.max_ws_message_bytes = 1024;
    start(st);
    WsClient c(client, port);
    c.send(std::string(4096, ' '));
    beast::error_code ec;
    beast::flat_buffer buf;
    // Either an error message then a close, or the close directly.
    for (int i = 0; i < 3 && !ec; ++i) c.ws.read(buf, ec);
    EXPECT_TRUE(ec);
    EXPECT_EQ(rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})")["result"], "0x539");
}

TEST_F(ServerTest, slow_subscriber_is_dropped_without_blocking_the_node) {
    Settings st;
    st.max_queued_messages = 4;
    start(st);
    WsClient c(client, port);
    c.send(R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["logs"]})");
    ASSERT_TRUE(c.read().contains("result"));
    // Blocks whose logs carry 64 KiB each: the client reads nothing, so the
    // socket buffers fill and the queue overflows.
    auto ev = std::make_shared<BlockEvent>();
    ev->header = chain.backend.blocks[2].header;
    ev->hash = chain.backend.blocks[2].hash;
    ev->tx_hashes = {Hash32{}};
    ev->receipts = {chain::make_receipt(chain::TxType::kLegacy, true, 1, {chain::Log{Address{}, {}, Bytes(64 * 1024, 0xab)}})};
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 400; ++i) chain.backend.fire(ChainEvent{ev, std::nullopt});
    // fire() only posts: the node's side returns at once.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    beast::error_code ec;
    int got = 0;
    for (; got < 1000 && !ec; ++got) {
        beast::flat_buffer buf;
        c.ws.read(buf, ec);
    }
    EXPECT_EQ(ec, websocket::error::closed);
    EXPECT_EQ(c.ws.reason().code, websocket::close_code::policy_error);
    EXPECT_LT(got, 400);
    EXPECT_EQ(rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})")["result"], "0x539");
}

TEST_F(ServerTest, subscribe_over_http_is_refused) {
    start();
    EXPECT_EQ(rpc(R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]})")["error"]["code"],
              code::kMethodNotFound);
}

TEST_F(ServerTest, graceful_stop_closes_connections_and_port) {
    start();
    WsClient c(client, port);
    auto s = connect();
    request(s, http::verb::get, "/health");
    server->stop();
    beast::error_code ec;
    beast::flat_buffer buf;
    c.ws.read(buf, ec);
    EXPECT_TRUE(ec);
    tcp::socket again(client);
    again.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    EXPECT_TRUE(ec);
    server->stop();  // idempotent
}

TEST_F(ServerTest, bad_address_and_taken_port_are_errors) {
    Settings st;
    st.address = "not-an-ip";
    Dispatcher d;
    Server bad(ioc, st, d);
    EXPECT_EQ(bad.start().error(), ServerError::kBadAddress);
    start();
    Settings same;
    same.port = port;
    same.threads = 0;
    Server clash(ioc, same, d);
    EXPECT_EQ(clash.start().error(), ServerError::kBindFailed);
}

}  // namespace
}  // namespace trellis::rpc
