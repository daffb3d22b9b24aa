#pragma once

// What decides when blocks are made: the interface every block producer of a
// node implements (the single-validator SoloProposer here, ConsensusProposer,
// NetworkNode), and the callbacks through which the service hears of blocks.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "node/backend.hpp"

namespace trellis::node {

/// Hears of each committed block (the block log and the block metrics).
using BlockLog = std::function<void(const SealedBlock&)>;
/// Hears why a block could not be committed (storage); the producer retries.
using FailureLog = std::function<void(const std::string& why)>;

/// Decides when blocks are made. The single-validator proposer below seals
/// on its own schedule; the BFT engine replaces it with one that seals what
/// a quorum commits. start/stop are called once each, from one thread.
class BlockProposer {
public:
    virtual ~BlockProposer() = default;
    virtual void start() = 0;
    /// Returns once no block is being sealed and none will be.
    virtual void stop() = 0;
};

/// Single-validator mode: seals a block as soon as transactions are pending
/// (woken by each admitted transaction, polling as a fallback) and, when
/// configured, an empty block after empty_interval without one. One thread.
class SoloProposer final : public BlockProposer {
public:
    SoloProposer(ChainBackend& backend, Address proposer, std::chrono::milliseconds poll,
                 std::chrono::seconds empty_interval, BlockLog on_block, FailureLog on_failure = {});
    ~SoloProposer() override;
    void start() override;
    void stop() override;

private:
    void run();

    ChainBackend& backend_;
    Address proposer_;
    std::chrono::milliseconds poll_;
    std::chrono::seconds empty_interval_;
    BlockLog on_block_;
    FailureLog on_failure_;
    uint64_t listener_ = 0;

    std::mutex mu_;  // guards wake_ and stop_ (with cv_)
    std::condition_variable cv_;
    bool wake_ = false;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace trellis::node
