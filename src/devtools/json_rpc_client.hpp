#pragma once

// The one JSON-RPC client of the developer tools: `trellis bench` sends its
// load through it and `trellis devnet` probes its nodes' readiness with it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.hpp"

namespace trellis::devtools {

/// Blocking JSON-RPC over one keep-alive HTTP/1.1 connection. Every failure
/// (connect, I/O, timeout, a non-200 answer, unparsable JSON, a JSON-RPC
/// error) is a message naming the endpoint. Not thread-safe: one per thread.
class JsonRpcClient {
public:
    /// timeout bounds each send and each receive (zero: none).
    static Result<std::unique_ptr<JsonRpcClient>, std::string> connect(
        const std::string& host, uint16_t port,
        std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
    ~JsonRpcClient();
    JsonRpcClient(const JsonRpcClient&) = delete;
    JsonRpcClient& operator=(const JsonRpcClient&) = delete;

    /// Posts a request body (one call or a batch); the parsed answer.
    Result<nlohmann::json, std::string> post(const std::string& body);
    /// One call; its result.
    Result<nlohmann::json, std::string> call(const std::string& method, nlohmann::json params);
    /// A call whose result is a quantity ("0x..." up to 64 bits), e.g. eth_blockNumber.
    Result<uint64_t, std::string> call_quantity(const std::string& method, nlohmann::json params);

private:
    struct Impl;
    explicit JsonRpcClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace trellis::devtools
