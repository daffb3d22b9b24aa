#include "devtools/json_rpc_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include "base/uint256.hpp"
#include "runtime/asio.hpp"

namespace trellis::devtools {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using json = nlohmann::json;

struct JsonRpcClient::Impl {
    std::string endpoint;
    std::string host;
    boost::asio::io_context ioc;
    tcp::socket socket{ioc};
    boost::beast::flat_buffer buffer;
};

JsonRpcClient::JsonRpcClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonRpcClient::~JsonRpcClient() = default;

Result<std::unique_ptr<JsonRpcClient>, std::string> JsonRpcClient::connect(
    const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
    auto impl = std::make_unique<Impl>();
    impl->host = host;
    impl->endpoint = host + ":" + std::to_string(port);
    boost::system::error_code ec;
    tcp::resolver resolver(impl->ioc);
    const auto addrs = resolver.resolve(host, std::to_string(port), ec);
    if (!ec) boost::asio::connect(impl->socket, addrs, ec);
    if (ec) return Unexpected{"connect to " + impl->endpoint + ": " + ec.message()};
    impl->socket.set_option(tcp::no_delay(true), ec);
    if (timeout.count() > 0) {
        // Blocking reads and writes give up after the timeout (the kernel's
        // socket timeouts: Asio's synchronous calls have none of their own).
        timeval tv{};
        tv.tv_sec = long(timeout.count() / 1000);
        tv.tv_usec = long(timeout.count() % 1000) * 1000;
        const int fd = impl->socket.native_handle();
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    return std::unique_ptr<JsonRpcClient>(new JsonRpcClient(std::move(impl)));
}

Result<json, std::string> JsonRpcClient::post(const std::string& body) {
    Impl& c = *impl_;
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, c.host);
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    boost::system::error_code ec;
    http::write(c.socket, req, ec);
    if (ec) return Unexpected{"send to " + c.endpoint + ": " + ec.message()};
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    http::read(c.socket, c.buffer, parser, ec);
    if (ec) return Unexpected{"read from " + c.endpoint + ": " + ec.message()};
    auto res = parser.release();
    if (res.result() != http::status::ok)
        return Unexpected{"HTTP " + std::to_string(res.result_int()) + " from " + c.endpoint + ": " +
                          res.body().substr(0, 200)};
    json j = json::parse(res.body(), nullptr, false);
    if (j.is_discarded())
        return Unexpected{"unparsable JSON-RPC answer from " + c.endpoint + ": " + res.body().substr(0, 200)};
    return j;
}

Result<json, std::string> JsonRpcClient::call(const std::string& method, json params) {
    auto j =
        post(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", std::move(params)}}.dump());
    if (!j) return Unexpected{j.error()};
    if (!j->is_object() || !j->contains("result"))
        return Unexpected{method + " failed on " + impl_->endpoint + ": " + j->dump().substr(0, 300)};
    return (*j)["result"];
}

Result<uint64_t, std::string> JsonRpcClient::call_quantity(const std::string& method, json params) {
    auto r = call(method, std::move(params));
    if (!r) return Unexpected{r.error()};
    const std::string bad =
        "bad " + method + " result from " + impl_->endpoint + ": " + r->dump().substr(0, 100);
    if (!r->is_string()) return Unexpected{bad};
    const auto v = parse_uint256(r->get<std::string>());
    if (!v || !v->fits_u64()) return Unexpected{bad};
    return uint64_t(*v);
}

}  // namespace trellis::devtools
