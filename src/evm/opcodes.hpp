#pragma once

#include <array>
#include <cstdint>

#include "evm/revision.hpp"

namespace trellis::evm {

// The opcode table, defined once: X(name, byte, static gas, stack inputs,
// stack outputs, first revision). Static gas is the Cancun cost charged before
// the instruction runs; for account and storage reads it is the warm cost
// (EIP-2929), with the cold surcharge added by the instruction itself.
#define TRELLIS_EVM_OPCODES(X)                              \
    X(STOP, 0x00, 0, 0, 0, kShanghai)                       \
    X(ADD, 0x01, 3, 2, 1, kShanghai)                        \
    X(MUL, 0x02, 5, 2, 1, kShanghai)                        \
    X(SUB, 0x03, 3, 2, 1, kShanghai)                        \
    X(DIV, 0x04, 5, 2, 1, kShanghai)                        \
    X(SDIV, 0x05, 5, 2, 1, kShanghai)                       \
    X(MOD, 0x06, 5, 2, 1, kShanghai)                        \
    X(SMOD, 0x07, 5, 2, 1, kShanghai)                       \
    X(ADDMOD, 0x08, 8, 3, 1, kShanghai)                     \
    X(MULMOD, 0x09, 8, 3, 1, kShanghai)                     \
    X(EXP, 0x0a, 10, 2, 1, kShanghai)                       \
    X(SIGNEXTEND, 0x0b, 5, 2, 1, kShanghai)                 \
    X(LT, 0x10, 3, 2, 1, kShanghai)                         \
    X(GT, 0x11, 3, 2, 1, kShanghai)                         \
    X(SLT, 0x12, 3, 2, 1, kShanghai)                        \
    X(SGT, 0x13, 3, 2, 1, kShanghai)                        \
    X(EQ, 0x14, 3, 2, 1, kShanghai)                         \
    X(ISZERO, 0x15, 3, 1, 1, kShanghai)                     \
    X(AND, 0x16, 3, 2, 1, kShanghai)                        \
    X(OR, 0x17, 3, 2, 1, kShanghai)                         \
    X(XOR, 0x18, 3, 2, 1, kShanghai)                        \
    X(NOT, 0x19, 3, 1, 1, kShanghai)                        \
    X(BYTE, 0x1a, 3, 2, 1, kShanghai)                       \
    X(SHL, 0x1b, 3, 2, 1, kShanghai)                        \
    X(SHR, 0x1c, 3, 2, 1, kShanghai)                        \
    X(SAR, 0x1d, 3, 2, 1, kShanghai)                        \
    X(CLZ, 0x1e, 5, 1, 1, kTrellis)                         \
    X(KECCAK256, 0x20, 30, 2, 1, kShanghai)                 \
    X(ADDRESS, 0x30, 2, 0, 1, kShanghai)                    \
    X(BALANCE, 0x31, 100, 1, 1, kShanghai)                  \
    X(ORIGIN, 0x32, 2, 0, 1, kShanghai)                     \
    X(CALLER, 0x33, 2, 0, 1, kShanghai)                     \
    X(CALLVALUE, 0x34, 2, 0, 1, kShanghai)                  \
    X(CALLDATALOAD, 0x35, 3, 1, 1, kShanghai)               \
    X(CALLDATASIZE, 0x36, 2, 0, 1, kShanghai)               \
    X(CALLDATACOPY, 0x37, 3, 3, 0, kShanghai)               \
    X(CODESIZE, 0x38, 2, 0, 1, kShanghai)                   \
    X(CODECOPY, 0x39, 3, 3, 0, kShanghai)                   \
    X(GASPRICE, 0x3a, 2, 0, 1, kShanghai)                   \
    X(EXTCODESIZE, 0x3b, 100, 1, 1, kShanghai)              \
    X(EXTCODECOPY, 0x3c, 100, 4, 0, kShanghai)              \
    X(RETURNDATASIZE, 0x3d, 2, 0, 1, kShanghai)             \
    X(RETURNDATACOPY, 0x3e, 3, 3, 0, kShanghai)             \
    X(EXTCODEHASH, 0x3f, 100, 1, 1, kShanghai)              \
    X(BLOCKHASH, 0x40, 20, 1, 1, kShanghai)                 \
    X(COINBASE, 0x41, 2, 0, 1, kShanghai)                   \
    X(TIMESTAMP, 0x42, 2, 0, 1, kShanghai)                  \
    X(NUMBER, 0x43, 2, 0, 1, kShanghai)                     \
    X(PREVRANDAO, 0x44, 2, 0, 1, kShanghai)                 \
    X(GASLIMIT, 0x45, 2, 0, 1, kShanghai)                   \
    X(CHAINID, 0x46, 2, 0, 1, kShanghai)                    \
    X(SELFBALANCE, 0x47, 5, 0, 1, kShanghai)                \
    X(BASEFEE, 0x48, 2, 0, 1, kShanghai)                    \
    X(BLOBHASH, 0x49, 3, 1, 1, kCancun)                     \
    X(BLOBBASEFEE, 0x4a, 2, 0, 1, kCancun)                  \
    X(POP, 0x50, 2, 1, 0, kShanghai)                        \
    X(MLOAD, 0x51, 3, 1, 1, kShanghai)                      \
    X(MSTORE, 0x52, 3, 2, 0, kShanghai)                     \
    X(MSTORE8, 0x53, 3, 2, 0, kShanghai)                    \
    X(SLOAD, 0x54, 100, 1, 1, kShanghai)                    \
    X(SSTORE, 0x55, 0, 2, 0, kShanghai)                     \
    X(JUMP, 0x56, 8, 1, 0, kShanghai)                       \
    X(JUMPI, 0x57, 10, 2, 0, kShanghai)                     \
    X(PC, 0x58, 2, 0, 1, kShanghai)                         \
    X(MSIZE, 0x59, 2, 0, 1, kShanghai)                      \
    X(GAS, 0x5a, 2, 0, 1, kShanghai)                        \
    X(JUMPDEST, 0x5b, 1, 0, 0, kShanghai)                   \
    X(TLOAD, 0x5c, 100, 1, 1, kCancun)                      \
    X(TSTORE, 0x5d, 100, 2, 0, kCancun)                     \
    X(MCOPY, 0x5e, 3, 3, 0, kCancun)                        \
    X(PUSH0, 0x5f, 2, 0, 1, kShanghai)                      \
    X(CREATE, 0xf0, 32000, 3, 1, kShanghai)                 \
    X(CALL, 0xf1, 100, 7, 1, kShanghai)                     \
    X(CALLCODE, 0xf2, 100, 7, 1, kShanghai)                 \
    X(RETURN, 0xf3, 0, 2, 0, kShanghai)                     \
    X(DELEGATECALL, 0xf4, 100, 6, 1, kShanghai)             \
    X(CREATE2, 0xf5, 32000, 4, 1, kShanghai)                \
    X(STATICCALL, 0xfa, 100, 6, 1, kShanghai)               \
    X(REVERT, 0xfd, 0, 2, 0, kShanghai)                     \
    X(INVALID, 0xfe, 0, 0, 0, kShanghai)                    \
    X(SELFDESTRUCT, 0xff, 5000, 1, 0, kShanghai)

enum Opcode : uint8_t {
#define TRELLIS_X(name, byte, gas, in, out, rev) OP_##name = byte,
    TRELLIS_EVM_OPCODES(TRELLIS_X)
#undef TRELLIS_X
    OP_PUSH1 = 0x60,
    OP_PUSH32 = 0x7f,
    OP_DUP1 = 0x80,
    OP_DUP16 = 0x8f,
    OP_SWAP1 = 0x90,
    OP_SWAP16 = 0x9f,
    OP_LOG0 = 0xa0,
    OP_LOG4 = 0xa4,
};

/// What the interpreter and the code analysis need to know of one opcode
/// under one revision.
struct OpInfo {
    const char* name = nullptr;  ///< null: undefined at this revision
    int32_t gas = 0;             ///< static gas
    int8_t stack_in = 0;         ///< items read (popped or, for DUP/SWAP, touched)
    int8_t stack_change = 0;     ///< net change of the stack height
    bool defined = false;
    /// Ends a basic block for gas accounting: control flow, halting, and the
    /// instructions whose behaviour depends on the exact gas left (GAS, calls,
    /// creates, SSTORE's EIP-2200 stipend check).
    bool ends_block = false;
};

using OpTable = std::array<OpInfo, 256>;

/// The table for one revision, built once at compile time.
const OpTable& op_table(Revision rev) noexcept;

}  // namespace trellis::evm
