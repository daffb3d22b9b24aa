#include "crypto/sm4.hpp"

#include <openssl/crypto.h>
#include <openssl/modes.h>

#include <cstring>

#include "base/assert.hpp"
#include "crypto/openssl_detail.hpp"

namespace trellis::crypto::sm4 {
namespace {

using detail::CipherCtxPtr;

// Runs a whole EVP cipher operation (init, update, final) into out, which
// must have room for in.size() + kBlockSize. Returns the output length, or -1
// if OpenSSL failed (only a padding check can fail on valid arguments).
long run(const EVP_CIPHER* cipher, bool encrypt, const Key& key, const uint8_t* iv, ByteView in, uint8_t* out,
         bool pad) {
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return -1;
    int n1 = 0, n2 = 0;
    if (EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv, encrypt ? 1 : 0, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), pad ? 1 : 0) != 1)
        return -1;
    // EVP lengths are int; kMaxMessage keeps inputs far below INT_MAX.
    if (!in.empty() && EVP_CipherUpdate(ctx.get(), out, &n1, in.data(), int(in.size())) != 1) return -1;
    if (EVP_CipherFinal_ex(ctx.get(), out + n1, &n2) != 1) return -1;
    return long(n1) + n2;
}

Block ecb_one(bool encrypt, const Key& key, const Block& in) {
    uint8_t out[2 * kBlockSize];
    const long n = run(detail::algorithms().sm4_ecb, encrypt, key, nullptr, in, out, false);
    TRELLIS_ASSERT(n == long(kBlockSize));
    return Block::from(ByteView(out, kBlockSize));
}

// A keyed SM4-ECB context used as the block function of OpenSSL's generic
// GCM engine.
void gcm_block(const unsigned char in[16], unsigned char out[16], const void* key) {
    int n = 0;
    auto* ctx = static_cast<EVP_CIPHER_CTX*>(const_cast<void*>(key));
    const bool ok = EVP_EncryptUpdate(ctx, out, &n, in, 16) == 1 && n == 16;
    TRELLIS_ASSERT(ok);
}

struct GcmFree {
    void operator()(GCM128_CONTEXT* p) const noexcept { CRYPTO_gcm128_release(p); }
};

Result<void, Sm4Error> check_gcm(ByteView iv, size_t tag_size, size_t length) {
    if (iv.empty() || iv.size() > kMaxGcmIv) return Unexpected{Sm4Error::kInvalidIvSize};
    // SP 800-38D §5.2.1.2: 128, 120, 112, 104 or 96 bits for general use.
    if (tag_size < 12 || tag_size > 16) return Unexpected{Sm4Error::kInvalidTagSize};
    if (length > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    return {};
}

// Both directions of GCM. On decryption the tag is checked and the plaintext
// wiped on mismatch.
Result<Bytes, Sm4Error> gcm(bool encrypt, const Key& key, ByteView iv, ByteView aad, ByteView in,
                            ByteView tag_in, size_t tag_size) {
    CipherCtxPtr ecb(EVP_CIPHER_CTX_new());
    if (!ecb ||
        EVP_EncryptInit_ex2(ecb.get(), detail::algorithms().sm4_ecb, key.data(), nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ecb.get(), 0) != 1)
        return Unexpected{Sm4Error::kInternal};
    std::unique_ptr<GCM128_CONTEXT, GcmFree> g(CRYPTO_gcm128_new(ecb.get(), gcm_block));
    if (!g) return Unexpected{Sm4Error::kInternal};
    CRYPTO_gcm128_setiv(g.get(), iv.data(), iv.size());
    if (!aad.empty() && CRYPTO_gcm128_aad(g.get(), aad.data(), aad.size()) != 0)
        return Unexpected{Sm4Error::kTooLarge};
    Bytes out(in.size() + (encrypt ? tag_size : 0));
    if (!in.empty()) {
        const int rc = encrypt ? CRYPTO_gcm128_encrypt(g.get(), in.data(), out.data(), in.size())
                               : CRYPTO_gcm128_decrypt(g.get(), in.data(), out.data(), in.size());
        if (rc != 0) return Unexpected{Sm4Error::kTooLarge};
    }
    if (encrypt) {
        CRYPTO_gcm128_tag(g.get(), out.data() + in.size(), tag_size);
        return out;
    }
    // finish() compares the first tag_size bytes of the tag in constant time.
    if (CRYPTO_gcm128_finish(g.get(), tag_in.data(), tag_size) != 0) {
        OPENSSL_cleanse(out.data(), out.size());
        return Unexpected{Sm4Error::kAuthenticationFailed};
    }
    return out;
}

Result<void, Sm4Error> check_ccm(ByteView nonce, size_t tag_size, size_t length) {
    // SP 800-38C §A.1: nonce 7..13 bytes; tag 4, 6, ..., 16 bytes.
    if (nonce.size() < 7 || nonce.size() > 13) return Unexpected{Sm4Error::kInvalidNonceSize};
    if (tag_size < 4 || tag_size > 16 || tag_size % 2) return Unexpected{Sm4Error::kInvalidTagSize};
    if (length > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    const size_t q = 15 - nonce.size();  // bytes of the length field
    if (q < sizeof(size_t) && (length >> (8 * q)) != 0) return Unexpected{Sm4Error::kTooLarge};
    return {};
}

// Counter block i for CCM (SP 800-38C §A.3): flags = q - 1, nonce, [i]_q.
Block ccm_counter(ByteView nonce, uint64_t i) {
    Block b;
    const size_t q = 15 - nonce.size();
    b[0] = uint8_t(q - 1);
    std::memcpy(b.data() + 1, nonce.data(), nonce.size());
    for (size_t k = 0; k < q && k < 8; ++k) b[15 - k] = uint8_t(i >> (8 * k));
    return b;
}

// The CCM tag before masking: CBC-MAC over B0 || encoded AAD || payload,
// each part zero-padded to whole blocks (SP 800-38C §A.2). The CBC-MAC is the
// last block of SM4-CBC with a zero IV over the formatted input.
Result<Block, Sm4Error> ccm_mac(const Key& key, ByteView nonce, ByteView aad, ByteView payload,
                                size_t tag_size) {
    const size_t q = 15 - nonce.size();
    Bytes b;
    b.reserve(2 * kBlockSize + aad.size() + payload.size() + 2 * kBlockSize);
    b.push_back(uint8_t((aad.empty() ? 0 : 0x40) | (((tag_size - 2) / 2) << 3) | (q - 1)));
    append(b, nonce);
    for (size_t k = q; k-- > 0;) b.push_back(k < 8 ? uint8_t(uint64_t(payload.size()) >> (8 * k)) : 0);
    if (!aad.empty()) {
        const uint64_t a = aad.size();
        if (a < 0xff00) {
            b.push_back(uint8_t(a >> 8));
            b.push_back(uint8_t(a));
        } else if (a <= 0xffffffffu) {
            b.push_back(0xff);
            b.push_back(0xfe);
            for (int k = 3; k >= 0; --k) b.push_back(uint8_t(a >> (8 * k)));
        } else {
            b.push_back(0xff);
            b.push_back(0xff);
            for (int k = 7; k >= 0; --k) b.push_back(uint8_t(a >> (8 * k)));
        }
        append(b, aad);
        b.resize((b.size() + kBlockSize - 1) / kBlockSize * kBlockSize, 0);
    }
    append(b, payload);
    b.resize((b.size() + kBlockSize - 1) / kBlockSize * kBlockSize, 0);
    Bytes out(b.size() + kBlockSize);
    const Block zero_iv{};
    const long n = run(detail::algorithms().sm4_cbc, true, key, zero_iv.data(), b, out.data(), false);
    if (n != long(b.size())) return Unexpected{Sm4Error::kInternal};
    return Block::from(ByteView(out.data() + n - kBlockSize, kBlockSize));
}

}  // namespace

const char* to_string(Sm4Error e) noexcept {
    switch (e) {
        case Sm4Error::kInvalidIvSize:
            return "invalid SM4 IV size";
        case Sm4Error::kInvalidNonceSize:
            return "invalid SM4-CCM nonce size";
        case Sm4Error::kInvalidTagSize:
            return "invalid SM4 authentication tag size";
        case Sm4Error::kInvalidLength:
            return "SM4 input length is not valid for this mode";
        case Sm4Error::kBadPadding:
            return "bad SM4-CBC padding";
        case Sm4Error::kAuthenticationFailed:
            return "SM4 authentication failed";
        case Sm4Error::kTooLarge:
            return "SM4 input too large";
        case Sm4Error::kInternal:
            return "internal SM4 failure";
    }
    return "unknown SM4 error";
}

Block encrypt_block(const Key& key, const Block& in) noexcept {
    return ecb_one(true, key, in);
}
Block decrypt_block(const Key& key, const Block& in) noexcept {
    return ecb_one(false, key, in);
}

Result<Bytes, Sm4Error> cbc_encrypt(const Key& key, const Block& iv, ByteView plaintext, Padding padding) {
    if (plaintext.size() > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    const bool pad = padding == Padding::kPkcs7;
    if (!pad && plaintext.size() % kBlockSize) return Unexpected{Sm4Error::kInvalidLength};
    Bytes out(plaintext.size() + kBlockSize);
    const long n = run(detail::algorithms().sm4_cbc, true, key, iv.data(), plaintext, out.data(), pad);
    if (n < 0) return Unexpected{Sm4Error::kInternal};
    out.resize(size_t(n));
    return out;
}

Result<Bytes, Sm4Error> cbc_decrypt(const Key& key, const Block& iv, ByteView ciphertext, Padding padding) {
    if (ciphertext.size() > kMaxMessage + kBlockSize) return Unexpected{Sm4Error::kTooLarge};
    const bool pad = padding == Padding::kPkcs7;
    if (ciphertext.size() % kBlockSize || (pad && ciphertext.empty()))
        return Unexpected{Sm4Error::kInvalidLength};
    Bytes out(ciphertext.size() + kBlockSize);
    const long n = run(detail::algorithms().sm4_cbc, false, key, iv.data(), ciphertext, out.data(), pad);
    if (n < 0) {
        OPENSSL_cleanse(out.data(), out.size());
        return Unexpected{pad ? Sm4Error::kBadPadding : Sm4Error::kInternal};
    }
    out.resize(size_t(n));
    return out;
}

Result<Bytes, Sm4Error> ctr_crypt(const Key& key, const Block& iv, ByteView data) {
    if (data.size() > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    Bytes out(data.size() + kBlockSize);
    const long n = run(detail::algorithms().sm4_ctr, true, key, iv.data(), data, out.data(), false);
    if (n != long(data.size())) return Unexpected{Sm4Error::kInternal};
    out.resize(size_t(n));
    return out;
}

Result<Bytes, Sm4Error> ofb_crypt(const Key& key, const Block& iv, ByteView data) {
    if (data.size() > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    Bytes out(data.size() + kBlockSize);
    const long n = run(detail::algorithms().sm4_ofb, true, key, iv.data(), data, out.data(), false);
    if (n != long(data.size())) return Unexpected{Sm4Error::kInternal};
    out.resize(size_t(n));
    return out;
}

Result<Bytes, Sm4Error> cfb_encrypt(const Key& key, const Block& iv, ByteView data) {
    if (data.size() > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    Bytes out(data.size() + kBlockSize);
    const long n = run(detail::algorithms().sm4_cfb, true, key, iv.data(), data, out.data(), false);
    if (n != long(data.size())) return Unexpected{Sm4Error::kInternal};
    out.resize(size_t(n));
    return out;
}

Result<Bytes, Sm4Error> cfb_decrypt(const Key& key, const Block& iv, ByteView data) {
    if (data.size() > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    Bytes out(data.size() + kBlockSize);
    const long n = run(detail::algorithms().sm4_cfb, false, key, iv.data(), data, out.data(), false);
    if (n != long(data.size())) return Unexpected{Sm4Error::kInternal};
    out.resize(size_t(n));
    return out;
}

Result<Bytes, Sm4Error> gcm_encrypt(const Key& key, ByteView iv, ByteView aad, ByteView plaintext,
                                    size_t tag_size) {
    if (auto c = check_gcm(iv, tag_size, plaintext.size()); !c) return Unexpected{c.error()};
    if (aad.size() > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    return gcm(true, key, iv, aad, plaintext, {}, tag_size);
}

Result<Bytes, Sm4Error> gcm_decrypt(const Key& key, ByteView iv, ByteView aad, ByteView ciphertext_and_tag,
                                    size_t tag_size) {
    if (auto c = check_gcm(iv, tag_size, 0); !c) return Unexpected{c.error()};
    if (ciphertext_and_tag.size() < tag_size) return Unexpected{Sm4Error::kInvalidLength};
    const size_t n = ciphertext_and_tag.size() - tag_size;
    if (auto c = check_gcm(iv, tag_size, n); !c) return Unexpected{c.error()};
    if (aad.size() > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    return gcm(false, key, iv, aad, ciphertext_and_tag.first(n), ciphertext_and_tag.subspan(n), tag_size);
}

Result<Bytes, Sm4Error> ccm_encrypt(const Key& key, ByteView nonce, ByteView aad, ByteView plaintext,
                                    size_t tag_size) {
    if (auto c = check_ccm(nonce, tag_size, plaintext.size()); !c) return Unexpected{c.error()};
    if (aad.size() > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    auto mac = ccm_mac(key, nonce, aad, plaintext, tag_size);
    if (!mac) return Unexpected{mac.error()};
    auto body = ctr_crypt(key, ccm_counter(nonce, 1), plaintext);
    if (!body) return Unexpected{body.error()};
    const Block s0 = encrypt_block(key, ccm_counter(nonce, 0));
    Bytes out = std::move(*body);
    for (size_t i = 0; i < tag_size; ++i) out.push_back(uint8_t((*mac)[i] ^ s0[i]));
    return out;
}

Result<Bytes, Sm4Error> ccm_decrypt(const Key& key, ByteView nonce, ByteView aad, ByteView ciphertext_and_tag,
                                    size_t tag_size) {
    if (auto c = check_ccm(nonce, tag_size, 0); !c) return Unexpected{c.error()};
    if (ciphertext_and_tag.size() < tag_size) return Unexpected{Sm4Error::kInvalidLength};
    const size_t n = ciphertext_and_tag.size() - tag_size;
    if (auto c = check_ccm(nonce, tag_size, n); !c) return Unexpected{c.error()};
    if (aad.size() > kMaxMessage) return Unexpected{Sm4Error::kTooLarge};
    auto plain = ctr_crypt(key, ccm_counter(nonce, 1), ciphertext_and_tag.first(n));
    if (!plain) return Unexpected{plain.error()};
    auto mac = ccm_mac(key, nonce, aad, *plain, tag_size);
    if (!mac) return Unexpected{mac.error()};
    const Block s0 = encrypt_block(key, ccm_counter(nonce, 0));
    uint8_t expect[kBlockSize];
    for (size_t i = 0; i < tag_size; ++i) expect[i] = uint8_t((*mac)[i] ^ s0[i]);
    if (CRYPTO_memcmp(expect, ciphertext_and_tag.data() + n, tag_size) != 0) {
        OPENSSL_cleanse(plain->data(), plain->size());
        return Unexpected{Sm4Error::kAuthenticationFailed};
    }
    return std::move(*plain);
}

}  // namespace trellis::crypto::sm4
