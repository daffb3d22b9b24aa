#pragma once
// Leader election (docs/consensus.md §6): deterministic, weighted by stake,
// skipping validators that recently failed to lead or did not sign the
// anchor's parent QC. Pacemaker only: safety never depends on who leads.

#include <vector>

#include "consensus/messages.hpp"

namespace trellis::consensus {

/// The leader of view for a proposal extending anchor (a block of epoch
/// `epoch` or that epoch's root). Reads only anchor, so every validator that
/// holds anchor agrees.
ValidatorIndex elect_leader(const SignatureScheme& s, const ValidatorSet& set, Epoch epoch, ViewNum view,
                            const BlockHeader& anchor);

/// recent_failures of a block of view `view` extending parent (§6).
std::vector<FailedLeader> next_recent_failures(const SignatureScheme& s, const ValidatorSet& set, Epoch epoch,
                                               const BlockHeader& parent, ViewNum view);

}  // namespace trellis::consensus
