#include "crypto/hash.hpp"

#include "crypto/openssl_detail.hpp"

namespace trellis::crypto {

Hash32 sha256(ByteView data) noexcept {
    Hash32 out;
    detail::digest(detail::algorithms().sha256, data, out.data());
    return out;
}

FixedBytes<20> ripemd160(ByteView data) noexcept {
    FixedBytes<20> out;
    detail::digest(detail::algorithms().ripemd160, data, out.data());
    return out;
}

}  // namespace trellis::crypto
