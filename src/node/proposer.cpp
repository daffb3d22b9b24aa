#include "node/proposer.hpp"

namespace trellis::node {

SoloProposer::SoloProposer(ChainBackend& backend, Address proposer, std::chrono::milliseconds poll,
                           std::chrono::seconds empty_interval, BlockLog on_block, FailureLog on_failure)
    : backend_(backend),
      proposer_(proposer),
      poll_(poll),
      empty_interval_(empty_interval),
      on_block_(std::move(on_block)),
      on_failure_(std::move(on_failure)) {}

SoloProposer::~SoloProposer() {
    stop();
}

void SoloProposer::start() {
    // An admitted transaction wakes the proposer: a block follows at once
    // instead of at the next poll. The listener only sets a flag.
    listener_ = backend_.add_listener([this](const rpc::ChainEvent& ev) {
        if (!ev.pending_tx) return;
        {
            std::lock_guard lock(mu_);
            wake_ = true;
        }
        cv_.notify_one();
    });
    thread_ = std::thread([this] { run(); });
}

void SoloProposer::stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    if (listener_) {
        backend_.remove_listener(listener_);
        listener_ = 0;
    }
}

void SoloProposer::run() {
    using Clock = std::chrono::steady_clock;
    auto last_block = Clock::now();
    // After a block in which every selected transaction was skipped, the same
    // ones would be selected again: wait for a new arrival (or the empty-block
    // timer) instead of sealing empty blocks in a tight loop.
    bool stalled = false;
    for (;;) {
        {
            std::unique_lock lock(mu_);
            cv_.wait_for(lock, poll_, [this] { return stop_ || wake_; });
            if (stop_) return;
            if (wake_) stalled = false;
            wake_ = false;
        }
        const bool empty_due = empty_interval_.count() > 0 && Clock::now() - last_block >= empty_interval_;
        if (stalled && !empty_due) continue;
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        const uint64_t ts = uint64_t(std::chrono::duration_cast<std::chrono::seconds>(now).count());
        auto sealed = backend_.seal_block(ts, proposer_, empty_due);
        if (!sealed) {
            // A storage failure: nothing was committed. Retry at the next poll.
            if (on_failure_) on_failure_(sealed.error());
            continue;
        }
        if (!sealed->has_value()) continue;
        last_block = Clock::now();
        stalled = (*sealed)->tx_count == 0 && (*sealed)->skipped > 0;
        if (on_block_) on_block_(**sealed);
    }
}

}  // namespace trellis::node
