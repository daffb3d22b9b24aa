#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/bytes.hpp"
#include "evm/revision.hpp"

namespace trellis::evm {

/// Static cost of one basic block, charged once on entry: the sum of the
/// static gas of its instructions, and the stack height it needs and reaches
/// relative to the height on entry. Charging a whole block up front is
/// equivalent to charging per instruction because every instruction that can
/// halt successfully or that observes the gas left ends a block (OpInfo).
struct BlockCost {
    uint32_t gas = 0;
    int16_t stack_required = 0;  ///< minimum height on entry
    int16_t stack_max_growth = 0;
};

/// Code prepared once for execution and cached by code hash: zero-padded so
/// PUSH never reads past the end, with JUMPDEST validity and the block table.
class CodeAnalysis {
public:
    static std::shared_ptr<const CodeAnalysis> analyze(ByteView code, Revision rev);

    /// The code, preceded by kFrontPadding zero bytes and followed by 33
    /// (room for a PUSH32 immediate, then a STOP).
    const uint8_t* code() const noexcept { return padded_.data() + kFrontPadding; }
    size_t code_size() const noexcept { return code_size_; }
    ByteView code_view() const noexcept { return {code(), code_size_}; }
    /// Lets PUSHn load the 32 bytes that end at its last immediate byte.
    static constexpr size_t kFrontPadding = 32;

    bool is_jumpdest(uint64_t pc) const noexcept {
        return pc < code_size_ && (block_at_[pc] & kJumpdestBit) != 0;
    }
    /// The block starting at pc; valid only where a block starts (code start,
    /// a JUMPDEST, or right after a block-ending instruction).
    const BlockCost& block_at(size_t pc) const noexcept {
        return blocks_[block_at_[pc] & ~kJumpdestBit];
    }

private:
    static constexpr uint32_t kJumpdestBit = 0x8000'0000u;
    Bytes padded_;
    size_t code_size_ = 0;
    std::vector<uint32_t> block_at_;  ///< per pc: block index | kJumpdestBit
    std::vector<BlockCost> blocks_;
};

}  // namespace trellis::evm
