#pragma once

// A network of nodes in one process on loopback (benchmarks and tests): a
// fresh consortium CA, one certificate per node, a genesis whose validators
// carry their node ids, and one Service per node with every other node as a
// static peer. The multi-process devnet (`trellis devnet`) lays out the same
// things as files instead.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "p2p/ca.hpp"
#include "node/service.hpp"

namespace trellis::node {

struct LocalNetworkOptions {
    size_t validators = 4;
    size_t observers = 0;
    /// Every node's settings start from this (datadir, genesis, ports and
    /// network are filled in per node).
    ServiceSettings base;
    /// The chain before validators are added (alloc, gas limit, chain id...).
    chain::Genesis genesis;
};

/// The i-th validator's consensus key of a local network (derived, not secret).
Bytes32 local_validator_key(size_t i);

/// A local network's identities: a CA and one certificate per node under
/// dir, and base's chain with validators 0..validators-1
/// (local_validator_key(i), stake 100, each bound to its node id) and the
/// other nodes as observers.
struct LocalIdentities {
    chain::Genesis genesis;
    std::vector<p2p::ca::IssuedNode> certs;
    size_t validators = 0;
};
Result<LocalIdentities, std::string> make_local_identities(const std::filesystem::path& dir,
                                                           size_t validators, size_t observers,
                                                           const chain::Genesis& base);

/// Node i's settings: base with its data directory under dir, the genesis,
/// its validator key (validators only) and its certificate; p2p on a free
/// loopback port with quick redials; no peers yet.
ServiceSettings local_node_settings(const LocalIdentities& ids, size_t i, const std::filesystem::path& dir,
                                    ServiceSettings base);

class LocalNetwork {
public:
    /// Creates the CA and certificates under dir and starts every node.
    static Result<std::unique_ptr<LocalNetwork>, std::string> start(const std::filesystem::path& dir,
                                                                    LocalNetworkOptions options);
    ~LocalNetwork();
    size_t size() const noexcept { return nodes_.size(); }
    Service& node(size_t i) { return *nodes_[i]; }
    const chain::Genesis& genesis() const noexcept { return genesis_; }
    void stop();

private:
    LocalNetwork() = default;
    chain::Genesis genesis_;
    std::vector<std::unique_ptr<Service>> nodes_;
};

}  // namespace trellis::node
