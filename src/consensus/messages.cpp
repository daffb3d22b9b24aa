#include "consensus/messages.hpp"

#include <algorithm>
#include <string_view>

#include "codec/rlp.hpp"

namespace trellis::consensus {

namespace {

using Tag = MessageTag;

template <class T>
using R = Result<T, RejectReason>;

// Every RLP failure is the peer's fault: malformed.
#define TRY_RLP(var, expr)                                     \
    auto var##_r = (expr);                                     \
    if (!var##_r) return Unexpected{RejectReason::kMalformed}; \
    auto var = std::move(*var##_r)

#define TRY(var, expr)                                \
    auto var##_r = (expr);                            \
    if (!var##_r) return Unexpected{var##_r.error()}; \
    auto var = std::move(*var##_r)

void encode_sv(Bytes& out, std::string_view s) {
    rlp::encode_string(out, as_view(s));
}

void encode_tc(Bytes& out, const TimeoutCert& tc) {
    const size_t m = rlp::begin_list(out);
    rlp::encode_uint(out, tc.epoch);
    rlp::encode_uint(out, tc.view);
    const size_t s = rlp::begin_list(out);
    for (const auto& t : tc.sigs) {
        const size_t e = rlp::begin_list(out);
        rlp::encode_uint(out, t.signer);
        rlp::encode_uint(out, t.high_qc_view);
        rlp::encode_string(out, t.sig);
        rlp::end_list(out, e);
    }
    rlp::end_list(out, s);
    encode_qc(out, tc.high_qc);
    rlp::end_list(out, m);
}

void encode_opt_tc(Bytes& out, const std::optional<TimeoutCert>& tc) {
    const size_t m = rlp::begin_list(out);
    if (tc) encode_tc(out, *tc);
    rlp::end_list(out, m);
}

void encode_validator_list(Bytes& out, const std::vector<Validator>& v) {
    const size_t m = rlp::begin_list(out);
    for (const auto& x : v) {
        const size_t e = rlp::begin_list(out);
        rlp::encode_string(out, x.public_key);
        rlp::encode_uint(out, x.stake);
        rlp::end_list(out, e);
    }
    rlp::end_list(out, m);
}

R<ValidatorIndex> read_index(rlp::ListReader& r) {
    TRY_RLP(v, r.read_uint64());
    if (v >= kMaxValidators) return Unexpected{RejectReason::kMalformed};
    return static_cast<ValidatorIndex>(v);
}

R<Bytes> read_sig(rlp::ListReader& r) {
    TRY_RLP(b, r.read_bytes());
    if (b.empty() || b.size() > kMaxSignatureBytes) return Unexpected{RejectReason::kMalformed};
    return to_bytes(b);
}

R<QuorumCert> read_qc(rlp::ListReader& outer) {
    TRY_RLP(r, outer.read_list());
    QuorumCert qc;
    TRY_RLP(e, r.read_uint64());
    TRY_RLP(v, r.read_uint64());
    TRY_RLP(id, r.read_fixed<32>());
    qc.epoch = e;
    qc.view = v;
    qc.block_id = id;
    TRY_RLP(sigs, r.read_list());
    while (!sigs.at_end()) {
        if (qc.sigs.size() >= kMaxValidators) return Unexpected{RejectReason::kMalformed};
        TRY_RLP(item, sigs.read_list());
        QcSignature s;
        TRY(idx, read_index(item));
        TRY(sig, read_sig(item));
        if (!item.finish()) return Unexpected{RejectReason::kMalformed};
        s.signer = idx;
        s.sig = std::move(sig);
        qc.sigs.push_back(std::move(s));
    }
    if (!r.finish()) return Unexpected{RejectReason::kMalformed};
    return qc;
}

R<TimeoutCert> read_tc(rlp::ListReader& outer) {
    TRY_RLP(r, outer.read_list());
    TimeoutCert tc;
    TRY_RLP(e, r.read_uint64());
    TRY_RLP(v, r.read_uint64());
    tc.epoch = e;
    tc.view = v;
    TRY_RLP(sigs, r.read_list());
    while (!sigs.at_end()) {
        if (tc.sigs.size() >= kMaxValidators) return Unexpected{RejectReason::kMalformed};
        TRY_RLP(item, sigs.read_list());
        TimeoutSig s;
        TRY(idx, read_index(item));
        TRY_RLP(hv, item.read_uint64());
        TRY(sig, read_sig(item));
        if (!item.finish()) return Unexpected{RejectReason::kMalformed};
        s.signer = idx;
        s.high_qc_view = hv;
        s.sig = std::move(sig);
        tc.sigs.push_back(std::move(s));
    }
    TRY(hqc, read_qc(r));
    tc.high_qc = std::move(hqc);
    if (!r.finish()) return Unexpected{RejectReason::kMalformed};
    return tc;
}

R<std::optional<TimeoutCert>> read_opt_tc(rlp::ListReader& outer) {
    TRY_RLP(r, outer.read_list());
    std::optional<TimeoutCert> out;
    if (!r.at_end()) {
        TRY(tc, read_tc(r));
        out = std::move(tc);
    }
    if (!r.finish()) return Unexpected{RejectReason::kMalformed};
    return out;
}

R<std::vector<Validator>> read_validator_list(rlp::ListReader& outer) {
    TRY_RLP(r, outer.read_list());
    std::vector<Validator> out;
    while (!r.at_end()) {
        if (out.size() >= kMaxValidators) return Unexpected{RejectReason::kMalformed};
        TRY_RLP(item, r.read_list());
        TRY_RLP(key, item.read_bytes());
        TRY_RLP(stake, item.read_uint64());
        if (!item.finish()) return Unexpected{RejectReason::kMalformed};
        if (key.empty() || key.size() > kMaxPublicKeyBytes || stake == 0 || stake > kMaxStake)
            return Unexpected{RejectReason::kMalformed};
        out.push_back(Validator{to_bytes(key), stake});
    }
    return out;
}

R<BlockHeader> read_header(rlp::ListReader& outer) {
    TRY_RLP(r, outer.read_list());
    BlockHeader h;
    TRY_RLP(e, r.read_uint64());
    TRY_RLP(v, r.read_uint64());
    TRY_RLP(n, r.read_uint64());
    h.epoch = e;
    h.view = v;
    h.block_num = n;
    TRY(p, read_index(r));
    h.proposer = p;
    TRY_RLP(ph, r.read_fixed<32>());
    TRY_RLP(sr, r.read_fixed<32>());
    h.payload_hash = ph;
    h.state_root = sr;
    TRY(nv, read_validator_list(r));
    h.next_validators = std::move(nv);
    TRY_RLP(fl, r.read_list());
    while (!fl.at_end()) {
        if (h.recent_failures.size() >= kMaxRecentFailures) return Unexpected{RejectReason::kMalformed};
        TRY_RLP(item, fl.read_list());
        TRY_RLP(fv, item.read_uint64());
        TRY(who, read_index(item));
        if (!item.finish()) return Unexpected{RejectReason::kMalformed};
        h.recent_failures.push_back(FailedLeader{fv, who});
    }
    TRY(j, read_qc(r));
    h.justify = std::move(j);
    if (!r.finish()) return Unexpected{RejectReason::kMalformed};
    return h;
}

R<Block> read_block(rlp::ListReader& outer, const SignatureScheme& scheme) {
    TRY_RLP(r, outer.read_list());
    Block b;
    TRY(h, read_header(r));
    b.header = std::move(h);
    TRY_RLP(payload, r.read_bytes());
    if (payload.size() > kMaxPayloadBytes) return Unexpected{RejectReason::kOversized};
    b.payload = to_bytes(payload);
    if (!r.finish()) return Unexpected{RejectReason::kMalformed};
    // The payload hash is recomputed rather than trusted: the id must bind
    // the payload the block actually carries.
    if (scheme.hash(b.payload) != b.header.payload_hash) return Unexpected{RejectReason::kMalformed};
    b.id = block_id(scheme, b.header);
    return b;
}

R<Evidence> read_evidence(rlp::ListReader& r) {
    Evidence e;
    TRY_RLP(kind, r.read_uint64());
    if (kind != 1 && kind != 2) return Unexpected{RejectReason::kMalformed};
    e.kind = static_cast<EvidenceKind>(kind);
    TRY_RLP(ep, r.read_uint64());
    TRY_RLP(v, r.read_uint64());
    e.epoch = ep;
    e.view = v;
    TRY(who, read_index(r));
    e.validator = who;
    TRY_RLP(a, r.read_fixed<32>());
    TRY(as, read_sig(r));
    TRY_RLP(b, r.read_fixed<32>());
    TRY(bs, read_sig(r));
    e.first_id = a;
    e.first_sig = std::move(as);
    e.second_id = b;
    e.second_sig = std::move(bs);
    return e;
}

Hash32 digest3(const SignatureScheme& s, std::string_view domain, uint64_t chain_id, Epoch e, ViewNum v,
               const Hash32* id, const ViewNum* view2) {
    Bytes buf;
    buf.reserve(96);
    const size_t m = rlp::begin_list(buf);
    encode_sv(buf, domain);
    rlp::encode_uint(buf, chain_id);
    rlp::encode_uint(buf, e);
    rlp::encode_uint(buf, v);
    if (id) rlp::encode_string(buf, id->view());
    if (view2) rlp::encode_uint(buf, *view2);
    rlp::end_list(buf, m);
    return s.hash(buf);
}

}  // namespace

const char* to_string(RejectReason r) noexcept {
    switch (r) {
        case RejectReason::kStaleView:
            return "stale view";
        case RejectReason::kFutureView:
            return "view too far ahead";
        case RejectReason::kStaleEpoch:
            return "stale epoch";
        case RejectReason::kFutureEpoch:
            return "future epoch";
        case RejectReason::kDuplicate:
            return "duplicate";
        case RejectReason::kUnknownParent:
            return "unknown parent";
        case RejectReason::kNotLeaderOfNextView:
            return "vote sent to a validator that does not lead the next view";
        case RejectReason::kUnexpectedSync:
            return "unrequested sync response";
        case RejectReason::kWrongLeader:
            return "proposer is not the view's leader";
        case RejectReason::kBadRecentFailures:
            return "header's recent failures differ from the rule";
        case RejectReason::kUnsafeProposal:
            return "proposal violates the voting rule";
        case RejectReason::kBadBlockNum:
            return "block number is not parent's + 1";
        case RejectReason::kBadStateTransition:
            return "header disagrees with execution";
        case RejectReason::kConflicting:
            return "equivocation";
        case RejectReason::kMalformed:
            return "malformed";
        case RejectReason::kOversized:
            return "oversized";
        case RejectReason::kUnknownType:
            return "unknown message type";
        case RejectReason::kNotValidator:
            return "not a validator";
        case RejectReason::kBadSignature:
            return "bad signature";
        case RejectReason::kBadCertificate:
            return "bad certificate";
        case RejectReason::kSenderMismatch:
            return "signer is not the sending peer";
        case RejectReason::kBadSyncResponse:
            return "bad sync response";
    }
    return "unknown";
}

PeerAction peer_action(RejectReason r) noexcept {
    if (r <= RejectReason::kUnexpectedSync) return PeerAction::kIgnore;
    if (r <= RejectReason::kConflicting) return PeerAction::kScoreDown;
    return PeerAction::kDisconnect;
}

const char* to_string(PeerAction a) noexcept {
    switch (a) {
        case PeerAction::kIgnore:
            return "ignore";
        case PeerAction::kScoreDown:
            return "score down";
        case PeerAction::kDisconnect:
            return "disconnect";
    }
    return "unknown";
}

ViewNum TimeoutCert::max_high_qc_view() const noexcept {
    ViewNum m = 0;
    for (const auto& s : sigs) m = std::max(m, s.high_qc_view);
    return m;
}

void encode_qc(Bytes& out, const QuorumCert& qc) {
    const size_t m = rlp::begin_list(out);
    rlp::encode_uint(out, qc.epoch);
    rlp::encode_uint(out, qc.view);
    rlp::encode_string(out, qc.block_id.view());
    const size_t s = rlp::begin_list(out);
    for (const auto& x : qc.sigs) {
        const size_t e = rlp::begin_list(out);
        rlp::encode_uint(out, x.signer);
        rlp::encode_string(out, x.sig);
        rlp::end_list(out, e);
    }
    rlp::end_list(out, s);
    rlp::end_list(out, m);
}

void encode_header(Bytes& out, const BlockHeader& h) {
    const size_t m = rlp::begin_list(out);
    rlp::encode_uint(out, h.epoch);
    rlp::encode_uint(out, h.view);
    rlp::encode_uint(out, h.block_num);
    rlp::encode_uint(out, h.proposer);
    rlp::encode_string(out, h.payload_hash.view());
    rlp::encode_string(out, h.state_root.view());
    encode_validator_list(out, h.next_validators);
    const size_t f = rlp::begin_list(out);
    for (const auto& x : h.recent_failures) {
        const size_t e = rlp::begin_list(out);
        rlp::encode_uint(out, x.view);
        rlp::encode_uint(out, x.leader);
        rlp::end_list(out, e);
    }
    rlp::end_list(out, f);
    encode_qc(out, h.justify);
    rlp::end_list(out, m);
}

void encode_block(Bytes& out, const Block& b) {
    const size_t m = rlp::begin_list(out);
    encode_header(out, b.header);
    rlp::encode_string(out, b.payload);
    rlp::end_list(out, m);
}

Bytes encode_validators(const std::vector<Validator>& v) {
    Bytes out;
    encode_validator_list(out, v);
    return out;
}

Result<std::vector<Validator>, RejectReason> decode_validators(ByteView in) {
    rlp::ListReader top(in);
    auto v = read_validator_list(top);
    if (!v) return Unexpected{v.error()};
    if (!top.finish()) return Unexpected{RejectReason::kMalformed};
    return std::move(*v);
}

Result<QuorumCert, RejectReason> decode_qc(ByteView in) {
    rlp::ListReader top(in);
    auto qc = read_qc(top);
    if (!qc) return qc;
    if (!top.finish()) return Unexpected{RejectReason::kMalformed};
    return qc;
}

Result<Block, RejectReason> decode_block(ByteView in, const SignatureScheme& scheme) {
    rlp::ListReader top(in);
    auto b = read_block(top, scheme);
    if (!b) return b;
    if (!top.finish()) return Unexpected{RejectReason::kMalformed};
    return b;
}

Hash32 block_id(const SignatureScheme& scheme, const BlockHeader& h) {
    Bytes buf;
    buf.reserve(256 + h.justify.sigs.size() * 72);
    encode_header(buf, h);
    return scheme.hash(buf);
}

Block make_block(const SignatureScheme& scheme, BlockHeader h, Bytes payload) {
    Block b;
    h.payload_hash = scheme.hash(payload);
    b.header = std::move(h);
    b.payload = std::move(payload);
    b.id = block_id(scheme, b.header);
    return b;
}

Bytes encode_message(const Message& msg) {
    Bytes out;
    const size_t m = rlp::begin_list(out);
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Proposal>) {
                rlp::encode_uint(out, uint64_t(Tag::kProposal));
                encode_block(out, x.block);
                encode_opt_tc(out, x.tc);
                rlp::encode_string(out, x.sig);
            } else if constexpr (std::is_same_v<T, Vote>) {
                rlp::encode_uint(out, uint64_t(Tag::kVote));
                rlp::encode_uint(out, x.epoch);
                rlp::encode_uint(out, x.view);
                rlp::encode_string(out, x.block_id.view());
                rlp::encode_uint(out, x.voter);
                rlp::encode_string(out, x.sig);
            } else if constexpr (std::is_same_v<T, Timeout>) {
                rlp::encode_uint(out, uint64_t(Tag::kTimeout));
                rlp::encode_uint(out, x.epoch);
                rlp::encode_uint(out, x.view);
                rlp::encode_uint(out, x.voter);
                encode_qc(out, x.high_qc);
                encode_opt_tc(out, x.last_tc);
                rlp::encode_string(out, x.sig);
            } else if constexpr (std::is_same_v<T, SyncRequest>) {
                rlp::encode_uint(out, uint64_t(Tag::kSyncRequest));
                rlp::encode_string(out, x.block_id.view());
                rlp::encode_uint(out, x.max_blocks);
            } else if constexpr (std::is_same_v<T, SyncResponse>) {
                rlp::encode_uint(out, uint64_t(Tag::kSyncResponse));
                const size_t q = rlp::begin_list(out);
                if (x.qc) encode_qc(out, *x.qc);
                rlp::end_list(out, q);
                const size_t bl = rlp::begin_list(out);
                for (const auto& b : x.blocks) encode_block(out, b);
                rlp::end_list(out, bl);
            } else {
                rlp::encode_uint(out, uint64_t(Tag::kEvidence));
                rlp::encode_uint(out, uint64_t(x.kind));
                rlp::encode_uint(out, x.epoch);
                rlp::encode_uint(out, x.view);
                rlp::encode_uint(out, x.validator);
                rlp::encode_string(out, x.first_id.view());
                rlp::encode_string(out, x.first_sig);
                rlp::encode_string(out, x.second_id.view());
                rlp::encode_string(out, x.second_sig);
            }
        },
        msg);
    rlp::end_list(out, m);
    return out;
}

Result<Message, RejectReason> decode_message(ByteView in, const SignatureScheme& scheme) {
    if (in.size() > kMaxMessageBytes) return Unexpected{RejectReason::kOversized};
    ByteView rest = in;
    auto top = rlp::ListReader::open(rest);
    if (!top || !rest.empty()) return Unexpected{RejectReason::kMalformed};
    rlp::ListReader& r = *top;
    TRY_RLP(tag, r.read_uint64());
    Message out;
    switch (static_cast<Tag>(tag)) {
        case Tag::kProposal: {
            Proposal p;
            TRY(b, read_block(r, scheme));
            p.block = std::move(b);
            TRY(tc, read_opt_tc(r));
            p.tc = std::move(tc);
            TRY(sig, read_sig(r));
            p.sig = std::move(sig);
            out = std::move(p);
            break;
        }
        case Tag::kVote: {
            Vote v;
            TRY_RLP(e, r.read_uint64());
            TRY_RLP(view, r.read_uint64());
            TRY_RLP(id, r.read_fixed<32>());
            v.epoch = e;
            v.view = view;
            v.block_id = id;
            TRY(who, read_index(r));
            v.voter = who;
            TRY(sig, read_sig(r));
            v.sig = std::move(sig);
            out = std::move(v);
            break;
        }
        case Tag::kTimeout: {
            Timeout t;
            TRY_RLP(e, r.read_uint64());
            TRY_RLP(view, r.read_uint64());
            t.epoch = e;
            t.view = view;
            TRY(who, read_index(r));
            t.voter = who;
            TRY(qc, read_qc(r));
            t.high_qc = std::move(qc);
            TRY(tc, read_opt_tc(r));
            t.last_tc = std::move(tc);
            TRY(sig, read_sig(r));
            t.sig = std::move(sig);
            out = std::move(t);
            break;
        }
        case Tag::kSyncRequest: {
            SyncRequest s;
            TRY_RLP(id, r.read_fixed<32>());
            TRY_RLP(n, r.read_uint64());
            s.block_id = id;
            s.max_blocks = n;
            out = s;
            break;
        }
        case Tag::kSyncResponse: {
            SyncResponse s;
            TRY_RLP(q, r.read_list());
            if (!q.at_end()) {
                TRY(qc, read_qc(q));
                s.qc = std::move(qc);
            }
            if (!q.finish()) return Unexpected{RejectReason::kMalformed};
            TRY_RLP(bl, r.read_list());
            while (!bl.at_end()) {
                if (s.blocks.size() >= kMaxSyncBlocks) return Unexpected{RejectReason::kOversized};
                TRY(b, read_block(bl, scheme));
                s.blocks.push_back(std::move(b));
            }
            out = std::move(s);
            break;
        }
        case Tag::kEvidence: {
            TRY(e, read_evidence(r));
            out = std::move(e);
            break;
        }
        default:
            return Unexpected{RejectReason::kUnknownType};
    }
    if (!r.finish()) return Unexpected{RejectReason::kMalformed};
    return out;
}

Hash32 vote_digest(const SignatureScheme& s, uint64_t chain_id, Epoch e, ViewNum v, const Hash32& id) {
    return digest3(s, "trellis/vote", chain_id, e, v, &id, nullptr);
}
Hash32 proposal_digest(const SignatureScheme& s, uint64_t chain_id, Epoch e, ViewNum v, const Hash32& id) {
    return digest3(s, "trellis/proposal", chain_id, e, v, &id, nullptr);
}
Hash32 timeout_digest(const SignatureScheme& s, uint64_t chain_id, Epoch e, ViewNum v, ViewNum hv) {
    return digest3(s, "trellis/timeout", chain_id, e, v, nullptr, &hv);
}

Result<void, RejectReason> verify_qc(const QuorumCert& qc, const ValidatorSet& set, const SignatureScheme& s,
                                     uint64_t chain_id) {
    uint64_t stake = 0;
    for (size_t i = 0; i < qc.sigs.size(); ++i) {
        const auto& x = qc.sigs[i];
        // Strictly ascending: one signature per signer, one canonical form.
        if (!set.contains(x.signer) || (i > 0 && qc.sigs[i - 1].signer >= x.signer))
            return Unexpected{RejectReason::kBadCertificate};
        stake += set.stake_of(x.signer);
    }
    if (!set.is_quorum(stake)) return Unexpected{RejectReason::kBadCertificate};
    const Hash32 d = vote_digest(s, chain_id, qc.epoch, qc.view, qc.block_id);
    for (const auto& x : qc.sigs)
        if (!s.verify(set[x.signer].public_key, d, x.sig)) return Unexpected{RejectReason::kBadCertificate};
    return {};
}

Result<void, RejectReason> verify_tc_signatures(const TimeoutCert& tc, const ValidatorSet& set,
                                                const SignatureScheme& s, uint64_t chain_id) {
    uint64_t stake = 0;
    for (size_t i = 0; i < tc.sigs.size(); ++i) {
        const auto& x = tc.sigs[i];
        if (!set.contains(x.signer) || (i > 0 && tc.sigs[i - 1].signer >= x.signer))
            return Unexpected{RejectReason::kBadCertificate};
        stake += set.stake_of(x.signer);
    }
    if (!set.is_quorum(stake)) return Unexpected{RejectReason::kBadCertificate};
    if (tc.high_qc.view != tc.max_high_qc_view() || tc.high_qc.view >= tc.view)
        return Unexpected{RejectReason::kBadCertificate};
    for (const auto& x : tc.sigs) {
        const Hash32 d = timeout_digest(s, chain_id, tc.epoch, tc.view, x.high_qc_view);
        if (!s.verify(set[x.signer].public_key, d, x.sig)) return Unexpected{RejectReason::kBadCertificate};
    }
    return {};
}

bool verify_evidence(const Evidence& e, const ValidatorSet& set, const SignatureScheme& s,
                     uint64_t chain_id) {
    if (!set.contains(e.validator) || e.first_id == e.second_id) return false;
    const auto& key = set[e.validator].public_key;
    auto digest = [&](const Hash32& id) {
        return e.kind == EvidenceKind::kDoubleVote ? vote_digest(s, chain_id, e.epoch, e.view, id)
                                                   : proposal_digest(s, chain_id, e.epoch, e.view, id);
    };
    return s.verify(key, digest(e.first_id), e.first_sig) && s.verify(key, digest(e.second_id), e.second_sig);
}

}  // namespace trellis::consensus
