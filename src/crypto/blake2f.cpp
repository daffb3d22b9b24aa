#include "crypto/blake2f.hpp"

#include <bit>

namespace trellis::crypto {

const char* to_string(Blake2fError e) noexcept {
    switch (e) {
        case Blake2fError::kInvalidInputLength: return "blake2f: input must be exactly 213 bytes";
        case Blake2fError::kInvalidFinalFlag: return "blake2f: final block flag must be 0 or 1";
    }
    return "blake2f: unknown error";
}

namespace {

// RFC 7693 section 2.6: the SHA-512 initial hash values.
constexpr uint64_t kIv[8] = {0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull,
                             0xa54ff53a5f1d36f1ull, 0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
                             0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};

// RFC 7693 section 2.7: message word permutations, used cyclically.
constexpr uint8_t kSigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

// RFC 7693 section 3.1, mixing function G.
inline void mix(uint64_t v[16], int a, int b, int c, int d, uint64_t x, uint64_t y) noexcept {
    v[a] = v[a] + v[b] + x;
    v[d] = std::rotr(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = std::rotr(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = std::rotr(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = std::rotr(v[b] ^ v[c], 63);
}

uint64_t load_le64(const uint8_t* p) noexcept {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

void store_le64(uint8_t* p, uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}

}  // namespace

void blake2b_compress(uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool final_block,
                      uint32_t rounds) noexcept {
    uint64_t v[16];
    for (int i = 0; i < 8; ++i) {
        v[i] = h[i];
        v[i + 8] = kIv[i];
    }
    v[12] ^= t[0];
    v[13] ^= t[1];
    if (final_block) v[14] = ~v[14];
    for (uint32_t r = 0; r < rounds; ++r) {
        const uint8_t* s = kSigma[r % 10];
        mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
}

uint32_t blake2f_rounds(ByteView input) noexcept {
    if (input.size() != kBlake2fInputSize) return 0;
    return (uint32_t(input[0]) << 24) | (uint32_t(input[1]) << 16) | (uint32_t(input[2]) << 8) |
           uint32_t(input[3]);
}

Result<std::array<uint8_t, 64>, Blake2fError> blake2f(ByteView input) {
    // EIP-152: the length must be exact and the flag a strict boolean.
    if (input.size() != kBlake2fInputSize) return Unexpected{Blake2fError::kInvalidInputLength};
    const uint8_t flag = input[212];
    if (flag > 1) return Unexpected{Blake2fError::kInvalidFinalFlag};
    uint64_t h[8], m[16], t[2];
    for (int i = 0; i < 8; ++i) h[i] = load_le64(input.data() + 4 + 8 * i);
    for (int i = 0; i < 16; ++i) m[i] = load_le64(input.data() + 68 + 8 * i);
    for (int i = 0; i < 2; ++i) t[i] = load_le64(input.data() + 196 + 8 * i);
    blake2b_compress(h, m, t, flag == 1, blake2f_rounds(input));
    std::array<uint8_t, 64> out;
    for (int i = 0; i < 8; ++i) store_le64(out.data() + 8 * i, h[i]);
    return out;
}

}  // namespace trellis::crypto
