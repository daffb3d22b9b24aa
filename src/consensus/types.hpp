#pragma once
// Named integers, bounds and the stake-weighted validator set of the consensus
// engine (docs/consensus.md §2, §4). Pure values: no I/O.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.hpp"

namespace trellis::consensus {

using Epoch = uint64_t;
using ViewNum = uint64_t;
using trellis::BlockNum;
using ValidatorIndex = uint32_t;

/// Bounds on everything a peer can make us hold (docs/consensus.md §3).
inline constexpr size_t kMaxValidators = 256;
inline constexpr size_t kMaxPublicKeyBytes = 128;
inline constexpr size_t kMaxSignatureBytes = 160;
inline constexpr size_t kMaxPayloadBytes = size_t{2} << 20;
inline constexpr size_t kMaxMessageBytes = size_t{4} << 20;
inline constexpr size_t kMaxSyncBlocks = 32;
/// Entries of BlockHeader::recent_failures, and the views they cover.
inline constexpr size_t kMaxRecentFailures = 16;
inline constexpr ViewNum kFailureWindow = 16;
/// One validator's stake is at most 2^48, so the total of 256 fits 2^56 and
/// 3 * total never overflows uint64.
inline constexpr uint64_t kMaxStake = uint64_t{1} << 48;

struct Validator {
    Bytes public_key;  ///< opaque to the engine; the SignatureScheme interprets it
    uint64_t stake = 0;
    friend bool operator==(const Validator&, const Validator&) = default;
};

/// An ordered validator set; a validator's index is its position. Immutable
/// for an epoch.
class ValidatorSet {
public:
    ValidatorSet() = default;
    explicit ValidatorSet(std::vector<Validator> v);

    /// 1..kMaxValidators validators, each with 1..kMaxStake stake, a key of
    /// 1..kMaxPublicKeyBytes bytes, and no key twice.
    bool well_formed() const noexcept;

    size_t size() const noexcept { return validators_.size(); }
    bool empty() const noexcept { return validators_.empty(); }
    bool contains(ValidatorIndex i) const noexcept { return i < validators_.size(); }
    const Validator& operator[](ValidatorIndex i) const { return validators_[i]; }
    const std::vector<Validator>& validators() const noexcept { return validators_; }
    uint64_t total_stake() const noexcept { return total_; }
    uint64_t stake_of(ValidatorIndex i) const noexcept { return contains(i) ? validators_[i].stake : 0; }

    /// More than two thirds of the total voting power (not of the count).
    bool is_quorum(uint64_t stake) const noexcept { return 3 * stake > 2 * total_; }
    /// More than one third: at least one honest validator is among them.
    bool exceeds_one_third(uint64_t stake) const noexcept { return 3 * stake > total_; }

    friend bool operator==(const ValidatorSet& a, const ValidatorSet& b) {
        return a.validators_ == b.validators_;
    }

private:
    std::vector<Validator> validators_;
    uint64_t total_ = 0;
};

}  // namespace trellis::consensus
