#include "crypto/keccak.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "base/assert.hpp"

namespace trellis::crypto {
namespace {

// Keccak reference, "The Keccak reference" v3.0 §1.2: iota round constants.
constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

inline uint64_t rotl(uint64_t v, int n) noexcept {
    return std::rotl(v, n);
}

inline uint64_t load_le64(const uint8_t* p) noexcept {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return v;
}

inline void store_le64(uint8_t* p, uint64_t v) noexcept {
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    std::memcpy(p, &v, 8);
}

// Absorbs nblocks full rate-sized blocks from p (none when kAbsorb is false:
// then it is one bare permutation). The 25 lanes live in locals for the whole
// call so the compiler can keep them in registers across blocks; each round
// is written out in full (generated code: theta, then per output plane rho+pi,
// chi, iota), two rounds per loop turn so the lanes swap between the a- and
// e-sets without copies.
template <bool kAbsorb>
inline void permute_blocks(uint64_t* st, const uint8_t* p, size_t nblocks) noexcept {
    uint64_t a00 = st[0];
    uint64_t a10 = st[1];
    uint64_t a20 = st[2];
    uint64_t a30 = st[3];
    uint64_t a40 = st[4];
    uint64_t a01 = st[5];
    uint64_t a11 = st[6];
    uint64_t a21 = st[7];
    uint64_t a31 = st[8];
    uint64_t a41 = st[9];
    uint64_t a02 = st[10];
    uint64_t a12 = st[11];
    uint64_t a22 = st[12];
    uint64_t a32 = st[13];
    uint64_t a42 = st[14];
    uint64_t a03 = st[15];
    uint64_t a13 = st[16];
    uint64_t a23 = st[17];
    uint64_t a33 = st[18];
    uint64_t a43 = st[19];
    uint64_t a04 = st[20];
    uint64_t a14 = st[21];
    uint64_t a24 = st[22];
    uint64_t a34 = st[23];
    uint64_t a44 = st[24];
    uint64_t e00, e10, e20, e30, e40, e01, e11, e21, e31, e41, e02, e12, e22, e32, e42, e03, e13, e23, e33,
        e43, e04, e14, e24, e34, e44;
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4;
    for (size_t blk = 0; blk < nblocks; ++blk) {
        if constexpr (kAbsorb) {
            a00 ^= load_le64(p + 0);
            a10 ^= load_le64(p + 8);
            a20 ^= load_le64(p + 16);
            a30 ^= load_le64(p + 24);
            a40 ^= load_le64(p + 32);
            a01 ^= load_le64(p + 40);
            a11 ^= load_le64(p + 48);
            a21 ^= load_le64(p + 56);
            a31 ^= load_le64(p + 64);
            a41 ^= load_le64(p + 72);
            a02 ^= load_le64(p + 80);
            a12 ^= load_le64(p + 88);
            a22 ^= load_le64(p + 96);
            a32 ^= load_le64(p + 104);
            a42 ^= load_le64(p + 112);
            a03 ^= load_le64(p + 120);
            a13 ^= load_le64(p + 128);
            p += Keccak256::kRate;
        }
        for (int i = 0; i < 24; i += 2) {
            c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
            c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
            c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
            c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
            c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
            d0 = c4 ^ rotl(c1, 1);
            d1 = c0 ^ rotl(c2, 1);
            d2 = c1 ^ rotl(c3, 1);
            d3 = c2 ^ rotl(c4, 1);
            d4 = c3 ^ rotl(c0, 1);
            b0 = (a00 ^ d0);
            b1 = rotl(a11 ^ d1, 44);
            b2 = rotl(a22 ^ d2, 43);
            b3 = rotl(a33 ^ d3, 21);
            b4 = rotl(a44 ^ d4, 14);
            e00 = b0 ^ (~b1 & b2) ^ kRoundConstants[i];
            e10 = b1 ^ (~b2 & b3);
            e20 = b2 ^ (~b3 & b4);
            e30 = b3 ^ (~b4 & b0);
            e40 = b4 ^ (~b0 & b1);
            b0 = rotl(a30 ^ d3, 28);
            b1 = rotl(a41 ^ d4, 20);
            b2 = rotl(a02 ^ d0, 3);
            b3 = rotl(a13 ^ d1, 45);
            b4 = rotl(a24 ^ d2, 61);
            e01 = b0 ^ (~b1 & b2);
            e11 = b1 ^ (~b2 & b3);
            e21 = b2 ^ (~b3 & b4);
            e31 = b3 ^ (~b4 & b0);
            e41 = b4 ^ (~b0 & b1);
            b0 = rotl(a10 ^ d1, 1);
            b1 = rotl(a21 ^ d2, 6);
            b2 = rotl(a32 ^ d3, 25);
            b3 = rotl(a43 ^ d4, 8);
            b4 = rotl(a04 ^ d0, 18);
            e02 = b0 ^ (~b1 & b2);
            e12 = b1 ^ (~b2 & b3);
            e22 = b2 ^ (~b3 & b4);
            e32 = b3 ^ (~b4 & b0);
            e42 = b4 ^ (~b0 & b1);
            b0 = rotl(a40 ^ d4, 27);
            b1 = rotl(a01 ^ d0, 36);
            b2 = rotl(a12 ^ d1, 10);
            b3 = rotl(a23 ^ d2, 15);
            b4 = rotl(a34 ^ d3, 56);
            e03 = b0 ^ (~b1 & b2);
            e13 = b1 ^ (~b2 & b3);
            e23 = b2 ^ (~b3 & b4);
            e33 = b3 ^ (~b4 & b0);
            e43 = b4 ^ (~b0 & b1);
            b0 = rotl(a20 ^ d2, 62);
            b1 = rotl(a31 ^ d3, 55);
            b2 = rotl(a42 ^ d4, 39);
            b3 = rotl(a03 ^ d0, 41);
            b4 = rotl(a14 ^ d1, 2);
            e04 = b0 ^ (~b1 & b2);
            e14 = b1 ^ (~b2 & b3);
            e24 = b2 ^ (~b3 & b4);
            e34 = b3 ^ (~b4 & b0);
            e44 = b4 ^ (~b0 & b1);

            c0 = e00 ^ e01 ^ e02 ^ e03 ^ e04;
            c1 = e10 ^ e11 ^ e12 ^ e13 ^ e14;
            c2 = e20 ^ e21 ^ e22 ^ e23 ^ e24;
            c3 = e30 ^ e31 ^ e32 ^ e33 ^ e34;
            c4 = e40 ^ e41 ^ e42 ^ e43 ^ e44;
            d0 = c4 ^ rotl(c1, 1);
            d1 = c0 ^ rotl(c2, 1);
            d2 = c1 ^ rotl(c3, 1);
            d3 = c2 ^ rotl(c4, 1);
            d4 = c3 ^ rotl(c0, 1);
            b0 = (e00 ^ d0);
            b1 = rotl(e11 ^ d1, 44);
            b2 = rotl(e22 ^ d2, 43);
            b3 = rotl(e33 ^ d3, 21);
            b4 = rotl(e44 ^ d4, 14);
            a00 = b0 ^ (~b1 & b2) ^ kRoundConstants[i + 1];
            a10 = b1 ^ (~b2 & b3);
            a20 = b2 ^ (~b3 & b4);
            a30 = b3 ^ (~b4 & b0);
            a40 = b4 ^ (~b0 & b1);
            b0 = rotl(e30 ^ d3, 28);
            b1 = rotl(e41 ^ d4, 20);
            b2 = rotl(e02 ^ d0, 3);
            b3 = rotl(e13 ^ d1, 45);
            b4 = rotl(e24 ^ d2, 61);
            a01 = b0 ^ (~b1 & b2);
            a11 = b1 ^ (~b2 & b3);
            a21 = b2 ^ (~b3 & b4);
            a31 = b3 ^ (~b4 & b0);
            a41 = b4 ^ (~b0 & b1);
            b0 = rotl(e10 ^ d1, 1);
            b1 = rotl(e21 ^ d2, 6);
            b2 = rotl(e32 ^ d3, 25);
            b3 = rotl(e43 ^ d4, 8);
            b4 = rotl(e04 ^ d0, 18);
            a02 = b0 ^ (~b1 & b2);
            a12 = b1 ^ (~b2 & b3);
            a22 = b2 ^ (~b3 & b4);
            a32 = b3 ^ (~b4 & b0);
            a42 = b4 ^ (~b0 & b1);
            b0 = rotl(e40 ^ d4, 27);
            b1 = rotl(e01 ^ d0, 36);
            b2 = rotl(e12 ^ d1, 10);
            b3 = rotl(e23 ^ d2, 15);
            b4 = rotl(e34 ^ d3, 56);
            a03 = b0 ^ (~b1 & b2);
            a13 = b1 ^ (~b2 & b3);
            a23 = b2 ^ (~b3 & b4);
            a33 = b3 ^ (~b4 & b0);
            a43 = b4 ^ (~b0 & b1);
            b0 = rotl(e20 ^ d2, 62);
            b1 = rotl(e31 ^ d3, 55);
            b2 = rotl(e42 ^ d4, 39);
            b3 = rotl(e03 ^ d0, 41);
            b4 = rotl(e14 ^ d1, 2);
            a04 = b0 ^ (~b1 & b2);
            a14 = b1 ^ (~b2 & b3);
            a24 = b2 ^ (~b3 & b4);
            a34 = b3 ^ (~b4 & b0);
            a44 = b4 ^ (~b0 & b1);
        }
    }
    st[0] = a00;
    st[1] = a10;
    st[2] = a20;
    st[3] = a30;
    st[4] = a40;
    st[5] = a01;
    st[6] = a11;
    st[7] = a21;
    st[8] = a31;
    st[9] = a41;
    st[10] = a02;
    st[11] = a12;
    st[12] = a22;
    st[13] = a32;
    st[14] = a42;
    st[15] = a03;
    st[16] = a13;
    st[17] = a23;
    st[18] = a33;
    st[19] = a43;
    st[20] = a04;
    st[21] = a14;
    st[22] = a24;
    st[23] = a34;
    st[24] = a44;
}

// Pads the final partial block (0x01 ... 0x80, Keccak's pad10*1 with the
// original domain bits) and absorbs it; tail.size() < kRate.
inline void absorb_final(uint64_t* st, ByteView tail) noexcept {
    alignas(8) uint8_t block[Keccak256::kRate]{};
    if (!tail.empty()) std::memcpy(block, tail.data(), tail.size());
    block[tail.size()] ^= 0x01;
    block[Keccak256::kRate - 1] ^= 0x80;
    permute_blocks<true>(st, block, 1);
}

inline Hash32 squeeze(const uint64_t* st) noexcept {
    Hash32 out;
    for (size_t i = 0; i < 4; ++i) store_le64(out.data() + 8 * i, st[i]);
    return out;
}

}  // namespace

void keccak_f1600(uint64_t state[25]) noexcept {
    permute_blocks<false>(state, nullptr, 1);
}

Hash32 keccak256(ByteView data) noexcept {
    uint64_t st[25]{};
    const size_t full = data.size() / Keccak256::kRate;
    if (full) permute_blocks<true>(st, data.data(), full);
    absorb_final(st, data.subspan(full * Keccak256::kRate));
    return squeeze(st);
}

void Keccak256::update(ByteView data) noexcept {
    TRELLIS_ASSERT(!finalized_);
    if (buffered_) {
        const size_t take = std::min(kRate - buffered_, data.size());
        std::memcpy(buffer_ + buffered_, data.data(), take);
        buffered_ += take;
        data = data.subspan(take);
        if (buffered_ < kRate) return;
        permute_blocks<true>(state_, buffer_, 1);
        buffered_ = 0;
    }
    const size_t full = data.size() / kRate;
    if (full) permute_blocks<true>(state_, data.data(), full);
    const ByteView rest = data.subspan(full * kRate);
    if (!rest.empty()) std::memcpy(buffer_, rest.data(), rest.size());
    buffered_ = rest.size();
}

Hash32 Keccak256::finalize() noexcept {
    TRELLIS_ASSERT(!finalized_);
    finalized_ = true;
    absorb_final(state_, ByteView(buffer_, buffered_));
    return squeeze(state_);
}

}  // namespace trellis::crypto
