#pragma once

// `trellis devnet --validators N --observers M`: a development network of
// separate `trellis node` processes on 127.0.0.1, one folder each under one
// directory, with a consortium CA, node certificates, validator keys and a
// shared genesis. docs/devnet.md describes the layout. Linux/POSIX only
// (fork, exec, signals).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "chain/devnet.hpp"
#include "chain/genesis.hpp"

namespace trellis::devtools {

struct DevnetClusterOptions {
    std::filesystem::path dir;         ///< the devnet's directory (required)
    size_t validators = 4;             ///< ignored when dir already holds a devnet
    size_t observers = 0;              ///< likewise
    uint16_t http_port = 8545;         ///< node i serves JSON-RPC on http_port + i; 0: free ports for all
    uint16_t p2p_port = 30700;         ///< node i listens on p2p_port + i (free ports when http_port is 0)
    uint64_t block_interval_ms = 500;  ///< [consensus] idle_block_interval_ms
    size_t accounts = 10;              ///< prefunded development accounts in a new genesis
    bool test_faults = false;          ///< [p2p] test_faults (test-only RPC fault switches)
    std::string log_level;             ///< [log] level (docs/logging.md); empty: the node's default
};

struct DevnetNode {
    std::string name;  ///< node<i>
    bool validator = false;
    uint16_t http_port = 0;
    uint16_t p2p_port = 0;
    std::filesystem::path dir;          ///< DIR/node<i>
    std::filesystem::path config_file;  ///< DIR/node<i>/trellis.toml
    std::filesystem::path log_file;     ///< DIR/node<i>/node.log
};

struct DevnetCluster {
    std::filesystem::path dir;
    chain::Genesis genesis;
    std::vector<DevnetNode> nodes;  ///< validators first, then observers
    bool created = false;           ///< false: an existing devnet was reused
};

/// True when dir holds a multi-process devnet (genesis.json and node0/).
bool is_devnet_cluster_dir(const std::filesystem::path& dir);

/// count distinct free TCP ports on 127.0.0.1 (each bound to port 0 and
/// released; another process could take one before it is used).
Result<std::vector<uint16_t>, std::string> pick_free_ports(size_t count);

/// Makes the devnet in o.dir, or reuses the one there (certificates, keys,
/// genesis and chains kept; node counts from its genesis). A new one gets
/// DIR/ca (init_ca), DIR/node<i>/{node<i>.crt, node<i>.key, ca.crt} and, for
/// validators, validator.key (0600, hex), then DIR/genesis.json (written last:
/// its presence marks a complete devnet). Either way it assigns ports and
/// (re)writes every DIR/node<i>/trellis.toml.
Result<DevnetCluster, std::string> prepare_devnet_cluster(const DevnetClusterOptions& o);

/// The TOML text of node index's configuration (see docs/devnet.md).
std::string devnet_node_toml(const DevnetCluster& c, size_t index, const DevnetClusterOptions& o);

/// Starts binary with args (argv[0] = binary), stdout and stderr appended to
/// log_file, with an empty signal mask (the parent blocks the stop signals;
/// a child inherits that through fork). The child gets SIGTERM if the
/// calling thread dies. Returns its pid.
Result<pid_t, std::string> spawn_logged(const std::string& binary, const std::vector<std::string>& args,
                                        const std::filesystem::path& log_file);

/// "status N" or "signal N" for a waitpid status.
std::string describe_exit(int wait_status);

/// The last lines of a file (empty when unreadable).
std::string tail_of_file(const std::filesystem::path& path, size_t lines);

/// eth_blockNumber over HTTP at 127.0.0.1:port, within timeout.
Result<uint64_t, std::string> rpc_block_number(uint16_t port, std::chrono::milliseconds timeout);

/// Prints the prefunded accounts and their keys as the devnet's banner does.
void print_devnet_accounts(std::ostream& out, const chain::Genesis& g,
                           const std::vector<chain::DevAccount>& accounts);

struct DevnetRunOptions {
    std::string binary = "/proc/self/exe";  ///< the trellis executable
    std::chrono::milliseconds ready_timeout{60'000};
    std::chrono::milliseconds stop_timeout{20'000};
};

/// Runs the cluster until SIGINT or SIGTERM: starts every node as
/// `binary node --config DIR/node<i>/trellis.toml`, prints one line per node,
/// waits until each answers eth_blockNumber, prints the accounts and last the
/// "JSON-RPC: http://127.0.0.1:P (WebSocket: ...), head block X" line of
/// node0. A node that exits later is reported and the others keep running.
/// On the signal: SIGTERM to every live node, SIGKILL after stop_timeout.
/// Returns the exit code: 0 after a clean stop; 1 when a node did not become
/// ready (its log tail printed to err). Blocks SIGINT, SIGTERM and SIGCHLD in
/// the calling thread; call it before starting other threads.
int run_devnet_cluster(const DevnetCluster& c, size_t account_count, const DevnetRunOptions& ro,
                       std::ostream& out, std::ostream& err);

}  // namespace trellis::devtools
