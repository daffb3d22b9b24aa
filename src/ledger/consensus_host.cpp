#include "ledger/consensus_host.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <unordered_set>

#include "base/assert.hpp"
#include "base/hex.hpp"
#include "chain/block_root.hpp"
#include "codec/rlp.hpp"
#include "consensus/sync.hpp"
#include "ledger/head_accounts.hpp"
#include "runtime/asio.hpp"
#include "runtime/log.hpp"
#include "storage/consensus_records.hpp"
#include "storage/state_store.hpp"

namespace trellis::ledger {

namespace asio = boost::asio;
using consensus::ValidatorIndex;

namespace {

/// Room left in a payload for the header and list framing.
constexpr size_t kPayloadSlack = 64 * 1024;

std::string status_error(const char* what, const storage::Status& s) {
    return std::string(what) + ": " + s.to_string();
}

/// A root no honest execution reports for this header: the engine then
/// refuses to vote (kBadStateTransition) exactly as for a wrong root.
Hash32 mismatching_root(const Hash32& header_root) {
    Hash32 r = header_root;
    for (auto& b : r.bytes) b = uint8_t(~b);
    return r;
}

}  // namespace

// ---------------------------------------------------------------------------
// PoolChain

PoolChain::PoolChain(Ledger& ledger, txpool::Settings settings)
    : ledger_(ledger), pool_([&] {
          settings.rules.chain_id = ledger.genesis().chain_id;
          settings.block_gas_limit = ledger.genesis().gas_limit;
          return settings;
      }()) {}

Result<Hash32, txpool::AddError> PoolChain::add_raw(ByteView encoded) {
    std::lock_guard lock(mu_);
    HeadAccounts view(ledger_.database());
    auto r = pool_.add_raw(encoded, view);
    if (!r) return Unexpected{r.error()};
    return r->hash;
}

size_t PoolChain::size() {
    std::lock_guard lock(mu_);
    return pool_.size();
}

void PoolChain::on_commit(std::function<void(const SpeculativeBlock&)> f) {
    std::lock_guard lock(mu_);
    on_commit_ = std::move(f);
}

std::vector<std::shared_ptr<const txpool::PooledTx>> PoolChain::select(uint64_t gas_limit,
                                                                       const uint256& base_fee) {
    std::lock_guard lock(mu_);
    return pool_.select(gas_limit, base_fee);
}

bool PoolChain::has_pending() {
    std::lock_guard lock(mu_);
    return pool_.pending_count() > 0;
}

Result<Hash32, std::string> PoolChain::commit(const std::function<Result<Hash32, std::string>()>& write,
                                              const SpeculativeBlock& block) {
    std::function<void(const SpeculativeBlock&)> notify;
    Result<Hash32, std::string> r = Hash32{};
    {
        std::lock_guard lock(mu_);
        r = write();
        if (!r) return r;
        HeadAccounts view(ledger_.database());
        pool_.on_new_head(view);
        notify = on_commit_;
    }
    if (notify) notify(block);
    return r;
}

// ---------------------------------------------------------------------------
// ConsensusHost

struct ConsensusHost::Timers {
    explicit Timers(asio::io_context& ioc) : engine(ioc), pacing(ioc), guard(ioc.get_executor()) {}
    asio::steady_timer engine;
    asio::steady_timer pacing;
    asio::executor_work_guard<asio::io_context::executor_type> guard;
    /// On a clock that is not realtime, each slot's deadline on the clock
    /// and what it does (the asio timers stay idle).
    struct Due {
        std::chrono::milliseconds at{0};
        std::function<void()> fire;
    };
    std::optional<Due> due[2];
    uint64_t subscription = 0;
};

ConsensusHost::ConsensusHost(Ledger& ledger, HostChain& chain, ConsensusNetwork& network,
                             HostSettings settings)
    : ledger_(ledger), chain_(chain), network_(network), settings_(std::move(settings)) {}

ConsensusHost::~ConsensusHost() {
    stop();
}

Result<std::optional<std::pair<consensus::Block, consensus::QuorumCert>>, std::string>
ConsensusHost::committed_record(Ledger& ledger, const consensus::SignatureScheme& scheme, uint64_t num) {
    using Out = std::optional<std::pair<consensus::Block, consensus::QuorumCert>>;
    auto rec = storage::ConsensusRecords(ledger.database()).committed(num);
    if (!rec) return Unexpected{status_error("reading the consensus record", rec.error())};
    if (!*rec) return Out{};
    auto qc = consensus::decode_qc((*rec)->qc);
    if (!qc) return Unexpected{"consensus QC of block " + std::to_string(num) + " does not decode"};
    // Only the whole-block decoder reads a header: frame it with the payload,
    // which is the stored chain block (its encoding is canonical, so it is
    // the payload that was certified).
    auto hash = ledger.store().canonical_hash(num);
    if (!hash || !*hash) return Unexpected{"block " + std::to_string(num) + " is not stored"};
    auto block = ledger.store().block(**hash);
    if (!block || !*block) return Unexpected{"block " + std::to_string(num) + " is not stored"};
    Bytes framed;
    const size_t mark = rlp::begin_list(framed);
    framed.insert(framed.end(), (*rec)->header.begin(), (*rec)->header.end());
    rlp::encode_string(framed, chain::encode_block(**block));
    rlp::end_list(framed, mark);
    auto b = consensus::decode_block(framed, scheme);
    if (!b) return Unexpected{"consensus header of block " + std::to_string(num) + " does not decode"};
    return Out{std::pair{std::move(*b), std::move(*qc)}};
}

Result<consensus::ValidatorSet, std::string> ConsensusHost::genesis_validator_set(const chain::Genesis& g) {
    std::vector<consensus::Validator> vs;
    for (const auto& v : g.validators) {
        if (!v.stake.fits_u64() || uint64_t(v.stake) > consensus::kMaxStake)
            return Unexpected{std::string("validator stake above 2^48 is not supported by the engine")};
        vs.push_back({to_bytes(v.public_key.view()), uint64_t(v.stake)});
    }
    consensus::ValidatorSet set(std::move(vs));
    if (!set.well_formed())
        return Unexpected{std::string("the genesis validator set is not usable by the engine")};
    return set;
}

Result<void, std::string> ConsensusHost::import_committed(const consensus::Block& block,
                                                          const consensus::QuorumCert& qc) {
    TRELLIS_ASSERT(!started_.load());
    if (failed_) return Unexpected{error()};
    if (qc.block_id != block.id) return Unexpected{std::string("the QC certifies another block")};
    if (block.header.block_num != head_header_.number + 1)
        return Unexpected{"block " + std::to_string(block.header.block_num) +
                          " is not the child of the head " + std::to_string(head_header_.number)};
    auto executed = execute(block);
    if (!executed)
        return Unexpected{"block " + std::to_string(block.header.block_num) + ": " + executed.error()};
    carry_commit(consensus::CommittedBlock{block, qc, std::nullopt});
    if (failed_) return Unexpected{error()};
    return {};
}

Result<std::unique_ptr<ConsensusHost>, std::string> ConsensusHost::open(
    Ledger& ledger, HostChain& chain, ConsensusNetwork& network, std::optional<crypto::SuitePrivateKey> key,
    HostSettings settings) {
    std::unique_ptr<ConsensusHost> h(new ConsensusHost(ledger, chain, network, std::move(settings)));
    const chain::Genesis& g = ledger.genesis();
    h->suite_ = crypto::suite_by_name(g.crypto_suite);
    if (!h->suite_) return Unexpected{"unknown crypto suite " + g.crypto_suite};
    h->rules_ = ledger.rules();
    h->settings_.engine.chain_id = g.chain_id;
    if (uint64_t(h->settings_.idle_block_interval.count()) >= h->settings_.engine.base_timeout_ms)
        return Unexpected{std::string("idle_block_interval must be below the view timeout")};

    // Validators: the genesis set, index = position (docs/consensus.md §2).
    auto genesis_set = genesis_validator_set(g);
    if (!genesis_set) return Unexpected{genesis_set.error()};
    const consensus::ValidatorSet& set = *genesis_set;
    for (const auto& v : g.validators) h->validator_addresses_.push_back(v.address);
    if (key) {
        auto pub = h->suite_->public_key(*key);
        if (!pub) return Unexpected{std::string("invalid validator key")};
        for (size_t i = 0; i < g.validators.size(); ++i)
            if (g.validators[i].public_key == *pub) {
                h->self_ = ValidatorIndex(i);
                h->self_address_ = g.validators[i].address;
            }
    }
    h->scheme_ = std::make_unique<consensus::SuiteScheme>(*h->suite_, h->self_ ? key : std::nullopt);
    h->safety_ = std::make_unique<storage::DbSafetyStore>(ledger.database());
    // The engine treats an unreadable WAL as a fresh start; a validator that
    // forgot its votes could equivocate, so refuse here instead.
    if (auto loaded = h->safety_->load(); !loaded)
        return Unexpected{std::string("consensus WAL: ") + consensus::to_string(loaded.error())};

    // The root: the head block and the QC stored beside it.
    h->head_header_ = ledger.head_header();
    h->head_hash_ = ledger.head_hash();
    const uint64_t num = h->head_header_.number;
    consensus::EngineConfig cfg;
    cfg.settings = h->settings_.engine;
    cfg.self = h->self_;
    cfg.validators = set;
    auto rec = committed_record(ledger, *h->scheme_, num);
    if (!rec) return Unexpected{rec.error()};
    if (*rec) {
        cfg.root = std::move((*rec)->first);
        cfg.root_qc = std::move((*rec)->second);
        if (cfg.root_qc.block_id != cfg.root.id)
            return Unexpected{"stored QC of block " + std::to_string(num) + " certifies another block"};
    } else {
        // Genesis, or a chain the single-validator proposer made: every
        // validator derives the same root from the same head (view 0, no
        // signatures, as the engine's genesis).
        consensus::BlockHeader rh;
        rh.block_num = num;
        rh.state_root = h->head_header_.state_root;
        Bytes payload;
        if (num > 0) {
            auto block = ledger.store().block(h->head_hash_);
            if (!block || !*block) return Unexpected{std::string("head block is not stored")};
            payload = chain::encode_block(**block);
        }
        cfg.root = consensus::make_block(*h->scheme_, rh, std::move(payload));
        cfg.root_qc = consensus::QuorumCert{0, 0, cfg.root.id, {}};
    }
    h->chain_of_[cfg.root.id] = {h->head_hash_, num};
    h->committed_num_ = num;
    h->engine_ = std::make_unique<consensus::Engine>(std::move(cfg), *h->scheme_, *h->safety_);
    h->view_ = h->engine_->current_view();
    h->ioc_ = std::make_unique<asio::io_context>(1);
    h->timers_ = std::make_unique<Timers>(*h->ioc_);
    return h;
}

void ConsensusHost::start() {
    if (started_.exchange(true)) return;
    asio::post(*ioc_, [this] {
        handle(engine_->start());
        resume_pending();
    });
    if (!clock().realtime())
        timers_->subscription =
            clock().subscribe([this] { asio::post(*ioc_, [this] { fire_due_timers(); }); });
    thread_ = std::thread([this] { ioc_->run(); });
}

void ConsensusHost::flush() {
    if (!started_.load() || stopped_.load()) return;
    std::promise<void> done;
    auto f = done.get_future();
    asio::post(*ioc_, [&done] { done.set_value(); });
    f.wait();
}

void ConsensusHost::resume_pending() {
    // After a restart the WAL's high QC may certify a block above the
    // committed root that only our pending records still hold (with n = 1
    // it always does: the leader's lock is one block above its last
    // commit). Hand that chain to the engine as a sync response certified
    // by the QC, as a peer would (R7).
    if (failed_) return;
    const consensus::QuorumCert hqc = engine_->high_qc();
    if (engine_->find_block(hqc.block_id)) return;
    std::unordered_map<Hash32, consensus::Block, FixedBytesHasher> pending;
    auto stored = storage::ConsensusRecords(ledger_.database()).pending_from(head_header_.number + 1);
    if (!stored) {
        TRELLIS_LOG_TO(logger(), storage, error, "{}",
                       status_error("reading pending blocks", stored.error()));
        return;
    }
    for (const Bytes& encoded : *stored)
        if (auto b = consensus::decode_block(encoded, *scheme_)) pending.emplace(b->id, std::move(*b));
    consensus::SyncResponse r;
    r.qc = hqc;
    size_t bytes = 0;
    for (Hash32 id = hqc.block_id; r.blocks.size() < consensus::kMaxSyncBlocks;) {
        auto b = pending.find(id);
        if (b == pending.end()) break;
        // Within the message bound; the engine fetches what is left below.
        bytes += b->second.payload.size() + kPayloadSlack;
        if (!r.blocks.empty() && bytes > consensus::kMaxMessageBytes) break;
        id = b->second.header.parent_id();
        r.blocks.push_back(std::move(b->second));
    }
    if (r.blocks.empty()) return;
    TRELLIS_LOG_TO(logger(), consensus, info, "resuming {} uncommitted block(s) from the pending records",
                   r.blocks.size());
    handle(engine_->on_message(self_.value_or(0), consensus::encode_message(r)));
}

bool ConsensusHost::serve_sync(ValidatorIndex from, ByteView bytes) {
    // Only a SyncRequest (type 4, docs/consensus.md §3) for a committed block
    // the engine no longer holds; everything else goes to the engine.
    if (!consensus::is_sync_request(bytes)) return false;
    auto msg = consensus::decode_message(bytes, *scheme_);
    if (!msg || !std::holds_alternative<consensus::SyncRequest>(*msg)) return false;
    const auto& req = std::get<consensus::SyncRequest>(*msg);
    if (engine_->find_block(req.block_id)) return false;
    auto idx = storage::ConsensusRecords(ledger_.database()).block_num_of(req.block_id);
    if (!idx || !*idx) return false;
    const uint64_t num = **idx;
    consensus::SyncResponse resp;
    const uint64_t max = std::min<uint64_t>(req.max_blocks, consensus::kMaxSyncBlocks);
    size_t size = 0;
    for (uint64_t k = num; k > 0 && resp.blocks.size() < max; --k) {
        auto rec = committed_record(ledger_, *scheme_, k);
        if (!rec || !*rec) break;  // older than consensus mode, or unreadable
        size += (*rec)->first.payload.size() + kPayloadSlack;
        if (!resp.blocks.empty() && size > consensus::kMaxMessageBytes) break;
        if (resp.blocks.empty()) resp.qc = (*rec)->second;
        resp.blocks.push_back(std::move((*rec)->first));
    }
    if (resp.blocks.empty()) return false;
    network_.send(from, consensus::encode_message(resp));
    return true;
}

void ConsensusHost::stop() {
    if (stopped_.exchange(true)) return;
    if (timers_ && timers_->subscription) clock().unsubscribe(timers_->subscription);
    if (ioc_) ioc_->stop();
    if (thread_.joinable()) thread_.join();
}

void ConsensusHost::deliver(ValidatorIndex from, Bytes bytes) {
    if (stopped_.load()) return;
    asio::post(*ioc_, [this, from, b = std::move(bytes)] {
        if (failed_ || serve_sync(from, b)) return;
        handle(engine_->on_message(from, b));
    });
}

void ConsensusHost::notify_transaction() {
    if (stopped_.load()) return;
    asio::post(*ioc_, [this] {
        if (!failed_ && payload_ && payload_->waiting) build_payload();
    });
}

std::string ConsensusHost::error() const {
    std::lock_guard lock(error_mu_);
    return error_;
}

void ConsensusHost::fail(std::string why) {
    failed_ = true;
    TRELLIS_LOG_TO(logger(), consensus, error, "consensus host stopped: {}", why);
    std::lock_guard lock(error_mu_);
    if (error_.empty()) error_ = std::move(why);
}

runtime::log::Logger& ConsensusHost::logger() const {
    return runtime::log::or_global(settings_.logger);
}

uint64_t ConsensusHost::now_seconds() const {
    return clock().unix_seconds();
}

HostClock& ConsensusHost::clock() const {
    return settings_.clock ? *settings_.clock : system_host_clock();
}

void ConsensusHost::start_timer(TimerSlot slot, std::chrono::milliseconds delay, std::function<void()> fire) {
    if (!clock().realtime()) {
        timers_->due[size_t(slot)] = Timers::Due{clock().now() + delay, std::move(fire)};
        return;
    }
    asio::steady_timer& t = slot == TimerSlot::kEngine ? timers_->engine : timers_->pacing;
    t.expires_after(delay);
    t.async_wait([f = std::move(fire)](const boost::system::error_code& ec) {
        if (!ec) f();
    });
}

void ConsensusHost::fire_due_timers() {
    for (auto& due : timers_->due) {
        // A fired timer may arm its slot again (later than now): take it first.
        if (!due || due->at > clock().now()) continue;
        auto fire = std::move(due->fire);
        due.reset();
        fire();
    }
}

execution::BlockHashFn ConsensusHost::speculative_block_hashes(
    const std::vector<const SpeculativeBlock*>& path) {
    return [this, head_num = head_header_.number, &path](uint64_t n) -> Hash32 {
        if (n > head_num) return n - head_num - 1 < path.size() ? path[n - head_num - 1]->hash : Hash32{};
        return ledger_.block_hash(n);
    };
}

chain::BlockHeader ConsensusHost::chain_header_of(const Hash32& chain_hash) {
    if (chain_hash == head_hash_) return head_header_;
    const SpeculativeBlock* b = spec_.find(chain_hash);
    TRELLIS_ASSERT(b != nullptr);  // callers found its path first
    return b->block.header;
}

void ConsensusHost::arm_timer(const consensus::TimerRequest& t) {
    const uint64_t gen = ++timer_generation_;
    start_timer(TimerSlot::kEngine, std::chrono::milliseconds(t.delay_ms), [this, gen, view = t.view] {
        if (gen != timer_generation_ || failed_) return;
        if (settings_.on_view_timeout) settings_.on_view_timeout(view);
        handle(engine_->on_timer(view));
    });
}

void ConsensusHost::handle(consensus::Outputs out, bool proposed) {
    if (failed_) return;
    // A later Outputs' timer replaces this one, and the nested calls below
    // produce later Outputs: arm it first.
    if (out.timer) arm_timer(*out.timer);
    if (proposed) {
        // R7: our proposal is on disk before it leaves.
        for (const auto& m : out.messages) {
            if (m.to) continue;
            auto msg = consensus::decode_message(m.bytes, *scheme_);
            if (!msg || !std::holds_alternative<consensus::Proposal>(*msg)) continue;
            const auto& p = std::get<consensus::Proposal>(*msg);
            // Our vote for it is in the WAL already; a QC over a block we
            // could lose would leave us unable to extend our own lock.
            if (!persist_pending(p.block)) return fail("cannot persist our proposal (R7)");
            if (last_built_) chain_of_[p.block.id] = *last_built_;
            break;
        }
        last_built_.reset();
    }
    for (auto& m : out.messages) network_.send(m.to, std::move(m.bytes));
    for (const auto& c : out.commits) {
        carry_commit(c);
        if (failed_) return;
    }
    for (const auto& x : out.executes) {
        consensus::ExecResult res;
        // At or below the head: committed already (a synced block the
        // commits above carried) or on a dead fork; never voted for.
        if (x.block.header.block_num <= head_header_.number) continue;
        auto r = execute(x.block);
        if (r) {
            res.state_root = x.block.header.state_root;
        } else {
            res.state_root = mismatching_root(x.block.header.state_root);
            // A leader chooses what we execute: limited.
            TRELLIS_LOG_LIMITED_TO(logger(), consensus, warn, "block {} view {} not voted: {}",
                                   x.block.header.block_num, x.block.header.view, r.error());
        }
        handle(engine_->on_block_executed(x.block.id, res));
        if (failed_) return;
    }
    if (out.payload) on_payload_request(*out.payload);
    for (const auto& e : out.evidence)
        TRELLIS_LOG_LIMITED_TO(logger(), consensus, warn,
                               "evidence: validator {} signed two blocks in view {}", e.validator, e.view);
    for (const auto& r : out.rejections) {
        TRELLIS_LOG_LIMITED_TO(logger(), consensus, debug, "rejected a message from validator {}: {}", r.from,
                               consensus::to_string(r.reason));
        if (settings_.on_reject) settings_.on_reject(r.from, r.reason);
    }
    view_.store(engine_->current_view());
}

bool ConsensusHost::persist_pending(const consensus::Block& b) {
    if (auto s = storage::ConsensusRecords(ledger_.database()).put_pending(b, settings_.sync_writes);
        !s.is_ok()) {
        TRELLIS_LOG_LIMITED_TO(logger(), storage, error, "{}", status_error("cannot persist a block", s));
        return false;
    }
    return true;
}

Result<Hash32, std::string> ConsensusHost::execute(const consensus::Block& b) {
    if (!persist_pending(b)) return Unexpected{std::string("cannot persist the block (R7)")};
    const consensus::BlockHeader& ch = b.header;
    auto pit = chain_of_.find(ch.parent_id());
    if (pit == chain_of_.end()) return Unexpected{std::string("its parent was not executed")};
    const Hash32 parent_hash = pit->second.first;
    if (b.payload.empty()) return Unexpected{std::string("empty payload")};
    auto decoded = chain::decode_block(b.payload);
    if (!decoded)
        return Unexpected{std::string("payload is not a block: ") + chain::to_string(decoded.error())};
    chain::Block& block = *decoded;
    const chain::BlockHeader& h = block.header;
    const Hash32 hash = chain::header_hash(h);
    // The consensus header certifies the chain block's number and post-state.
    if (ch.block_num != h.number)
        return Unexpected{std::string("block number differs from the consensus header's")};
    if (ch.state_root != h.state_root)
        return Unexpected{std::string("state root differs from the consensus header's")};
    if (h.parent_hash != parent_hash)
        return Unexpected{std::string("does not extend its consensus parent's block")};
    if (ch.proposer >= validator_addresses_.size() || h.proposer != validator_addresses_[ch.proposer])
        return Unexpected{std::string("proposer is not the consensus proposer's address")};
    if (!h.consensus.empty()) return Unexpected{std::string("consensus field not empty")};
    if (h.timestamp > now_seconds() + settings_.max_future_seconds)
        return Unexpected{std::string("timestamp too far in the future")};
    if (spec_.find(hash)) {  // the same payload again (re-proposed in a later view)
        chain_of_[b.id] = {hash, h.number};
        return hash;
    }
    auto path = spec_.path(parent_hash, head_hash_);
    if (!path) return Unexpected{std::string("its parent is not on a chain from the head")};
    const chain::BlockHeader parent = chain_header_of(parent_hash);
    if (auto ok = chain::validate_block_on_parent(
            block, parent, chain::expected_base_fee(ledger_.genesis().base_fee, parent));
        !ok)
        return Unexpected{std::string("block does not extend its parent: ") + chain::to_string(ok.error())};

    state::StateDiff merged = SpeculativeChain::merged(*path);
    storage::FlatStateReader flat(ledger_.database());
    OverlayStateReader overlay(flat, merged);
    const auto block_hash = speculative_block_hashes(*path);
    // Senders our pool already recovered from these transactions are not
    // recovered again (every validator got most of them by gossip).
    std::vector<Hash32> tx_hashes;
    std::vector<std::optional<Address>> known;
    tx_hashes.reserve(block.body.transactions.size());
    known.reserve(block.body.transactions.size());
    for (const auto& tx : block.body.transactions) {
        tx_hashes.push_back(chain::transaction_hash(tx));
        known.push_back(chain_.known_sender(tx_hashes.back()));
    }
    const auto exec_start = std::chrono::steady_clock::now();
    auto exec = execution::execute_block(overlay, block, rules_, block_hash, &code_cache_, known);
    const double exec_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - exec_start).count();
    if (!flat.status().is_ok()) return Unexpected{status_error("state read failed", flat.status())};
    if (!exec) return Unexpected{"transactions rejected: " + execution::to_string(exec.error())};
    if (auto ok = execution::validate_executed_block(h, *exec); !ok)
        return Unexpected{std::string(execution::to_string(ok.error()))};
    merge_diff(merged, exec->diff);
    auto staged = ledger_.store().stage_state(merged);
    if (!staged) return Unexpected{status_error("staging state", staged.error())};
    if (staged->root != h.state_root) return Unexpected{std::string("state root mismatch")};

    SpeculativeBlock sb;
    sb.hash = hash;
    sb.receipts = std::move(exec->receipts);
    sb.senders = std::move(exec->senders);
    sb.diff = std::move(exec->diff);
    sb.tx_hashes = std::move(tx_hashes);
    sb.execute_seconds = exec_seconds;
    sb.block = std::move(block);
    const uint64_t number = sb.block.header.number;
    if (!spec_.add(std::move(sb))) return Unexpected{std::string("too many uncommitted blocks")};
    chain_of_[b.id] = {hash, number};
    return hash;
}

void ConsensusHost::carry_commit(const consensus::CommittedBlock& c) {
    const uint64_t num = c.block.header.block_num;
    if (num <= head_header_.number) return;  // the root, or committed before a restart
    const SpeculativeBlock* sb = nullptr;
    if (auto it = chain_of_.find(c.block.id); it != chain_of_.end()) sb = spec_.find(it->second.first);
    if (!sb) {
        // Certified by a quorum but not executed here (we were behind):
        // its parent is the head by now, so execute it on the head.
        auto r = execute(c.block);
        if (!r) return fail("committed block " + std::to_string(num) + " does not execute: " + r.error());
        sb = spec_.find(*r);
        TRELLIS_ASSERT(sb != nullptr);
    }
    if (sb->block.header.parent_hash != head_hash_)
        return fail("committed block " + std::to_string(num) + " does not extend the head");
    storage::ChainStore& store = ledger_.store();
    auto staged = store.stage_state(sb->diff);
    if (!staged) return fail(status_error("staging a committed block", staged.error()));
    if (staged->root != sb->block.header.state_root)
        return fail("committed block " + std::to_string(num) + " has another state root on the head");
    // The consensus header and its QC commit with the block (one batch), and
    // the pending records at this height go with them.
    storage::ConsensusRecords records(ledger_.database());
    records.put_committed(staged->batch, c.block.header, c.block.id, c.qc);
    if (auto st = records.erase_pending_through(staged->batch, num); !st.is_ok())
        return fail(status_error("reading pending blocks", st));
    auto committed = chain_.commit(
        [&]() -> Result<Hash32, std::string> {
            auto r = store.commit_block(sb->block, sb->receipts, std::move(*staged));
            if (!r) return Unexpected{status_error("commit", r.error())};
            return *r;
        },
        *sb);
    if (!committed) return fail("committing block " + std::to_string(num) + ": " + committed.error());
    if (auto pr = store.prune_if_due(); !pr)
        TRELLIS_LOG_LIMITED_TO(logger(), storage, warn, "{}",
                               status_error("state pruning failed (retried later)", pr.error()));
    head_hash_ = *committed;
    head_header_ = sb->block.header;
    const size_t txs = sb->block.body.transactions.size();
    spec_.take_committed(head_hash_);
    for (auto it = chain_of_.begin(); it != chain_of_.end();) {
        if (it->second.second < num || (it->second.second == num && it->first != c.block.id))
            it = chain_of_.erase(it);
        else
            ++it;
    }
    chain_of_[c.block.id] = {head_hash_, num};
    committed_num_.store(num);
    // The node's block log (category node) has the info line of each commit.
    TRELLIS_LOG_TO(logger(), consensus, debug, "committed block {} {} txs={} view={}", num,
                   to_0x_hex(head_hash_.view()), txs, c.block.header.view);
}

void ConsensusHost::on_payload_request(const consensus::PayloadRequest& req) {
    // A nested call (an execution's Outputs) may have asked for a later
    // view already; an older request must not replace it.
    if (req.view <= payload_view_) return;
    payload_view_ = req.view;
    payload_ = PendingPayload{req, false};
    ++pacing_generation_;
    bool now = chain_.has_pending();
    if (!now) {
        // A block with transactions is followed at once by the block that
        // commits it (two-chain commit).
        if (auto pit = chain_of_.find(req.parent_id); pit != chain_of_.end())
            if (auto path = spec_.path(pit->second.first, head_hash_))
                for (const auto* b : *path)
                    if (!b->block.body.transactions.empty()) now = true;
    }
    if (now) return build_payload();
    payload_->waiting = true;
    const uint64_t gen = pacing_generation_;
    start_timer(TimerSlot::kPacing, settings_.idle_block_interval, [this, gen] {
        if (gen != pacing_generation_ || failed_ || !payload_) return;
        build_payload();
    });
}

void ConsensusHost::build_payload() {
    TRELLIS_ASSERT(payload_.has_value());
    const consensus::PayloadRequest req = payload_->req;
    payload_.reset();
    ++pacing_generation_;
    if (!self_address_) return;
    auto pit = chain_of_.find(req.parent_id);
    if (pit == chain_of_.end()) {
        TRELLIS_LOG_LIMITED_TO(logger(), consensus, warn, "cannot propose: the parent was not executed here");
        return;
    }
    const Hash32 parent_hash = pit->second.first;
    auto path = spec_.path(parent_hash, head_hash_);
    if (!path) {
        TRELLIS_LOG_LIMITED_TO(logger(), consensus, warn,
                               "cannot propose: the parent is not on a chain from the head");
        return;
    }
    const chain::BlockHeader parent = chain_header_of(parent_hash);
    if (req.block_num != parent.number + 1) {
        TRELLIS_LOG_LIMITED_TO(logger(), consensus, warn, "cannot propose: block number mismatch");
        return;
    }

    chain::BlockHeader h =
        chain::child_header(parent, ledger_.genesis().base_fee, now_seconds(), *self_address_);

    // The pool works against the committed head: leave out what the
    // uncommitted ancestors already include, and stay within the payload bound.
    std::unordered_set<Hash32, FixedBytesHasher> included;
    for (const auto* b : *path) included.insert(b->tx_hashes.begin(), b->tx_hashes.end());
    auto selected = chain_.select(h.gas_limit, h.base_fee);
    std::vector<std::shared_ptr<const txpool::PooledTx>> chosen;
    std::vector<execution::Candidate> candidates;
    size_t bytes = 0;
    for (auto& p : selected) {
        if (included.count(p->hash)) continue;
        if (bytes + p->size > consensus::kMaxPayloadBytes - kPayloadSlack) break;
        bytes += p->size;
        candidates.push_back(execution::Candidate{p->tx, p->sender});
        chosen.push_back(std::move(p));
    }

    state::StateDiff merged = SpeculativeChain::merged(*path);
    storage::FlatStateReader flat(ledger_.database());
    OverlayStateReader overlay(flat, merged);
    const auto block_hash = speculative_block_hashes(*path);
    const auto build_start = std::chrono::steady_clock::now();
    auto built = execution::build_block(overlay, h, candidates, rules_, block_hash, &code_cache_);
    const double build_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
    if (!flat.status().is_ok()) {
        TRELLIS_LOG_LIMITED_TO(logger(), consensus, warn, "{}",
                               status_error("cannot propose: state read failed", flat.status()));
        return;
    }
    merge_diff(merged, built.execution.diff);
    auto staged = ledger_.store().stage_state(merged);
    if (!staged) {
        TRELLIS_LOG_LIMITED_TO(logger(), consensus, warn, "{}",
                               status_error("cannot propose: staging state", staged.error()));
        return;
    }
    built.block.header.state_root = staged->root;

    SpeculativeBlock sb;
    sb.hash = chain::header_hash(built.block.header);
    size_t skip = 0;
    for (size_t i = 0; i < chosen.size(); ++i) {
        if (skip < built.skipped.size() && built.skipped[skip].first == i) {
            ++skip;
            continue;
        }
        sb.tx_hashes.push_back(chosen[i]->hash);
    }
    Bytes payload = chain::encode_block(built.block);
    if (payload.size() > consensus::kMaxPayloadBytes) {
        TRELLIS_LOG_LIMITED_TO(logger(), consensus, warn, "cannot propose: payload too large");
        return;
    }
    sb.receipts = std::move(built.execution.receipts);
    sb.senders = std::move(built.execution.senders);
    sb.diff = std::move(built.execution.diff);
    sb.execute_seconds = build_seconds;
    sb.block = std::move(built.block);
    const Hash32 hash = sb.hash;
    const uint64_t number = sb.block.header.number;
    const Hash32 root = staged->root;
    if (!spec_.add(std::move(sb))) {
        TRELLIS_LOG_LIMITED_TO(logger(), consensus, warn, "cannot propose: too many uncommitted blocks");
        return;
    }
    last_built_ = std::pair{hash, number};
    handle(engine_->on_payload_ready(req.view, std::move(payload), consensus::ExecResult{root, {}}),
           /*proposed=*/true);
}

}  // namespace trellis::ledger
