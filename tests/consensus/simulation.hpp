#pragma once
// Deterministic, seeded simulation of N consensus engines (docs/consensus.md
// §10): a simulated clock and network (delay, loss, duplication, reordering,
// partitions that heal), crashes and restarts from the persisted safety state,
// Byzantine validators below one third of the stake, and invariants checked
// after every commit. Header-only so the unit tests can reuse its pieces.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "consensus/engine.hpp"
#include "crypto/keccak.hpp"

namespace trellis::consensus::sim {

/// A fast keyed-hash stand-in for signatures: the "public key" is the secret
/// and sig = keccak(key || digest). Not secure, same interface and sizes as
/// a real scheme's failure modes (wrong key, wrong digest, wrong length).
class FakeScheme final : public SignatureScheme {
public:
    explicit FakeScheme(Bytes key) : key_(std::move(key)) {}
    Hash32 hash(ByteView data) const override { return crypto::keccak256(data); }
    Bytes sign(const Hash32& digest) const override {
        Bytes buf = key_;
        append(buf, digest.view());
        const Hash32 h = crypto::keccak256(buf);
        return to_bytes(h.view());
    }
    bool verify(ByteView public_key, const Hash32& digest, ByteView sig) const override {
        if (sig.size() != 32) return false;
        Bytes buf = to_bytes(public_key);
        append(buf, digest.view());
        return equal(crypto::keccak256(buf).view(), sig);
    }

private:
    Bytes key_;
};

inline Bytes u64_bytes(uint64_t a, uint64_t b = 0) {
    Bytes out(16);
    for (int i = 0; i < 8; ++i) {
        out[i] = uint8_t(a >> (56 - 8 * i));
        out[8 + i] = uint8_t(b >> (56 - 8 * i));
    }
    return out;
}

/// The simulated executor: a pure function of the parent's root and the
/// payload, with an epoch change every `epoch_length` blocks (0: never) that
/// rotates the honest validators' stakes (Byzantine stake stays below 1/3).
struct FakeExecutor {
    uint64_t epoch_length = 0;
    std::vector<Validator> base;
    std::vector<bool> byzantine;

    ExecResult execute(const Hash32& parent_root, BlockNum block_num, ByteView payload) const {
        Bytes buf = to_bytes(parent_root.view());
        append(buf, payload);
        ExecResult r{crypto::keccak256(buf), {}};
        if (epoch_length && block_num % epoch_length == 0) {
            r.next_validators = base;
            std::vector<size_t> honest;
            for (size_t i = 0; i < base.size(); ++i)
                if (!byzantine[i]) honest.push_back(i);
            const size_t shift = (block_num / epoch_length) % std::max<size_t>(honest.size(), 1);
            for (size_t k = 0; k < honest.size(); ++k)
                r.next_validators[honest[k]].stake = base[honest[(k + shift) % honest.size()]].stake;
        }
        return r;
    }
};

enum class Byz : uint8_t { kHonest, kSilent, kEquivocate, kDoubleVote, kGarbage };

struct RunStats {
    bool ok = true;
    std::string failure;
    uint64_t messages = 0;
    uint64_t committed = 0;  ///< highest height committed by an honest validator
    int n = 0;
    bool real_crypto = false;
    std::optional<uint64_t> recover_views;  ///< leader-crash scenario
    uint64_t liveness_views = 0;            ///< views from GST to the last honest first commit
    uint64_t evidence = 0;
    uint64_t epochs = 0;
    std::string describe;
};

class Simulation {
public:
    /// Views after GST within which every honest validator must commit.
    static constexpr uint64_t kLivenessViews = 40;

    explicit Simulation(uint64_t seed, bool verbose = false) : rng_(seed), seed_(seed), verbose_(verbose) {
        setup();
    }

    RunStats run() {
        schedule_scenario();
        for (size_t i = 0; i < nodes_.size(); ++i) start_node(i);
        while (!events_.empty() && stats_.ok) {
            Event e = events_.top();
            events_.pop();
            now_ = e.time;
            if (now_ > end_time_) break;
            dispatch(e);
            if (after_gst_ && liveness_done() && crash_done() && now_ > gst_ + 2000) break;
        }
        if (stats_.ok) final_checks();
        stats_.describe = describe();
        return stats_;
    }

private:
    enum class Kind : uint8_t {
        kDeliver,
        kTimer,
        kCrash,
        kRestart,
        kPartition,
        kHeal,
        kGst,
        kLeaderCrash,
        kByzNoise,
        kPayload
    };
    struct Event {
        uint64_t time = 0;
        uint64_t seq = 0;
        Kind kind = Kind::kDeliver;
        size_t node = 0;
        size_t from = 0;
        uint64_t gen = 0;  ///< timer generation, or the view for timers
        ViewNum view = 0;
        std::shared_ptr<Bytes> bytes;
        std::optional<PayloadRequest> payload;
        bool operator<(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
    };
    struct Node {
        std::unique_ptr<SignatureScheme> scheme;
        MemorySafetyStore wal;
        std::unique_ptr<Engine> engine;
        Byz byz = Byz::kHonest;
        uint64_t timer_gen = 0;
        Block root;
        QuorumCert root_qc;
        std::map<Epoch, SyncResponse> proofs;  ///< the host keeps commits' epoch proofs
        ValidatorSet root_set;
        ValidatorSet epoch_set;
        std::vector<Hash32> chain;  ///< committed ids by height (from genesis)
        std::unordered_map<Hash32, Block, FixedBytesHasher> store;  ///< the host's blocks (survive crashes)
        BlockNum gst_height = 0;
        bool committed_after_gst = false;
        bool crashed_for_good = false;
        int partition = 0;
    };

    uint64_t rand(uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

    void setup() {
        const int ns[] = {4, 7, 10};
        n_ = ns[rand(0, 2)];
        skewed_ = chance(0.5);
        real_crypto_ = rand(0, 49) == 0;  // 2% of runs sign with secp256k1
        std::vector<Validator> vals(n_);
        nodes_.resize(n_);
        for (int i = 0; i < n_; ++i) {
            const Hash32 k = crypto::keccak256(u64_bytes(seed_, uint64_t(i) + 1));
            if (real_crypto_) {
                crypto::SuitePrivateKey key = k;
                key[0] &= 0x7f;  // below the group order
                key[31] |= 1;
                auto s = std::make_unique<SuiteScheme>(crypto::ethereum_suite(), key);
                vals[i].public_key = *s->public_key();
                nodes_[i].scheme = std::move(s);
            } else {
                vals[i].public_key = to_bytes(k.view());
                nodes_[i].scheme = std::make_unique<FakeScheme>(vals[i].public_key);
            }
            vals[i].stake = skewed_ ? rand(1, 1000) : 100;
        }
        uint64_t total = 0;
        for (auto& v : vals) total += v.stake;
        // Byzantine validators: up to f = floor((n-1)/3) by count, and their
        // stake strictly below a third of the total.
        const int f = (n_ - 1) / 3;
        const int want = int(rand(0, f));
        std::vector<int> order(n_);
        for (int i = 0; i < n_; ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), rng_);
        uint64_t byz_stake = 0;
        int byz = 0;
        for (int i : order) {
            if (byz >= want) break;
            if (3 * (byz_stake + vals[i].stake) >= total) continue;
            byz_stake += vals[i].stake;
            ++byz;
            const Byz kinds[] = {Byz::kSilent, Byz::kEquivocate, Byz::kDoubleVote, Byz::kGarbage};
            nodes_[i].byz = kinds[rand(0, 3)];
        }
        byz_stake_ = byz_stake;
        total_stake_ = total;
        set_ = ValidatorSet(vals);
        exec_.base = vals;
        exec_.byzantine.resize(n_);
        for (int i = 0; i < n_; ++i) exec_.byzantine[i] = nodes_[i].byz != Byz::kHonest;
        exec_.epoch_length = chance(0.3) ? rand(3, 8) : 0;

        BlockHeader gh;
        gh.state_root = crypto::keccak256(as_view("genesis"));
        genesis_ = make_block(*nodes_[0].scheme, gh, {});
        QuorumCert gqc{0, 0, genesis_.id, {}};
        global_.push_back(genesis_.id);
        stats_.n = n_;
        stats_.real_crypto = real_crypto_;
        for (auto& nd : nodes_) {
            nd.root = genesis_;
            nd.root_qc = gqc;
            nd.root_set = set_;
            nd.epoch_set = set_;
            nd.chain.push_back(genesis_.id);
        }
        loss_ = chance(0.5) ? double(rand(0, 20)) / 100.0 : 0.0;
        dup_ = double(rand(0, 10)) / 100.0;
        max_delay_ = rand(20, 600);
        gst_ = rand(2000, 9000);
        end_time_ = gst_ + 120000;
    }

    void schedule_scenario() {
        // Partitions that form and heal before GST.
        if (chance(0.5)) {
            const uint64_t t = rand(0, gst_ / 2);
            push(mk(t, Kind::kPartition));
            push(mk(rand(t + 200, gst_), Kind::kHeal));
        }
        push(mk(gst_, Kind::kGst));
        // Honest crashes with restart from the persisted state before GST.
        const int crashes = int(rand(0, 2));
        for (int c = 0; c < crashes; ++c) {
            const size_t i = rand(0, n_ - 1);
            if (nodes_[i].byz != Byz::kHonest) continue;
            const uint64_t t = rand(0, gst_ - 100);
            push(mk(t, Kind::kCrash, i));
            push(mk(rand(t + 1, gst_), Kind::kRestart, i));
        }
        // Leader crash after GST, if the fault budget allows one more.
        if (chance(0.5)) push(mk(gst_ + rand(1500, 4000), Kind::kLeaderCrash));
        for (size_t i = 0; i < nodes_.size(); ++i)
            if (nodes_[i].byz == Byz::kGarbage)
                for (uint64_t t = rand(0, 500); t < gst_ + 20000; t += rand(100, 1500))
                    push(mk(t, Kind::kByzNoise, i));
    }

    static Event mk(uint64_t time, Kind k, size_t node = 0, size_t from = 0, uint64_t gen = 0,
                    ViewNum view = 0, std::shared_ptr<Bytes> b = {}) {
        Event e;
        e.time = time;
        e.kind = k;
        e.node = node;
        e.from = from;
        e.gen = gen;
        e.view = view;
        e.bytes = std::move(b);
        return e;
    }

    void push(Event e) {
        e.seq = seq_++;
        events_.push(std::move(e));
    }

    EngineConfig config_for(size_t i) const {
        EngineConfig c;
        c.settings.chain_id = 7;
        c.settings.base_timeout_ms = 1000;
        c.settings.max_backoff_shift = 2;
        c.self = ValidatorIndex(i);
        c.root = nodes_[i].root;
        c.root_qc = nodes_[i].root_qc;
        c.validators = nodes_[i].root_set;
        for (const auto& [e, proof] : nodes_[i].proofs) c.epoch_proofs.push_back(proof);
        return c;
    }

    void start_node(size_t i) {
        Node& nd = nodes_[i];
        nd.engine = std::make_unique<Engine>(config_for(i), *nd.scheme, nd.wal);
        process(i, nd.engine->start());
    }

    void dispatch(const Event& e) {
        if (verbose_ && e.kind != Kind::kDeliver && e.kind != Kind::kTimer)
            std::fprintf(stderr, "t=%llu event %d node %zu\n", (unsigned long long)now_, int(e.kind), e.node);
        switch (e.kind) {
            case Kind::kDeliver: {
                Node& nd = nodes_[e.node];
                if (!nd.engine) return;
                if (nd.byz == Byz::kDoubleVote) byz_double_vote(e.node, *e.bytes);
                if (nd.byz != Byz::kHonest && chance(0.05)) captured_.push_back(e.bytes);
                if (e.bytes->size() < 56 && e.bytes->size() > 2 && (*e.bytes)[1] == 0x04)
                    host_sync(e.node, e.from, *e.bytes);
                if (verbose_) {
                    auto d = decode_message(*e.bytes, *nd.scheme);
                    std::fprintf(stderr, "t=%llu deliver %zu -> %zu type %d\n", (unsigned long long)now_,
                                 e.from, e.node, d ? int(d->index()) : -1);
                }
                process(e.node, nd.engine->on_message(ValidatorIndex(e.from), *e.bytes));
                return;
            }
            case Kind::kTimer: {
                Node& nd = nodes_[e.node];
                if (!nd.engine || e.gen != nd.timer_gen) return;
                process(e.node, nd.engine->on_timer(e.view));
                return;
            }
            case Kind::kCrash:
                nodes_[e.node].engine.reset();
                ++nodes_[e.node].timer_gen;
                return;
            case Kind::kRestart:
                if (!nodes_[e.node].engine && !nodes_[e.node].crashed_for_good) start_node(e.node);
                return;
            case Kind::kPartition: {
                // Two sides; one side may hold a quorum or neither.
                for (auto& nd : nodes_) nd.partition = int(rand(0, 1));
                return;
            }
            case Kind::kHeal:
                for (auto& nd : nodes_) nd.partition = 0;
                return;
            case Kind::kGst:
                gst();
                return;
            case Kind::kLeaderCrash:
                leader_crash();
                return;
            case Kind::kByzNoise:
                byz_noise(e.node);
                return;
            case Kind::kPayload: {
                Node& nd = nodes_[e.node];
                if (!nd.engine) return;
                Bytes payload = u64_bytes(e.node, e.payload->view);
                const ExecResult r =
                    exec_.execute(e.payload->parent_state_root, e.payload->block_num, payload);
                process(e.node, nd.engine->on_payload_ready(e.payload->view, std::move(payload), r));
                return;
            }
        }
    }

    void gst() {
        after_gst_ = true;
        for (size_t i = 0; i < nodes_.size(); ++i) {
            auto& nd = nodes_[i];
            nd.partition = 0;
            if (!nd.engine && !nd.crashed_for_good) start_node(i);
        }
        gst_view_ = max_honest_view();
        for (auto& nd : nodes_) nd.gst_height = nd.chain.size() - 1;
    }

    ViewNum max_honest_view() const {
        ViewNum v = 0;
        for (const auto& nd : nodes_)
            if (nd.byz == Byz::kHonest && nd.engine) v = std::max(v, nd.engine->current_view());
        return v;
    }

    void leader_crash() {
        // Crash the validator that leads the next view of the most advanced
        // honest node, if Byzantine + crashed stake stays below one third.
        size_t best = nodes_.size();
        for (size_t i = 0; i < nodes_.size(); ++i)
            if (nodes_[i].byz == Byz::kHonest && nodes_[i].engine &&
                (best == nodes_.size() ||
                 nodes_[i].engine->current_view() > nodes_[best].engine->current_view()))
                best = i;
        if (best == nodes_.size()) return;
        Engine& e = *nodes_[best].engine;
        const Block* anchor = e.find_block(e.high_qc().block_id);
        if (!anchor) return;
        const ViewNum v = e.current_view() + 1;
        const ValidatorIndex leader = e.leader_after(anchor->header, v);
        if (leader >= nodes_.size() || nodes_[leader].byz != Byz::kHonest) return;
        // Epoch changes rotate honest stakes: budget with the largest.
        uint64_t stake = e.validators().stake_of(leader);
        if (exec_.epoch_length)
            for (size_t k = 0; k < exec_.base.size(); ++k)
                if (!exec_.byzantine[k]) stake = std::max(stake, exec_.base[k].stake);
        if (3 * (byz_stake_ + stake) >= total_stake_) return;
        nodes_[leader].engine.reset();
        nodes_[leader].crashed_for_good = true;
        crash_view_ = max_honest_view();
    }

    bool crash_done() const { return !crash_view_ || stats_.recover_views; }

    bool liveness_done() const {
        for (const auto& nd : nodes_)
            if (nd.byz == Byz::kHonest && !nd.crashed_for_good && !nd.committed_after_gst) return false;
        return true;
    }

    void final_checks() {
        if (!after_gst_) return;
        for (size_t i = 0; i < nodes_.size(); ++i) {
            const auto& nd = nodes_[i];
            if (nd.byz != Byz::kHonest || nd.crashed_for_good) continue;
            if (!nd.committed_after_gst)
                fail("liveness: validator " + std::to_string(i) + " committed nothing after GST (view " +
                     std::to_string(nd.engine ? nd.engine->current_view() : 0) + ", GST view " +
                     std::to_string(gst_view_) + ")");
        }
        if (crash_view_ && !stats_.recover_views) fail("no commit after the leader crash");
    }

    void fail(std::string why) {
        if (!stats_.ok) return;
        stats_.ok = false;
        stats_.failure = std::move(why);
    }

    // -- the network -------------------------------------------------------

    void send(size_t from, size_t to, std::shared_ptr<Bytes> bytes) {
        ++stats_.messages;
        if (!after_gst_) {
            if (nodes_[from].partition != nodes_[to].partition) return;
            if (chance(loss_)) return;
        }
        const uint64_t max_delay = after_gst_ ? std::min<uint64_t>(max_delay_, 150) : max_delay_;
        push(mk(now_ + rand(1, max_delay), Kind::kDeliver, to, from, 0, 0, bytes));
        if (!after_gst_ && chance(dup_))
            push(mk(now_ + rand(1, max_delay), Kind::kDeliver, to, from, 0, 0, bytes));
    }

    void broadcast(size_t from, const std::shared_ptr<Bytes>& bytes) {
        for (size_t j = 0; j < nodes_.size(); ++j)
            if (j != from) send(from, j, bytes);
    }

    // -- outputs -------------------------------------------------------------

    void process(size_t i, Outputs out) {
        std::vector<Outputs> work;
        work.push_back(std::move(out));
        while (!work.empty() && stats_.ok) {
            Outputs o = std::move(work.back());
            work.pop_back();
            Node& nd = nodes_[i];
            if (!nd.engine) return;
            for (auto& c : o.commits) on_commit(i, c);
            for (auto& r : o.rejections) check_rejection(i, r);
            if (verbose_)
                for (auto& r : o.rejections)
                    std::fprintf(stderr, "t=%llu node %zu (view %llu) rejects from %u: %s\n",
                                 (unsigned long long)now_, i, (unsigned long long)nd.engine->current_view(),
                                 r.from, to_string(r.reason));
            if (verbose_ && o.timer)
                std::fprintf(
                    stderr,
                    "t=%llu node %zu timer view %llu +%llu (epoch %llu, msgs %zu, hqc %llu, committed %llu, "
                    "voted %llu, timed out %llu)\n",
                    (unsigned long long)now_, i, (unsigned long long)o.timer->view,
                    (unsigned long long)o.timer->delay_ms, (unsigned long long)nd.engine->epoch(),
                    o.messages.size(), (unsigned long long)nd.engine->high_qc().view,
                    (unsigned long long)nd.engine->committed_block_num(),
                    (unsigned long long)nd.engine->safety_state().last_voted_view,
                    (unsigned long long)nd.engine->safety_state().last_timeout_view);
            stats_.evidence += o.evidence.size();
            for (auto& m : o.messages) emit(i, m);
            if (o.timer) {
                ++nd.timer_gen;
                push(mk(now_ + o.timer->delay_ms, Kind::kTimer, i, 0, nd.timer_gen, o.timer->view));
            }
            for (auto& x : o.executes) nd.store.emplace(x.block.id, x.block);  // the host's block store
            for (auto& x : o.executes) {
                const Block* parent = nd.engine->find_block(x.block.header.parent_id());
                if (!parent) continue;  // the host would load it from its block store
                work.push_back(nd.engine->on_block_executed(
                    x.block.id,
                    exec_.execute(parent->header.state_root, x.block.header.block_num, x.block.payload)));
            }
            if (o.payload) {
                // Building and executing a payload takes the host a moment.
                Event e = mk(now_ + rand(1, 20), Kind::kPayload, i);
                e.payload = o.payload;
                push(std::move(e));
            }
        }
    }

    void emit(size_t i, const OutMessage& m) {
        Node& nd = nodes_[i];
        auto bytes = std::make_shared<Bytes>(m.bytes);
        if (!m.to && bytes->size() > 2 &&
            (*bytes)[1 + ((*bytes)[0] >= 0xf8 ? (*bytes)[0] - 0xf7 : 0)] == 0x01) {
            // Our own proposal: the host stores it before it leaves.
            auto d = decode_message(*bytes, *nd.scheme);
            if (d && std::holds_alternative<Proposal>(*d)) {
                const Block& b = std::get<Proposal>(*d).block;
                nd.store.emplace(b.id, b);
            }
        }
        if (nd.byz == Byz::kSilent) {
            // Withholding: keeps sync answers (so it looks alive) but never
            // proposes, votes or times out.
            auto d = decode_message(*bytes, *nd.scheme);
            if (!d || !std::holds_alternative<SyncResponse>(*d)) return;
        }
        if (nd.byz == Byz::kEquivocate && !m.to) {
            auto d = decode_message(*bytes, *nd.scheme);
            if (d && std::holds_alternative<Proposal>(*d)) return equivocate(i, std::get<Proposal>(*d));
        }
        if (m.to) {
            if (*m.to < nodes_.size()) send(i, *m.to, bytes);
        } else {
            broadcast(i, bytes);
        }
    }

    void check_rejection(size_t at, const Rejection& r) {
        // An honest sender must never earn a disconnect.
        if (r.from < nodes_.size() && nodes_[r.from].byz == Byz::kHonest &&
            peer_action(r.reason) == PeerAction::kDisconnect && r.from != at)
            fail("validator " + std::to_string(at) + " would disconnect honest " + std::to_string(r.from) +
                 ": " + to_string(r.reason));
    }

    void on_commit(size_t i, const CommittedBlock& c) {
        Node& nd = nodes_[i];
        const Block& b = c.block;
        if (nd.byz != Byz::kHonest) return;
        // Each honest chain grows by one block at a time from its parent.
        if (b.header.block_num != nd.chain.size() || b.header.parent_id() != nd.chain.back())
            return fail("validator " + std::to_string(i) + " committed block " +
                        std::to_string(b.header.block_num) + " not extending its chain of " +
                        std::to_string(nd.chain.size()));
        nd.chain.push_back(b.id);
        nd.store.emplace(b.id, b);
        // No two honest validators commit different blocks at one height;
        // with the step above, every honest chain is a prefix of the longest.
        if (global_.size() < nd.chain.size())
            global_.push_back(b.id);
        else if (global_[b.header.block_num] != b.id)
            return fail("fork at height " + std::to_string(b.header.block_num));
        stats_.committed = std::max<uint64_t>(stats_.committed, b.header.block_num);
        nd.root = b;
        nd.root_qc = c.qc;
        if (c.epoch_proof) nd.proofs[b.header.epoch] = *c.epoch_proof;
        nd.root_set = nd.epoch_set;
        if (!b.header.next_validators.empty()) {
            nd.epoch_set = ValidatorSet(b.header.next_validators);
            stats_.epochs = std::max<uint64_t>(stats_.epochs, b.header.epoch + 1);
        }
        if (after_gst_ && !nd.committed_after_gst && b.header.block_num > nd.gst_height) {
            nd.committed_after_gst = true;
            const ViewNum v = c.qc.view;
            const uint64_t views = v > gst_view_ ? v - gst_view_ : 0;
            stats_.liveness_views = std::max(stats_.liveness_views, views);
            if (views > kLivenessViews)
                fail("liveness: validator " + std::to_string(i) + " needed " + std::to_string(views) +
                     " views after GST to commit");
        }
        if (crash_view_ && !stats_.recover_views && b.header.view > *crash_view_)
            stats_.recover_views = b.header.view - *crash_view_;
    }

    /// The host's block sync (p2p's job in a node): blocks the engine has
    /// pruned or lost in a crash are served from the host's block store,
    /// which keeps every block it executed or proposed.
    void host_sync(size_t i, size_t from, const Bytes& bytes) {
        Node& nd = nodes_[i];
        auto d = decode_message(bytes, *nd.scheme);
        if (!d || !std::holds_alternative<SyncRequest>(*d)) return;
        const Hash32 id = std::get<SyncRequest>(*d).block_id;
        if (nd.engine->find_block(id)) return;  // the engine answers itself
        SyncResponse r;
        for (auto it = nd.store.find(id); it != nd.store.end() && r.blocks.size() < kMaxSyncBlocks;
             it = nd.store.find(it->second.header.parent_id()))
            r.blocks.push_back(it->second);
        if (!r.blocks.empty()) send(i, from, std::make_shared<Bytes>(encode_message(r)));
    }

    // -- Byzantine behaviour -------------------------------------------------

    void equivocate(size_t i, const Proposal& p) {
        Node& nd = nodes_[i];
        // A second block for the same view with another payload, correctly
        // executed and signed: half the validators get each.
        Proposal q = p;
        const Block* parent = nd.engine->find_block(p.block.header.parent_id());
        if (!parent || p.block.payload.empty())
            return broadcast(i, std::make_shared<Bytes>(encode_message(p)));
        Bytes payload = u64_bytes(i + 1000, p.block.header.view);
        BlockHeader h = p.block.header;
        const ExecResult r = exec_.execute(parent->header.state_root, h.block_num, payload);
        h.state_root = r.state_root;
        h.next_validators = r.next_validators;
        q.block = make_block(*nd.scheme, h, payload);
        q.sig = nd.engine->sign_proposal(q.block);
        auto a = std::make_shared<Bytes>(encode_message(p));
        auto b = std::make_shared<Bytes>(encode_message(q));
        for (size_t j = 0; j < nodes_.size(); ++j) {
            if (j == i) continue;
            send(i, j, (j % 2) ? a : b);
        }
        // And vote for the second block too (its own engine votes the first).
        Vote v{q.block.header.epoch, q.block.header.view, q.block.id, ValidatorIndex(i),
               nd.engine->sign_vote(q.block.header.view, q.block.id)};
        const ValidatorIndex next = nd.engine->leader_after(q.block.header, q.block.header.view + 1);
        if (next < nodes_.size() && next != i) send(i, next, std::make_shared<Bytes>(encode_message(v)));
    }

    void byz_double_vote(size_t i, const Bytes& bytes) {
        Node& nd = nodes_[i];
        auto d = decode_message(bytes, *nd.scheme);
        if (!d || !std::holds_alternative<Proposal>(*d)) return;
        const Proposal& p = std::get<Proposal>(*d);
        const BlockHeader& h = p.block.header;
        if (h.epoch != nd.engine->epoch()) return;
        const ValidatorIndex next = nd.engine->leader_after(h, h.view + 1);
        if (next >= nodes_.size()) return;
        // Vote for whatever arrives (both sides of an equivocation), and for
        // a block nobody has.
        Vote v{h.epoch, h.view, p.block.id, ValidatorIndex(i), nd.engine->sign_vote(h.view, p.block.id)};
        if (next != i) send(i, next, std::make_shared<Bytes>(encode_message(v)));
        Hash32 unknown = crypto::keccak256(u64_bytes(h.view, i));
        Vote u{h.epoch, h.view, unknown, ValidatorIndex(i), nd.engine->sign_vote(h.view, unknown)};
        if (next != i) send(i, next, std::make_shared<Bytes>(encode_message(u)));
    }

    void byz_noise(size_t i) {
        if (!nodes_[i].engine) return;
        const size_t to = rand(0, nodes_.size() - 1);
        if (to == i) return;
        const uint64_t what = rand(0, 2);
        if (what == 0 || captured_.empty()) {
            Bytes junk(rand(0, 300));
            for (auto& b : junk) b = uint8_t(rand(0, 255));
            if (!junk.empty() && chance(0.5)) junk[0] = 0xf8;  // looks like a list
            send(i, to, std::make_shared<Bytes>(std::move(junk)));
        } else if (what == 1) {
            send(i, to, captured_[rand(0, captured_.size() - 1)]);  // replay
        } else {
            auto m = std::make_shared<Bytes>(*captured_[rand(0, captured_.size() - 1)]);
            if (!m->empty()) (*m)[rand(0, m->size() - 1)] ^= uint8_t(1u << rand(0, 7));  // bit flip
            send(i, to, m);
        }
    }

    std::string describe() const {
        std::ostringstream s;
        s << "seed " << seed_ << ": n=" << n_ << (skewed_ ? " skewed" : " equal") << " stake, "
          << (real_crypto_ ? "secp256k1" : "fake sigs") << ", byz [";
        for (size_t i = 0; i < nodes_.size(); ++i)
            if (nodes_[i].byz != Byz::kHonest) s << i << ":" << int(nodes_[i].byz) << " ";
        s << "], loss " << loss_ << ", dup " << dup_ << ", max delay " << max_delay_ << "ms, GST " << gst_
          << "ms, epoch length " << exec_.epoch_length << ", committed " << stats_.committed;
        return s.str();
    }

    std::mt19937_64 rng_;
    uint64_t seed_;
    bool verbose_;
    int n_ = 4;
    bool skewed_ = false;
    bool real_crypto_ = false;
    uint64_t byz_stake_ = 0, total_stake_ = 0;
    ValidatorSet set_;
    FakeExecutor exec_;
    Block genesis_;
    std::vector<Node> nodes_;
    std::priority_queue<Event> events_;
    uint64_t seq_ = 0;
    uint64_t now_ = 0;
    uint64_t gst_ = 0, end_time_ = 0;
    bool after_gst_ = false;
    ViewNum gst_view_ = 0;
    std::optional<ViewNum> crash_view_;
    double loss_ = 0, dup_ = 0;
    uint64_t max_delay_ = 100;
    std::vector<Hash32> global_;
    std::vector<std::shared_ptr<Bytes>> captured_;
    RunStats stats_;
};

}  // namespace trellis::consensus::sim
