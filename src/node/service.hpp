#pragma once

// A running node: the ledger on disk, the transaction pool and its RPC
// backend, the JSON-RPC server (HTTP and WebSocket on one port) and a block
// proposer. Settings are a plain struct; the cli fills it from flags.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "chain/genesis.hpp"
#include "node/backend.hpp"
#include "node/network.hpp"
#include "node/proposer.hpp"
#include "ledger/consensus_host.hpp"
#include "ledger/ledger.hpp"
#include "p2p/peer_manager.hpp"
#include "rpc/eth_api.hpp"
#include "rpc/server.hpp"
#include "runtime/log.hpp"

namespace boost::asio {
class io_context;
}

namespace trellis::rpc {
class Dispatcher;
}
namespace trellis::runtime::metrics {
class Registry;
}

namespace trellis::node {


struct ServiceSettings {
    std::filesystem::path datadir;
    chain::Genesis genesis;
    ledger::LedgerSettings ledger;
    /// JSON-RPC listen address and port (0: any free port, see Service::http_port()).
    std::string http_host = "127.0.0.1";
    uint16_t http_port = 8545;
    /// Threads serving RPC (the io_context's).
    unsigned rpc_threads = 2;
    /// How often the proposer looks for pending transactions when nothing
    /// woke it (an admitted transaction wakes it at once).
    std::chrono::milliseconds poll_interval{100};
    /// Seal an empty block when none was sealed for this long; zero: never
    /// (blocks only when transactions are pending).
    std::chrono::seconds empty_block_interval{0};
    /// Pool limits (chain id and block gas limit come from the genesis).
    txpool::Settings pool;
    /// Sender-recovery workers (threads 0: one per core).
    RecoverySettings recovery;
    /// RPC limits (address, port and threads are overwritten from the fields above).
    rpc::Settings rpc;
    rpc::ApiSettings api;
    /// The block's proposer (coinbase). Default: the genesis's first validator.
    std::optional<Address> proposer;
    /// The node's log: one info line per block (category node), sync,
    /// consensus and peer lines; null: runtime::log::global(). Must outlive
    /// the service. (Tests pass runtime::log::Logger::to_memory().)
    runtime::log::Logger* logger = nullptr;
    /// Consensus mode: blocks come from the BFT engine (docs/node-consensus.md)
    /// signing with this validator key, instead of from SoloProposer. One
    /// validator only until p2p carries consensus messages. Default: unset.
    std::optional<Bytes32> consensus_key;
    /// The consensus host's settings in consensus mode (committed blocks go
    /// to `logger` and the metrics as in solo mode; consensus.logger, when
    /// set, gets the host's own lines instead of `logger`).
    ledger::HostSettings consensus;
    /// Set: the node joins a network of peers (docs/network.md); with
    /// consensus_key it is a validator, without one an observer.
    std::optional<NetworkSettings> network;
};


/// The node. start() opens the data directory (creating it from the genesis
/// when new), binds the RPC port and starts producing blocks; stop() (also
/// run by the destructor) stops the proposer, then the server, and closes the
/// ledger with every committed block on disk.
class Service {
public:
    static Result<std::unique_ptr<Service>, std::string> start(ServiceSettings settings);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    void stop();
    /// The bound JSON-RPC port.
    uint16_t http_port() const noexcept { return port_; }
    ChainBackend& backend() noexcept { return *backend_; }
    /// The network node (with ServiceSettings::network), else null.
    class NetworkNode* network() noexcept { return network_.load(); }
    ledger::Ledger& ledger() noexcept { return *ledger_; }

private:
    Service() = default;
    /// The metrics registry, the JSON-RPC methods and the server on settings_,
    /// listening (port_ set); start's step after the ledger and the backend.
    Result<void, std::string> start_rpc();

    ServiceSettings settings_;
    std::unique_ptr<ledger::Ledger> ledger_;
    std::unique_ptr<ChainBackend> backend_;
    std::unique_ptr<runtime::metrics::Registry> metrics_;
    std::unique_ptr<rpc::EthApi> api_;
    std::unique_ptr<rpc::Dispatcher> dispatcher_;
    std::unique_ptr<boost::asio::io_context> ioc_;
    std::unique_ptr<rpc::Server> server_;
    std::unique_ptr<BlockProposer> proposer_;
    uint16_t port_ = 0;
    std::atomic<class NetworkNode*> network_{nullptr};
    uint64_t metrics_listener_ = 0;  ///< keeps the pool-size gauges current
    std::atomic<bool> stopped_{false};
};

/// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts
/// afterwards; call it first thing in main, then wait_for_stop_signal().
void block_stop_signals();
/// Waits for SIGINT or SIGTERM (blocked by block_stop_signals) and returns it.
int wait_for_stop_signal();

}  // namespace trellis::node
