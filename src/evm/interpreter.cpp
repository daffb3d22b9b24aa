// The interpreter: a direct-threaded loop (computed goto) over analysed code.
// Static gas and stack bounds are checked once per basic block (analysis.hpp);
// each instruction charges only its dynamic costs. The labels, their handlers
// and the dispatch table are all generated from TRELLIS_EVM_OPCODES; the
// instruction bodies are in instructions.hpp.
#include <array>

#include "evm/evm.hpp"
#include "evm/instructions.hpp"
#include "evm/opcodes.hpp"

namespace trellis::evm {
namespace {

// Labels of the threaded loop, in the order of TRELLIS_EVM_OPCODES, then the
// one for undefined opcodes.
#define TRELLIS_X(name, byte, gas, in, out, first, handler) +1
constexpr int kUndefinedLabel = 0 TRELLIS_EVM_OPCODES(TRELLIS_X);
#undef TRELLIS_X
static_assert(kUndefinedLabel < 256, "label indices are bytes");

/// For each byte, the index of its label: the opcode's own where the table
/// defines it at any revision, else the undefined one. An opcode that came in a
/// later revision checks the revision in its label (run_code): one table for
/// all revisions keeps its address a constant rather than a register.
constexpr auto kLabelIndex = [] {
    std::array<uint8_t, 256> t{};
    t.fill(uint8_t(kUndefinedLabel));
    int label = 0;
#define TRELLIS_X(name, byte, gas, in, out, first, handler) t[byte] = uint8_t(label++);
    TRELLIS_EVM_OPCODES(TRELLIS_X)
#undef TRELLIS_X
    return t;
}();

using DispatchTable = std::array<void*, 256>;

/// The 256-entry dispatch table from the label addresses (which only exist
/// inside run_code) and kLabelIndex.
DispatchTable make_dispatch(void* const* labels) noexcept {
    DispatchTable table{};
    for (int op = 0; op < 256; ++op) table[op] = labels[kLabelIndex[op]];
    return table;
}

}  // namespace

ExecResult Evm::run_code(const Message& msg, const CodeAnalysis& an) {
    using instr::Step;
    Frame& f = frame_at(msg.depth);
    f.memory.clear();
    Bytes return_data;
    ExecResult result;
    const instr::Context ctx{msg, *this, host_, block_, tx_, return_data, result.output};
    instr::State x{f.stack, msg.gas, an.code(), Status::kSuccess, f.stack, an.code(), f.memory, an, ctx};

    static void* const kLabels[] = {
#define TRELLIS_X(name, byte, gas, in, out, first, handler) &&op_##name,
        TRELLIS_EVM_OPCODES(TRELLIS_X)
#undef TRELLIS_X
        && op_undefined};
    static const DispatchTable kDispatch = make_dispatch(kLabels);
    const Revision rev = rev_;

    // Block 0 starts at pc 0; a JUMPDEST there charges itself.
    if (*x.code != OP_JUMPDEST && !instr::enter_block(x, 0)) goto fail;
    goto* kDispatch[*x.pc];

    // One label per opcode. The handler's Step is a constant wherever the
    // handler has a single outcome, so after inlining each label keeps only the
    // branches its instruction can take. An instruction that ends its block
    // but lets execution go on enters the next block, unless that begins with a
    // JUMPDEST, which charges its own.
#define TRELLIS_X(name, byte, gas, in, out, first, handler)                                            \
    op_##name : if (Revision::first > Revision::kShanghai && rev < Revision::first) goto op_undefined; \
    switch (instr::handler(x)) {                                                                       \
        case Step::kNext:                                                                              \
            x.pc += instruction_size(byte);                                                            \
            goto* kDispatch[*x.pc];                                                                    \
        case Step::kJump:                                                                              \
            goto* kDispatch[*x.pc];                                                                    \
        case Step::kNextBlock:                                                                         \
            x.pc += instruction_size(byte);                                                            \
            if (*x.pc != OP_JUMPDEST && !instr::enter_block(x, size_t(x.pc - x.code))) goto fail;      \
            goto* kDispatch[*x.pc];                                                                    \
        case Step::kHalt:                                                                              \
            goto done;                                                                                 \
        case Step::kFail:                                                                              \
            goto fail;                                                                                 \
    }                                                                                                  \
    __builtin_unreachable();
    TRELLIS_EVM_OPCODES(TRELLIS_X)
#undef TRELLIS_X

op_undefined:
    x.status = Status::kInvalidInstruction;
fail:
    result.status = x.status;
    result.gas_left = 0;
    result.output.clear();
    return result;
done:
    result.status = x.status;
    result.gas_left = x.gas;
    return result;
}

}  // namespace trellis::evm
