#include "crypto/openssl_detail.hpp"

#include <openssl/provider.h>

#include <cstdio>
#include <cstdlib>

#include "base/assert.hpp"

namespace trellis::crypto::detail {
namespace {

[[noreturn]] void missing(const char* what) {
    std::fprintf(stderr, "trellis crypto: OpenSSL algorithm %s is not available\n", what);
    std::abort();
}

EVP_MD* fetch_md(const char* name) {
    EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
    if (!md) missing(name);
    return md;
}

EVP_CIPHER* fetch_cipher(const char* name) {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, name, nullptr);
    if (!c) missing(name);
    return c;
}

// RIPEMD-160 moved to the legacy provider in OpenSSL 3.0.0 and came back to
// the default provider in 3.0.7. Try the default first; only if that fails
// load the legacy provider (and the default explicitly, since loading any
// provider by hand stops OpenSSL from auto-loading the default one).
EVP_MD* fetch_ripemd160() {
    if (EVP_MD* md = EVP_MD_fetch(nullptr, "RIPEMD160", nullptr)) return md;
    OSSL_PROVIDER_load(nullptr, "default");
    if (!OSSL_PROVIDER_load(nullptr, "legacy")) missing("RIPEMD160 (legacy provider)");
    return fetch_md("RIPEMD160");
}

}  // namespace

const Algorithms& algorithms() {
    // C++ guarantees this initialiser runs once even under concurrent first use.
    static const Algorithms algos{
        .sha256 = fetch_md("SHA2-256"),
        .ripemd160 = fetch_ripemd160(),
        .sm3 = fetch_md("SM3"),
        .sm4_ecb = fetch_cipher("SM4-ECB"),
        .sm4_cbc = fetch_cipher("SM4-CBC"),
        .sm4_ctr = fetch_cipher("SM4-CTR"),
        .sm4_ofb = fetch_cipher("SM4-OFB"),
        .sm4_cfb = fetch_cipher("SM4-CFB"),
    };
    return algos;
}

void digest(const EVP_MD* md, ByteView data, uint8_t* out) noexcept {
    thread_local MdCtxPtr ctx(EVP_MD_CTX_new());
    TRELLIS_ASSERT(ctx);
    unsigned int len = 0;
    const bool ok = EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
                    EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx.get(), out, &len) == 1;
    TRELLIS_ASSERT(ok);
}

}  // namespace trellis::crypto::detail
