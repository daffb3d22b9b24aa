#include "evm/opcodes.hpp"

namespace trellis::evm {
namespace {

constexpr bool is_block_end(uint8_t op) {
    switch (op) {
        case OP_STOP:
        case OP_JUMP:
        case OP_JUMPI:
        case OP_RETURN:
        case OP_REVERT:
        case OP_INVALID:
        case OP_SELFDESTRUCT:
        case OP_GAS:
        case OP_CALL:
        case OP_CALLCODE:
        case OP_DELEGATECALL:
        case OP_STATICCALL:
        case OP_CREATE:
        case OP_CREATE2:
        case OP_SSTORE:
            return true;
        default:
            return false;
    }
}

constexpr OpTable make_table(Revision rev) {
    OpTable t{};
#define TRELLIS_X(name_, byte, gas_, in, out, first, handler)                           \
    if (rev >= Revision::first) {                                                       \
        t[byte] = OpInfo{#name_, gas_, in, int8_t(out - in), true, is_block_end(byte)}; \
    }
    TRELLIS_EVM_OPCODES(TRELLIS_X)
#undef TRELLIS_X
    // Undefined opcodes halt exceptionally: they end a block like INVALID.
    for (auto& info : t)
        if (!info.defined) info.ends_block = true;
    return t;
}

constexpr OpTable kTables[kNumRevisions] = {make_table(Revision::kShanghai), make_table(Revision::kCancun),
                                            make_table(Revision::kTrellis)};
}  // namespace

const OpTable& op_table(Revision rev) noexcept {
    return kTables[static_cast<int>(rev)];
}

}  // namespace trellis::evm
