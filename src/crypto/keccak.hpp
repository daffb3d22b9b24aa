#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.hpp"

namespace trellis::crypto {

/// Keccak-256 as Ethereum uses it: Keccak[c=512] with the original multi-rate
/// padding (domain byte 0x01), NOT FIPS-202 SHA3-256 (domain byte 0x06). The two
/// share the permutation and rate and differ only in that padding byte.
Hash32 keccak256(ByteView data) noexcept;

/// Incremental Keccak-256: feed any number of update() calls, then finalize()
/// once. Equal to keccak256() of the concatenated input. A plain value type
/// (no heap); not thread-safe, copyable to fork a running hash.
class Keccak256 {
public:
    /// Sponge rate in bytes: 1600 - 2 * 256 bits.
    static constexpr size_t kRate = 136;

    Keccak256() noexcept = default;

    void update(ByteView data) noexcept;
    /// Pads, squeezes and returns the digest. The object must not be updated or
    /// finalized again afterwards (a TRELLIS_ASSERT catches it).
    Hash32 finalize() noexcept;

private:
    uint64_t state_[25]{};
    uint8_t buffer_[kRate]{};
    size_t buffered_ = 0;
    bool finalized_ = false;
};

/// The Keccak-f[1600] permutation over 25 little-endian lanes, lane (x, y) at
/// index x + 5y (FIPS 202 §3.1.4 ordering). Exposed for the benchmark and for
/// other sponge constructions.
void keccak_f1600(uint64_t state[25]) noexcept;

}  // namespace trellis::crypto
