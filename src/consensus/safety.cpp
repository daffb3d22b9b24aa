#include "consensus/safety.hpp"

#include "codec/rlp.hpp"

namespace trellis::consensus {

Bytes encode_safety_state(const SafetyState& s) {
    Bytes out;
    const size_t m = rlp::begin_list(out);
    rlp::encode_uint(out, s.epoch);
    rlp::encode_uint(out, s.last_voted_view);
    rlp::encode_string(out, s.last_voted_block.view());
    rlp::encode_uint(out, s.last_timeout_view);
    encode_qc(out, s.high_qc);
    rlp::end_list(out, m);
    return out;
}

Result<SafetyState, RejectReason> decode_safety_state(ByteView in) {
    ByteView rest = in;
    auto r = rlp::ListReader::open(rest);
    if (!r || !rest.empty()) return Unexpected{RejectReason::kMalformed};
    SafetyState s;
    auto e = r->read_uint64();
    auto v = r->read_uint64();
    auto b = r->read_fixed<32>();
    auto t = r->read_uint64();
    if (!e || !v || !b || !t) return Unexpected{RejectReason::kMalformed};
    s.epoch = *e;
    s.last_voted_view = *v;
    s.last_voted_block = *b;
    s.last_timeout_view = *t;
    auto qc_item = r->next();
    if (!qc_item) return Unexpected{RejectReason::kMalformed};
    auto qc = decode_qc(qc_item->encoded);
    if (!qc) return Unexpected{qc.error()};
    s.high_qc = std::move(*qc);
    if (!r->finish()) return Unexpected{RejectReason::kMalformed};
    return s;
}

const char* to_string(StoreError e) noexcept {
    switch (e) {
        case StoreError::kWriteFailed:
            return "write failed";
        case StoreError::kCorrupt:
            return "corrupt record";
    }
    return "unknown";
}

Result<void, StoreError> MemorySafetyStore::save(const SafetyState& s) {
    if (fail_writes_ > 0) {
        --fail_writes_;
        return Unexpected{StoreError::kWriteFailed};
    }
    last_ = encode_safety_state(s);
    ++records_;
    return {};
}

Result<std::optional<SafetyState>, StoreError> MemorySafetyStore::load() const {
    if (records_ == 0) return std::optional<SafetyState>{};
    auto s = decode_safety_state(last_);
    if (!s) return Unexpected{StoreError::kCorrupt};
    return std::optional<SafetyState>{std::move(*s)};
}

void SafetyRules::observe_qc(const QuorumCert& qc) {
    if (qc.epoch == s_.epoch && qc.view > s_.high_qc.view) s_.high_qc = qc;
}

Result<void, RejectReason> SafetyRules::check_vote(const BlockHeader& h, const std::optional<TimeoutCert>& tc,
                                                   const QuorumCert& epoch_root,
                                                   ViewNum epoch_start_view) const {
    if (h.epoch != s_.epoch) return Unexpected{RejectReason::kStaleEpoch};
    // R1.1: one vote per view, none after timing out in it (I1).
    if (h.view <= s_.last_voted_view || h.view <= s_.last_timeout_view)
        return Unexpected{RejectReason::kStaleView};
    // R1.2: extend the previous view's QC, or a QC at least as high as every
    // high QC a timeout quorum reported (I2), or the epoch root in its first view (I4).
    if (h.justify.view + 1 == h.view) return {};
    if (tc && tc->view + 1 == h.view && h.justify.view >= tc->max_high_qc_view()) return {};
    if (h.view == epoch_start_view && h.justify == epoch_root) return {};
    return Unexpected{RejectReason::kUnsafeProposal};
}

bool SafetyRules::record_vote(ViewNum view, const Hash32& block_id) {
    SafetyState next = s_;
    next.last_voted_view = view;
    next.last_voted_block = block_id;
    // R3: durable before the signature exists.
    if (!store_->save(next)) return false;
    s_ = std::move(next);
    return true;
}

bool SafetyRules::record_timeout(ViewNum view) {
    SafetyState next = s_;
    if (view > next.last_timeout_view) next.last_timeout_view = view;
    if (!store_->save(next)) return false;
    s_ = std::move(next);
    return true;
}

bool SafetyRules::start_epoch(Epoch e, const QuorumCert& root_qc) {
    // Never back to an older epoch: its votes were not recorded here.
    if (e <= s_.epoch) return e == s_.epoch;
    // Votes and timeouts are signed over (epoch, view) and certificates are
    // per epoch, so a new epoch starts its views afresh (I4).
    SafetyState next;
    next.epoch = e;
    next.high_qc = root_qc;
    if (!store_->save(next)) return false;
    s_ = std::move(next);
    return true;
}

}  // namespace trellis::consensus
