#pragma once

#include <cstdint>

namespace trellis::evm {

/// The EVM rule sets Trellis executes. Fixtures run at Cancun; a Trellis chain
/// runs kTrellis, which is Cancun plus CLZ (EIP-7939) and the P-256
/// verification precompile at 0x100 (EIP-7951). Blob transactions never exist
/// on Trellis, so BLOBHASH reads an empty list and BLOBBASEFEE a fixed value.
enum class Revision : uint8_t {
    kShanghai,  ///< PUSH0, EIP-3860 initcode limits
    kCancun,    ///< + TLOAD/TSTORE, MCOPY, BLOBHASH/BLOBBASEFEE, EIP-6780 SELFDESTRUCT
    kTrellis,   ///< + CLZ, P-256 precompile
};
inline constexpr int kNumRevisions = 3;

constexpr const char* to_string(Revision r) noexcept {
    switch (r) {
        case Revision::kShanghai: return "Shanghai";
        case Revision::kCancun: return "Cancun";
        case Revision::kTrellis: return "Trellis";
    }
    return "?";
}

}  // namespace trellis::evm
