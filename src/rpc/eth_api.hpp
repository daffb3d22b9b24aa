#pragma once

// The eth_, net_, web3_, txpool_ and trellis_ methods over a Backend.

#include <chrono>
#include <memory>
#include <string>

#include "rpc/backend.hpp"
#include "rpc/json_rpc.hpp"

namespace trellis::rpc {

struct ApiSettings {
    /// Gas for eth_call / eth_estimateGas when none is given, and the most
    /// either may use (geth's RPCGasCap, 50M).
    Gas gas_cap = 50'000'000;
    /// Widest eth_getLogs / filter block range (blocks).
    uint64_t max_log_range = 10'000;
    /// Most logs one query returns; more is -32005.
    size_t max_log_results = 10'000;
    /// A filter not polled for this long is removed (geth: 5 minutes).
    std::chrono::seconds filter_timeout{300};
    /// Installed filters across all clients.
    size_t max_filters = 10'000;
    /// Hashes a block or pending-transaction filter keeps between polls (oldest dropped).
    size_t max_filter_backlog = 10'000;
    /// eth_feeHistory: most blocks and most percentiles per call.
    uint64_t max_fee_history = 1024;
    size_t max_reward_percentiles = 100;
};

/// Registers the methods on a dispatcher and keeps the filter state. Listens
/// to backend events for block and pending-transaction filters.
/// Lifetime: must outlive the dispatcher's use; the backend must outlive it.
class EthApi {
public:
    EthApi(Backend& backend, ApiSettings settings = {});
    ~EthApi();
    EthApi(const EthApi&) = delete;
    EthApi& operator=(const EthApi&) = delete;

    void register_methods(Dispatcher& d);
    /// Installed filters (for tests and metrics).
    size_t filter_count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// "execution reverted" plus ": reason" when data is an Error(string) ABI
/// payload (Solidity's require/revert message), as geth words it.
std::string revert_message(ByteView data);

/// EIP-55 mixed-case checksum address.
std::string checksum_address(const Address& a);

}  // namespace trellis::rpc
