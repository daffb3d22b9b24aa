#include "txpool/txpool.hpp"

#include <queue>

namespace trellis::txpool {

const char* to_string(AddError e) noexcept {
    switch (e) {
        case AddError::kInvalid: return "invalid transaction";
        case AddError::kAlreadyKnown: return "already known";
        case AddError::kNonceTooLow: return "nonce too low";
        case AddError::kNonceTooHigh: return "nonce too high";
        case AddError::kInsufficientFunds: return "insufficient funds for gas * price + value";
        case AddError::kGasLimitExceedsBlock: return "exceeds block gas limit";
        case AddError::kTipBelowMinimum: return "transaction underpriced";
        case AddError::kReplacementUnderpriced: return "replacement transaction underpriced";
        case AddError::kSenderLimit: return "txpool is full for this sender";
        case AddError::kPoolFull: return "txpool is full";
    }
    return "unknown txpool error";
}

uint256 effective_tip(const chain::Transaction& tx, const uint256& base_fee) {
    if (tx.max_fee() < base_fee) return {};
    return std::min(tx.max_priority_fee(), tx.max_fee() - base_fee);
}

namespace {

/// gas_limit * fee cap + value, or nullopt on overflow.
std::optional<uint256> max_cost(const chain::Transaction& tx) {
    const uint512 product = mul_full(uint256(tx.gas_limit), tx.max_fee());
    if ((product.w[4] | product.w[5] | product.w[6] | product.w[7]) != 0) return std::nullopt;
    bool carry = false;
    const uint256 total =
        add_with_carry(uint256(product.w[0], product.w[1], product.w[2], product.w[3]), tx.value, &carry);
    if (carry) return std::nullopt;
    return total;
}

bool affordable(const chain::Transaction& tx, const uint256& balance) {
    const auto cost = max_cost(tx);
    return cost && *cost <= balance;
}

/// old * (100 + percent) / 100 <= candidate, without overflow.
bool bumped_enough(const uint256& old, const uint256& candidate, unsigned percent) {
    const uint512 lhs = mul_full(old, uint256(100 + percent));
    const uint512 rhs = mul_full(candidate, uint256(100));
    for (int i = 7; i >= 0; --i)
        if (lhs.w[i] != rhs.w[i]) return lhs.w[i] < rhs.w[i];
    return true;
}

}  // namespace

void TxPool::recount(SenderQueue& q) {
    pending_count_ -= q.pending;
    q.pending = 0;
    uint64_t next = q.state_nonce;
    for (auto it = q.txs.find(next); it != q.txs.end() && it->first == next; ++it, ++next) ++q.pending;
    pending_count_ += q.pending;
}

void TxPool::remove(SenderQueue& q, std::map<uint64_t, std::shared_ptr<const PooledTx>>::iterator it) {
    by_hash_.erase(it->second->hash);
    q.txs.erase(it);
}

const PooledTx* TxPool::cheapest_tail() const {
    const PooledTx* worst = nullptr;
    for (const auto& [sender, q] : senders_) {
        if (q.txs.empty()) continue;
        const PooledTx* tail = q.txs.rbegin()->second.get();
        if (!worst || tail->tx.max_fee() < worst->tx.max_fee() ||
            (tail->tx.max_fee() == worst->tx.max_fee() && tail->sequence > worst->sequence))
            worst = tail;
    }
    return worst;
}

Result<Admitted, AddError> TxPool::add(chain::Transaction tx, const Address& sender, AccountView& state) {
    RecoveredTx r;
    r.hash = chain::transaction_hash(tx);
    r.size = chain::encoded_length(tx);
    r.tx = std::move(tx);
    r.sender = sender;
    return add(std::move(r), state);
}

Result<Admitted, AddError> TxPool::add(RecoveredTx in, AccountView& state) {
    chain::Transaction& tx = in.tx;
    const Address& sender = in.sender;
    const Hash32 hash = in.hash;
    if (by_hash_.count(hash)) return Unexpected{AddError::kAlreadyKnown};
    if (tx.gas_limit > settings_.block_gas_limit) return Unexpected{AddError::kGasLimitExceedsBlock};
    if (tx.max_priority_fee() < settings_.min_priority_fee) return Unexpected{AddError::kTipBelowMinimum};
    const uint64_t nonce = state.nonce(sender);
    if (tx.nonce < nonce) return Unexpected{AddError::kNonceTooLow};
    if (tx.nonce - nonce > settings_.max_nonce_gap) return Unexpected{AddError::kNonceTooHigh};
    if (!affordable(tx, state.balance(sender))) return Unexpected{AddError::kInsufficientFunds};

    SenderQueue& q = senders_[sender];
    if (q.state_nonce != nonce) {
        // The account moved on since we last looked: drop what it made stale.
        q.state_nonce = nonce;
        while (!q.txs.empty() && q.txs.begin()->first < nonce) remove(q, q.txs.begin());
        recount(q);
    }

    Admitted admitted;
    admitted.hash = hash;
    auto same = q.txs.find(tx.nonce);
    if (same != q.txs.end()) {
        // A replacement must raise both the fee cap and the tip by the bump.
        const chain::Transaction& old = same->second->tx;
        if (!bumped_enough(old.max_fee(), tx.max_fee(), settings_.replacement_bump_percent) ||
            !bumped_enough(old.max_priority_fee(), tx.max_priority_fee(), settings_.replacement_bump_percent))
            return Unexpected{AddError::kReplacementUnderpriced};
        remove(q, same);
        admitted.replaced = true;
    } else {
        if (q.txs.size() >= settings_.max_per_sender) return Unexpected{AddError::kSenderLimit};
        const bool would_queue = tx.nonce != q.state_nonce + q.pending;
        if (would_queue && q.txs.size() - q.pending >= settings_.max_queued_per_sender)
            return Unexpected{AddError::kSenderLimit};
        if (by_hash_.size() >= settings_.max_transactions) {
            const PooledTx* victim = cheapest_tail();
            if (!victim || !(victim->tx.max_fee() < tx.max_fee())) return Unexpected{AddError::kPoolFull};
            const Address victim_sender = victim->sender;  // remove() frees *victim
            SenderQueue& vq = senders_.at(victim_sender);
            remove(vq, std::prev(vq.txs.end()));
            recount(vq);
            if (vq.txs.empty() && &vq != &q) senders_.erase(victim_sender);
        }
    }

    auto pooled = std::make_shared<PooledTx>();
    pooled->size = in.size;
    pooled->tx = std::move(tx);
    pooled->hash = hash;
    pooled->sender = sender;
    pooled->sequence = ++sequence_;
    const uint64_t tx_nonce = pooled->tx.nonce;
    by_hash_.emplace(hash, pooled);
    q.txs.emplace(tx_nonce, std::move(pooled));
    recount(q);
    admitted.pending = tx_nonce < q.state_nonce + q.pending;
    return admitted;
}

Result<Admitted, AddError> TxPool::add_raw(ByteView encoded, AccountView& state, chain::TxError* tx_error) {
    auto tx = chain::decode_transaction(encoded);
    if (!tx) {
        if (tx_error) *tx_error = tx.error();
        return Unexpected{AddError::kInvalid};
    }
    auto sender = chain::validate_and_recover(*tx, settings_.rules);
    if (!sender) {
        if (tx_error) *tx_error = sender.error();
        return Unexpected{AddError::kInvalid};
    }
    return add(std::move(tx).value(), *sender, state);
}

std::vector<std::shared_ptr<const PooledTx>> TxPool::select(uint64_t gas_limit, const uint256& base_fee) const {
    struct Head {
        uint256 tip;
        uint64_t sequence;
        const SenderQueue* queue;
        std::map<uint64_t, std::shared_ptr<const PooledTx>>::const_iterator it;
        size_t left;  // pending transactions of this sender still to consider
        bool operator<(const Head& o) const {  // max-heap: highest tip, then earliest arrival
            if (tip != o.tip) return tip < o.tip;
            return sequence > o.sequence;
        }
    };
    std::priority_queue<Head> heads;
    for (const auto& [sender, q] : senders_) {
        if (q.pending == 0) continue;
        auto it = q.txs.find(q.state_nonce);
        heads.push(Head{effective_tip(it->second->tx, base_fee), it->second->sequence, &q, it, q.pending});
    }
    std::vector<std::shared_ptr<const PooledTx>> out;
    uint64_t gas_left = gas_limit;
    while (!heads.empty()) {
        Head h = heads.top();
        heads.pop();
        const PooledTx& p = *h.it->second;
        // A sender whose next transaction cannot pay the base fee or does not
        // fit waits: its later nonces cannot go first.
        if (p.tx.max_fee() < base_fee || p.tx.gas_limit > gas_left) continue;
        gas_left -= p.tx.gas_limit;
        out.push_back(h.it->second);
        if (--h.left == 0) continue;
        ++h.it;
        h.tip = effective_tip(h.it->second->tx, base_fee);
        h.sequence = h.it->second->sequence;
        heads.push(h);
    }
    return out;
}

void TxPool::on_new_head(AccountView& state) {
    for (auto sit = senders_.begin(); sit != senders_.end();) {
        SenderQueue& q = sit->second;
        q.state_nonce = state.nonce(sit->first);
        while (!q.txs.empty() && q.txs.begin()->first < q.state_nonce) remove(q, q.txs.begin());
        const uint256 balance = state.balance(sit->first);
        for (auto it = q.txs.begin(); it != q.txs.end();) {
            auto next = std::next(it);
            if (!affordable(it->second->tx, balance)) remove(q, it);
            it = next;
        }
        recount(q);
        if (q.txs.empty()) {
            pending_count_ -= q.pending;
            sit = senders_.erase(sit);
        } else {
            ++sit;
        }
    }
}

std::shared_ptr<const PooledTx> TxPool::get(const Hash32& hash) const {
    auto it = by_hash_.find(hash);
    return it == by_hash_.end() ? nullptr : it->second;
}

TxPool::Content TxPool::content() const {
    Content c;
    for (const auto& [sender, q] : senders_) {
        for (const auto& [nonce, p] : q.txs) {
            const bool pending = nonce >= q.state_nonce && nonce < q.state_nonce + q.pending;
            (pending ? c.pending : c.queued)[sender][nonce] = p;
        }
    }
    return c;
}

}  // namespace trellis::txpool
