#include "node/consensus_proposer.hpp"

#include <chrono>

namespace trellis::node {

std::vector<std::shared_ptr<const txpool::PooledTx>> BackendChain::select(uint64_t gas_limit,
                                                                          const uint256& base_fee) {
    return backend_.select_transactions(gas_limit, base_fee);
}

bool BackendChain::has_pending() {
    return backend_.pool_pending() > 0;
}

Result<Hash32, std::string> BackendChain::commit(const std::function<Result<Hash32, std::string>()>& write,
                                                 const ledger::SpeculativeBlock& block) {
    // The host stages the state root before this call: commit time here is
    // the write and the pool update.
    const auto start = std::chrono::steady_clock::now();
    auto r = backend_.commit_external(write, block.block, block.tx_hashes, block.senders, block.receipts);
    if (r && on_block_) {
        SealedBlock b;
        b.number = block.block.header.number;
        b.hash = *r;
        b.tx_count = block.block.body.transactions.size();
        b.gas_used = block.block.header.gas_used;
        b.execute_seconds = block.execute_seconds;
        b.commit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        on_block_(b);
    }
    return r;
}

Result<std::unique_ptr<ConsensusProposer>, std::string> ConsensusProposer::open(
    ledger::Ledger& ledger, ChainBackend& backend, const Bytes32& key, ledger::HostSettings settings,
    BlockLog on_block) {
    if (ledger.genesis().validators.size() != 1)
        return Unexpected{std::string(
            "consensus mode runs one validator until p2p carries consensus messages; the genesis has " +
            std::to_string(ledger.genesis().validators.size()))};
    std::unique_ptr<ConsensusProposer> p(new ConsensusProposer(backend, std::move(on_block)));
    auto host = ledger::ConsensusHost::open(ledger, p->chain_, p->network_, key, std::move(settings));
    if (!host) return Unexpected{host.error()};
    p->host_ = std::move(host).value();
    if (!p->host_->self()) return Unexpected{std::string("the consensus key is not the genesis validator's")};
    return p;
}

ConsensusProposer::~ConsensusProposer() {
    stop();
}

void ConsensusProposer::start() {
    ledger::ConsensusHost* host = host_.get();
    // Each admitted transaction wakes a leader waiting with nothing to propose.
    listener_ = backend_.add_listener([host](const rpc::ChainEvent& ev) {
        if (ev.pending_tx) host->notify_transaction();
    });
    host_->start();
}

void ConsensusProposer::stop() {
    if (listener_) {
        backend_.remove_listener(listener_);
        listener_ = 0;
    }
    if (host_) host_->stop();
}

}  // namespace trellis::node
