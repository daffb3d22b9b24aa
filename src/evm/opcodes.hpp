#pragma once

#include <array>
#include <cstdint>

#include "evm/revision.hpp"

namespace trellis::evm {

// The opcode table, defined once: X(name, byte, static gas, stack inputs,
// stack outputs, first revision, handler). Every defined opcode has its line,
// and everything else derives from this list: the Opcode enum, the per-revision
// OpTable (and through it the code analysis), and the interpreter's labels,
// dispatch table and revision checks (interpreter.cpp). Adding an opcode is
// one line here plus its handler.
//
// Static gas is the Cancun cost charged before the instruction runs; for
// account and storage reads it is the warm cost (EIP-2929), with the cold
// surcharge added by the instruction itself. For DUPn the inputs are the items
// it reads (n), for SWAPn the items it touches (n + 1). The handler is the
// function in instructions.hpp that runs the opcode; families share a template
// (push<2>, dup<3>, ...).
#define TRELLIS_EVM_OPCODES(X)                                  \
    X(STOP, 0x00, 0, 0, 0, kShanghai, stop)                     \
    X(ADD, 0x01, 3, 2, 1, kShanghai, add)                       \
    X(MUL, 0x02, 5, 2, 1, kShanghai, mul)                       \
    X(SUB, 0x03, 3, 2, 1, kShanghai, sub)                       \
    X(DIV, 0x04, 5, 2, 1, kShanghai, div)                       \
    X(SDIV, 0x05, 5, 2, 1, kShanghai, sdiv)                     \
    X(MOD, 0x06, 5, 2, 1, kShanghai, mod)                       \
    X(SMOD, 0x07, 5, 2, 1, kShanghai, smod)                     \
    X(ADDMOD, 0x08, 8, 3, 1, kShanghai, addmod)                 \
    X(MULMOD, 0x09, 8, 3, 1, kShanghai, mulmod)                 \
    X(EXP, 0x0a, 10, 2, 1, kShanghai, exp)                      \
    X(SIGNEXTEND, 0x0b, 5, 2, 1, kShanghai, signextend)         \
    X(LT, 0x10, 3, 2, 1, kShanghai, lt)                         \
    X(GT, 0x11, 3, 2, 1, kShanghai, gt)                         \
    X(SLT, 0x12, 3, 2, 1, kShanghai, slt)                       \
    X(SGT, 0x13, 3, 2, 1, kShanghai, sgt)                       \
    X(EQ, 0x14, 3, 2, 1, kShanghai, eq)                         \
    X(ISZERO, 0x15, 3, 1, 1, kShanghai, iszero)                 \
    X(AND, 0x16, 3, 2, 1, kShanghai, bitwise_and)               \
    X(OR, 0x17, 3, 2, 1, kShanghai, bitwise_or)                 \
    X(XOR, 0x18, 3, 2, 1, kShanghai, bitwise_xor)               \
    X(NOT, 0x19, 3, 1, 1, kShanghai, bitwise_not)               \
    X(BYTE, 0x1a, 3, 2, 1, kShanghai, byte)                     \
    X(SHL, 0x1b, 3, 2, 1, kShanghai, shl)                       \
    X(SHR, 0x1c, 3, 2, 1, kShanghai, shr)                       \
    X(SAR, 0x1d, 3, 2, 1, kShanghai, sar)                       \
    X(CLZ, 0x1e, 5, 1, 1, kTrellis, clz)                        \
    X(KECCAK256, 0x20, 30, 2, 1, kShanghai, keccak256)          \
    X(ADDRESS, 0x30, 2, 0, 1, kShanghai, address)               \
    X(BALANCE, 0x31, 100, 1, 1, kShanghai, balance)             \
    X(ORIGIN, 0x32, 2, 0, 1, kShanghai, origin)                 \
    X(CALLER, 0x33, 2, 0, 1, kShanghai, caller)                 \
    X(CALLVALUE, 0x34, 2, 0, 1, kShanghai, callvalue)           \
    X(CALLDATALOAD, 0x35, 3, 1, 1, kShanghai, calldataload)     \
    X(CALLDATASIZE, 0x36, 2, 0, 1, kShanghai, calldatasize)     \
    X(CALLDATACOPY, 0x37, 3, 3, 0, kShanghai, calldatacopy)     \
    X(CODESIZE, 0x38, 2, 0, 1, kShanghai, codesize)             \
    X(CODECOPY, 0x39, 3, 3, 0, kShanghai, codecopy)             \
    X(GASPRICE, 0x3a, 2, 0, 1, kShanghai, gasprice)             \
    X(EXTCODESIZE, 0x3b, 100, 1, 1, kShanghai, extcodesize)     \
    X(EXTCODECOPY, 0x3c, 100, 4, 0, kShanghai, extcodecopy)     \
    X(RETURNDATASIZE, 0x3d, 2, 0, 1, kShanghai, returndatasize) \
    X(RETURNDATACOPY, 0x3e, 3, 3, 0, kShanghai, returndatacopy) \
    X(EXTCODEHASH, 0x3f, 100, 1, 1, kShanghai, extcodehash)     \
    X(BLOCKHASH, 0x40, 20, 1, 1, kShanghai, blockhash)          \
    X(COINBASE, 0x41, 2, 0, 1, kShanghai, coinbase)             \
    X(TIMESTAMP, 0x42, 2, 0, 1, kShanghai, timestamp)           \
    X(NUMBER, 0x43, 2, 0, 1, kShanghai, number)                 \
    X(PREVRANDAO, 0x44, 2, 0, 1, kShanghai, prevrandao)         \
    X(GASLIMIT, 0x45, 2, 0, 1, kShanghai, gaslimit)             \
    X(CHAINID, 0x46, 2, 0, 1, kShanghai, chainid)               \
    X(SELFBALANCE, 0x47, 5, 0, 1, kShanghai, selfbalance)       \
    X(BASEFEE, 0x48, 2, 0, 1, kShanghai, basefee)               \
    X(BLOBHASH, 0x49, 3, 1, 1, kCancun, blobhash)               \
    X(BLOBBASEFEE, 0x4a, 2, 0, 1, kCancun, blobbasefee)         \
    X(POP, 0x50, 2, 1, 0, kShanghai, pop)                       \
    X(MLOAD, 0x51, 3, 1, 1, kShanghai, mload)                   \
    X(MSTORE, 0x52, 3, 2, 0, kShanghai, mstore)                 \
    X(MSTORE8, 0x53, 3, 2, 0, kShanghai, mstore8)               \
    X(SLOAD, 0x54, 100, 1, 1, kShanghai, sload)                 \
    X(SSTORE, 0x55, 0, 2, 0, kShanghai, sstore)                 \
    X(JUMP, 0x56, 8, 1, 0, kShanghai, jump)                     \
    X(JUMPI, 0x57, 10, 2, 0, kShanghai, jumpi)                  \
    X(PC, 0x58, 2, 0, 1, kShanghai, pc)                         \
    X(MSIZE, 0x59, 2, 0, 1, kShanghai, msize)                   \
    X(GAS, 0x5a, 2, 0, 1, kShanghai, gas)                       \
    X(JUMPDEST, 0x5b, 1, 0, 0, kShanghai, jumpdest)             \
    X(TLOAD, 0x5c, 100, 1, 1, kCancun, tload)                   \
    X(TSTORE, 0x5d, 100, 2, 0, kCancun, tstore)                 \
    X(MCOPY, 0x5e, 3, 3, 0, kCancun, mcopy)                     \
    X(PUSH0, 0x5f, 2, 0, 1, kShanghai, push0)                   \
    X(PUSH1, 0x60, 3, 0, 1, kShanghai, push<1>)                 \
    X(PUSH2, 0x61, 3, 0, 1, kShanghai, push<2>)                 \
    X(PUSH3, 0x62, 3, 0, 1, kShanghai, push<3>)                 \
    X(PUSH4, 0x63, 3, 0, 1, kShanghai, push<4>)                 \
    X(PUSH5, 0x64, 3, 0, 1, kShanghai, push<5>)                 \
    X(PUSH6, 0x65, 3, 0, 1, kShanghai, push<6>)                 \
    X(PUSH7, 0x66, 3, 0, 1, kShanghai, push<7>)                 \
    X(PUSH8, 0x67, 3, 0, 1, kShanghai, push<8>)                 \
    X(PUSH9, 0x68, 3, 0, 1, kShanghai, push<9>)                 \
    X(PUSH10, 0x69, 3, 0, 1, kShanghai, push<10>)               \
    X(PUSH11, 0x6a, 3, 0, 1, kShanghai, push<11>)               \
    X(PUSH12, 0x6b, 3, 0, 1, kShanghai, push<12>)               \
    X(PUSH13, 0x6c, 3, 0, 1, kShanghai, push<13>)               \
    X(PUSH14, 0x6d, 3, 0, 1, kShanghai, push<14>)               \
    X(PUSH15, 0x6e, 3, 0, 1, kShanghai, push<15>)               \
    X(PUSH16, 0x6f, 3, 0, 1, kShanghai, push<16>)               \
    X(PUSH17, 0x70, 3, 0, 1, kShanghai, push<17>)               \
    X(PUSH18, 0x71, 3, 0, 1, kShanghai, push<18>)               \
    X(PUSH19, 0x72, 3, 0, 1, kShanghai, push<19>)               \
    X(PUSH20, 0x73, 3, 0, 1, kShanghai, push<20>)               \
    X(PUSH21, 0x74, 3, 0, 1, kShanghai, push<21>)               \
    X(PUSH22, 0x75, 3, 0, 1, kShanghai, push<22>)               \
    X(PUSH23, 0x76, 3, 0, 1, kShanghai, push<23>)               \
    X(PUSH24, 0x77, 3, 0, 1, kShanghai, push<24>)               \
    X(PUSH25, 0x78, 3, 0, 1, kShanghai, push<25>)               \
    X(PUSH26, 0x79, 3, 0, 1, kShanghai, push<26>)               \
    X(PUSH27, 0x7a, 3, 0, 1, kShanghai, push<27>)               \
    X(PUSH28, 0x7b, 3, 0, 1, kShanghai, push<28>)               \
    X(PUSH29, 0x7c, 3, 0, 1, kShanghai, push<29>)               \
    X(PUSH30, 0x7d, 3, 0, 1, kShanghai, push<30>)               \
    X(PUSH31, 0x7e, 3, 0, 1, kShanghai, push<31>)               \
    X(PUSH32, 0x7f, 3, 0, 1, kShanghai, push<32>)               \
    X(DUP1, 0x80, 3, 1, 2, kShanghai, dup<1>)                   \
    X(DUP2, 0x81, 3, 2, 3, kShanghai, dup<2>)                   \
    X(DUP3, 0x82, 3, 3, 4, kShanghai, dup<3>)                   \
    X(DUP4, 0x83, 3, 4, 5, kShanghai, dup<4>)                   \
    X(DUP5, 0x84, 3, 5, 6, kShanghai, dup<5>)                   \
    X(DUP6, 0x85, 3, 6, 7, kShanghai, dup<6>)                   \
    X(DUP7, 0x86, 3, 7, 8, kShanghai, dup<7>)                   \
    X(DUP8, 0x87, 3, 8, 9, kShanghai, dup<8>)                   \
    X(DUP9, 0x88, 3, 9, 10, kShanghai, dup<9>)                  \
    X(DUP10, 0x89, 3, 10, 11, kShanghai, dup<10>)               \
    X(DUP11, 0x8a, 3, 11, 12, kShanghai, dup<11>)               \
    X(DUP12, 0x8b, 3, 12, 13, kShanghai, dup<12>)               \
    X(DUP13, 0x8c, 3, 13, 14, kShanghai, dup<13>)               \
    X(DUP14, 0x8d, 3, 14, 15, kShanghai, dup<14>)               \
    X(DUP15, 0x8e, 3, 15, 16, kShanghai, dup<15>)               \
    X(DUP16, 0x8f, 3, 16, 17, kShanghai, dup<16>)               \
    X(SWAP1, 0x90, 3, 2, 2, kShanghai, swap<1>)                 \
    X(SWAP2, 0x91, 3, 3, 3, kShanghai, swap<2>)                 \
    X(SWAP3, 0x92, 3, 4, 4, kShanghai, swap<3>)                 \
    X(SWAP4, 0x93, 3, 5, 5, kShanghai, swap<4>)                 \
    X(SWAP5, 0x94, 3, 6, 6, kShanghai, swap<5>)                 \
    X(SWAP6, 0x95, 3, 7, 7, kShanghai, swap<6>)                 \
    X(SWAP7, 0x96, 3, 8, 8, kShanghai, swap<7>)                 \
    X(SWAP8, 0x97, 3, 9, 9, kShanghai, swap<8>)                 \
    X(SWAP9, 0x98, 3, 10, 10, kShanghai, swap<9>)               \
    X(SWAP10, 0x99, 3, 11, 11, kShanghai, swap<10>)             \
    X(SWAP11, 0x9a, 3, 12, 12, kShanghai, swap<11>)             \
    X(SWAP12, 0x9b, 3, 13, 13, kShanghai, swap<12>)             \
    X(SWAP13, 0x9c, 3, 14, 14, kShanghai, swap<13>)             \
    X(SWAP14, 0x9d, 3, 15, 15, kShanghai, swap<14>)             \
    X(SWAP15, 0x9e, 3, 16, 16, kShanghai, swap<15>)             \
    X(SWAP16, 0x9f, 3, 17, 17, kShanghai, swap<16>)             \
    X(LOG0, 0xa0, 375, 2, 0, kShanghai, log<0>)                 \
    X(LOG1, 0xa1, 750, 3, 0, kShanghai, log<1>)                 \
    X(LOG2, 0xa2, 1125, 4, 0, kShanghai, log<2>)                \
    X(LOG3, 0xa3, 1500, 5, 0, kShanghai, log<3>)                \
    X(LOG4, 0xa4, 1875, 6, 0, kShanghai, log<4>)                \
    X(CREATE, 0xf0, 32000, 3, 1, kShanghai, create)             \
    X(CALL, 0xf1, 100, 7, 1, kShanghai, call)                   \
    X(CALLCODE, 0xf2, 100, 7, 1, kShanghai, callcode)           \
    X(RETURN, 0xf3, 0, 2, 0, kShanghai, return_output)          \
    X(DELEGATECALL, 0xf4, 100, 6, 1, kShanghai, delegatecall)   \
    X(CREATE2, 0xf5, 32000, 4, 1, kShanghai, create2)           \
    X(STATICCALL, 0xfa, 100, 6, 1, kShanghai, staticcall)       \
    X(REVERT, 0xfd, 0, 2, 0, kShanghai, revert)                 \
    X(INVALID, 0xfe, 0, 0, 0, kShanghai, invalid)               \
    X(SELFDESTRUCT, 0xff, 5000, 1, 0, kShanghai, selfdestruct)

enum Opcode : uint8_t {
#define TRELLIS_X(name, byte, gas, in, out, rev, handler) OP_##name = byte,
    TRELLIS_EVM_OPCODES(TRELLIS_X)
#undef TRELLIS_X
};

/// Bytes of code one instruction takes: 1, or 1 + n for PUSHn.
constexpr unsigned instruction_size(uint8_t op) noexcept {
    return uint8_t(op - OP_PUSH1) < 32 ? 2u + unsigned(op - OP_PUSH1) : 1u;
}

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
