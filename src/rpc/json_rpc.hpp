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
#include <exception>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

namespace trellis::runtime::metrics {
class Registry;
}

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

/// One element's answer from a batch handler: its result, or the exception
/// the single handler would have thrown (rendered the same way).
struct BatchAnswer {
    json result;
    std::exception_ptr error;
};
/// Handles every element of one batch that calls the same method together
/// (say, to recover transaction senders in parallel). Gets those elements'
/// params arrays in batch order and returns one answer per element; it must
/// answer each exactly as the method's Handler would have, had the elements
/// been handled one after another in that order.
using BatchHandler = std::function<std::vector<BatchAnswer>(std::span<const json* const> params, CallContext& ctx)>;

/// Limits the framing enforces (the server adds transport limits).
struct DispatchSettings {
    size_t max_batch = 1000;  ///< requests in one batch; more is -32005 for the whole batch
    size_t max_depth = 64;    ///< JSON nesting; deeper input is a parse error (no deep recursion)
};

/// The method registry and request handler. Register all methods before
/// serving; handle() is then safe to call from many threads at once.
class Dispatcher {
public:
    explicit Dispatcher(DispatchSettings settings = {}, runtime::metrics::Registry* metrics = nullptr);
    ~Dispatcher();
    Dispatcher(Dispatcher&&) noexcept;
    Dispatcher& operator=(Dispatcher&&) noexcept;

    /// Adds or replaces a method.
    void register_method(std::string name, Handler handler);
    bool has_method(std::string_view name) const;
    /// Adds a batch form for a registered method: a batch in which two or
    /// more well-formed requests call it hands them all to handler at once.
    void register_batch_method(std::string name, BatchHandler handler);

    /// Answers one HTTP body or WebSocket message. nullopt when nothing is to
    /// be sent back (only notifications). Never throws.
    std::optional<std::string> handle(std::string_view body, CallContext& ctx) const;
    /// Answers one already-parsed request object (or a non-object, which is
    /// an invalid request). nullopt for a notification.
    std::optional<json> handle_one(const json& request, CallContext& ctx) const;

private:
    struct Metrics;
    /// A request that passed the framing checks (pointers into the request).
    struct Call {
        json id;
        bool notification = false;
        const std::string* method = nullptr;
        const json* params = nullptr;
    };
    /// The framing checks of JSON-RPC 2.0 §4: a Call, or the response to send
    /// instead (nullopt: a malformed notification, answered with nothing).
    std::variant<Call, std::optional<json>> check(const json& request) const;
    /// Runs call (or takes its precomputed batch answer, whose share of the
    /// batch's time is `seconds`) and builds the response.
    std::optional<json> respond(const Call& call, CallContext& ctx, const BatchAnswer* answer = nullptr,
                                double seconds = 0) const;
    /// The answering of one batch (JSON-RPC 2.0 §6), its calls grouped by batch method.
    struct Batch;

    DispatchSettings settings_;
    std::unordered_map<std::string, Handler> methods_;
    std::unordered_map<std::string, BatchHandler> batch_methods_;
    std::unique_ptr<Metrics> metrics_;
};

/// {"jsonrpc":"2.0","id":id,"error":{...}}.
json make_error(const json& id, int code, std::string_view message, const std::optional<json>& data = std::nullopt);
/// True when s nests arrays/objects deeper than max_depth (strings are skipped).
bool too_deep(std::string_view s, size_t max_depth) noexcept;

}  // namespace trellis::rpc
