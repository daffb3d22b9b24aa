#pragma once

#include "base/bytes.hpp"

namespace trellis::crypto {

/// SHA-256 (FIPS 180-4), via OpenSSL. Thread-safe; does not allocate after the
/// first call on a thread.
Hash32 sha256(ByteView data) noexcept;

/// RIPEMD-160, via OpenSSL (default provider, or the legacy provider on
/// OpenSSL builds that moved it there). Thread-safe.
FixedBytes<20> ripemd160(ByteView data) noexcept;

}  // namespace trellis::crypto
