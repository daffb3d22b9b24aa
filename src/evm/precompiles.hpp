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

/// EIP-2565 gas of MODEXP for a full precompile input (saturates at 2^64-1).
uint64_t modexp_gas(ByteView input) noexcept;

}  // namespace trellis::evm
