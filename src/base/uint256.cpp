#include "base/uint256.hpp"

#include <algorithm>

#include "base/assert.hpp"

namespace trellis {

uint256 uint256::from_be(ByteView be) noexcept {
    TRELLIS_ASSERT(be.size() <= 32);
    uint256 r;
    const size_t n = be.size();
    for (size_t i = 0; i < n; ++i) {
        const size_t bit_pos = (n - 1 - i) * 8;
        r.w[bit_pos / 64] |= uint64_t(be[i]) << (bit_pos % 64);
    }
    return r;
}

void uint256::store_be(uint8_t* out) const noexcept {
    for (int i = 0; i < 4; ++i) {
        const uint64_t limb = w[3 - i];
        for (int j = 0; j < 8; ++j) out[8 * i + j] = uint8_t(limb >> (56 - 8 * j));
    }
}

Bytes32 uint256::to_be() const noexcept {
    Bytes32 r;
    store_be(r.data());
    return r;
}

Bytes uint256::to_be_trimmed() const {
    const auto full = to_be();
    const unsigned n = byte_length();
    return Bytes(full.bytes.end() - n, full.bytes.end());
}

std::string to_string(const uint256& v) {
    if (v.is_zero()) return "0";
    std::string out;
    uint256 x = v;
    while (!x.is_zero()) {
        // Divide by 10 limb by limb from the top.
        unsigned __int128 rem = 0;
        for (int i = 3; i >= 0; --i) {
            const unsigned __int128 cur = (rem << 64) | x.w[i];
            x.w[i] = uint64_t(cur / 10);
            rem = cur % 10;
        }
        out.push_back(char('0' + int(rem)));
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::string to_hex_quantity(const uint256& v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    if (v.is_zero()) return "0x0";
    std::string out = "0x";
    bool started = false;
    for (int i = 63; i >= 0; --i) {
        const unsigned nib = unsigned(v.w[i / 16] >> ((i % 16) * 4)) & 0xf;
        if (!started && nib == 0) continue;
        started = true;
        out.push_back(kDigits[nib]);
    }
    return out;
}

}  // namespace trellis
