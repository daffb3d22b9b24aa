#pragma once

// The JSON-RPC server: one TCP port serving HTTP POST JSON-RPC, WebSocket
// upgrades (JSON-RPC plus eth_subscribe), GET /metrics (Prometheus text) and
// GET / or /health (a small JSON document). Boost.Beast with C++20
// coroutines on an io_context the caller owns. Limits are in Settings; each
// violation gets a JSON-RPC error (or HTTP 413/400/503 when the transport
// itself is at fault) and the server keeps serving.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "rpc/backend.hpp"
#include "rpc/json_rpc.hpp"

namespace boost::asio {
class io_context;
}

namespace trellis::runtime::metrics {
class Registry;
}

namespace trellis::rpc {

struct Settings {
    /// Listen address. Loopback by default: exposing RPC is a deliberate choice.
    std::string address = "127.0.0.1";
    /// Port; 0 picks a free one (see Server::port()).
    uint16_t port = 8545;
    /// io_context threads the server starts itself; 0 leaves running the
    /// io_context to the caller.
    unsigned threads = 2;
    /// Largest HTTP request body (geth: 5 MiB). Larger: HTTP 413.
    size_t max_body_bytes = 5 * 1024 * 1024;
    /// Largest HTTP header block. Larger: HTTP 400.
    size_t max_header_bytes = 16 * 1024;
    /// Largest WebSocket message (geth: 32 MiB read limit; we match HTTP's body limit).
    size_t max_ws_message_bytes = 5 * 1024 * 1024;
    /// Open connections (HTTP and WebSocket). More: HTTP 503 with a -32005 body.
    size_t max_connections = 256;
    /// Reading a request (headers and body) and handling it must finish in
    /// this time; idle keep-alive connections close after it too.
    std::chrono::milliseconds request_timeout{30'000};
    /// eth_subscribe subscriptions per WebSocket connection.
    size_t max_subscriptions_per_connection = 128;
    /// Messages queued for one WebSocket client; a client that lets more pile
    /// up is disconnected (close code 1008) so it never slows the node.
    size_t max_queued_messages = 4096;
    /// Access-Control-Allow-Origin for browser dApps; empty sends none.
    std::string cors_origin;
    /// Framing limits (batch length, nesting).
    DispatchSettings dispatch;
};

enum class ServerError {
    kBadAddress,    ///< address is not an IP address
    kBindFailed,    ///< the port is taken or not permitted
    kAlreadyStarted,
};
const char* to_string(ServerError e) noexcept;

/// Serves a Dispatcher. Thread-safe start/stop; stop() is graceful (stops
/// accepting, closes connections, joins its own threads) and idempotent.
class Server {
public:
    /// backend (optional) feeds eth_subscribe and the health document;
    /// metrics (optional) receives connection metrics and is served on /metrics.
    /// All references must outlive the server.
    Server(boost::asio::io_context& ioc, Settings settings, const Dispatcher& dispatcher, Backend* backend = nullptr,
           runtime::metrics::Registry* metrics = nullptr);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and starts accepting. Returns the bound port.
    Result<uint16_t, ServerError> start();
    void stop();
    uint16_t port() const noexcept;
    size_t connection_count() const noexcept;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace trellis::rpc
