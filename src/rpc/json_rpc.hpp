#pragma once

// JSON-RPC 2.0 framing (https://www.jsonrpc.org/specification) with the
// EIP-1474 error codes Ethereum clients expect, and the method registry.
// Transport-independent: the server hands it request bodies; the fuzz target
// and unit tests do the same without sockets.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace trellis::rpc {

using json = nlohmann::json;

/// JSON-RPC 2.0 §5.1 and EIP-1474 error codes.
namespace code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternal = -32603;
inline constexpr int kServerError = -32000;        ///< EIP-1474 "invalid input" / generic (geth uses it widely)
inline constexpr int kResourceNotFound = -32001;   ///< EIP-1474
inline constexpr int kResourceUnavailable = -32002;///< EIP-1474
inline constexpr int kTransactionRejected = -32003;///< EIP-1474
inline constexpr int kMethodNotSupported = -32004; ///< EIP-1474
inline constexpr int kLimitExceeded = -32005;      ///< EIP-1474
inline constexpr int kExecutionReverted = 3;       ///< geth: revert with data (ethers decodes it)
}  // namespace code

/// The error a handler throws; becomes the response's "error" member.
/// (Exceptions stay inside the RPC shell: the dispatcher catches everything.)
struct RpcError : std::runtime_error {
    int code;
    std::optional<json> data;
    RpcError(int c, std::string message, std::optional<json> d = std::nullopt)
        : std::runtime_error(std::move(message)), code(c), data(std::move(d)) {}
};

/// Shorthand for the most common failure: -32602 with a message.
[[noreturn]] void throw_invalid_params(std::string message);

/// Per-connection capabilities and the request's deadline, passed to handlers.
class SubscriptionSink;
struct CallContext {
    /// Set on WebSocket connections; nullptr on HTTP (no subscriptions there).
    SubscriptionSink* subscriptions = nullptr;
    /// Handlers that loop (estimateGas, log scans) stop after this point.
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    bool expired() const noexcept { return std::chrono::steady_clock::now() >= deadline; }
};

/// A method: takes the params array (absent params arrive as []), returns the
/// result or throws RpcError (any other exception becomes -32603).
using Handler = std::function<json(const json& params, CallContext& ctx)>;

namespace metrics {
class Registry;
}

/// Limits the framing enforces (the server adds transport limits).
struct DispatchSettings {
    size_t max_batch = 1000;  ///< requests in one batch; more is -32005 for the whole batch
    size_t max_depth = 64;    ///< JSON nesting; deeper input is a parse error (no deep recursion)
};

/// The method registry and request handler. Register all methods before
/// serving; handle() is then safe to call from many threads at once.
class Dispatcher {
public:
    explicit Dispatcher(DispatchSettings settings = {}, metrics::Registry* metrics = nullptr);
    ~Dispatcher();
    Dispatcher(Dispatcher&&) noexcept;
    Dispatcher& operator=(Dispatcher&&) noexcept;

    /// Adds or replaces a method.
    void register_method(std::string name, Handler handler);
    bool has_method(std::string_view name) const;

    /// Answers one HTTP body or WebSocket message. nullopt when nothing is to
    /// be sent back (only notifications). Never throws.
    std::optional<std::string> handle(std::string_view body, CallContext& ctx) const;
    /// Answers one already-parsed request object (or a non-object, which is
    /// an invalid request). nullopt for a notification.
    std::optional<json> handle_one(const json& request, CallContext& ctx) const;

private:
    struct Metrics;
    DispatchSettings settings_;
    std::unordered_map<std::string, Handler> methods_;
    std::unique_ptr<Metrics> metrics_;
};

/// {"jsonrpc":"2.0","id":id,"error":{...}}.
json make_error(const json& id, int code, std::string_view message, const std::optional<json>& data = std::nullopt);
/// True when s nests arrays/objects deeper than max_depth (strings are skipped).
bool too_deep(std::string_view s, size_t max_depth) noexcept;

}  // namespace trellis::rpc
