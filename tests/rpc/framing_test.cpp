#include <gtest/gtest.h>

#include "rpc/json_rpc.hpp"
#include "runtime/metrics.hpp"

namespace trellis::rpc {
namespace {

Dispatcher make(DispatchSettings s = {}, runtime::metrics::Registry* m = nullptr) {
    Dispatcher d(s, m);
    d.register_method("echo", [](const json& p, CallContext&) { return p; });
    d.register_method("fail", [](const json&, CallContext&) -> json {
        throw RpcError(code::kExecutionReverted, "execution reverted", json("0x1234"));
    });
    d.register_method("boom", [](const json&, CallContext&) -> json { throw std::runtime_error("kaput"); });
    d.register_method("wrong_type", [](const json& p, CallContext&) -> json { return p.at(0).get<std::string>(); });
    return d;
}

json run(const Dispatcher& d, std::string_view body) {
    CallContext ctx;
    auto out = d.handle(body, ctx);
    if (!out) return json("<none>");
    return json::parse(*out);
}

TEST(Framing, echoes_number_string_and_null_ids) {
    auto d = make();
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":7,"method":"echo","params":[1]})"),
              json::parse(R"({"jsonrpc":"2.0","id":7,"result":[1]})"));
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":"abc","method":"echo"})")["id"], "abc");
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":null,"method":"echo"})"),
              json::parse(R"({"jsonrpc":"2.0","id":null,"result":[]})"));
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":1.5,"method":"echo"})")["id"], 1.5);
}

TEST(Framing, rejects_object_and_array_ids_as_invalid_request) {
    auto d = make();
    auto r = run(d, R"({"jsonrpc":"2.0","id":{"a":1},"method":"echo"})");
    EXPECT_EQ(r["error"]["code"], code::kInvalidRequest);
    EXPECT_TRUE(r["id"].is_null());
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":[1],"method":"echo"})")["error"]["code"], code::kInvalidRequest);
}

TEST(Framing, notification_gets_no_response) {
    auto d = make();
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","method":"echo","params":[1]})"), "<none>");
    // Even an unknown method or a failing one stays silent.
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","method":"nope"})"), "<none>");
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","method":"boom"})"), "<none>");
}

TEST(Framing, parse_error_is_32700_with_null_id) {
    auto d = make();
    for (const char* bad : {"", "{", "[1,", "{\"jsonrpc\":\"2.0\",\"id\":1,", "nul", "\xff\xfe", "{\"a\":1}}"}) {
        auto r = run(d, bad);
        EXPECT_EQ(r["error"]["code"], code::kParseError) << bad;
        EXPECT_TRUE(r["id"].is_null());
    }
}

TEST(Framing, deep_nesting_is_a_parse_error_not_a_stack_overflow) {
    auto d = make();
    std::string deep(100000, '[');
    EXPECT_EQ(run(d, deep)["error"]["code"], code::kParseError);
    // Brackets inside strings do not count.
    std::string s = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" + std::string(1000, '[') + R"("]})";
    EXPECT_TRUE(run(d, s).contains("result"));
}

TEST(Framing, invalid_requests_are_32600) {
    auto d = make();
    for (const char* bad : {R"(1)", R"("x")", R"({"id":1,"method":"echo"})", R"({"jsonrpc":"1.0","id":1,"method":"echo"})",
                            R"({"jsonrpc":"2.0","id":1})", R"({"jsonrpc":"2.0","id":1,"method":5})",
                            R"({"jsonrpc":"2.0","id":1,"method":"echo","params":"x"})"}) {
        EXPECT_EQ(run(d, bad)["error"]["code"], code::kInvalidRequest) << bad;
    }
}

TEST(Framing, object_params_are_invalid_params) {
    auto d = make();
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}})")["error"]["code"],
              code::kInvalidParams);
}

TEST(Framing, unknown_method_is_32601) {
    auto d = make();
    auto r = run(d, R"({"jsonrpc":"2.0","id":3,"method":"eth_nope"})");
    EXPECT_EQ(r["error"]["code"], code::kMethodNotFound);
    EXPECT_EQ(r["id"], 3);
}

TEST(Framing, handler_errors_keep_code_message_and_data) {
    auto d = make();
    auto r = run(d, R"({"jsonrpc":"2.0","id":1,"method":"fail"})");
    EXPECT_EQ(r["error"], json::parse(R"({"code":3,"message":"execution reverted","data":"0x1234"})"));
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":1,"method":"boom"})")["error"]["code"], code::kInternal);
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":1,"method":"wrong_type","params":[5]})")["error"]["code"],
              code::kInvalidParams);
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":1,"method":"wrong_type","params":[]})")["error"]["code"],
              code::kInvalidParams);
}

TEST(Framing, batch_answers_each_and_skips_notifications) {
    auto d = make();
    auto r = run(d, R"([{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]},
                        {"jsonrpc":"2.0","method":"echo"},
                        {"jsonrpc":"2.0","id":2,"method":"nope"},
                        5])");
    ASSERT_TRUE(r.is_array());
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0]["result"], json::array({1}));
    EXPECT_EQ(r[1]["error"]["code"], code::kMethodNotFound);
    EXPECT_EQ(r[2]["error"]["code"], code::kInvalidRequest);
}

TEST(Framing, empty_batch_is_one_invalid_request) {
    auto d = make();
    auto r = run(d, "[]");
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r["error"]["code"], code::kInvalidRequest);
}

TEST(Framing, all_notification_batch_returns_nothing) {
    auto d = make();
    EXPECT_EQ(run(d, R"([{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"echo"}])"), "<none>");
}

TEST(Framing, batch_over_limit_is_32005) {
    auto d = make(DispatchSettings{1000, 64});
    json batch = json::array();
    for (int i = 0; i < 1001; ++i) batch.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "echo"}});
    auto r = run(d, batch.dump());
    EXPECT_EQ(r["error"]["code"], code::kLimitExceeded);
    batch.erase(batch.begin());
    EXPECT_EQ(run(d, batch.dump()).size(), 1000u);
}

TEST(Framing, expired_deadline_fails_remaining_batch_items) {
    auto d = make();
    CallContext ctx;
    ctx.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    auto out = d.handle(R"([{"jsonrpc":"2.0","id":1,"method":"echo"}])", ctx);
    ASSERT_TRUE(out);
    EXPECT_EQ(json::parse(*out)[0]["error"]["code"], code::kLimitExceeded);
}

TEST(Framing, invalid_utf8_in_echo_does_not_throw) {
    auto d = make();
    // nlohmann rejects invalid UTF-8 at parse time: a parse error, not a crash.
    auto r = run(d, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"\xc3\x28\"]}");
    EXPECT_EQ(r["error"]["code"], code::kParseError);
}

TEST(Framing, metrics_count_requests_by_method_with_unknown_bucket) {
    runtime::metrics::Registry reg;
    auto d = make({}, &reg);
    run(d, R"({"jsonrpc":"2.0","id":1,"method":"echo"})");
    run(d, R"({"jsonrpc":"2.0","id":1,"method":"echo"})");
    run(d, R"({"jsonrpc":"2.0","id":1,"method":"random_name_1"})");
    const std::string text = reg.render();
    EXPECT_NE(text.find("trellis_rpc_requests_total{method=\"echo\"} 2"), std::string::npos) << text;
    EXPECT_NE(text.find("trellis_rpc_requests_total{method=\"unknown\"} 1"), std::string::npos);
    EXPECT_EQ(text.find("random_name_1"), std::string::npos);
    EXPECT_NE(text.find("trellis_rpc_errors_total{method=\"unknown\",code=\"-32601\"} 1"), std::string::npos);
    EXPECT_NE(text.find("trellis_rpc_request_seconds_count{method=\"echo\"} 2"), std::string::npos);
}

}  // namespace
}  // namespace trellis::rpc
