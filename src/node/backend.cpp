#include "node/backend.hpp"

#include <algorithm>
#include <set>

#include "base/assert.hpp"
#include "crypto/keccak.hpp"
#include "ledger/head_accounts.hpp"
#include "state/world_state.hpp"
#include "storage/state_store.hpp"
#include "trie/common.hpp"

namespace trellis::node {
namespace {

/// eth_getBalance and friends at one block, through the tries.
class TrieView final : public rpc::StateView {
public:
    explicit TrieView(storage::TrieStateReader reader) : reader_(std::move(reader)) {}

    uint256 balance(const Address& a) override {
        auto acc = reader_.read_account(a);
        return acc ? acc->balance : uint256();
    }
    uint64_t nonce(const Address& a) override {
        auto acc = reader_.read_account(a);
        return acc ? acc->nonce : 0;
    }
    Bytes code(const Address& a) override {
        auto acc = reader_.read_account(a);
        return acc ? reader_.read_code(acc->code_hash) : Bytes{};
    }
    Bytes32 storage(const Address& a, const Bytes32& slot) override { return reader_.read_storage(a, slot); }
    rpc::AccountProof proof(const Address& a, const std::vector<Bytes32>& slots) override {
        rpc::AccountProof p;
        p.address = a;
        // EIP-1186: an absent account reports zeros, the empty code hash and the empty storage root.
        p.code_hash = state::kEmptyCodeHash;
        p.storage_hash = trie::kEmptyRoot;
        if (auto acc = reader_.read_stored_account(a)) {
            p.balance = acc->record.balance;
            p.nonce = acc->record.nonce;
            p.code_hash = acc->record.code_hash;
            p.storage_hash = acc->storage_root;
        }
        if (auto ap = reader_.account_proof(a)) p.account_proof = std::move(ap).value();
        for (const auto& slot : slots) {
            rpc::StorageProof sp;
            sp.key = slot;
            sp.value = uint256::from_be(reader_.read_storage(a, slot));
            if (auto proof = reader_.storage_proof(a, slot)) sp.proof = std::move(proof).value();
            p.storage_proof.push_back(std::move(sp));
        }
        return p;
    }

private:
    storage::TrieStateReader reader_;
};

/// geth's state override set applied at the reader: the WorldState above it
/// sees the overridden accounts as if they were committed.
class OverrideReader final : public state::StateReader {
public:
    OverrideReader(state::StateReader& base, const rpc::StateOverrides& overrides)
        : base_(base), ov_(overrides) {
        for (const auto& [a, o] : ov_)
            if (o.code) code_[crypto::keccak256(*o.code)] = *o.code;
    }

    std::optional<state::AccountRecord> read_account(const Address& a) override {
        auto acc = base_.read_account(a);
        auto it = ov_.find(a);
        if (it == ov_.end()) return acc;
        const auto& o = it->second;
        state::AccountRecord r = acc.value_or(state::AccountRecord{});
        if (o.balance) r.balance = *o.balance;
        if (o.nonce) r.nonce = *o.nonce;
        if (o.code) r.code_hash = o.code->empty() ? state::kEmptyCodeHash : crypto::keccak256(*o.code);
        return r;
    }
    Bytes32 read_storage(const Address& a, const Bytes32& key) override {
        auto it = ov_.find(a);
        if (it != ov_.end()) {
            const auto& o = it->second;
            if (o.state) {
                auto s = o.state->find(key);
                return s == o.state->end() ? Bytes32{} : s->second;
            }
            if (auto d = o.state_diff.find(key); d != o.state_diff.end()) return d->second;
        }
        return base_.read_storage(a, key);
    }
    bool has_storage(const Address& a) override {
        auto it = ov_.find(a);
        if (it != ov_.end()) {
            const auto& o = it->second;
            const auto nonzero = [](const auto& m) {
                return std::any_of(m.begin(), m.end(), [](const auto& kv) { return kv.second != Bytes32{}; });
            };
            if (o.state) return nonzero(*o.state);
            if (nonzero(o.state_diff)) return true;
        }
        return base_.has_storage(a);
    }
    Bytes read_code(const Hash32& code_hash) override {
        if (auto it = code_.find(code_hash); it != code_.end()) return it->second;
        return base_.read_code(code_hash);
    }

private:
    state::StateReader& base_;
    const rpc::StateOverrides& ov_;
    std::map<Hash32, Bytes> code_;
};

/// Records every account and slot execution loads from committed state: the
/// candidates for eth_createAccessList (WorldState loads each once).
class RecordingReader final : public state::StateReader {
public:
    explicit RecordingReader(state::StateReader& base) : base_(base) {}
    std::optional<state::AccountRecord> read_account(const Address& a) override {
        accounts_.insert(a);
        return base_.read_account(a);
    }
    Bytes32 read_storage(const Address& a, const Bytes32& key) override {
        accounts_.insert(a);
        slots_[a].insert(key);
        return base_.read_storage(a, key);
    }
    bool has_storage(const Address& a) override { return base_.has_storage(a); }
    Bytes read_code(const Hash32& code_hash) override { return base_.read_code(code_hash); }

    const std::set<Address>& accounts() const noexcept { return accounts_; }
    const std::map<Address, std::set<Bytes32>>& slots() const noexcept { return slots_; }

private:
    state::StateReader& base_;
    std::set<Address> accounts_;
    std::map<Address, std::set<Bytes32>> slots_;
};

bool is_precompile(const Address& a) {
    for (size_t i = 0; i + 2 < a.bytes.size(); ++i)
        if (a.bytes[i] != 0) return false;
    const unsigned v = unsigned(a.bytes[18]) << 8 | a.bytes[19];
    return v >= 1 && v <= 0x11;
}

}  // namespace

ChainBackend::ChainBackend(ledger::Ledger& ledger, BackendSettings settings)
    : ledger_(ledger),
      settings_(std::move(settings)),
      pool_([&] {
          txpool::Settings s = settings_.pool;
          s.rules.chain_id = ledger.genesis().chain_id;
          s.block_gas_limit = ledger.genesis().gas_limit;
          return s;
      }()),
      recovery_(
          [&] {
              chain::ValidationRules r = settings_.pool.rules;
              r.chain_id = ledger.genesis().chain_id;
              return r;
          }(),
          settings_.recovery) {}

chain::ChainId ChainBackend::chain_id() {
    return ledger_.genesis().chain_id;
}

rpc::BlockNum ChainBackend::head_number() {
    auto head = ledger_.store().head();
    return head && head->has_value() ? (*head)->number : 0;
}

std::optional<Hash32> ChainBackend::canonical_hash(rpc::BlockNum n) {
    auto h = ledger_.store().canonical_hash(n);
    return h ? *h : std::nullopt;
}

std::optional<chain::BlockHeader> ChainBackend::header_by_hash(const Hash32& h) {
    auto r = ledger_.store().header(h);
    return r ? *r : std::nullopt;
}

std::optional<chain::BlockBody> ChainBackend::body(const Hash32& block_hash) {
    auto r = ledger_.store().body(block_hash);
    return r ? *r : std::nullopt;
}

std::optional<std::vector<chain::Receipt>> ChainBackend::receipts(const Hash32& block_hash) {
    auto r = ledger_.store().receipts(block_hash);
    return r ? *r : std::nullopt;
}

std::vector<Address> ChainBackend::senders(const Hash32& block_hash, const chain::BlockBody& body) {
    {
        std::lock_guard lock(senders_mu_);
        auto it = sender_cache_.find(block_hash);
        if (it != sender_cache_.end() && it->second.size() == body.transactions.size()) return it->second;
    }
    return rpc::Backend::senders(block_hash, body);
}

std::optional<rpc::TxLocation> ChainBackend::tx_location(const Hash32& tx_hash) {
    auto r = ledger_.store().transaction_location(tx_hash);
    if (!r || !r->has_value()) return std::nullopt;
    const auto& loc = **r;
    return rpc::TxLocation{loc.block_num, loc.block_hash, loc.index};
}

std::unique_ptr<rpc::StateView> ChainBackend::state_at(rpc::BlockNum n) {
    auto hash = canonical_hash(n);
    if (!hash) return nullptr;
    auto reader = ledger_.store().state_at(*hash);
    if (!reader) return nullptr;
    return std::make_unique<TrieView>(std::move(reader).value());
}

namespace {

/// The transaction eth_call runs: the message's fields, the account's nonce
/// unless given. Without fee fields it is free and runs with base fee zero
/// (geth's eth_call does the same, so a zero-balance `from` can call).
struct CallSetup {
    chain::Transaction tx;
    execution::TxEnvironment env;
};

CallSetup make_call(const rpc::CallMsg& msg, const chain::BlockHeader& h, const execution::ChainRules& rules,
                    state::WorldState& ws) {
    CallSetup s;
    chain::Transaction& tx = s.tx;
    tx.chain_id = rules.chain_id;
    tx.nonce = msg.nonce.value_or(ws.get_nonce(msg.from));
    tx.gas_limit = msg.gas;
    tx.to = msg.to;
    tx.value = msg.value;
    tx.data = msg.data;
    tx.access_list = msg.access_list;
    execution::TxEnvironment& env = s.env;
    env = execution::block_environment(h, rules);
    env.simulation = true;
    // The caller's gas cap bounds the call, not what is left in the block.
    env.block_gas_available = std::max<uint64_t>(msg.gas, h.gas_limit);
    if (msg.max_fee_per_gas || msg.max_priority_fee_per_gas) {
        tx.type = chain::TxType::kDynamicFee;
        tx.max_priority_fee_per_gas = msg.max_priority_fee_per_gas.value_or(uint256());
        tx.max_fee_per_gas = msg.max_fee_per_gas.value_or(h.base_fee + tx.max_priority_fee_per_gas);
    } else {
        tx.type = msg.access_list.empty() ? chain::TxType::kLegacy : chain::TxType::kAccessList;
        if (msg.gas_price)
            tx.gas_price = *msg.gas_price;
        else
            env.block.base_fee = 0;
    }
    return s;
}

}  // namespace

Result<rpc::CallResult, rpc::CallFailure> ChainBackend::call(const rpc::CallMsg& msg, rpc::BlockNum n,
                                                             const rpc::StateOverrides& overrides) {
    auto hash = canonical_hash(n);
    if (!hash) return Unexpected{rpc::CallFailure{rpc::CallError::kStateUnavailable, std::nullopt}};
    auto header = header_by_hash(*hash);
    auto reader = ledger_.store().state_at(*hash);
    if (!header || !reader)
        return Unexpected{rpc::CallFailure{rpc::CallError::kStateUnavailable, std::nullopt}};
    OverrideReader ov(*reader, overrides);
    state::WorldState ws(ov);
    ws.set_block_hash_source([this](uint64_t k) { return ledger_.block_hash(k); });
    CallSetup s = make_call(msg, *header, ledger_.rules(), ws);
    auto out = execution::apply_transaction(ws, s.env, s.tx, msg.from);
    if (!reader->status().is_ok())
        return Unexpected{rpc::CallFailure{rpc::CallError::kStateUnavailable, std::nullopt}};
    if (!out) return Unexpected{rpc::CallFailure{rpc::CallError::kRejected, out.error()}};
    return rpc::CallResult{out->status, std::move(out->output), out->gas_used};
}

Result<rpc::AccessListResult, rpc::CallFailure> ChainBackend::create_access_list(const rpc::CallMsg& msg,
                                                                                 rpc::BlockNum n) {
    auto hash = canonical_hash(n);
    if (!hash) return Unexpected{rpc::CallFailure{rpc::CallError::kStateUnavailable, std::nullopt}};
    auto header = header_by_hash(*hash);
    if (!header) return Unexpected{rpc::CallFailure{rpc::CallError::kStateUnavailable, std::nullopt}};
    // The list: every account and slot the call loads, less the sender, the
    // recipient (or created contract), the coinbase and the precompiles,
    // which are warm anyway (EIP-2929, EIP-3651) -- as geth's tracer leaves them out.
    chain::AccessList list = msg.access_list;
    {
        auto reader = ledger_.store().state_at(*hash);
        if (!reader) return Unexpected{rpc::CallFailure{rpc::CallError::kStateUnavailable, std::nullopt}};
        RecordingReader rec(*reader);
        state::WorldState ws(rec);
        ws.set_block_hash_source([this](uint64_t k) { return ledger_.block_hash(k); });
        CallSetup s = make_call(msg, *header, ledger_.rules(), ws);
        auto out = execution::apply_transaction(ws, s.env, s.tx, msg.from);
        if (!out) return Unexpected{rpc::CallFailure{rpc::CallError::kRejected, out.error()}};
        std::set<Address> skip{msg.from, header->proposer};
        if (msg.to) skip.insert(*msg.to);
        if (out->created) skip.insert(*out->created);
        for (const auto& a : rec.accounts()) {
            if (skip.count(a) || is_precompile(a)) continue;
            auto it = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.address == a; });
            if (it == list.end()) {
                list.push_back(chain::AccessListEntry{a, {}});
                it = list.end() - 1;
            }
            if (auto sl = rec.slots().find(a); sl != rec.slots().end())
                for (const auto& k : sl->second)
                    if (std::find(it->storage_keys.begin(), it->storage_keys.end(), k) ==
                        it->storage_keys.end())
                        it->storage_keys.push_back(k);
        }
    }
    // The gas the call uses with that list attached.
    rpc::CallMsg with = msg;
    with.access_list = list;
    auto r = call(with, n, {});
    if (!r) return Unexpected{r.error()};
    rpc::AccessListResult res;
    res.access_list = std::move(list);
    res.gas_used = r->gas_used;
    if (!r->success()) res.failure = *r;
    return res;
}

Result<Hash32, rpc::SendFailure> ChainBackend::send_raw_transaction(ByteView encoded) {
    return std::move(send_raw_transactions(std::span<const ByteView>(&encoded, 1)).front());
}

std::vector<Result<Hash32, rpc::SendFailure>> ChainBackend::send_raw_transactions(
    std::span<const ByteView> encoded) {
    // Decoding and sender recovery (the expensive part) run on the recovery
    // workers, all inputs at once and before the lock; under mu_ only the
    // pool's bookkeeping and two account reads per transaction remain.
    auto recovered = recovery_.recover(encoded);
    std::vector<Result<Hash32, rpc::SendFailure>> out;
    out.reserve(encoded.size());
    std::vector<Hash32> admitted;
    admitted.reserve(encoded.size());
    {
        std::lock_guard lock(mu_);
        ledger::HeadAccounts view(ledger_.database());
        for (auto& r : recovered) {
            if (!r) {
                out.push_back(Unexpected{rpc::SendFailure{txpool::AddError::kInvalid, r.error()}});
                continue;
            }
            auto added = pool_.add(std::move(r).value(), view);
            if (!added) {
                out.push_back(Unexpected{rpc::SendFailure{added.error(), std::nullopt}});
                continue;
            }
            out.push_back(added->hash);
            admitted.push_back(added->hash);
        }
        pool_pending_.store(pool_.pending_count(), std::memory_order_relaxed);
        pool_queued_.store(pool_.queued_count(), std::memory_order_relaxed);
    }
    for (const auto& h : admitted) fire(rpc::ChainEvent{nullptr, h});
    return out;
}

std::shared_ptr<const txpool::PooledTx> ChainBackend::pool_transaction(const Hash32& h) {
    std::lock_guard lock(mu_);
    return pool_.get(h);
}

size_t ChainBackend::pool_pending() {
    return pool_pending_.load(std::memory_order_relaxed);
}

size_t ChainBackend::pool_queued() {
    return pool_queued_.load(std::memory_order_relaxed);
}

txpool::TxPool::Content ChainBackend::pool_content() {
    std::lock_guard lock(mu_);
    return pool_.content();
}

Result<std::vector<rpc::LogEntry>, rpc::LogQueryError> ChainBackend::logs(rpc::BlockNum from,
                                                                          rpc::BlockNum to,
                                                                          const rpc::LogFilter& filter,
                                                                          size_t max_results) {
    std::vector<rpc::LogEntry> out;
    if (from > to) return out;
    if (to > head_number()) return Unexpected{rpc::LogQueryError::kRangeUnavailable};
    storage::LogFilter f;
    f.from = from;
    f.to = to;
    f.addresses = filter.addresses;
    f.topics = filter.topics;
    f.max_results = max_results;
    auto r = ledger_.store().logs(f);
    if (!r) {
        // The store refuses a query with more matches than max_results as an invalid argument.
        if (r.error().code() == storage::Status::Code::kInvalidArgument)
            return Unexpected{rpc::LogQueryError::kTooManyResults};
        return Unexpected{rpc::LogQueryError::kRangeUnavailable};
    }
    out.reserve(r->size());
    for (auto& m : *r)
        out.push_back(rpc::LogEntry{std::move(m.log), m.block_num, m.block_hash, m.tx_hash, m.tx_index,
                                    m.log_index, false});
    return out;
}

uint256 ChainBackend::next_base_fee() {
    return chain::expected_base_fee(ledger_.genesis().base_fee, ledger_.head_header());
}

uint256 ChainBackend::suggested_tip() {
    return settings_.pool.min_priority_fee;
}

std::optional<rpc::SyncStatus> ChainBackend::sync_status() {
    NetworkView* v = network_view_.load();
    return v ? v->sync_status() : std::nullopt;
}

size_t ChainBackend::peer_count() {
    NetworkView* v = network_view_.load();
    return v ? v->peer_count() : 0;
}

rpc::NodeInfo ChainBackend::node_info() {
    NetworkView* v = network_view_.load();
    return rpc::NodeInfo{settings_.client_version, settings_.node_name, settings_.validator,
                         v ? std::optional<rpc::NetworkInfo>(v->network_info()) : std::nullopt};
}

uint64_t ChainBackend::add_listener(rpc::EventListener listener) {
    std::lock_guard lock(listeners_mu_);
    listeners_[next_listener_] = std::move(listener);
    return next_listener_++;
}

void ChainBackend::remove_listener(uint64_t id) {
    std::lock_guard lock(listeners_mu_);
    listeners_.erase(id);
}

void ChainBackend::fire(const rpc::ChainEvent& ev) {
    std::lock_guard lock(listeners_mu_);
    for (auto& [_, l] : listeners_) l(ev);
}

Result<std::optional<SealedBlock>, std::string> ChainBackend::seal_block(uint64_t timestamp,
                                                                         const Address& proposer,
                                                                         bool allow_empty) {
    auto ev = std::make_shared<rpc::BlockEvent>();
    SealedBlock sealed;
    {
        std::lock_guard lock(mu_);
        const chain::BlockHeader head = ledger_.head_header();
        const uint256 base_fee = chain::expected_base_fee(ledger_.genesis().base_fee, head);
        auto selected = pool_.select(head.gas_limit, base_fee);
        if (selected.empty() && !allow_empty) return std::optional<SealedBlock>{};
        std::vector<execution::Candidate> candidates;
        candidates.reserve(selected.size());
        for (const auto& p : selected) candidates.push_back(execution::Candidate{p->tx, p->sender});
        auto produced = ledger_.produce_block(candidates, timestamp, proposer);
        if (!produced) return Unexpected{produced.error()};
        ledger::HeadAccounts view(ledger_.database());
        pool_.on_new_head(view);
        pool_pending_.store(pool_.pending_count(), std::memory_order_relaxed);
        pool_queued_.store(pool_.queued_count(), std::memory_order_relaxed);
        sealed.execute_seconds = produced->execute_seconds;
        sealed.commit_seconds = produced->commit_seconds;
        sealed.number = produced->block.header.number;
        sealed.hash = produced->hash;
        sealed.tx_count = produced->block.body.transactions.size();
        sealed.gas_used = produced->block.header.gas_used;
        sealed.skipped = produced->skipped.size();
        ev->header = std::move(produced->block.header);
        ev->hash = produced->hash;
        // The included transactions are the selected ones less the skipped,
        // in order: their hashes and senders are known from admission.
        std::vector<Address> senders;
        senders.reserve(sealed.tx_count);
        ev->tx_hashes.reserve(sealed.tx_count);
        size_t skip = 0;
        for (size_t i = 0; i < selected.size(); ++i) {
            if (skip < produced->skipped.size() && produced->skipped[skip].first == i) {
                ++skip;
                continue;
            }
            ev->tx_hashes.push_back(selected[i]->hash);
            senders.push_back(selected[i]->sender);
        }
        TRELLIS_ASSERT(ev->tx_hashes.size() == sealed.tx_count);
        ev->receipts = std::move(produced->receipts);
        std::lock_guard slock(senders_mu_);
        if (sender_cache_.emplace(sealed.hash, std::move(senders)).second)
            sender_order_.push_back(sealed.hash);
        while (sender_order_.size() > kSenderCacheBlocks) {
            sender_cache_.erase(sender_order_.front());
            sender_order_.pop_front();
        }
    }
    fire(rpc::ChainEvent{std::move(ev), std::nullopt});
    return std::optional<SealedBlock>{sealed};
}

std::vector<std::shared_ptr<const txpool::PooledTx>> ChainBackend::select_transactions(uint64_t gas_limit,
                                                                                     const uint256& base_fee) {
    std::lock_guard lock(mu_);
    return pool_.select(gas_limit, base_fee);
}

Result<Hash32, std::string> ChainBackend::commit_external(const std::function<Result<Hash32, std::string>()>& write,
                                                          const chain::Block& block,
                                                          const std::vector<Hash32>& tx_hashes,
                                                          const std::vector<Address>& senders,
                                                          const std::vector<chain::Receipt>& receipts) {
    auto ev = std::make_shared<rpc::BlockEvent>();
    Hash32 hash;
    {
        std::lock_guard lock(mu_);
        auto written = write();
        if (!written) return written;
        hash = *written;
        ledger::HeadAccounts view(ledger_.database());
        pool_.on_new_head(view);
        pool_pending_.store(pool_.pending_count(), std::memory_order_relaxed);
        pool_queued_.store(pool_.queued_count(), std::memory_order_relaxed);
        ev->header = block.header;
        ev->hash = hash;
        ev->tx_hashes = tx_hashes;
        ev->receipts = receipts;
        std::lock_guard slock(senders_mu_);
        if (sender_cache_.emplace(hash, senders).second) sender_order_.push_back(hash);
        while (sender_order_.size() > kSenderCacheBlocks) {
            sender_cache_.erase(sender_order_.front());
            sender_order_.pop_front();
        }
    }
    fire(rpc::ChainEvent{std::move(ev), std::nullopt});
    return hash;
}

}  // namespace trellis::node
