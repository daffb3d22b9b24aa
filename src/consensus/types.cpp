#include "consensus/types.hpp"

#include <algorithm>

namespace trellis::consensus {

ValidatorSet::ValidatorSet(std::vector<Validator> v) : validators_(std::move(v)) {
    for (const auto& x : validators_) total_ += std::min(x.stake, kMaxStake);
}

bool ValidatorSet::well_formed() const noexcept {
    if (validators_.empty() || validators_.size() > kMaxValidators) return false;
    for (size_t i = 0; i < validators_.size(); ++i) {
        const auto& a = validators_[i];
        if (a.stake == 0 || a.stake > kMaxStake) return false;
        if (a.public_key.empty() || a.public_key.size() > kMaxPublicKeyBytes) return false;
        for (size_t j = 0; j < i; ++j)
            if (validators_[j].public_key == a.public_key) return false;
    }
    return true;
}

}  // namespace trellis::consensus
