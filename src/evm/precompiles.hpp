#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "evm/message.hpp"
#include "evm/revision.hpp"

namespace trellis::evm {

/// A precompiled contract: its gas function and its body. run() returns
/// false on failure (all gas consumed) and writes its output otherwise.
struct Precompile {
    const char* name;
    uint64_t (*gas)(ByteView input);
    bool (*run)(ByteView input, Bytes& output);
};

/// The precompile at address a under rev, or null. Cancun: 0x01-0x0a;
/// Trellis adds P-256 verification at 0x100 (EIP-7951).
const Precompile* find_precompile(const Address& a, Revision rev) noexcept;

/// Charges and runs p. Out of gas and failure consume all gas.
ExecResult run_precompile(const Precompile& p, ByteView input, int64_t gas);

/// True for a KZG point-evaluation input (0x0a) that is well formed: 192
/// bytes whose versioned hash matches its commitment (EIP-4844). Only the
/// proof check, which needs the KZG trusted setup Trellis does not ship, is
/// left; such calls always fail here, and Evm counts them.
bool is_well_formed_point_evaluation(ByteView input) noexcept;

/// EIP-2565 gas of MODEXP for a full precompile input (saturates at 2^64-1).
uint64_t modexp_gas(ByteView input) noexcept;

}  // namespace trellis::evm
