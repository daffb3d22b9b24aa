#include "base/hex.hpp"

namespace trellis {

const char* to_string(HexError e) noexcept {
    switch (e) {
        case HexError::kOddLength: return "odd number of hex digits";
        case HexError::kInvalidDigit: return "invalid hex digit";
        case HexError::kWrongLength: return "wrong length";
    }
    return "unknown hex error";
}

namespace {
constexpr char kDigits[] = "0123456789abcdef";

int digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string to_hex(ByteView v) {
    std::string s(v.size() * 2, '\0');
    for (size_t i = 0; i < v.size(); ++i) {
        s[2 * i] = kDigits[v[i] >> 4];
        s[2 * i + 1] = kDigits[v[i] & 0xf];
    }
    return s;
}

std::string to_0x_hex(ByteView v) { return "0x" + to_hex(v); }

Result<Bytes, HexError> from_hex(std::string_view s) {
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    if (s.size() % 2 != 0) return Unexpected{HexError::kOddLength};
    Bytes out(s.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = digit_value(s[2 * i]);
        const int lo = digit_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return Unexpected{HexError::kInvalidDigit};
        out[i] = static_cast<uint8_t>((hi << 4) | lo);
    }
    return out;
}

}  // namespace trellis
