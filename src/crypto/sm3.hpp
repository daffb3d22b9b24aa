#pragma once

#include "base/bytes.hpp"

namespace trellis::crypto {

/// SM3 (GB/T 32905-2016), via OpenSSL. Thread-safe.
Hash32 sm3(ByteView data) noexcept;

/// HMAC-SM3 (RFC 2104 with SM3), full 32-byte tag. Keys of any length are
/// accepted, as HMAC defines (longer than the 64-byte block are hashed first).
Hash32 hmac_sm3(ByteView key, ByteView data) noexcept;

/// Checks a possibly truncated HMAC-SM3 tag in constant time. Tags shorter
/// than kMinHmacTag bytes are refused (truncation below 128 bits weakens the
/// MAC below the module's security level).
bool hmac_sm3_verify(ByteView key, ByteView data, ByteView tag) noexcept;

inline constexpr size_t kMinHmacTag = 16;

}  // namespace trellis::crypto
