#include "evm/analysis.hpp"

#include <algorithm>

#include "evm/opcodes.hpp"

namespace trellis::evm {

std::shared_ptr<const CodeAnalysis> CodeAnalysis::analyze(ByteView code, Revision rev) {
    auto a = std::make_shared<CodeAnalysis>();
    a->code_size_ = code.size();
    // 32 bytes cover the longest PUSH immediate; the extra byte is a STOP so
    // running off the end halts without a bounds check.
    a->padded_.assign(code.size() + 33, 0);
    std::copy(code.begin(), code.end(), a->padded_.begin());
    a->block_at_.assign(code.size() + 1, 0);

    const OpTable& table = op_table(rev);
    BlockCost cur;
    int height = 0;  // stack height relative to block entry
    bool need_block = true;
    auto close_block = [&] {
        a->blocks_.push_back(cur);
        need_block = true;
    };
    for (size_t pc = 0; pc < code.size();) {
        const uint8_t op = code[pc];
        if (op == OP_JUMPDEST && !need_block) close_block();
        if (need_block) {
            // The block's index is its position once closed: one block is open at a time.
            a->block_at_[pc] = uint32_t(a->blocks_.size());
            cur = BlockCost{};
            height = 0;
            need_block = false;
        }
        if (op == OP_JUMPDEST) a->block_at_[pc] |= kJumpdestBit;
        const OpInfo& info = table[op];
        cur.gas = uint32_t(std::min<uint64_t>(uint64_t(cur.gas) + uint64_t(info.gas), 0xffff'ffffu));
        cur.stack_required = int16_t(std::max<int>(cur.stack_required, info.stack_in - height));
        height += info.stack_change;
        cur.stack_max_growth = int16_t(std::max<int>(cur.stack_max_growth, height));
        pc += 1 + (op >= OP_PUSH1 && op <= OP_PUSH32 ? op - OP_PUSH1 + 1 : 0);
        if (info.ends_block) close_block();
    }
    if (!need_block) close_block();
    // Falling off the end (or continuing after a block-ending last
    // instruction) meets the padded STOP: an empty block.
    a->block_at_[code.size()] = uint32_t(a->blocks_.size());
    a->blocks_.push_back(BlockCost{});
    return a;
}

}  // namespace trellis::evm
