#include "node/recovery_pool.hpp"

#include <algorithm>

#include "base/assert.hpp"
#include "crypto/keccak.hpp"

namespace trellis::node {

RecoveryPool::RecoveryPool(chain::ValidationRules rules, RecoverySettings settings)
    : rules_(std::move(rules)), max_queued_(std::max<size_t>(1, settings.max_queued)) {
    unsigned n = settings.threads ? settings.threads : std::thread::hardware_concurrency();
    n = std::max(1u, n);
    workers_.reserve(n);
    for (unsigned i = 0; i < n; ++i) workers_.emplace_back([this] { run(); });
}

RecoveryPool::~RecoveryPool() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    // Workers drain the queue before they exit, so every waiting caller is answered.
    for (auto& t : workers_) t.join();
}

RecoveryPool::Outcome RecoveryPool::recover_here(ByteView input, const chain::ValidationRules& rules) {
    auto tx = chain::decode_transaction(input);
    if (!tx) return Unexpected{tx.error()};
    auto sender = chain::validate_and_recover(*tx, rules);
    if (!sender) return Unexpected{sender.error()};
    txpool::RecoveredTx r;
    // decode_transaction accepts only the canonical encoding, so the input is
    // encode_transaction(tx) and its hash is the transaction hash.
    r.hash = crypto::keccak256(input);
    r.size = input.size();
    r.tx = std::move(tx).value();
    r.sender = *sender;
    return r;
}

std::vector<RecoveryPool::Outcome> RecoveryPool::recover(std::span<const ByteView> inputs) {
    std::vector<Outcome> out(inputs.size(), Unexpected{chain::TxError::kEmptyInput});
    if (inputs.empty()) return out;
    std::latch done(std::ptrdiff_t(inputs.size()));
    size_t queued = 0;
    {
        std::lock_guard lock(mu_);
        TRELLIS_ASSERT(!stop_);
        const size_t room = queue_.size() < max_queued_ ? max_queued_ - queue_.size() : 0;
        queued = std::min(room, inputs.size());
        for (size_t i = 0; i < queued; ++i) queue_.push_back(Job{inputs[i], &out[i], &done});
    }
    if (queued == 1)
        cv_.notify_one();
    else if (queued > 1)
        cv_.notify_all();
    // A full queue: the caller recovers the rest itself rather than wait for room.
    for (size_t i = queued; i < inputs.size(); ++i) {
        out[i] = recover_here(inputs[i], rules_);
        done.count_down();
    }
    done.wait();
    return out;
}

RecoveryPool::Outcome RecoveryPool::recover_one(ByteView input) {
    return std::move(recover(std::span<const ByteView>(&input, 1)).front());
}

size_t RecoveryPool::queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

void RecoveryPool::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stop_ and drained
            job = queue_.front();
            queue_.pop_front();
        }
        *job.out = recover_here(job.input, rules_);
        job.done->count_down();
    }
}

}  // namespace trellis::node
