// Unit tests of the consensus engine's rules, each named after what it proves.
#include "consensus/engine.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "consensus/election.hpp"
#include "crypto/suite.hpp"
#include "simulation.hpp"

using namespace trellis;
using namespace trellis::consensus;
using sim::FakeScheme;

namespace {

constexpr uint64_t kChain = 7;

Bytes key_of(size_t i) {
    return to_bytes(crypto::keccak256(sim::u64_bytes(99, i)).view());
}

ValidatorSet make_set(const std::vector<uint64_t>& stakes) {
    std::vector<Validator> v;
    for (size_t i = 0; i < stakes.size(); ++i) v.push_back({key_of(i), stakes[i]});
    return ValidatorSet(v);
}

Block genesis_block(const SignatureScheme& s) {
    BlockHeader h;
    h.state_root = crypto::keccak256(as_view("genesis"));
    return make_block(s, h, {});
}

/// N engines on a perfect, in-order network with instant execution. Timers
/// fire only when a test says so.
struct Cluster {
    std::vector<std::unique_ptr<FakeScheme>> schemes;
    std::vector<MemorySafetyStore> stores;
    std::vector<std::unique_ptr<Engine>> engines;
    std::vector<std::vector<CommittedBlock>> commits;
    std::vector<Evidence> evidence;
    std::vector<Rejection> rejections;
    std::deque<std::tuple<size_t, size_t, Bytes>> queue;
    std::deque<std::pair<size_t, PayloadRequest>> payloads;
    std::vector<std::optional<TimerRequest>> timers;
    ValidatorSet set;
    Block genesis;
    sim::FakeExecutor exec;
    uint64_t messages = 0;

    explicit Cluster(std::vector<uint64_t> stakes, uint64_t epoch_length = 0) : set(make_set(stakes)) {
        const size_t n = stakes.size();
        stores.resize(n);
        commits.resize(n);
        timers.resize(n);
        for (size_t i = 0; i < n; ++i) schemes.push_back(std::make_unique<FakeScheme>(key_of(i)));
        genesis = genesis_block(*schemes[0]);
        exec.epoch_length = epoch_length;
        exec.base = set.validators();
        exec.byzantine.assign(n, false);
        for (size_t i = 0; i < n; ++i) start(i);
    }

    EngineConfig config(size_t i) const {
        EngineConfig c;
        c.settings.chain_id = kChain;
        c.self = ValidatorIndex(i);
        c.root = genesis;
        c.root_qc = QuorumCert{0, 0, genesis.id, {}};
        c.validators = set;
        return c;
    }

    void start(size_t i) {
        engines.resize(std::max(engines.size(), i + 1));
        engines[i] = std::make_unique<Engine>(config(i), *schemes[i], stores[i]);
        handle(i, engines[i]->start());
    }

    void handle(size_t i, Outputs out) {
        for (auto& c : out.commits) commits[i].push_back(c);
        for (auto& e : out.evidence) evidence.push_back(e);
        for (auto& r : out.rejections) rejections.push_back(r);
        if (out.timer) timers[i] = out.timer;
        for (auto& m : out.messages) {
            for (size_t j = 0; j < engines.size(); ++j)
                if (j != i && (!m.to || *m.to == j)) queue.emplace_back(i, j, m.bytes);
        }
        for (auto& x : out.executes) {
            const Block* parent = engines[i]->find_block(x.block.header.parent_id());
            ASSERT_NE(parent, nullptr);
            handle(i, engines[i]->on_block_executed(
                          x.block.id, exec.execute(parent->header.state_root, x.block.header.block_num,
                                                   x.block.payload)));
        }
        if (out.payload) payloads.emplace_back(i, *out.payload);
    }

    void build(size_t i, const PayloadRequest& p) {
        Bytes payload = sim::u64_bytes(i, p.view);
        const ExecResult r = exec.execute(p.parent_state_root, p.block_num, payload);
        handle(i, engines[i]->on_payload_ready(p.view, std::move(payload), r));
    }

    /// Delivers queued messages until none is left or `max` were delivered.
    void run(size_t max = 100000) {
        for (size_t k = 0; k < max && (!queue.empty() || !payloads.empty()); ++k) {
            if (queue.empty()) {
                auto [i, p] = payloads.front();
                payloads.pop_front();
                if (engines[i]) build(i, p);
                continue;
            }
            auto [from, to, bytes] = std::move(queue.front());
            queue.pop_front();
            ++messages;
            if (engines[to]) handle(to, engines[to]->on_message(ValidatorIndex(from), bytes));
        }
    }
};

Proposal signed_proposal(const SignatureScheme& s, const Block& parent, ValidatorIndex proposer, ViewNum view,
                         Bytes payload, const QuorumCert& justify) {
    BlockHeader h;
    h.view = view;
    h.block_num = parent.header.block_num + 1;
    h.proposer = proposer;
    h.justify = justify;
    Proposal p;
    p.block = make_block(s, h, std::move(payload));
    p.sig = s.sign(proposal_digest(s, kChain, 0, view, p.block.id));
    return p;
}

}  // namespace

TEST(Consensus, quorum_counts_stake_not_validators) {
    const ValidatorSet set = make_set({70, 10, 10, 10});
    EXPECT_TRUE(set.is_quorum(70));   // one validator, 70% of the power
    EXPECT_FALSE(set.is_quorum(30));  // three validators, 30%
    EXPECT_FALSE(set.is_quorum(66));
    // Exactly two thirds is not more than two thirds.
    EXPECT_FALSE(make_set({1, 1, 1}).is_quorum(2));

    std::vector<FakeScheme> s;
    for (size_t i = 0; i < 4; ++i) s.emplace_back(key_of(i));
    const Hash32 id = crypto::keccak256(as_view("block"));
    const Hash32 d = vote_digest(s[0], kChain, 0, 3, id);
    QuorumCert three{0, 3, id, {{1, s[1].sign(d)}, {2, s[2].sign(d)}, {3, s[3].sign(d)}}};
    EXPECT_EQ(verify_qc(three, set, s[0], kChain).error(), RejectReason::kBadCertificate);
    QuorumCert one{0, 3, id, {{0, s[0].sign(d)}}};
    EXPECT_TRUE(verify_qc(one, set, s[0], kChain).ok());
    // A signature over another view does not count.
    QuorumCert wrong{0, 4, id, {{0, s[0].sign(d)}}};
    EXPECT_FALSE(verify_qc(wrong, set, s[0], kChain).ok());
    // Signers must be strictly ascending: no one counted twice.
    QuorumCert twice{0, 3, id, {{1, s[1].sign(d)}, {1, s[1].sign(d)}, {2, s[2].sign(d)}}};
    EXPECT_FALSE(verify_qc(twice, make_set({10, 40, 10, 10}), s[0], kChain).ok());
}

TEST(Consensus, four_equal_validators_commit_on_a_perfect_network) {
    Cluster c({1, 1, 1, 1});
    c.run(2000);
    for (size_t i = 0; i < 4; ++i) {
        ASSERT_GE(c.commits[i].size(), 5u) << "validator " << i;
        for (size_t k = 0; k < c.commits[i].size(); ++k) {
            EXPECT_EQ(c.commits[i][k].block.header.block_num, k + 1);
            EXPECT_EQ(c.commits[i][k].block.id, c.commits[0][k].block.id);
            // The commit's certificate is a quorum over this very header.
            EXPECT_EQ(c.commits[i][k].qc.block_id, c.commits[i][k].block.id);
            EXPECT_TRUE(verify_qc(c.commits[i][k].qc, c.set, *c.schemes[0], kChain).ok());
        }
    }
    EXPECT_TRUE(c.evidence.empty());
    for (const auto& r : c.rejections)
        ADD_FAILURE() << "rejected from " << r.from << ": " << to_string(r.reason);
}

TEST(Consensus, single_validator_commits_alone) {
    Cluster c({5});
    c.run(50);
    EXPECT_GE(c.commits[0].size(), 3u);  // n = 1: every proposal is its own quorum
}

TEST(Consensus, two_chain_commit_needs_consecutive_views) {
    Cluster c({1, 1, 1, 1});
    c.run(2000);
    // Every committed block was committed because its child sits in the next
    // view: the certifying QC's view is the block's own, and the child exists.
    for (const auto& cb : c.commits[0]) {
        EXPECT_EQ(cb.qc.view, cb.block.header.view);
    }
    // Cut the network, let everyone time out once: no commit happens from a
    // TC-justified (non-consecutive) extension alone.
    const size_t before = c.commits[0].size();
    c.queue.clear();
    for (size_t i = 0; i < 4; ++i) c.handle(i, c.engines[i]->on_timer(c.engines[i]->current_view()));
    c.run(2000);
    EXPECT_GE(c.commits[0].size(), before);
}

TEST(Consensus, view_change_by_timeout_certificate_restores_progress) {
    Cluster c({1, 1, 1, 1});
    c.run(200);
    c.queue.clear();  // the messages of the current view are lost
    const ViewNum stuck = c.engines[0]->current_view();
    const size_t before = c.commits[0].size();
    for (size_t i = 0; i < 4; ++i) c.handle(i, c.engines[i]->on_timer(c.engines[i]->current_view()));
    c.run(2000);
    EXPECT_GT(c.engines[0]->current_view(), stuck + 1);
    EXPECT_GT(c.commits[0].size(), before);
}

TEST(Consensus, restart_after_vote_never_equivocates) {
    const ValidatorSet set = make_set({1, 1, 1, 1});
    std::vector<std::unique_ptr<FakeScheme>> s;
    for (size_t i = 0; i < 4; ++i) s.push_back(std::make_unique<FakeScheme>(key_of(i)));
    const Block g = genesis_block(*s[0]);
    const QuorumCert gqc{0, 0, g.id, {}};
    EngineConfig cfg;
    cfg.settings.chain_id = kChain;
    cfg.root = g;
    cfg.root_qc = gqc;
    cfg.validators = set;
    const ValidatorIndex leader = elect_leader(*s[0], set, 0, 1, g.header);
    const ValidatorIndex me = (leader + 1) % 4;
    cfg.self = me;

    MemorySafetyStore wal;
    sim::FakeExecutor exec;
    auto exec_and_collect = [&](Engine& e, Outputs out, std::vector<Vote>& votes) {
        for (int round = 0; round < 4; ++round) {
            for (auto& m : out.messages) {
                auto d = decode_message(m.bytes, *s[0]);
                ASSERT_TRUE(d.ok());
                if (std::holds_alternative<Vote>(*d)) votes.push_back(std::get<Vote>(*d));
            }
            if (out.executes.empty()) break;
            const Block b = out.executes[0].block;
            out = e.on_block_executed(b.id, exec.execute(g.header.state_root, 1, b.payload));
        }
    };

    auto a = signed_proposal(*s[leader], g, leader, 1, {1}, gqc);
    a.block.header.state_root = exec.execute(g.header.state_root, 1, a.block.payload).state_root;
    a.block = make_block(*s[leader], a.block.header, a.block.payload);
    a.sig = s[leader]->sign(proposal_digest(*s[leader], kChain, 0, 1, a.block.id));
    auto b = signed_proposal(*s[leader], g, leader, 1, {2}, gqc);
    b.block.header.state_root = exec.execute(g.header.state_root, 1, b.block.payload).state_root;
    b.block = make_block(*s[leader], b.block.header, b.block.payload);
    b.sig = s[leader]->sign(proposal_digest(*s[leader], kChain, 0, 1, b.block.id));

    std::vector<Vote> votes;
    {
        Engine e(cfg, *s[me], wal);
        (void)e.start();
        exec_and_collect(e, e.on_message(leader, encode_message(a)), votes);
    }
    ASSERT_EQ(votes.size(), 1u);
    EXPECT_EQ(votes[0].block_id, a.block.id);
    ASSERT_GE(wal.records(), 1u);

    // Crash; restart from the WAL; the equivocating leader now sends B.
    Engine again(cfg, *s[me], wal);
    (void)again.start();
    EXPECT_EQ(again.safety_state().last_voted_view, 1u);
    votes.clear();
    exec_and_collect(again, again.on_message(leader, encode_message(b)), votes);
    EXPECT_TRUE(votes.empty()) << "signed a second block in view 1 after a restart";
    // The same block again gets the same vote (not a new one).
    Engine third(cfg, *s[me], wal);
    (void)third.start();
    exec_and_collect(third, third.on_message(leader, encode_message(a)), votes);
    for (const auto& v : votes) EXPECT_EQ(v.block_id, a.block.id);
}

TEST(Consensus, vote_is_withheld_when_the_wal_write_fails) {
    Cluster c({1, 1, 1, 1});
    // Fail every write of every validator: nothing may be signed, so no QC.
    for (auto& s : c.stores) s.fail_next_writes(1000000);
    const size_t before = c.commits[0].size();
    const ViewNum v0 = c.engines[0]->current_view();
    c.queue.clear();
    for (size_t i = 0; i < 4; ++i) c.handle(i, c.engines[i]->on_timer(c.engines[i]->current_view()));
    c.run(5000);
    EXPECT_EQ(c.commits[0].size(), before);
    EXPECT_LE(c.engines[0]->current_view(), v0 + 1);
}

TEST(Consensus, double_vote_is_detected_as_evidence) {
    Cluster c({1, 1, 1, 1});
    c.run(100);
    Engine& e = *c.engines[0];
    const ViewNum v = e.current_view();
    const Hash32 x = crypto::keccak256(as_view("x")), y = crypto::keccak256(as_view("y"));
    auto vote = [&](const Hash32& id) {
        return encode_message(
            Vote{0, v, id, 3, c.schemes[3]->sign(vote_digest(*c.schemes[3], kChain, 0, v, id))});
    };
    (void)e.on_message(3, vote(x));
    Outputs out = e.on_message(3, vote(y));
    ASSERT_EQ(out.evidence.size(), 1u);
    EXPECT_EQ(out.evidence[0].kind, EvidenceKind::kDoubleVote);
    EXPECT_EQ(out.evidence[0].validator, 3u);
    EXPECT_TRUE(verify_evidence(out.evidence[0], c.set, *c.schemes[0], kChain));
    ASSERT_EQ(out.rejections.size(), 1u);
    EXPECT_EQ(out.rejections[0].reason, RejectReason::kConflicting);
    // Evidence survives encoding and is checked by anyone.
    auto d = decode_message(encode_message(out.evidence[0]), *c.schemes[0]);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(std::get<Evidence>(*d), out.evidence[0]);
    Evidence forged = out.evidence[0];
    forged.second_sig[0] ^= 1;
    EXPECT_FALSE(verify_evidence(forged, c.set, *c.schemes[0], kChain));
}

TEST(Consensus, double_proposal_is_detected_as_evidence) {
    const ValidatorSet set = make_set({1, 1, 1, 1});
    std::vector<std::unique_ptr<FakeScheme>> s;
    for (size_t i = 0; i < 4; ++i) s.push_back(std::make_unique<FakeScheme>(key_of(i)));
    const Block g = genesis_block(*s[0]);
    const QuorumCert gqc{0, 0, g.id, {}};
    const ValidatorIndex leader = elect_leader(*s[0], set, 0, 1, g.header);
    const ValidatorIndex me = (leader + 1) % 4;
    EngineConfig cfg;
    cfg.settings.chain_id = kChain;
    cfg.self = me;
    cfg.root = g;
    cfg.root_qc = gqc;
    cfg.validators = set;
    MemorySafetyStore wal;
    Engine e(cfg, *s[me], wal);
    (void)e.start();
    (void)e.on_message(leader, encode_message(signed_proposal(*s[leader], g, leader, 1, {1}, gqc)));
    Outputs out = e.on_message(leader, encode_message(signed_proposal(*s[leader], g, leader, 1, {2}, gqc)));
    ASSERT_EQ(out.evidence.size(), 1u);
    EXPECT_EQ(out.evidence[0].kind, EvidenceKind::kDoubleProposal);
    EXPECT_TRUE(verify_evidence(out.evidence[0], set, *s[0], kChain));
}

TEST(Consensus, safety_rules_vote_only_on_consecutive_qc_or_tc_with_highest_lock) {
    MemorySafetyStore wal;
    SafetyRules r(wal, SafetyState{});
    QuorumCert root{0, 0, Hash32{}, {}};
    BlockHeader h;
    h.view = 5;
    h.justify.view = 4;
    EXPECT_TRUE(r.check_vote(h, std::nullopt, root, 0).ok());
    h.justify.view = 3;  // skips view 4 without a TC
    EXPECT_EQ(r.check_vote(h, std::nullopt, root, 0).error(), RejectReason::kUnsafeProposal);
    TimeoutCert tc;
    tc.view = 4;
    tc.sigs = {{0, 3, {1}}, {1, 2, {1}}};
    EXPECT_TRUE(r.check_vote(h, tc, root, 0).ok());
    tc.sigs.push_back({2, 4, {1}});  // someone reported a higher QC than the block extends
    EXPECT_EQ(r.check_vote(h, tc, root, 0).error(), RejectReason::kUnsafeProposal);
    ASSERT_TRUE(r.record_vote(5, Hash32{}));
    h.justify.view = 4;
    EXPECT_EQ(r.check_vote(h, std::nullopt, root, 0).error(), RejectReason::kStaleView);  // once per view
}

TEST(Consensus, timeout_forbids_a_later_vote_in_the_same_view) {
    MemorySafetyStore wal;
    SafetyRules r(wal, SafetyState{});
    ASSERT_TRUE(r.record_timeout(6));
    BlockHeader h;
    h.view = 6;
    h.justify.view = 5;
    EXPECT_FALSE(r.check_vote(h, std::nullopt, QuorumCert{}, 0).ok());
    h.view = 7;
    h.justify.view = 6;
    EXPECT_TRUE(r.check_vote(h, std::nullopt, QuorumCert{}, 0).ok());
    // And it is durable.
    auto loaded = wal.load();
    ASSERT_TRUE(loaded.ok() && loaded->has_value());
    EXPECT_EQ((*loaded)->last_timeout_view, 6u);
}

TEST(Consensus, safety_state_round_trips_through_the_wal_encoding) {
    SafetyState s;
    s.epoch = 3;
    s.last_voted_view = 99;
    s.last_voted_block = crypto::keccak256(as_view("b"));
    s.last_timeout_view = 98;
    s.high_qc = QuorumCert{3, 97, crypto::keccak256(as_view("q")), {{1, {1, 2, 3}}, {4, {5}}}};
    auto d = decode_safety_state(encode_safety_state(s));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, s);
    Bytes bad = encode_safety_state(s);
    bad.push_back(0);
    EXPECT_FALSE(decode_safety_state(bad).ok());
}

TEST(Consensus, leader_choice_is_stake_weighted_and_skips_failed_leaders) {
    FakeScheme s(key_of(0));
    const ValidatorSet set = make_set({1, 1, 1, 97});
    BlockHeader anchor;  // genesis-like: no signers, no failures
    size_t big = 0;
    for (ViewNum v = 1; v <= 2000; ++v) big += elect_leader(s, set, 0, v, anchor) == 3;
    EXPECT_GT(big, 1850u);
    EXPECT_LT(big, 2000u);
    // A validator that failed recently is not chosen.
    anchor.recent_failures = {{0, 3}};
    for (ViewNum v = 1; v <= 200; ++v) {
        anchor.view = v - 1;  // the anchor is the previous view's block: no failed views between
        EXPECT_NE(elect_leader(s, set, 0, v, anchor), 3u);
    }
    // Nor one that did not sign the anchor's parent QC (it looks crashed).
    BlockHeader a2;
    a2.justify.sigs = {{0, {1}}, {1, {1}}, {2, {1}}};
    for (ViewNum v = 1; v <= 200; ++v) {
        a2.view = v - 1;
        EXPECT_NE(elect_leader(s, set, 0, v, a2), 3u);
    }
    // A view whose leader failed since the anchor excludes that leader next:
    // a crashed leader costs at most one view.
    BlockHeader a3;
    a3.view = 10;
    for (ViewNum v = 12; v <= 40; ++v) {
        const ValidatorIndex failed = elect_leader(s, set, 0, v - 1, a3);
        EXPECT_NE(elect_leader(s, set, 0, v, a3), failed);
        a3.view = v - 2;  // keep a gap of one failed view
    }
}

TEST(Consensus, messages_round_trip_through_strict_rlp) {
    FakeScheme s(key_of(0));
    const Block g = genesis_block(s);
    const QuorumCert qc{1, 4, g.id, {{0, {1, 2}}, {2, {3}}}};
    TimeoutCert tc{1, 5, {{0, 4, {9}}, {1, 3, {8}}}, qc};
    BlockHeader h;
    h.epoch = 1;
    h.view = 6;
    h.block_num = 1;
    h.proposer = 2;
    h.next_validators = {{{1, 2, 3}, 10}};
    h.recent_failures = {{5, 1}};
    h.justify = qc;
    Proposal p{make_block(s, h, {7, 7, 7}), tc, {4, 4}};
    std::vector<Message> all = {p,
                                Vote{1, 6, g.id, 3, {1}},
                                Timeout{1, 6, 2, qc, tc, {2}},
                                Timeout{1, 6, 2, qc, std::nullopt, {2}},
                                SyncRequest{g.id, 5},
                                SyncResponse{qc, {p.block, g}},
                                SyncResponse{std::nullopt, {g}},
                                Evidence{EvidenceKind::kDoubleVote, 1, 6, 3, g.id, {1}, p.block.id, {2}}};
    for (const auto& m : all) {
        const Bytes enc = encode_message(m);
        auto d = decode_message(enc, s);
        ASSERT_TRUE(d.ok()) << m.index() << ": " << to_string(d.error());
        EXPECT_EQ(*d, m);
        EXPECT_EQ(encode_message(*d), enc);
        Bytes extra = enc;
        extra.push_back(0x80);
        EXPECT_EQ(decode_message(extra, s).error(), RejectReason::kMalformed);
        if (enc.size() > 3) {
            EXPECT_FALSE(decode_message(ByteView(enc).first(enc.size() - 1), s).ok());
        }
    }
    // A payload that does not match its header's hash is refused.
    Proposal bad = p;
    bad.block.payload = {8};
    EXPECT_EQ(decode_message(encode_message(bad), s).error(), RejectReason::kMalformed);
    EXPECT_EQ(decode_message(Bytes{0xc1, 0x09}, s).error(), RejectReason::kUnknownType);
    EXPECT_EQ(decode_message(Bytes(kMaxMessageBytes + 1, 0), s).error(), RejectReason::kOversized);
}

TEST(Consensus, rejection_reasons_map_to_peer_actions) {
    EXPECT_EQ(peer_action(RejectReason::kStaleView), PeerAction::kIgnore);
    EXPECT_EQ(peer_action(RejectReason::kDuplicate), PeerAction::kIgnore);
    EXPECT_EQ(peer_action(RejectReason::kFutureEpoch), PeerAction::kIgnore);
    EXPECT_EQ(peer_action(RejectReason::kWrongLeader), PeerAction::kScoreDown);
    EXPECT_EQ(peer_action(RejectReason::kConflicting), PeerAction::kScoreDown);
    EXPECT_EQ(peer_action(RejectReason::kBadSignature), PeerAction::kDisconnect);
    EXPECT_EQ(peer_action(RejectReason::kMalformed), PeerAction::kDisconnect);
    EXPECT_EQ(peer_action(RejectReason::kNotValidator), PeerAction::kDisconnect);
    EXPECT_EQ(peer_action(RejectReason::kOversized), PeerAction::kDisconnect);
    for (int r = 0; r <= int(RejectReason::kBadSyncResponse); ++r)
        EXPECT_STRNE(to_string(RejectReason(r)), "unknown");
}

TEST(Consensus, bad_signature_non_validator_and_stale_messages_are_rejected) {
    Cluster c({1, 1, 1, 1});
    c.run(200);
    Engine& e = *c.engines[0];
    const ViewNum v = e.current_view();
    const Hash32 id = crypto::keccak256(as_view("z"));
    Vote good{0, v, id, 1, c.schemes[1]->sign(vote_digest(*c.schemes[1], kChain, 0, v, id))};
    Vote forged = good;
    forged.sig[0] ^= 1;
    EXPECT_EQ(e.on_message(1, encode_message(forged)).rejections.at(0).reason, RejectReason::kBadSignature);
    Vote outsider = good;
    outsider.voter = 9;
    EXPECT_EQ(e.on_message(9, encode_message(outsider)).rejections.at(0).reason, RejectReason::kNotValidator);
    EXPECT_EQ(e.on_message(2, encode_message(good)).rejections.at(0).reason, RejectReason::kSenderMismatch);
    Vote old = good;
    old.view = 1;
    EXPECT_EQ(e.on_message(1, encode_message(old)).rejections.at(0).reason, RejectReason::kStaleView);
    EXPECT_EQ(e.on_message(1, Bytes{0xde, 0xad}).rejections.at(0).reason, RejectReason::kMalformed);
    // Replays are duplicates, never counted twice.
    EXPECT_TRUE(e.on_message(1, encode_message(good)).rejections.empty());
    EXPECT_EQ(e.on_message(1, encode_message(good)).rejections.at(0).reason, RejectReason::kDuplicate);
}

TEST(Consensus, epoch_change_takes_the_validator_set_from_the_executed_chain) {
    Cluster c({10, 20, 30, 40}, /*epoch_length=*/3);
    c.run(3000);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_GE(c.engines[i]->epoch(), 1u) << i;
        bool changed = false;
        for (const auto& cb : c.commits[i]) {
            if (cb.block.header.next_validators.empty()) continue;
            changed = true;
            EXPECT_EQ(cb.block.header.block_num % 3, 0u);
            EXPECT_TRUE(cb.epoch_proof.has_value());
        }
        EXPECT_TRUE(changed);
        // The set in force is one the executor produced, with rotated stakes.
        EXPECT_EQ(c.engines[i]->validators().total_stake(), 100u);
    }
    EXPECT_NE(c.engines[0]->validators(), c.set);
    // Committed chains agree across the epoch boundaries.
    const size_t k = std::min(c.commits[0].size(), c.commits[3].size());
    for (size_t j = 0; j < k; ++j) EXPECT_EQ(c.commits[0][j].block.id, c.commits[3][j].block.id);
}

TEST(Consensus, suite_scheme_signs_and_verifies_with_secp256k1_and_sm2) {
    for (const crypto::CryptoSuite* suite : {&crypto::ethereum_suite(), &crypto::sm_suite()}) {
        crypto::SuitePrivateKey key = crypto::keccak256(as_view("validator key"));
        key[0] = 0x11;
        SuiteScheme signer(*suite, key);
        SuiteScheme verifier(*suite, std::nullopt);
        const auto pub = signer.public_key();
        ASSERT_TRUE(pub.has_value());
        const Hash32 d = signer.hash(as_view("digest"));
        Bytes sig = signer.sign(d);
        ASSERT_FALSE(sig.empty());
        EXPECT_LE(sig.size(), kMaxSignatureBytes);
        EXPECT_TRUE(verifier.verify(*pub, d, sig)) << suite->name();
        sig[5] ^= 1;
        EXPECT_FALSE(verifier.verify(*pub, d, sig)) << suite->name();
        EXPECT_TRUE(verifier.sign(d).empty());
    }
}

TEST(Consensus, a_timed_out_validator_resends_its_timeout_every_base_interval_without_signing_again) {
    // One validator of four, cut off: its timer fires twice in the same view.
    Cluster c({1, 1, 1, 1});
    Engine& e = *c.engines[0];
    const ViewNum v = e.current_view();
    Outputs first = e.on_timer(v);
    ASSERT_EQ(first.messages.size(), 1u) << "the timeout is broadcast";
    ASSERT_TRUE(first.timer.has_value());
    EXPECT_EQ(first.timer->view, v);
    EXPECT_EQ(first.timer->delay_ms, Settings{}.base_timeout_ms) << "then resent every base interval";
    const SafetyState after_first = e.safety_state();

    Outputs again = e.on_timer(v);
    ASSERT_EQ(again.messages.size(), 1u) << "resent";
    EXPECT_EQ(again.messages[0].bytes, first.messages[0].bytes) << "the same signed message";
    EXPECT_FALSE(again.messages[0].to.has_value());
    EXPECT_EQ(e.safety_state(), after_first) << "nothing new signed or recorded";
    ASSERT_TRUE(again.timer.has_value());
    EXPECT_EQ(again.timer->delay_ms, Settings{}.base_timeout_ms);

    // A stale timer (another view) resends nothing.
    EXPECT_TRUE(e.on_timer(v + 5).messages.empty());
}

TEST(Consensus, view_timeouts_double_up_to_the_cap) {
    // Every view fails: only timeouts get through (proposals and votes are
    // lost), so each TC leads into another view without a QC.
    Cluster c({1, 1, 1, 1});
    std::vector<uint64_t> delays;
    for (int k = 0; k < 6; ++k) {
        for (size_t i = 0; i < 4; ++i) c.handle(i, c.engines[i]->on_timer(c.engines[i]->current_view()));
        while (!c.queue.empty()) {
            auto [from, to, bytes] = std::move(c.queue.front());
            c.queue.pop_front();
            auto m = decode_message(bytes, *c.schemes[0]);
            if (m && std::holds_alternative<Timeout>(*m))
                c.handle(to, c.engines[to]->on_message(ValidatorIndex(from), bytes));
        }
        c.payloads.clear();
        ASSERT_TRUE(c.timers[0].has_value());
        delays.push_back(c.timers[0]->delay_ms);
    }
    const uint64_t base = Settings{}.base_timeout_ms;
    // 2, 4, 8, 8, ... times the base: doubling per failed view, capped at 2^3.
    EXPECT_EQ(delays.front(), base << 1);
    EXPECT_EQ(delays[1], base << 2);
    EXPECT_EQ(delays.back(), base << 3);
    EXPECT_EQ(*std::max_element(delays.begin(), delays.end()), base << 3);
}
