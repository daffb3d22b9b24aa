#pragma once

// Arbitrary-precision modular exponentiation for the EVM precompile 0x05
// (EIP-198), on GMP. Gas (EIP-2565) is the EVM's business.

#include <cstddef>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace trellis::crypto {

enum class ModexpError {
    kOperandTooLarge,  ///< a declared base, exponent or modulus length exceeds the bound
};

const char* to_string(ModexpError e) noexcept;

/// EIP-7823's bound on each operand length (bytes). Before that EIP a caller
/// could declare more if it paid the gas; modexp_precompile_output takes the
/// bound as an argument so the EVM can choose per fork.
inline constexpr size_t kModexpMaxOperandSize = 1024;

/// base^exponent mod modulus, all big-endian unsigned; the result is exactly
/// modulus.size() bytes, left-padded with zeros (EIP-198). A zero modulus
/// (including an empty one) gives all zeros; 0^0 is 1 (mod modulus).
/// Cost grows with the operand sizes: callers bound them.
Bytes modexp(ByteView base, ByteView exponent, ByteView modulus);

/// The whole precompile: input is base_len | exp_len | mod_len (32-byte
/// big-endian each) then the operands, every missing byte read as zero.
/// Returns mod_len bytes. mod_len == 0 gives an empty output whatever else is
/// declared (nothing needs reading). Otherwise a length above
/// max_operand_size is refused before anything is allocated.
[[nodiscard]] Result<Bytes, ModexpError> modexp_precompile_output(
    ByteView input, size_t max_operand_size = kModexpMaxOperandSize);

}  // namespace trellis::crypto
