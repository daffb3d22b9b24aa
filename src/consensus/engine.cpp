#include "consensus/engine.hpp"

#include "consensus/sync.hpp"

#include <algorithm>

namespace trellis::consensus {

namespace {

/// Views above this are refused outright so that view + 1 never overflows.
constexpr ViewNum kMaxView = ViewNum{1} << 60;
/// Committed blocks kept for sync and election anchors; older ones are the
/// host's block store's.
constexpr BlockNum kKeepCommitted = 64;
constexpr ViewNum kEvidenceWindow = 32;
constexpr size_t kMaxPending = 8;
constexpr size_t kMaxWanted = 64;
constexpr size_t kMaxOrphans = 512;
/// Epoch-change proofs kept for validators that are several epochs behind.
constexpr size_t kKeepProofs = 64;

Hash32 qc_key(const SignatureScheme& s, const QuorumCert& qc) {
    Bytes b;
    encode_qc(b, qc);
    return s.hash(b);
}

}  // namespace

Engine::Engine(EngineConfig cfg, const SignatureScheme& scheme, SafetyStore& store)
    : cfg_(std::move(cfg)), scheme_(&scheme), safety_(store, SafetyState{}) {
    const Block& root = cfg_.root;
    if (!root.header.next_validators.empty()) {
        epoch_ = root.header.epoch + 1;
        validators_ = ValidatorSet(root.header.next_validators);
        epoch_start_view_ = root.header.view + 2;
    } else {
        epoch_ = root.header.epoch;
        validators_ = cfg_.validators;
        epoch_start_view_ = 0;
    }
    TRELLIS_ASSERT(validators_.well_formed());
    if (cfg_.self && cfg_.self < cfg_.validators.size() && !root.header.next_validators.empty()) {
        // Find ourselves in the new set by key.
        const Bytes key = cfg_.validators[*cfg_.self].public_key;
        self_.reset();
        for (size_t i = 0; i < validators_.size(); ++i)
            if (validators_[ValidatorIndex(i)].public_key == key) self_ = ValidatorIndex(i);
    } else if (cfg_.self && validators_.contains(*cfg_.self)) {
        self_ = cfg_.self;
    }
    epoch_root_id_ = root.id;
    epoch_root_qc_ = cfg_.root_qc;
    for (const auto& proof : cfg_.epoch_proofs)
        if (proof.qc && proof.qc->epoch < epoch_) epoch_proofs_[proof.qc->epoch] = proof;
    while (epoch_proofs_.size() > kKeepProofs) epoch_proofs_.erase(epoch_proofs_.begin());
    tree_[root.id] = Node{root, ExecResult{root.header.state_root, root.header.next_validators}, true};
    committed_id_ = root.id;
    committed_num_ = root.header.block_num;

    SafetyState s;
    s.epoch = epoch_;
    s.high_qc = cfg_.root_qc;
    auto loaded = store.load();
    if (loaded && *loaded) {
        // Same epoch: keep the counters, lift the lock to the root. An older
        // epoch: this one starts afresh. A newer one (the host lost blocks the
        // WAL outlived): keep it, so nothing is signed until we catch up.
        const SafetyState& l = **loaded;
        if (l.epoch >= epoch_) s = l;
        if (s.epoch == epoch_ && s.high_qc.view < cfg_.root_qc.view) s.high_qc = cfg_.root_qc;
    }
    safety_ = SafetyRules(store, s);
    verified_qcs_.insert({cfg_.root_qc.view, qc_key(scheme, cfg_.root_qc)});
    view_ = std::max({s.high_qc.view + 1, s.last_voted_view, s.last_timeout_view, epoch_start_view_});
}

Outputs Engine::start() {
    Outputs out;
    enter_view(view_, std::nullopt, out);
    return out;
}

const Block* Engine::find_block(const Hash32& id) const {
    auto it = tree_.find(id);
    return it == tree_.end() ? nullptr : &it->second.block;
}

ValidatorIndex Engine::leader_after(const BlockHeader& anchor, ViewNum view) const {
    return elect_leader(*scheme_, validators_, epoch_, view, anchor);
}

Bytes Engine::sign_proposal(const Block& b) const {
    return scheme_->sign(
        proposal_digest(*scheme_, cfg_.settings.chain_id, b.header.epoch, b.header.view, b.id));
}

Bytes Engine::sign_vote(ViewNum view, const Hash32& id) const {
    return scheme_->sign(vote_digest(*scheme_, cfg_.settings.chain_id, epoch_, view, id));
}

void Engine::send(std::optional<ValidatorIndex> to, const Message& m, Outputs& out) {
    out.messages.push_back({to, encode_message(m)});
}

// ---------------------------------------------------------------------------
// Inputs

Outputs Engine::on_message(ValidatorIndex from, ByteView bytes) {
    Outputs out;
    auto m = decode_message(bytes, *scheme_);
    if (!m) {
        reject(from, m.error(), out);
        return out;
    }
    handle(from, std::move(*m), out);
    return out;
}

Outputs Engine::on_timer(ViewNum view) {
    Outputs out;
    if (view == view_) local_timeout(out);
    return out;
}

Outputs Engine::on_payload_ready(ViewNum view, Bytes payload, const ExecResult& result) {
    Outputs out;
    if (view != view_ || !awaiting_payload_ || payload.size() > kMaxPayloadBytes) return out;
    awaiting_payload_ = false;
    finish_proposal(std::move(payload), result, out);
    return out;
}

Outputs Engine::on_block_executed(const Hash32& id, const ExecResult& result) {
    Outputs out;
    auto it = tree_.find(id);
    if (it == tree_.end()) return out;
    if (!it->second.exec) it->second.exec = result;
    consider_vote(id, out);
    return out;
}

void Engine::handle(ValidatorIndex from, Message&& m, Outputs& out) {
    switch (m.index()) {
        case 0:
            handle_proposal(from, std::get<Proposal>(std::move(m)), out);
            break;
        case 1:
            handle_vote(from, std::get<Vote>(m), out);
            break;
        case 2:
            handle_timeout(from, std::get<Timeout>(std::move(m)), out);
            break;
        case 3:
            handle_sync_request(from, std::get<SyncRequest>(m), out);
            break;
        case 4:
            handle_sync_response(from, std::get<SyncResponse>(std::move(m)), out);
            break;
        default: {
            const auto& e = std::get<Evidence>(m);
            if (e.epoch != epoch_ || !verify_evidence(e, validators_, *scheme_, cfg_.settings.chain_id)) {
                reject(from, e.epoch == epoch_ ? RejectReason::kBadSignature : RejectReason::kStaleEpoch,
                       out);
                return;
            }
            if (evidence_sent_.insert({e.view, e.validator}).second) out.evidence.push_back(e);
            break;
        }
    }
}

// ---------------------------------------------------------------------------
// Certificates

Result<void, RejectReason> Engine::check_qc(const QuorumCert& qc) {
    const Hash32 key = qc_key(*scheme_, qc);
    if (verified_qcs_.count({qc.view, key})) return {};
    if (qc.epoch < epoch_) return Unexpected{RejectReason::kStaleEpoch};
    if (qc.epoch > epoch_) return Unexpected{RejectReason::kFutureEpoch};
    // Below our committed root: a laggard's certificate we need not check.
    if (qc.view <= epoch_root_qc_.view || qc.view <= tree_.at(committed_id_).block.header.view)
        return Unexpected{RejectReason::kStaleView};
    if (qc.view > kMaxView) return Unexpected{RejectReason::kBadCertificate};
    auto r = verify_qc(qc, validators_, *scheme_, cfg_.settings.chain_id);
    if (!r) return r;
    verified_qcs_.insert({qc.view, key});
    return {};
}

Result<void, RejectReason> Engine::check_tc(const TimeoutCert& tc) {
    if (tc.epoch < epoch_) return Unexpected{RejectReason::kStaleEpoch};
    if (tc.epoch > epoch_) return Unexpected{RejectReason::kFutureEpoch};
    if (tc.view > kMaxView) return Unexpected{RejectReason::kFutureView};
    auto r = verify_tc_signatures(tc, validators_, *scheme_, cfg_.settings.chain_id);
    if (!r) return r;
    return check_qc(tc.high_qc);
}

void Engine::process_qc(const QuorumCert& qc, ValidatorIndex from, Outputs& out) {
    const Epoch epoch = epoch_;
    safety_.observe_qc(qc);
    auto it = tree_.find(qc.block_id);
    if (it == tree_.end()) {
        if (qc.epoch == epoch_) request_sync(qc.block_id, from, out);
    } else {
        // R4: a QC on B' whose parent B is from the directly preceding view
        // commits B and its ancestors.
        const BlockHeader& h = it->second.block.header;
        auto parent = tree_.find(h.parent_id());
        if (parent != tree_.end() && child_commits(parent->second.block.header, parent->first, h) &&
            !parent->second.committed && parent->second.block.header.epoch == epoch_)
            commit_through(parent->first, h.justify, qc, out);
    }
    if (epoch_ != epoch) return;
    if (qc.epoch == epoch_ && qc.view + 1 > view_) enter_view(qc.view + 1, std::nullopt, out);
}

void Engine::process_tc(const TimeoutCert& tc, ValidatorIndex from, Outputs& out) {
    const Epoch epoch = epoch_;
    process_qc(tc.high_qc, from, out);
    if (epoch_ != epoch) return;
    if (tc.view + 1 > view_) enter_view(tc.view + 1, tc, out);
}

// ---------------------------------------------------------------------------
// Pacemaker (R5, R6)

void Engine::enter_view(ViewNum v, std::optional<TimeoutCert> tc, Outputs& out) {
    view_ = v;
    last_tc_ = (tc && tc->view + 1 == v) ? std::move(tc) : std::nullopt;
    proposed_ = false;
    awaiting_payload_ = false;
    vote_candidate_.reset();
    vote_candidate_tc_.reset();
    const ViewNum keep = v > 1 ? v - 1 : 0;
    votes_.erase(votes_.begin(), votes_.lower_bound(keep));
    timeouts_.erase(timeouts_.begin(), timeouts_.lower_bound(keep));
    qc_formed_.erase(qc_formed_.begin(), qc_formed_.lower_bound(keep));
    const ViewNum ev = v > kEvidenceWindow ? v - kEvidenceWindow : 0;
    voters_.erase(voters_.begin(), voters_.lower_bound(ev));
    proposers_.erase(proposers_.begin(), proposers_.lower_bound({ev, 0}));
    evidence_sent_.erase(evidence_sent_.begin(), evidence_sent_.lower_bound({ev, 0}));
    const ViewNum hq = safety_.high_qc().view;
    const ViewNum vq = hq > kEvidenceWindow ? hq - kEvidenceWindow : 0;
    // The root QC stays: it is trusted by identity, never re-verified.
    for (auto it = verified_qcs_.begin(); it != verified_qcs_.end();) {
        if (it->first < vq && it->first != epoch_root_qc_.view)
            it = verified_qcs_.erase(it);
        else
            ++it;
    }
    set_timer(out);
    try_propose(out);
}

void Engine::set_timer(Outputs& out) {
    const ViewNum hq = safety_.high_qc().view;
    const ViewNum failures = view_ > hq + 1 ? view_ - hq - 1 : 0;
    const unsigned shift = unsigned(std::min<ViewNum>(failures, cfg_.settings.max_backoff_shift));
    out.timer = TimerRequest{view_, cfg_.settings.base_timeout_ms << shift};
}

void Engine::local_timeout(Outputs& out) {
    set_timer(out);
    if (!self_) return;
    if (safety_.state().epoch != epoch_ && !safety_.start_epoch(epoch_, epoch_root_qc_)) return;
    if (!safety_.can_timeout(view_)) {
        // Timed out here already: resend the same signed timeout (no new
        // signature) so that peers that missed it can still form the TC.
        if (sent_timeout_ && sent_timeout_->epoch == epoch_ && sent_timeout_->view == view_) {
            out.timer = TimerRequest{view_, cfg_.settings.base_timeout_ms};
            send(std::nullopt, *sent_timeout_, out);
        }
        return;
    }
    if (!safety_.record_timeout(view_)) return;  // R3: nothing signed unless persisted
    // Set before add_timeout, which may enter the next view with its own timer.
    out.timer = TimerRequest{view_, cfg_.settings.base_timeout_ms};
    Timeout t;
    t.epoch = epoch_;
    t.view = view_;
    t.voter = *self_;
    t.high_qc = safety_.high_qc();
    t.last_tc = last_tc_;
    t.sig = scheme_->sign(timeout_digest(*scheme_, cfg_.settings.chain_id, epoch_, view_, t.high_qc.view));
    sent_timeout_ = t;
    send(std::nullopt, t, out);
    add_timeout(t, out);
}

void Engine::add_timeout(const Timeout& t, Outputs& out) {
    TimeoutSet& ts = timeouts_[t.view];
    if (ts.sigs.count(t.voter)) return;
    ts.sigs[t.voter] = TimeoutSig{t.voter, t.high_qc.view, t.sig};
    ts.stake += validators_.stake_of(t.voter);
    if (!ts.best_qc || t.high_qc.view > ts.best_qc->view) ts.best_qc = t.high_qc;
    // R5 amplification: more than a third of the stake timed out in a view
    // at least ours, so at least one honest validator did: join it.
    if (self_ && t.view >= view_ && safety_.state().last_timeout_view < t.view &&
        validators_.exceeds_one_third(ts.stake)) {
        if (t.view > view_) enter_view(t.view, std::nullopt, out);
        local_timeout(out);
    }
    TimeoutSet& again = timeouts_[t.view];  // enter_view may have pruned older views only
    if (!again.tc_formed && validators_.is_quorum(again.stake)) {
        again.tc_formed = true;
        TimeoutCert tc;
        tc.epoch = epoch_;
        tc.view = t.view;
        for (const auto& [who, sig] : again.sigs) tc.sigs.push_back(sig);
        tc.high_qc = *again.best_qc;
        process_tc(tc, self_ ? *self_ : t.voter, out);
    }
}

void Engine::try_propose(Outputs& out) {
    if (!self_ || proposed_ || awaiting_payload_) return;
    if (view_ <= safety_.state().last_voted_view) return;  // proposed or voted here before a restart
    const QuorumCert& hqc = safety_.high_qc();
    auto parent = tree_.find(hqc.block_id);
    if (parent == tree_.end()) {
        // We hold a QC for a block we never received: fetch it from one of
        // its signers (a different one each view, in case one is down).
        if (!hqc.sigs.empty()) {
            const ValidatorIndex peer = hqc.sigs[view_ % hqc.sigs.size()].signer;
            if (peer != *self_) request_sync(hqc.block_id, peer, out);
        }
        return;
    }
    if (elect_leader(*scheme_, validators_, epoch_, view_, parent->second.block.header) != *self_) return;
    const bool consecutive = hqc.view + 1 == view_;
    const bool by_tc = last_tc_ && last_tc_->view + 1 == view_ && hqc.view >= last_tc_->max_high_qc_view();
    const bool epoch_start = view_ == epoch_start_view_ && hqc == epoch_root_qc_;
    if (!consecutive && !by_tc && !epoch_start) return;
    proposal_qc_ = hqc;
    if (in_reconfig_suffix(parent->first)) {
        // Blocks after an uncommitted epoch change carry nothing (§7).
        finish_proposal({}, ExecResult{parent->second.block.header.state_root, {}}, out);
        return;
    }
    awaiting_payload_ = true;
    out.payload = PayloadRequest{view_, parent->first, parent->second.block.header.block_num + 1,
                                 parent->second.block.header.state_root};
}

void Engine::finish_proposal(Bytes payload, const ExecResult& result, Outputs& out) {
    auto parent = tree_.find(proposal_qc_.block_id);
    if (parent == tree_.end() || proposed_) return;
    TRELLIS_ASSERT(result.next_validators.empty() || ValidatorSet(result.next_validators).well_formed());
    const BlockHeader& ph = parent->second.block.header;
    BlockHeader h;
    h.epoch = epoch_;
    h.view = view_;
    h.block_num = ph.block_num + 1;
    h.proposer = *self_;
    h.state_root = result.state_root;
    h.next_validators = result.next_validators;
    h.recent_failures = next_recent_failures(*scheme_, validators_, epoch_, ph, view_);
    h.justify = proposal_qc_;
    Proposal p;
    p.block = make_block(*scheme_, std::move(h), std::move(payload));
    if (proposal_qc_.view + 1 != view_ && !(view_ == epoch_start_view_ && proposal_qc_ == epoch_root_qc_))
        p.tc = last_tc_;
    proposed_ = true;
    const Hash32 id = p.block.id;
    // The leader's proposal is also its vote: persist that vote before the
    // proposal is signed, so a restart can never propose (or vote) twice in
    // this view (R3).
    if (safety_.state().epoch != epoch_ && !safety_.start_epoch(epoch_, epoch_root_qc_)) return;
    if (!safety_.check_vote(p.block.header, p.tc, epoch_root_qc_, epoch_start_view_)) return;
    if (!safety_.record_vote(view_, id)) return;
    p.sig = sign_proposal(p.block);
    tree_[id] = Node{p.block, result, false};
    proposers_[{view_, *self_}] = {id, p.sig};
    send(std::nullopt, p, out);
    send_vote(p.block.header, id, out);
}

// ---------------------------------------------------------------------------
// Proposals and votes

void Engine::handle_proposal(ValidatorIndex from, Proposal&& p, Outputs& out) {
    const BlockHeader& h = p.block.header;
    if (h.epoch < epoch_) {
        if (const SyncResponse* proof = proof_for(from, h.epoch)) send(from, *proof, out);
        return reject(from, RejectReason::kStaleEpoch, out);
    }
    if (h.epoch > epoch_) return reject(from, RejectReason::kFutureEpoch, out);
    if (!validators_.contains(h.proposer)) return reject(from, RejectReason::kNotValidator, out);
    if (h.view == 0 || h.view > kMaxView) return reject(from, RejectReason::kMalformed, out);
    if (h.view > view_ + cfg_.settings.max_views_ahead) return reject(from, RejectReason::kFutureView, out);
    // Too old to matter even as evidence (and never stored: bounded memory).
    if (h.view + kEvidenceWindow < view_) return reject(from, RejectReason::kStaleView, out);
    if (!scheme_->verify(validators_[h.proposer].public_key,
                         proposal_digest(*scheme_, cfg_.settings.chain_id, h.epoch, h.view, p.block.id),
                         p.sig))
        return reject(from, RejectReason::kBadSignature, out);
    // §8: a second signed proposal for the view is evidence, and is not used.
    auto [seen, fresh] = proposers_.try_emplace({h.view, h.proposer}, p.block.id, p.sig);
    if (!fresh && seen->second.first != p.block.id) {
        if (evidence_sent_.insert({h.view, h.proposer}).second)
            out.evidence.push_back(Evidence{EvidenceKind::kDoubleProposal, h.epoch, h.view, h.proposer,
                                            seen->second.first, seen->second.second, p.block.id, p.sig});
        return reject(from, RejectReason::kConflicting, out);
    }
    if (h.justify.view >= h.view) return reject(from, RejectReason::kMalformed, out);
    if (auto r = check_qc(h.justify); !r) return reject(from, r.error(), out);
    if (p.tc) {
        if (p.tc->view + 1 != h.view) return reject(from, RejectReason::kMalformed, out);
        if (auto r = check_tc(*p.tc); !r) return reject(from, r.error(), out);
    }
    const Epoch epoch = epoch_;
    process_qc(h.justify, from, out);
    if (p.tc && epoch_ == epoch) process_tc(*p.tc, from, out);
    if (epoch_ != epoch) return;
    if (tree_.count(p.block.id)) {
        if (h.view != view_ || !fresh) return reject(from, RejectReason::kDuplicate, out);
    } else {
        if (!tree_.count(h.parent_id())) {
            if (h.view + 1 < view_) return reject(from, RejectReason::kStaleView, out);
            if (pending_.size() >= kMaxPending) {
                auto oldest =
                    std::min_element(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) {
                        return a.second.block.header.view < b.second.block.header.view;
                    });
                pending_.erase(oldest);
            }
            const Hash32 parent = h.parent_id();
            // Far behind, with a partial chain already fetched: extend its
            // lower end first, rather than starting another one at the top.
            if (!orphans_.empty())
                request_sync(orphans_.begin()->second.header.parent_id(), from, out);
            else
                request_sync(parent, from, out);
            pending_.insert_or_assign(parent, std::move(p));
            return reject(from, RejectReason::kUnknownParent, out);
        }
        if (auto r = insert_block(p.block, false, out); !r) return reject(from, r.error(), out);
    }
    if (h.view != view_)
        return reject(from, h.view < view_ ? RejectReason::kStaleView : RejectReason::kFutureView, out);
    vote_candidate_ = p.block.id;
    vote_candidate_tc_ = p.tc;
    consider_vote(p.block.id, out);
}

Result<void, RejectReason> Engine::insert_block(const Block& b, bool certified, Outputs& out) {
    if (tree_.count(b.id)) return {};
    auto pit = tree_.find(b.header.parent_id());
    TRELLIS_ASSERT(pit != tree_.end());
    const Node& parent = pit->second;
    const BlockHeader& h = b.header;
    const BlockHeader& ph = parent.block.header;
    if (h.epoch != epoch_) return Unexpected{RejectReason::kStaleEpoch};
    if (ph.epoch != epoch_ && pit->first != epoch_root_id_) return Unexpected{RejectReason::kMalformed};
    if (h.block_num != ph.block_num + 1) return Unexpected{RejectReason::kBadBlockNum};
    if (h.justify.view != ph.view || h.view <= ph.view) return Unexpected{RejectReason::kMalformed};
    if (!h.next_validators.empty() && !ValidatorSet(h.next_validators).well_formed())
        return Unexpected{RejectReason::kMalformed};
    if (!certified) {
        // A certified block was checked by a quorum already; a proposal by us.
        if (elect_leader(*scheme_, validators_, epoch_, h.view, ph) != h.proposer)
            return Unexpected{RejectReason::kWrongLeader};
        if (next_recent_failures(*scheme_, validators_, epoch_, ph, h.view) != h.recent_failures)
            return Unexpected{RejectReason::kBadRecentFailures};
    }
    const bool suffix = in_reconfig_suffix(pit->first);
    if (suffix && (!b.payload.empty() || h.state_root != ph.state_root || !h.next_validators.empty()))
        return Unexpected{RejectReason::kBadStateTransition};
    Node n{b, std::nullopt, false};
    if (suffix) n.exec = ExecResult{ph.state_root, {}};
    tree_.emplace(b.id, std::move(n));
    if (!suffix) out.executes.push_back({b});
    return {};
}

bool Engine::in_reconfig_suffix(const Hash32& id) const {
    for (auto it = tree_.find(id); it != tree_.end() && !it->second.committed;
         it = tree_.find(it->second.block.header.parent_id()))
        if (!it->second.block.header.next_validators.empty()) return true;
    return false;
}

void Engine::consider_vote(const Hash32& id, Outputs& out) {
    if (!self_ || vote_candidate_ != id) return;
    auto it = tree_.find(id);
    if (it == tree_.end() || !it->second.exec) return;  // R1.3: wait for execution
    const BlockHeader& h = it->second.block.header;
    if (h.view != view_) return;
    vote_candidate_.reset();
    if (it->second.exec->state_root != h.state_root || it->second.exec->next_validators != h.next_validators)
        return reject(h.proposer, RejectReason::kBadStateTransition, out);
    if (safety_.state().epoch != epoch_ && !safety_.start_epoch(epoch_, epoch_root_qc_)) return;
    if (safety_.state().last_voted_view == h.view && safety_.state().last_voted_block == id)
        return send_vote(h, id, out);  // voted before a restart: the same vote again
    if (auto r = safety_.check_vote(h, vote_candidate_tc_, epoch_root_qc_, epoch_start_view_); !r) {
        if (r.error() == RejectReason::kUnsafeProposal) reject(h.proposer, r.error(), out);
        return;
    }
    if (!safety_.record_vote(h.view, id)) return;  // R3
    send_vote(h, id, out);
}

void Engine::send_vote(const BlockHeader& h, const Hash32& id, Outputs& out) {
    Vote v{epoch_, h.view, id, *self_, sign_vote(h.view, id)};
    const ValidatorIndex next = elect_leader(*scheme_, validators_, epoch_, h.view + 1, h);
    if (next == *self_) {
        voters_[v.view][v.voter] = {v.block_id, v.sig};
        add_vote(v, out);
    } else {
        send(next, v, out);
    }
}

void Engine::handle_vote(ValidatorIndex from, const Vote& v, Outputs& out) {
    if (v.voter != from) return reject(from, RejectReason::kSenderMismatch, out);
    if (v.epoch < epoch_) {
        // Typically the vote that completed the epoch-change commit here:
        // its sender has not seen that QC yet.
        if (const SyncResponse* proof = proof_for(from, v.epoch)) send(from, *proof, out);
        return reject(from, RejectReason::kStaleEpoch, out);
    }
    if (v.epoch > epoch_) return reject(from, RejectReason::kFutureEpoch, out);
    if (!validators_.contains(v.voter)) return reject(from, RejectReason::kNotValidator, out);
    if (v.view == 0 || v.view + 1 < view_) return reject(from, RejectReason::kStaleView, out);
    if (v.view > view_ + cfg_.settings.max_views_ahead) return reject(from, RejectReason::kFutureView, out);
    if (!scheme_->verify(validators_[v.voter].public_key,
                         vote_digest(*scheme_, cfg_.settings.chain_id, v.epoch, v.view, v.block_id), v.sig))
        return reject(from, RejectReason::kBadSignature, out);
    auto [seen, fresh] = voters_[v.view].try_emplace(v.voter, v.block_id, v.sig);
    if (!fresh) {
        if (seen->second.first == v.block_id) return reject(from, RejectReason::kDuplicate, out);
        if (evidence_sent_.insert({v.view, v.voter}).second)
            out.evidence.push_back(Evidence{EvidenceKind::kDoubleVote, v.epoch, v.view, v.voter,
                                            seen->second.first, seen->second.second, v.block_id, v.sig});
        return reject(from, RejectReason::kConflicting, out);
    }
    add_vote(v, out);
}

void Engine::add_vote(const Vote& v, Outputs& out) {
    if (qc_formed_.count(v.view)) return;
    VoteSet& vs = votes_[v.view][v.block_id];
    if (!vs.sigs.emplace(v.voter, v.sig).second) return;
    vs.stake += validators_.stake_of(v.voter);
    if (!validators_.is_quorum(vs.stake)) return;
    qc_formed_.insert(v.view);
    QuorumCert qc{epoch_, v.view, v.block_id, {}};
    for (const auto& [who, sig] : vs.sigs) qc.sigs.push_back({who, sig});
    verified_qcs_.insert({qc.view, qc_key(*scheme_, qc)});
    process_qc(qc, v.voter, out);
}

void Engine::handle_timeout(ValidatorIndex from, Timeout&& t, Outputs& out) {
    if (t.voter != from) return reject(from, RejectReason::kSenderMismatch, out);
    if (t.epoch < epoch_) {
        if (const SyncResponse* proof = proof_for(from, t.epoch)) send(from, *proof, out);
        return reject(from, RejectReason::kStaleEpoch, out);
    }
    if (t.epoch > epoch_) return reject(from, RejectReason::kFutureEpoch, out);
    if (!validators_.contains(t.voter)) return reject(from, RejectReason::kNotValidator, out);
    if (t.view == 0 || t.view > kMaxView || t.high_qc.view >= t.view)
        return reject(from, RejectReason::kMalformed, out);
    if (t.view > view_ + cfg_.settings.max_views_ahead) return reject(from, RejectReason::kFutureView, out);
    if (t.view + 1 < view_ && t.high_qc.view <= safety_.high_qc().view)
        return reject(from, RejectReason::kStaleView, out);
    if (!scheme_->verify(validators_[t.voter].public_key,
                         timeout_digest(*scheme_, cfg_.settings.chain_id, t.epoch, t.view, t.high_qc.view),
                         t.sig))
        return reject(from, RejectReason::kBadSignature, out);
    if (auto r = check_qc(t.high_qc); !r) return reject(from, r.error(), out);
    if (t.last_tc) {
        if (t.last_tc->view >= t.view) return reject(from, RejectReason::kMalformed, out);
        if (auto r = check_tc(*t.last_tc); !r) return reject(from, r.error(), out);
    }
    const Epoch epoch = epoch_;
    process_qc(t.high_qc, from, out);
    if (t.last_tc && epoch_ == epoch) process_tc(*t.last_tc, from, out);
    if (epoch_ != epoch) return;
    if (t.view < view_) return;  // its certificates were all we could use
    add_timeout(t, out);
}

// ---------------------------------------------------------------------------
// Commit, epochs, sync

void Engine::commit_through(const Hash32& id, const QuorumCert& qc, const QuorumCert& trigger, Outputs& out) {
    std::vector<std::pair<Node*, QuorumCert>> chain;
    QuorumCert certifier = qc;
    Hash32 cur = id;
    while (cur != committed_id_) {
        auto it = tree_.find(cur);
        if (it == tree_.end() || it->second.committed) return;  // a gap: sync will fill it
        if (it->second.block.header.block_num <= committed_num_) return;
        chain.emplace_back(&it->second, certifier);
        certifier = it->second.block.header.justify;
        cur = it->second.block.header.parent_id();
    }
    std::reverse(chain.begin(), chain.end());
    for (auto& [node, cert] : chain) {
        node->committed = true;
        committed_id_ = node->block.id;
        committed_num_ = node->block.header.block_num;
        out.commits.push_back({node->block, cert, std::nullopt});
        if (!node->block.header.next_validators.empty()) {
            // The epoch proof for laggards: the trigger QC and the chain from
            // its block down to this epoch-change block.
            SyncResponse proof;
            proof.qc = trigger;
            for (auto it = tree_.find(trigger.block_id);
                 it != tree_.end() && proof.blocks.size() < kMaxSyncBlocks;
                 it = tree_.find(it->second.block.header.parent_id())) {
                proof.blocks.push_back(it->second.block);
                if (it->first == node->block.id) break;
            }
            out.commits.back().epoch_proof = proof;
            switch_epoch(*node, cert, std::move(proof), out);
            return;  // descendants in the old epoch are dropped (§7)
        }
    }
    prune();
}

void Engine::switch_epoch(const Node& root, const QuorumCert& qc, SyncResponse proof, Outputs& out) {
    const Block rb = root.block;
    Bytes self_key;
    if (self_) self_key = validators_[*self_].public_key;
    epoch_ = rb.header.epoch + 1;
    validators_ = ValidatorSet(rb.header.next_validators);
    self_.reset();
    for (size_t i = 0; i < validators_.size(); ++i)
        if (!self_key.empty() && validators_[ValidatorIndex(i)].public_key == self_key)
            self_ = ValidatorIndex(i);
    epoch_root_id_ = rb.id;
    epoch_root_qc_ = qc;
    epoch_start_view_ = rb.header.view + 2;
    // Tell everyone at once: validators that have not seen the trigger QC
    // (it may have formed only here) would otherwise wait out a timeout.
    send(std::nullopt, proof, out);
    epoch_proofs_[rb.header.epoch] = std::move(proof);
    while (epoch_proofs_.size() > kKeepProofs) epoch_proofs_.erase(epoch_proofs_.begin());
    (void)safety_.start_epoch(epoch_, qc);  // retried before the next signature if it failed
    votes_.clear();
    voters_.clear();
    qc_formed_.clear();
    timeouts_.clear();
    proposers_.clear();
    evidence_sent_.clear();
    pending_.clear();
    wanted_.clear();
    verified_qcs_.clear();
    verified_qcs_.insert({qc.view, qc_key(*scheme_, qc)});
    for (auto it = tree_.begin(); it != tree_.end();) {
        if (!it->second.committed)
            it = tree_.erase(it);
        else
            ++it;
    }
    prune();
    enter_view(std::max(epoch_start_view_, safety_.state().epoch == epoch_ ? safety_.high_qc().view + 1 : 0),
               std::nullopt, out);
}

void Engine::prune() {
    for (auto it = tree_.begin(); it != tree_.end();) {
        const Node& n = it->second;
        const BlockNum num = n.block.header.block_num;
        const bool drop = n.committed ? num + kKeepCommitted < committed_num_ : num <= committed_num_;
        if (drop && it->first != epoch_root_id_ && it->first != committed_id_)
            it = tree_.erase(it);
        else
            ++it;
    }
}

const SyncResponse* Engine::proof_for(ValidatorIndex from, Epoch their_epoch) {
    // The proof that ended their epoch, on the first stale message per
    // (sender, epoch) and every fourth after it: a lost proof is resent, and a
    // laggard cannot make us send more than a quarter of what it sends us.
    auto p = epoch_proofs_.find(their_epoch);
    if (p == epoch_proofs_.end()) return nullptr;
    if (proof_sent_.size() > 4 * kMaxValidators) proof_sent_.clear();
    return proof_sent_[{from, their_epoch}]++ % 4 == 0 ? &p->second : nullptr;
}

void Engine::request_sync(const Hash32& id, ValidatorIndex from, Outputs& out) {
    if (tree_.count(id) || (self_ && from == *self_)) return;
    // Ask again on every fourth reason to (the answer may have been lost),
    // never for every message that names the block.
    auto w = wanted_.find(id);
    if (w != wanted_.end() && ++w->second % 4 != 0) return;
    if (wanted_.size() >= kMaxWanted && w == wanted_.end()) wanted_.erase(wanted_.begin());
    if (w == wanted_.end()) wanted_[id] = 0;
    send(from, SyncRequest{id, kMaxSyncBlocks}, out);
}

void Engine::handle_sync_request(ValidatorIndex from, const SyncRequest& r, Outputs& out) {
    SyncResponse resp;
    const size_t max = std::min<uint64_t>(r.max_blocks, kMaxSyncBlocks);
    for (auto it = tree_.find(r.block_id); it != tree_.end() && resp.blocks.size() < max;
         it = tree_.find(it->second.block.header.parent_id()))
        resp.blocks.push_back(it->second.block);
    if (!resp.blocks.empty()) send(from, resp, out);
}

void Engine::handle_sync_response(ValidatorIndex from, SyncResponse&& r, Outputs& out) {
    if (r.blocks.empty()) return reject(from, RejectReason::kBadSyncResponse, out);
    // The first block is authenticated by a QC we verify or by an id a
    // verified certificate named; the rest by their hash links (R7).
    if (r.qc && r.qc->epoch < epoch_) return;  // an epoch proof we no longer need
    if (r.qc) {
        if (r.qc->block_id != r.blocks[0].id) return reject(from, RejectReason::kBadSyncResponse, out);
        if (auto c = check_qc(*r.qc); !c) return reject(from, c.error(), out);
    } else if (!wanted_.count(r.blocks[0].id) && !pending_.count(r.blocks[0].id) &&
               !is_orphan_parent(r.blocks[0].id)) {
        // Not asked for (or asked so long ago we forgot) and named by nothing
        // we hold: unauthenticated.
        return reject(from, RejectReason::kUnexpectedSync, out);
    }
    for (size_t i = 0; i + 1 < r.blocks.size(); ++i)
        if (r.blocks[i].header.parent_id() != r.blocks[i + 1].id ||
            r.blocks[i].header.block_num != r.blocks[i + 1].header.block_num + 1)
            return reject(from, RejectReason::kBadSyncResponse, out);
    wanted_.erase(r.blocks[0].id);
    const Hash32 deepest_parent = r.blocks.back().header.parent_id();
    const BlockNum deepest_num = r.blocks.back().header.block_num;
    for (auto& b : r.blocks) {
        if (tree_.count(b.id) || b.header.block_num <= committed_num_) continue;
        if (orphans_.size() >= kMaxOrphans) orphans_.erase(std::prev(orphans_.end()));
        orphans_.emplace(std::make_pair(b.header.block_num, b.id), std::move(b));
    }
    attach_orphans(from, out);
    // Still not connected: fetch below the deepest block.
    if (deepest_num > committed_num_ + 1 && !tree_.count(deepest_parent))
        request_sync(deepest_parent, from, out);
    if (r.qc && r.qc->epoch == epoch_) process_qc(*r.qc, from, out);
    retry_pending(out);
}

bool Engine::is_orphan_parent(const Hash32& id) const {
    for (const auto& [key, b] : orphans_)
        if (b.header.parent_id() == id) return true;
    return false;
}

void Engine::attach_orphans(ValidatorIndex from, Outputs& out) {
    for (bool progress = true; progress;) {
        progress = false;
        // Ascending block numbers: one pass attaches a whole chain.
        for (auto it = orphans_.begin(); it != orphans_.end();) {
            if (tree_.count(it->first.second) || it->first.first <= committed_num_) {
                it = orphans_.erase(it);
                continue;
            }
            if (!tree_.count(it->second.header.parent_id())) {
                ++it;
                continue;
            }
            Block b = std::move(it->second);
            orphans_.erase(it);
            auto ins = insert_block(b, true, out);
            if (!ins) {
                // Blocks of an epoch that just ended are dropped, not blamed (§7).
                if (ins.error() != RejectReason::kStaleEpoch)
                    reject(from, RejectReason::kBadSyncResponse, out);
            } else {
                verified_qcs_.insert({b.header.justify.view, qc_key(*scheme_, b.header.justify)});
                process_qc(b.header.justify, from, out);
            }
            progress = true;
            break;
        }
    }
}

void Engine::retry_pending(Outputs& out) {
    for (bool progress = true; progress;) {
        progress = false;
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (!tree_.count(it->first)) continue;
            Proposal p = std::move(it->second);
            pending_.erase(it);
            const ValidatorIndex proposer = p.block.header.proposer;
            // Already verified once; re-run the full path (cheap: QCs cached).
            proposers_.erase({p.block.header.view, proposer});
            handle_proposal(proposer, std::move(p), out);
            progress = true;
            break;
        }
    }
}

}  // namespace trellis::consensus
