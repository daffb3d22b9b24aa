#include "crypto/kdf.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>
#include <vector>

#include "base/assert.hpp"

namespace trellis::crypto {

namespace {

// scrypt's core (RFC 7914 §3-5), written here: OpenSSL enforces
// N < 2^(16 r), which rejects key files that go-ethereum and ethers.js
// accept (the Web3 Secret Storage test vector uses N = 2^18 with r = 1).
inline uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

void salsa20_8(uint32_t b[16]) {
    uint32_t x[16];
    std::memcpy(x, b, sizeof(x));
    for (int i = 0; i < 8; i += 2) {
        x[4] ^= rotl(x[0] + x[12], 7);   x[8] ^= rotl(x[4] + x[0], 9);
        x[12] ^= rotl(x[8] + x[4], 13);  x[0] ^= rotl(x[12] + x[8], 18);
        x[9] ^= rotl(x[5] + x[1], 7);    x[13] ^= rotl(x[9] + x[5], 9);
        x[1] ^= rotl(x[13] + x[9], 13);  x[5] ^= rotl(x[1] + x[13], 18);
        x[14] ^= rotl(x[10] + x[6], 7);  x[2] ^= rotl(x[14] + x[10], 9);
        x[6] ^= rotl(x[2] + x[14], 13);  x[10] ^= rotl(x[6] + x[2], 18);
        x[3] ^= rotl(x[15] + x[11], 7);  x[7] ^= rotl(x[3] + x[15], 9);
        x[11] ^= rotl(x[7] + x[3], 13);  x[15] ^= rotl(x[11] + x[7], 18);
        x[1] ^= rotl(x[0] + x[3], 7);    x[2] ^= rotl(x[1] + x[0], 9);
        x[3] ^= rotl(x[2] + x[1], 13);   x[0] ^= rotl(x[3] + x[2], 18);
        x[6] ^= rotl(x[5] + x[4], 7);    x[7] ^= rotl(x[6] + x[5], 9);
        x[4] ^= rotl(x[7] + x[6], 13);   x[5] ^= rotl(x[4] + x[7], 18);
        x[11] ^= rotl(x[10] + x[9], 7);  x[8] ^= rotl(x[11] + x[10], 9);
        x[9] ^= rotl(x[8] + x[11], 13);  x[10] ^= rotl(x[9] + x[8], 18);
        x[12] ^= rotl(x[15] + x[14], 7); x[13] ^= rotl(x[12] + x[15], 9);
        x[14] ^= rotl(x[13] + x[12], 13); x[15] ^= rotl(x[14] + x[13], 18);
    }
    for (int i = 0; i < 16; ++i) b[i] += x[i];
}

/// BlockMix_{Salsa20/8, r}: in and out are 2r 64-byte blocks (as 32-bit words).
void block_mix(const uint32_t* in, uint32_t* out, uint32_t r) {
    uint32_t x[16];
    std::memcpy(x, in + (2 * r - 1) * 16, 64);
    for (uint32_t i = 0; i < 2 * r; ++i) {
        for (int j = 0; j < 16; ++j) x[j] ^= in[i * 16 + j];
        salsa20_8(x);
        // Even blocks go to the first half, odd to the second.
        std::memcpy(out + ((i / 2) + (i % 2) * r) * 16, x, 64);
    }
}

void ro_mix(uint8_t* block, uint32_t r, uint64_t n, std::vector<uint32_t>& v, std::vector<uint32_t>& tmp) {
    const size_t words = 32 * size_t(r);
    std::vector<uint32_t> x(words);
    for (size_t i = 0; i < words; ++i) {
        const uint8_t* p = block + 4 * i;
        x[i] = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    }
    for (uint64_t i = 0; i < n; ++i) {
        std::memcpy(v.data() + i * words, x.data(), words * 4);
        block_mix(x.data(), tmp.data(), r);
        x.swap(tmp);
    }
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t j = (uint64_t(x[(2 * r - 1) * 16]) | uint64_t(x[(2 * r - 1) * 16 + 1]) << 32) & (n - 1);
        for (size_t k = 0; k < words; ++k) x[k] ^= v[j * words + k];
        block_mix(x.data(), tmp.data(), r);
        x.swap(tmp);
    }
    for (size_t i = 0; i < words; ++i) {
        uint8_t* p = block + 4 * i;
        p[0] = uint8_t(x[i]);
        p[1] = uint8_t(x[i] >> 8);
        p[2] = uint8_t(x[i] >> 16);
        p[3] = uint8_t(x[i] >> 24);
    }
}

}  // namespace

Result<Bytes, CryptoError> scrypt(ByteView password, ByteView salt, uint64_t n, uint32_t r, uint32_t p, size_t dklen) {
    if (n < 2 || (n & (n - 1)) != 0 || r == 0 || p == 0 || dklen == 0) return Unexpected{CryptoError::kInvalidInput};
    const size_t block = 128 * size_t(r);
    auto b = pbkdf2_hmac_sha256(password, salt, 1, block * p);
    if (!b) return Unexpected{b.error()};
    std::vector<uint32_t> v(size_t(n) * 32 * r), tmp(32 * size_t(r));
    for (uint32_t i = 0; i < p; ++i) ro_mix(b->data() + i * block, r, n, v, tmp);
    return pbkdf2_hmac_sha256(password, *b, 1, dklen);
}

Result<Bytes, CryptoError> pbkdf2_hmac_sha256(ByteView password, ByteView salt, uint32_t iterations, size_t dklen) {
    if (iterations == 0 || dklen == 0) return Unexpected{CryptoError::kInvalidInput};
    Bytes out(dklen);
    if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(password.data()), int(password.size()), salt.data(),
                          int(salt.size()), int(iterations), EVP_sha256(), int(dklen), out.data()) != 1)
        return Unexpected{CryptoError::kInternal};
    return out;
}

Result<Bytes, CryptoError> aes128_ctr(ByteView key, ByteView iv, ByteView data) {
    if (key.size() != 16 || iv.size() != 16) return Unexpected{CryptoError::kInvalidInput};
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key.data(), iv.data()) != 1)
        return Unexpected{CryptoError::kInternal};
    Bytes out(data.size() + 16);
    int len = 0, tail = 0;
    if (EVP_EncryptUpdate(ctx.get(), out.data(), &len, data.data(), int(data.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &tail) != 1)
        return Unexpected{CryptoError::kInternal};
    out.resize(size_t(len + tail));
    return out;
}

Bytes random_bytes(size_t n) {
    Bytes out(n);
    TRELLIS_ASSERT(RAND_bytes(out.data(), int(n)) == 1);  // no entropy is not recoverable
    return out;
}

}  // namespace trellis::crypto
