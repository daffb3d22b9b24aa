#pragma once

// An in-memory Backend for the rpc tests: a short chain of real signed
// transactions, per-block account state, a scriptable call(), a pool, and
// fire() to play the node's commit events.

#include <functional>
#include <map>
#include <mutex>

#include "chain/block.hpp"
#include "chain/receipt.hpp"
#include "chain/transaction.hpp"
#include "rpc/backend.hpp"

namespace trellis::rpc::test {

struct MockAccount {
    uint256 balance;
    uint64_t nonce = 0;
    Bytes code;
    std::map<Bytes32, Bytes32> storage;
};

struct MockBlock {
    chain::BlockHeader header;
    Hash32 hash;
    chain::BlockBody body;
    std::vector<chain::Receipt> receipts;
    std::map<Address, MockAccount> state;  // after the block
};

inline Bytes32 key_of(uint8_t b) {
    Bytes32 k;
    k.bytes[31] = b;
    return k;
}

class MockBackend : public Backend {
public:
    chain::ChainId chain = 1337;
    std::vector<MockBlock> blocks;
    std::map<Hash32, std::shared_ptr<const txpool::PooledTx>> pool;
    uint256 base_fee_next = 7;
    uint256 tip = 1'000'000'000;
    size_t peers = 3;
    std::optional<SyncStatus> sync;
    /// Scripted call(); default: succeed with empty output using 21000 gas.
    std::function<Result<CallResult, CallFailure>(const CallMsg&, BlockNum, const StateOverrides&)> call_fn;
    std::function<Result<Hash32, SendFailure>(ByteView)> send_fn;
    size_t call_count = 0;

    // --- chain building --------------------------------------------------

    MockBlock& add_block(std::vector<chain::Transaction> txs, std::vector<chain::Receipt> receipts,
                         std::map<Address, MockAccount> state) {
        MockBlock b;
        b.header.number = blocks.size();
        b.header.parent_hash = blocks.empty() ? Hash32{} : blocks.back().hash;
        b.header.timestamp = 1'700'000'000 + blocks.size();
        b.header.gas_limit = 30'000'000;
        b.header.gas_used = receipts.empty() ? 0 : receipts.back().cumulative_gas_used;
        b.header.base_fee = 7;
        b.header.proposer.bytes[19] = 0x99;
        for (const auto& r : receipts) chain::bloom_merge(b.header.logs_bloom, r.bloom);
        b.body.transactions = std::move(txs);
        b.receipts = std::move(receipts);
        b.hash = chain::header_hash(b.header);
        b.state = std::move(state);
        blocks.push_back(std::move(b));
        return blocks.back();
    }

    // --- Backend ------------------------------------------------------------

    chain::ChainId chain_id() override { return chain; }
    BlockNum head_number() override { return blocks.empty() ? 0 : blocks.size() - 1; }
    std::optional<Hash32> canonical_hash(BlockNum n) override {
        if (n >= blocks.size()) return std::nullopt;
        return blocks[n].hash;
    }
    const MockBlock* by_hash(const Hash32& h) const {
        for (const auto& b : blocks)
            if (b.hash == h) return &b;
        return nullptr;
    }
    std::optional<chain::BlockHeader> header_by_hash(const Hash32& h) override {
        auto b = by_hash(h);
        if (!b) return std::nullopt;
        return b->header;
    }
    std::optional<chain::BlockBody> body(const Hash32& h) override {
        auto b = by_hash(h);
        if (!b) return std::nullopt;
        return b->body;
    }
    std::optional<std::vector<chain::Receipt>> receipts(const Hash32& h) override {
        auto b = by_hash(h);
        if (!b) return std::nullopt;
        return b->receipts;
    }
    std::optional<TxLocation> tx_location(const Hash32& tx_hash) override {
        for (const auto& b : blocks)
            for (size_t i = 0; i < b.body.transactions.size(); ++i)
                if (chain::transaction_hash(b.body.transactions[i]) == tx_hash) return TxLocation{b.header.number, b.hash, i};
        return std::nullopt;
    }

    class View : public StateView {
    public:
        explicit View(const std::map<Address, MockAccount>& s) : s_(s) {}
        uint256 balance(const Address& a) override { return get(a).balance; }
        uint64_t nonce(const Address& a) override { return get(a).nonce; }
        Bytes code(const Address& a) override { return get(a).code; }
        Bytes32 storage(const Address& a, const Bytes32& slot) override {
            const auto& st = get(a).storage;
            auto it = st.find(slot);
            return it == st.end() ? Bytes32{} : it->second;
        }
        AccountProof proof(const Address& a, const std::vector<Bytes32>& slots) override {
            AccountProof p;
            p.address = a;
            p.balance = get(a).balance;
            p.nonce = get(a).nonce;
            p.code_hash.bytes[0] = 0xc5;
            p.storage_hash.bytes[0] = 0x56;
            p.account_proof = {Bytes{0xf8, 0x01}, Bytes{0xe2, 0x02}};
            for (const auto& k : slots)
                p.storage_proof.push_back(StorageProof{k, uint256::from_be(storage(a, k)), {Bytes{0xab}}});
            return p;
        }

    private:
        const MockAccount& get(const Address& a) {
            static const MockAccount kEmpty;
            auto it = s_.find(a);
            return it == s_.end() ? kEmpty : it->second;
        }
        std::map<Address, MockAccount> s_;
    };
    std::unique_ptr<StateView> state_at(BlockNum n) override {
        if (n >= blocks.size()) return nullptr;
        return std::make_unique<View>(blocks[n].state);
    }

    Result<CallResult, CallFailure> call(const CallMsg& m, BlockNum n, const StateOverrides& ov) override {
        ++call_count;
        if (call_fn) return call_fn(m, n, ov);
        return CallResult{evm::Status::kSuccess, {}, 21000};
    }
    Result<AccessListResult, CallFailure> create_access_list(const CallMsg& m, BlockNum) override {
        AccessListResult r;
        if (m.to) r.access_list.push_back({*m.to, {key_of(1)}});
        r.gas_used = 23400;
        return r;
    }
    Result<Hash32, SendFailure> send_raw_transaction(ByteView encoded) override {
        if (send_fn) return send_fn(encoded);
        auto tx = chain::decode_transaction(encoded);
        if (!tx) return Unexpected{SendFailure{txpool::AddError::kInvalid, tx.error()}};
        auto sender = chain::recover_sender(*tx);
        if (!sender) return Unexpected{SendFailure{txpool::AddError::kInvalid, sender.error()}};
        auto p = std::make_shared<txpool::PooledTx>();
        p->tx = *tx;
        p->hash = chain::transaction_hash(*tx);
        p->sender = *sender;
        pool[p->hash] = p;
        return p->hash;
    }
    std::shared_ptr<const txpool::PooledTx> pool_transaction(const Hash32& h) override {
        auto it = pool.find(h);
        return it == pool.end() ? nullptr : it->second;
    }
    size_t pool_pending() override { return pool.size(); }
    size_t pool_queued() override { return 0; }
    txpool::TxPool::Content pool_content() override {
        txpool::TxPool::Content c;
        for (const auto& [h, p] : pool) c.pending[p->sender][p->tx.nonce] = p;
        return c;
    }
    Result<std::vector<LogEntry>, LogQueryError> logs(BlockNum from, BlockNum to, const LogFilter& filter,
                                                      size_t max_results) override {
        std::vector<LogEntry> out;
        for (BlockNum n = from; n <= to && n < blocks.size(); ++n) {
            const auto& b = blocks[n];
            uint64_t li = 0;
            for (size_t i = 0; i < b.receipts.size(); ++i) {
                for (const auto& l : b.receipts[i].logs) {
                    if (log_matches(l, filter)) {
                        if (out.size() >= max_results) return Unexpected{LogQueryError::kTooManyResults};
                        out.push_back(LogEntry{l, n, b.hash, chain::transaction_hash(b.body.transactions[i]), i, li, false});
                    }
                    ++li;
                }
            }
        }
        return out;
    }
    uint256 next_base_fee() override { return base_fee_next; }
    uint256 suggested_tip() override { return tip; }
    std::optional<SyncStatus> sync_status() override { return sync; }
    size_t peer_count() override { return peers; }
    NodeInfo node_info() override { return NodeInfo{"trellis/v0.1.0-test", "mock", std::nullopt, std::nullopt}; }

    uint64_t add_listener(EventListener l) override {
        std::lock_guard lock(mutex_);
        listeners_[next_] = std::move(l);
        return next_++;
    }
    void remove_listener(uint64_t id) override {
        std::lock_guard lock(mutex_);
        listeners_.erase(id);
    }
    /// Plays the node: announces the head block (or a pending tx) to listeners.
    void fire_head() {
        auto ev = std::make_shared<BlockEvent>();
        const auto& b = blocks.back();
        ev->header = b.header;
        ev->hash = b.hash;
        for (const auto& tx : b.body.transactions) ev->tx_hashes.push_back(chain::transaction_hash(tx));
        ev->receipts = b.receipts;
        fire(ChainEvent{ev, std::nullopt});
    }
    void fire(const ChainEvent& ev) {
        std::lock_guard lock(mutex_);
        for (auto& [_, l] : listeners_) l(ev);
    }
    size_t listener_count() {
        std::lock_guard lock(mutex_);
        return listeners_.size();
    }

private:
    std::mutex mutex_;
    uint64_t next_ = 1;
    std::map<uint64_t, EventListener> listeners_;
};

}  // namespace trellis::rpc::test
