#pragma once
// Internal to the crypto module: shared OpenSSL plumbing (fetched algorithm
// objects, RAII owners). Not part of the public API; other modules must not
// include it.

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>

#include "base/bytes.hpp"

namespace trellis::crypto::detail {

struct EvpMdCtxFree {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct EvpPkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct EvpPkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct EvpCipherCtxFree {
    void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
struct BnFree {
    void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

/// Algorithms fetched once per process (thread-safe lazy init); the pointers
/// stay valid for the life of the process. A missing algorithm is an
/// environment defect and aborts with a message at first use.
struct Algorithms {
    EVP_MD* sha256;
    EVP_MD* ripemd160;
    EVP_MD* sm3;
    EVP_CIPHER* sm4_ecb;
    EVP_CIPHER* sm4_cbc;
    EVP_CIPHER* sm4_ctr;
    EVP_CIPHER* sm4_ofb;
    EVP_CIPHER* sm4_cfb;
};
const Algorithms& algorithms();

/// One-shot digest of data with md into out (md's size bytes) using a
/// per-thread reusable context, so the hot path does not allocate.
void digest(const EVP_MD* md, ByteView data, uint8_t* out) noexcept;

}  // namespace trellis::crypto::detail
