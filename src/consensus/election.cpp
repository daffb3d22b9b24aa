#include "consensus/election.hpp"

#include <algorithm>
#include <array>

#include "codec/rlp.hpp"

namespace trellis::consensus {

namespace {

using Bits = std::array<bool, kMaxValidators>;

/// Validators the anchor says to skip: non-signers of its parent QC and its
/// recent failures. Only for an anchor of the same epoch: an epoch's root
/// says nothing about the new set.
Bits base_exclusion(const BlockHeader& anchor, Epoch epoch, const ValidatorSet& set) {
    Bits excluded{};
    if (anchor.epoch != epoch) return excluded;
    if (!anchor.justify.sigs.empty()) {
        Bits signed_parent{};
        for (const auto& x : anchor.justify.sigs)
            if (x.signer < kMaxValidators) signed_parent[x.signer] = true;
        for (size_t i = 0; i < set.size(); ++i) excluded[i] = !signed_parent[i];
    }
    for (const auto& f : anchor.recent_failures)
        if (f.leader < kMaxValidators) excluded[f.leader] = true;
    return excluded;
}

/// Stake-weighted draw among the validators not excluded (all of them if
/// none is left), seeded by H("trellis/leader", epoch, view).
ValidatorIndex pick(const SignatureScheme& s, const ValidatorSet& set, Epoch epoch, ViewNum view,
                    const Bits& excluded) {
    uint64_t candidate_stake = 0;
    for (size_t i = 0; i < set.size(); ++i)
        if (!excluded[i]) candidate_stake += set[ValidatorIndex(i)].stake;
    const bool all = candidate_stake == 0;
    if (all) candidate_stake = set.total_stake();
    Bytes seed;
    const size_t m = rlp::begin_list(seed);
    rlp::encode_string(seed, as_view("trellis/leader"));
    rlp::encode_uint(seed, epoch);
    rlp::encode_uint(seed, view);
    rlp::end_list(seed, m);
    const Hash32 h = s.hash(seed);
    uint64_t x = 0;
    for (int i = 0; i < 8; ++i) x = (x << 8) | h[i];
    x %= candidate_stake;
    for (size_t i = 0; i < set.size(); ++i) {
        if (!all && excluded[i]) continue;
        const uint64_t st = set[ValidatorIndex(i)].stake;
        if (x < st) return ValidatorIndex(i);
        x -= st;
    }
    TRELLIS_ASSERT(false);
    return 0;
}

ViewNum gap_start(const BlockHeader& anchor, ViewNum view) {
    const ViewNum floor = view > kFailureWindow ? view - kFailureWindow : 0;
    return std::max(anchor.view + 1, floor);
}

}  // namespace

ValidatorIndex elect_leader(const SignatureScheme& s, const ValidatorSet& set, Epoch epoch, ViewNum view,
                            const BlockHeader& anchor) {
    TRELLIS_ASSERT(!set.empty());
    Bits excluded = base_exclusion(anchor, epoch, set);
    // Views since the anchor without a block extending it: their leaders
    // failed, so the next draw skips them (a crashed leader costs one view).
    for (ViewNum w = gap_start(anchor, view); w < view; ++w)
        excluded[pick(s, set, epoch, w, excluded)] = true;
    return pick(s, set, epoch, view, excluded);
}

std::vector<FailedLeader> next_recent_failures(const SignatureScheme& s, const ValidatorSet& set, Epoch epoch,
                                               const BlockHeader& parent, ViewNum view) {
    std::vector<FailedLeader> out;
    const ViewNum floor = view > kFailureWindow ? view - kFailureWindow : 0;
    if (parent.epoch == epoch)
        for (const auto& f : parent.recent_failures)
            if (f.view >= floor) out.push_back(f);
    Bits excluded = base_exclusion(parent, epoch, set);
    for (ViewNum w = gap_start(parent, view); w < view; ++w) {
        const ValidatorIndex l = pick(s, set, epoch, w, excluded);
        excluded[l] = true;
        out.push_back({w, l});
    }
    if (out.size() > kMaxRecentFailures) out.erase(out.begin(), out.end() - kMaxRecentFailures);
    return out;
}

}  // namespace trellis::consensus
