#pragma once

// Consensus mode of the node (docs/node-consensus.md): blocks come from the
// BFT engine (ledger::ConsensusHost) over ChainBackend's pool instead of from the
// single-validator SoloProposer.

#include <memory>
#include <string>

#include "node/backend.hpp"
#include "ledger/consensus_host.hpp"
#include "node/proposer.hpp"

namespace trellis::node {

/// ledger::HostChain over a running node's ChainBackend: its pool, its ledger lock
/// and its listeners (the BlockEvent RPC subscribers hear).
class BackendChain final : public ledger::HostChain {
public:
    /// backend must outlive this. on_block (may be empty) hears of each
    /// committed block, as SoloProposer's block log does.
    BackendChain(ChainBackend& backend, BlockLog on_block)
        : backend_(backend), on_block_(std::move(on_block)) {}

    std::vector<std::shared_ptr<const txpool::PooledTx>> select(uint64_t gas_limit,
                                                                const uint256& base_fee) override;
    bool has_pending() override;
    Result<Hash32, std::string> commit(const std::function<Result<Hash32, std::string>()>& write,
                                       const ledger::SpeculativeBlock& block) override;
    std::optional<Address> known_sender(const Hash32& tx_hash) override {
        auto p = backend_.pool_transaction(tx_hash);
        return p ? std::optional<Address>(p->sender) : std::nullopt;
    }

private:
    ChainBackend& backend_;
    BlockLog on_block_;
};

/// A network with no peers: a one-validator chain (n = 1) sends nothing.
class NoPeers final : public ledger::ConsensusNetwork {
public:
    void send(std::optional<consensus::ValidatorIndex>, Bytes) override {}
};

/// The BlockProposer of consensus mode. Until p2p carries consensus
/// messages it runs one validator (the genesis must have exactly one, and
/// key must be its key).
class ConsensusProposer final : public BlockProposer {
public:
    /// ledger and backend must outlive the proposer.
    static Result<std::unique_ptr<ConsensusProposer>, std::string> open(ledger::Ledger& ledger, ChainBackend& backend,
                                                                        const Bytes32& key,
                                                                        ledger::HostSettings settings,
                                                                        BlockLog on_block = {});
    ~ConsensusProposer() override;
    void start() override;
    void stop() override;
    ledger::ConsensusHost& host() noexcept { return *host_; }

private:
    ConsensusProposer(ChainBackend& backend, BlockLog on_block)
        : backend_(backend), chain_(backend, std::move(on_block)) {}

    ChainBackend& backend_;
    BackendChain chain_;
    NoPeers network_;
    std::unique_ptr<ledger::ConsensusHost> host_;
    uint64_t listener_ = 0;
};

}  // namespace trellis::node
