#include "crypto/sm3.hpp"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "base/assert.hpp"
#include "crypto/openssl_detail.hpp"

namespace trellis::crypto {

Hash32 sm3(ByteView data) noexcept {
    Hash32 out;
    detail::digest(detail::algorithms().sm3, data, out.data());
    return out;
}

Hash32 hmac_sm3(ByteView key, ByteView data) noexcept {
    Hash32 out;
    unsigned int len = 0;
    // HMAC() takes an int key length; keys beyond 2 GiB are not a use case.
    TRELLIS_ASSERT(key.size() <= 0x7fffffff);
    static const uint8_t kEmpty = 0;  // HMAC() rejects a null key pointer
    const uint8_t* k = key.empty() ? &kEmpty : key.data();
    const bool ok = HMAC(detail::algorithms().sm3, k, int(key.size()), data.data(), data.size(), out.data(),
                         &len) != nullptr;
    TRELLIS_ASSERT(ok && len == 32);
    return out;
}

bool hmac_sm3_verify(ByteView key, ByteView data, ByteView tag) noexcept {
    if (tag.size() < kMinHmacTag || tag.size() > 32) return false;
    const Hash32 full = hmac_sm3(key, data);
    return CRYPTO_memcmp(full.data(), tag.data(), tag.size()) == 0;
}

}  // namespace trellis::crypto
