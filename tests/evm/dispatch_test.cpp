// The interpreter's dispatch agrees with the opcode table, checked through
// behaviour at every revision: each byte the table leaves undefined halts as
// an invalid instruction, and each defined opcode runs a handler that moves
// the stack exactly as the table says. The families (PUSHn, DUPn, SWAPn,
// LOGn) are checked member by member for what they compute.
#include <gtest/gtest.h>

#include "evm/opcodes.hpp"
#include "test_host.hpp"

using namespace trellis;
using evm::test::Runner;

namespace {

constexpr evm::Revision kRevisions[] = {evm::Revision::kShanghai, evm::Revision::kCancun,
                                        evm::Revision::kTrellis};

// ... PUSH0 MSTORE PUSH1 32 PUSH0 RETURN: returns the top of the stack.
const Bytes kReturnTop = {0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3};

void append_n(Bytes& code, uint8_t byte, int n) {
    code.insert(code.end(), size_t(n), byte);
}

/// PUSH0 x inputs, the opcode (PUSHn immediates are 0xfe, INVALID, so a handler
/// that skips the wrong number of bytes lands on one), a JUMPDEST, which
/// checks the stack height the handler really left, then enough PUSH0s to
/// reach 1024 items plus `extra`.
Bytes stack_probe(uint8_t op, const evm::OpInfo& info, int extra) {
    Bytes code;
    append_n(code, evm::OP_PUSH0, info.stack_in);
    code.push_back(op);
    append_n(code, 0xfe, int(evm::instruction_size(op)) - 1);
    code.push_back(evm::OP_JUMPDEST);
    append_n(code, evm::OP_PUSH0, 1024 - (info.stack_in + info.stack_change) + extra);
    code.push_back(evm::OP_STOP);
    return code;
}

/// Opcodes that end execution, with how they end on all-zero operands.
bool halts(uint8_t op, evm::Status* status) {
    switch (op) {
        case evm::OP_STOP:
        case evm::OP_RETURN:
        case evm::OP_SELFDESTRUCT:
            *status = evm::Status::kSuccess;
            return true;
        case evm::OP_REVERT:
            *status = evm::Status::kRevert;
            return true;
        case evm::OP_INVALID:
            *status = evm::Status::kInvalidInstruction;
            return true;
        case evm::OP_JUMP:  // to 0, which is no JUMPDEST
            *status = evm::Status::kBadJumpDestination;
            return true;
        default:
            return false;
    }
}

uint256 returned_word(const evm::ExecResult& r) {
    EXPECT_EQ(r.output.size(), 32u);
    return r.output.size() == 32 ? uint256::from_be(r.output) : uint256();
}

}  // namespace

TEST(Dispatch, every_undefined_byte_halts_as_an_invalid_instruction_taking_all_gas) {
    for (const evm::Revision rev : kRevisions) {
        const evm::OpTable& table = evm::op_table(rev);
        for (int op = 0; op < 256; ++op) {
            if (table[op].defined) continue;
            Runner rn(Bytes{evm::OP_PUSH0, uint8_t(op), evm::OP_STOP});
            const auto r = rn.call(rev, 100'000);
            EXPECT_EQ(r.status, evm::Status::kInvalidInstruction) << evm::to_string(rev) << " byte " << op;
            EXPECT_EQ(r.gas_left, 0) << evm::to_string(rev) << " byte " << op;
        }
    }
}

TEST(Dispatch, every_defined_opcode_runs_a_handler_with_the_stack_effect_of_the_table) {
    for (const evm::Revision rev : kRevisions) {
        const evm::OpTable& table = evm::op_table(rev);
        int checked = 0;
        for (int op = 0; op < 256; ++op) {
            const evm::OpInfo& info = table[op];
            if (!info.defined) continue;
            ++checked;
            const std::string what = std::string(evm::to_string(rev)) + " " + info.name;
            evm::Status end;
            if (halts(uint8_t(op), &end)) {
                Bytes code;
                append_n(code, evm::OP_PUSH0, info.stack_in);
                code.push_back(uint8_t(op));
                Runner rn(code);
                EXPECT_EQ(rn.call(rev, 10'000'000).status, end) << what;
                continue;
            }
            Runner fits(stack_probe(uint8_t(op), info, 0));
            EXPECT_EQ(fits.call(rev, 10'000'000).status, evm::Status::kSuccess) << what;
            Runner over(stack_probe(uint8_t(op), info, 1));
            EXPECT_EQ(over.call(rev, 10'000'000).status, evm::Status::kStackOverflow) << what;
        }
        EXPECT_GT(checked, 140) << evm::to_string(rev);  // the loop saw the table
    }
}

TEST(Dispatch, pushn_pushes_its_n_immediate_bytes) {
    for (int n = 1; n <= 32; ++n) {
        Bytes code{uint8_t(evm::OP_PUSH1 + n - 1)};
        uint256 expected;
        for (int i = 1; i <= n; ++i) {
            code.push_back(uint8_t(i));
            expected = (expected << 8) | uint256(uint64_t(i));
        }
        append(code, kReturnTop);
        Runner rn(code);
        const auto r = rn.call(evm::Revision::kCancun);
        ASSERT_EQ(r.status, evm::Status::kSuccess) << "PUSH" << n;
        EXPECT_EQ(returned_word(r), expected) << "PUSH" << n;
    }
}

TEST(Dispatch, dupn_copies_the_nth_item_and_swapn_exchanges_the_top_with_the_item_below_n) {
    // Stack 1..17 (17 on top): DUPn pushes 18 - n; SWAPn leaves 17 - n on top.
    Bytes values;
    for (int i = 1; i <= 17; ++i) values.insert(values.end(), {evm::OP_PUSH1, uint8_t(i)});
    for (int n = 1; n <= 16; ++n) {
        Bytes dup = values;
        dup.push_back(uint8_t(evm::OP_DUP1 + n - 1));
        append(dup, kReturnTop);
        Runner rd(dup);
        EXPECT_EQ(returned_word(rd.call(evm::Revision::kCancun)), uint256(uint64_t(18 - n))) << "DUP" << n;

        Bytes swap = values;
        swap.push_back(uint8_t(evm::OP_SWAP1 + n - 1));
        append(swap, kReturnTop);
        Runner rs(swap);
        EXPECT_EQ(returned_word(rs.call(evm::Revision::kCancun)), uint256(uint64_t(17 - n))) << "SWAP" << n;
        // The old top is now n below: drop the n items above it and return it.
        Bytes below = values;
        below.push_back(uint8_t(evm::OP_SWAP1 + n - 1));
        append_n(below, evm::OP_POP, n);
        append(below, kReturnTop);
        Runner rb(below);
        EXPECT_EQ(returned_word(rb.call(evm::Revision::kCancun)), uint256(17)) << "SWAP" << n;
    }
}

TEST(Dispatch, logn_emits_n_topics_and_the_memory_data) {
    for (int n = 0; n <= 4; ++n) {
        // MSTORE8(0, 0xab); topics n..1 pushed so topic i is 10 + i; LOGn(0, 1).
        Bytes code{evm::OP_PUSH1, 0xab, evm::OP_PUSH0, evm::OP_MSTORE8};
        for (int i = n - 1; i >= 0; --i) code.insert(code.end(), {evm::OP_PUSH1, uint8_t(10 + i)});
        code.insert(code.end(), {evm::OP_PUSH1, 1, evm::OP_PUSH0, uint8_t(evm::OP_LOG0 + n), evm::OP_STOP});
        Runner rn(code);
        ASSERT_EQ(rn.call(evm::Revision::kCancun).status, evm::Status::kSuccess) << "LOG" << n;
        ASSERT_EQ(rn.host.logs().size(), 1u) << "LOG" << n;
        const evm::Log& log = rn.host.logs()[0];
        EXPECT_EQ(log.address, rn.contract);
        EXPECT_EQ(log.data, Bytes{0xab}) << "LOG" << n;
        ASSERT_EQ(log.topics.size(), size_t(n));
        for (int i = 0; i < n; ++i) EXPECT_EQ(log.topics[i], uint256(uint64_t(10 + i)).to_be()) << "LOG" << n;
    }
}
