#include "evm/opcodes.hpp"

namespace trellis::evm {
namespace {

constexpr bool is_block_end(uint8_t op) {
    switch (op) {
        case OP_STOP: case OP_JUMP: case OP_JUMPI: case OP_RETURN: case OP_REVERT:
        case OP_INVALID: case OP_SELFDESTRUCT: case OP_GAS: case OP_CALL: case OP_CALLCODE:
        case OP_DELEGATECALL: case OP_STATICCALL: case OP_CREATE: case OP_CREATE2: case OP_SSTORE:
            return true;
        default:
            return false;
    }
}

constexpr OpTable make_table(Revision rev) {
    OpTable t{};
#define TRELLIS_X(name_, byte, gas_, in, out, first)                                   \
    if (rev >= Revision::first) {                                                       \
        t[byte] = OpInfo{#name_, gas_, in, int8_t(out - in), true, is_block_end(byte)}; \
    }
    TRELLIS_EVM_OPCODES(TRELLIS_X)
#undef TRELLIS_X
    constexpr const char* kPush[] = {
        "PUSH1",  "PUSH2",  "PUSH3",  "PUSH4",  "PUSH5",  "PUSH6",  "PUSH7",  "PUSH8",
        "PUSH9",  "PUSH10", "PUSH11", "PUSH12", "PUSH13", "PUSH14", "PUSH15", "PUSH16",
        "PUSH17", "PUSH18", "PUSH19", "PUSH20", "PUSH21", "PUSH22", "PUSH23", "PUSH24",
        "PUSH25", "PUSH26", "PUSH27", "PUSH28", "PUSH29", "PUSH30", "PUSH31", "PUSH32"};
    constexpr const char* kDup[] = {"DUP1",  "DUP2",  "DUP3",  "DUP4",  "DUP5",  "DUP6",
                                           "DUP7",  "DUP8",  "DUP9",  "DUP10", "DUP11", "DUP12",
                                           "DUP13", "DUP14", "DUP15", "DUP16"};
    constexpr const char* kSwap[] = {"SWAP1",  "SWAP2",  "SWAP3",  "SWAP4",  "SWAP5",  "SWAP6",
                                            "SWAP7",  "SWAP8",  "SWAP9",  "SWAP10", "SWAP11", "SWAP12",
                                            "SWAP13", "SWAP14", "SWAP15", "SWAP16"};
    constexpr const char* kLog[] = {"LOG0", "LOG1", "LOG2", "LOG3", "LOG4"};
    for (int i = 0; i < 32; ++i) t[OP_PUSH1 + i] = OpInfo{kPush[i], 3, 0, 1, true, false};
    for (int i = 0; i < 16; ++i) {
        t[OP_DUP1 + i] = OpInfo{kDup[i], 3, int8_t(i + 1), 1, true, false};
        t[OP_SWAP1 + i] = OpInfo{kSwap[i], 3, int8_t(i + 2), 0, true, false};
    }
    for (int i = 0; i <= 4; ++i)
        t[OP_LOG0 + i] = OpInfo{kLog[i], 375 * (i + 1), int8_t(i + 2), int8_t(-(i + 2)), true, false};
    // Undefined opcodes halt exceptionally: they end a block like INVALID.
    for (auto& info : t)
        if (!info.defined) info.ends_block = true;
    return t;
}

constexpr OpTable kTables[kNumRevisions] = {make_table(Revision::kShanghai), make_table(Revision::kCancun),
                                            make_table(Revision::kTrellis)};
}  // namespace

const OpTable& op_table(Revision rev) noexcept { return kTables[static_cast<int>(rev)]; }

}  // namespace trellis::evm
