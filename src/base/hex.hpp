#pragma once

#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace trellis {

enum class HexError {
    kOddLength,      ///< an odd number of hex digits
    kInvalidDigit,   ///< a character outside [0-9a-fA-F]
    kWrongLength,    ///< decodes to a different size than the fixed type needs
};

const char* to_string(HexError e) noexcept;

/// Lower-case hex of v, without a prefix.
std::string to_hex(ByteView v);
/// Lower-case hex of v with a "0x" prefix.
std::string to_0x_hex(ByteView v);

/// Decodes hex with an optional "0x"/"0X" prefix; "" and "0x" give empty bytes.
Result<Bytes, HexError> from_hex(std::string_view s);

/// Decodes hex into a fixed-size value; the digit count must match exactly.
template <class Fixed>
Result<Fixed, HexError> fixed_from_hex(std::string_view s) {
    auto b = from_hex(s);
    if (!b) return Unexpected{b.error()};
    if (b->size() != Fixed::kSize) return Unexpected{HexError::kWrongLength};
    return Fixed::from(*b);
}

}  // namespace trellis
