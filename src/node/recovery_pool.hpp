#pragma once

// Transaction decoding and sender recovery on a fixed set of worker threads,
// so the expensive part of eth_sendRawTransaction (a secp256k1 public-key
// recovery, tens of microseconds) runs on every core and not on the RPC
// threads, and a JSON-RPC batch of raw transactions is recovered in parallel.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <latch>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "chain/transaction.hpp"
#include "txpool/txpool.hpp"

namespace trellis::node {

struct RecoverySettings {
    /// Worker threads; 0: one per hardware thread.
    unsigned threads = 0;
    /// Inputs waiting for a worker, across all callers. Beyond it the caller
    /// recovers the input itself (back-pressure that never blocks or fails).
    size_t max_queued = 4096;
};

/// Decodes raw transactions, validates them context-free (chain id, sizes,
/// fee fields, signature values) and recovers their senders: exactly what
/// chain::decode_transaction then chain::validate_and_recover return, plus
/// the hash and encoded size the pool needs (computed here, off its lock).
///
/// Thread-safety: recover() may be called from any number of threads at
/// once. Lifetime: the destructor finishes every queued input (a caller
/// waiting in recover() gets all its results) and joins the workers; no call
/// may start once it has begun.
class RecoveryPool {
public:
    using Outcome = Result<txpool::RecoveredTx, chain::TxError>;

    RecoveryPool(chain::ValidationRules rules, RecoverySettings settings = {});
    ~RecoveryPool();
    RecoveryPool(const RecoveryPool&) = delete;
    RecoveryPool& operator=(const RecoveryPool&) = delete;

    /// Results for inputs, in their order. Blocks until all are done; the
    /// views must stay valid until it returns (they are not copied).
    std::vector<Outcome> recover(std::span<const ByteView> inputs);
    /// One input (the same as recover of a one-element span).
    Outcome recover_one(ByteView input);

    /// The work one input takes, on the calling thread (the sequential path
    /// the pool must agree with).
    static Outcome recover_here(ByteView input, const chain::ValidationRules& rules);

    unsigned threads() const noexcept { return unsigned(workers_.size()); }
    /// Inputs waiting for a worker now (tests, metrics).
    size_t queued() const;

private:
    struct Job {
        ByteView input;
        Outcome* out = nullptr;
        std::latch* done = nullptr;
    };
    void run();

    chain::ValidationRules rules_;
    size_t max_queued_;
    /// Guards queue_ and stop_ (with cv_).
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Job> queue_;
    bool stop_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace trellis::node
