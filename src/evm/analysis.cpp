#include "evm/analysis.hpp"

#include <algorithm>
#include <array>

#include "evm/opcodes.hpp"

namespace trellis::evm {

namespace {
// What the scan needs of an opcode, compact so the lookup stays in a few
// cache lines. Block gas needs no saturation: a block has at most 49152
// instructions of at most 1875 static gas each (LOG4; every costlier
// instruction ends its block), far below 2^32.
struct Meta {
    uint16_t gas;
    int8_t in;
    int8_t change;
    bool ends_block;
};

const Meta* meta_table(Revision rev) {
    static const auto tables = [] {
        std::array<std::array<Meta, 256>, kNumRevisions> t{};
        for (int r = 0; r < kNumRevisions; ++r) {
            const OpTable& table = op_table(Revision(r));
            for (int op = 0; op < 256; ++op) {
                const OpInfo& info = table[op];
                t[r][op] = Meta{uint16_t(info.gas > 0xffff ? 0xffff : info.gas), info.stack_in,
                                info.stack_change, info.ends_block};
            }
        }
        return t;
    }();
    return tables[int(rev)].data();
}
}  // namespace

std::shared_ptr<const CodeAnalysis> CodeAnalysis::analyze(ByteView code, Revision rev) {
    auto a = std::make_shared<CodeAnalysis>();
    a->code_size_ = code.size();
    // 32 bytes cover the longest PUSH immediate; the extra byte is a STOP so
    // running off the end halts without a bounds check.
    a->padded_.assign(kFrontPadding + code.size() + 33, 0);
    std::copy(code.begin(), code.end(), a->padded_.begin() + kFrontPadding);
    a->block_at_.assign(code.size() + 1, 0);

    // A compact copy of what the scan needs, so one lookup per instruction
    // stays in a few cache lines. Block gas needs no saturation: a block has
    // at most 49152 instructions of at most 1875 static gas each (LOG4;
    // every costlier instruction ends its block), far below 2^32.
    const Meta* const meta = meta_table(rev);
    const OpTable& table = op_table(rev);
    BlockCost cur;
    uint32_t gas = 0;
    int height = 0;  // stack height relative to block entry
    int required = 0, growth = 0;
    bool need_block = true;
    auto close_block = [&] {
        cur.gas = gas;
        cur.stack_required = int16_t(required);
        cur.stack_max_growth = int16_t(growth);
        a->blocks_.push_back(cur);
        need_block = true;
    };
    const uint8_t* const c = code.data();
    const size_t n = code.size();
    for (size_t pc = 0; pc < n;) {
        const uint8_t op = c[pc];
        if (op == OP_JUMPDEST && !need_block) close_block();
        if (need_block) {
            // The block's index is its position once closed: one block is open at a time.
            a->block_at_[pc] = uint32_t(a->blocks_.size());
            gas = 0;
            height = required = growth = 0;
            need_block = false;
        }
        if (op == OP_JUMPDEST) a->block_at_[pc] |= kJumpdestBit;
        const Meta m = meta[op];
        // CREATE/CREATE2 (32000) end their block, so the clamped value is never summed.
        gas += m.gas == 0xffff ? uint32_t(table[op].gas) : m.gas;
        required = std::max(required, m.in - height);
        height += m.change;
        growth = std::max(growth, height);
        // The instruction length comes from the byte itself, not the table, to
        // keep the table load off the loop's critical path.
        pc += instruction_size(op);
        if (m.ends_block) close_block();
    }
    if (!need_block) close_block();
    // Falling off the end (or continuing after a block-ending last
    // instruction) meets the padded STOP: an empty block.
    a->block_at_[code.size()] = uint32_t(a->blocks_.size());
    a->blocks_.push_back(BlockCost{});
    return a;
}

}  // namespace trellis::evm
