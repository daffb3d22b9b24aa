// The interpreter: a direct-threaded loop (computed goto) over analysed code.
// Static gas and stack bounds are checked once per basic block (analysis.hpp);
// each instruction charges only its dynamic costs.
#include <algorithm>
#include <cstring>

#include "base/uint256.hpp"
#include "crypto/keccak.hpp"
#include "evm/evm.hpp"
#include "evm/opcodes.hpp"

namespace trellis::evm {
namespace {

// Any offset or size above this cannot be paid for (the memory cost of 2^32
// bytes exceeds any gas limit), so it is out of gas without arithmetic
// overflow worries.
constexpr uint64_t kMaxBufferSize = 0xffff'ffffu;

constexpr int64_t memory_cost(uint64_t words) noexcept {
    return int64_t(3 * words + words * words / 512);
}
constexpr uint64_t num_words(uint64_t bytes) noexcept { return (bytes + 31) / 32; }

inline Address to_address(const uint256& v) noexcept {
    Address a;
    const Bytes32 b = v.to_be();
    std::memcpy(a.data(), b.data() + 12, 20);
    return a;
}
inline uint256 from_address(const Address& a) noexcept { return uint256::from_be(a.view()); }
inline Bytes32 to_bytes32(const uint256& v) noexcept { return v.to_be(); }
inline uint256 from_bytes32(const Bytes32& b) noexcept { return uint256::from_be(b.view()); }

/// Grows memory to cover [offset, offset + size) and charges for it. size 0
/// touches nothing. Returns false when out of gas.
inline bool grow_memory(int64_t& gas, Bytes& mem, const uint256& offset, const uint256& size) noexcept {
    if (size.is_zero()) return true;
    if (!offset.fits_u64() || !size.fits_u64() || uint64_t(offset) > kMaxBufferSize ||
        uint64_t(size) > kMaxBufferSize)
        return false;
    const uint64_t end = uint64_t(offset) + uint64_t(size);
    if (end <= mem.size()) return true;
    const uint64_t new_words = num_words(end);
    const uint64_t cur_words = mem.size() / 32;
    gas -= memory_cost(new_words) - memory_cost(cur_words);
    if (gas < 0) return false;
    mem.resize(new_words * 32);
    return true;
}

/// Copies src[src_offset, +size) into dst, zero-filling past the end of src.
inline void copy_padded(uint8_t* dst, ByteView src, const uint256& src_offset, size_t size) noexcept {
    size_t copied = 0;
    if (src_offset.fits_u64() && uint64_t(src_offset) < src.size()) {
        const size_t off = size_t(uint64_t(src_offset));
        copied = std::min(size, src.size() - off);
        std::memcpy(dst, src.data() + off, copied);
    }
    std::memset(dst + copied, 0, size - copied);
}

inline uint256 load_padded_word(ByteView src, const uint256& offset) noexcept {
    uint8_t word[32];
    copy_padded(word, src, offset, 32);
    return uint256::from_be({word, 32});
}

/// The n-byte big-endian immediate that ends at end: one 32-byte load (the
/// code has 32 bytes of front padding) with the bytes before it masked off.
inline uint256 load_push(const uint8_t* end, unsigned n) noexcept {
    uint256 v = uint256::load_be32(end - 32);
    const unsigned keep = 8 * n;
    for (unsigned i = 0; i < 4; ++i) {
        const unsigned lo = 64 * i;
        const uint64_t mask = keep >= lo + 64 ? ~uint64_t{0} : keep <= lo ? 0 : (uint64_t{1} << (keep - lo)) - 1;
        v.w[i] &= mask;
    }
    return v;
}

/// EIP-150: all but one 64th.
constexpr int64_t all_but_one_64th(int64_t gas) noexcept { return gas - gas / 64; }

}  // namespace

ExecResult Evm::run_code(const Message& msg, const CodeAnalysis& an) {
    Frame& f = frame_at(msg.depth);
    Bytes& mem = f.memory;
    mem.clear();
    uint256* const bottom = f.stack;
    uint256* sp = bottom;  // one past the top
    Bytes return_data;
    int64_t gas = msg.gas;
    const uint8_t* const code = an.code();
    const uint8_t* pc = code;
    Host& host = host_;
    ExecResult result;
    const ByteView input = msg.input;

    // One dispatch table for all revisions; the few opcodes that a revision
    // lacks check it themselves (REQUIRE_REV), since the block analysis for
    // that revision already treats them as undefined.
    static void* const kDispatch[256] = {
        &&op_STOP, &&op_ADD, &&op_MUL, &&op_SUB,  // 0x00
        &&op_DIV, &&op_SDIV, &&op_MOD, &&op_SMOD,  // 0x04
        &&op_ADDMOD, &&op_MULMOD, &&op_EXP, &&op_SIGNEXTEND,  // 0x08
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0x0c
        &&op_LT, &&op_GT, &&op_SLT, &&op_SGT,  // 0x10
        &&op_EQ, &&op_ISZERO, &&op_AND, &&op_OR,  // 0x14
        &&op_XOR, &&op_NOT, &&op_BYTE, &&op_SHL,  // 0x18
        &&op_SHR, &&op_SAR, &&op_CLZ, &&op_undefined,  // 0x1c
        &&op_KECCAK256, &&op_undefined, &&op_undefined, &&op_undefined,  // 0x20
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0x24
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0x28
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0x2c
        &&op_ADDRESS, &&op_BALANCE, &&op_ORIGIN, &&op_CALLER,  // 0x30
        &&op_CALLVALUE, &&op_CALLDATALOAD, &&op_CALLDATASIZE, &&op_CALLDATACOPY,  // 0x34
        &&op_CODESIZE, &&op_CODECOPY, &&op_GASPRICE, &&op_EXTCODESIZE,  // 0x38
        &&op_EXTCODECOPY, &&op_RETURNDATASIZE, &&op_RETURNDATACOPY, &&op_EXTCODEHASH,  // 0x3c
        &&op_BLOCKHASH, &&op_COINBASE, &&op_TIMESTAMP, &&op_NUMBER,  // 0x40
        &&op_PREVRANDAO, &&op_GASLIMIT, &&op_CHAINID, &&op_SELFBALANCE,  // 0x44
        &&op_BASEFEE, &&op_BLOBHASH, &&op_BLOBBASEFEE, &&op_undefined,  // 0x48
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0x4c
        &&op_POP, &&op_MLOAD, &&op_MSTORE, &&op_MSTORE8,  // 0x50
        &&op_SLOAD, &&op_SSTORE, &&op_JUMP, &&op_JUMPI,  // 0x54
        &&op_PC, &&op_MSIZE, &&op_GAS, &&op_JUMPDEST,  // 0x58
        &&op_TLOAD, &&op_TSTORE, &&op_MCOPY, &&op_PUSH0,  // 0x5c
        &&op_PUSH1, &&op_PUSHN, &&op_PUSHN, &&op_PUSHN,  // 0x60
        &&op_PUSHN, &&op_PUSHN, &&op_PUSHN, &&op_PUSHN,  // 0x64
        &&op_PUSHN, &&op_PUSHN, &&op_PUSHN, &&op_PUSHN,  // 0x68
        &&op_PUSHN, &&op_PUSHN, &&op_PUSHN, &&op_PUSHN,  // 0x6c
        &&op_PUSHN, &&op_PUSHN, &&op_PUSHN, &&op_PUSHN,  // 0x70
        &&op_PUSHN, &&op_PUSHN, &&op_PUSHN, &&op_PUSHN,  // 0x74
        &&op_PUSHN, &&op_PUSHN, &&op_PUSHN, &&op_PUSHN,  // 0x78
        &&op_PUSHN, &&op_PUSHN, &&op_PUSHN, &&op_PUSH32,  // 0x7c
        &&op_DUP, &&op_DUP, &&op_DUP, &&op_DUP,  // 0x80
        &&op_DUP, &&op_DUP, &&op_DUP, &&op_DUP,  // 0x84
        &&op_DUP, &&op_DUP, &&op_DUP, &&op_DUP,  // 0x88
        &&op_DUP, &&op_DUP, &&op_DUP, &&op_DUP,  // 0x8c
        &&op_SWAP, &&op_SWAP, &&op_SWAP, &&op_SWAP,  // 0x90
        &&op_SWAP, &&op_SWAP, &&op_SWAP, &&op_SWAP,  // 0x94
        &&op_SWAP, &&op_SWAP, &&op_SWAP, &&op_SWAP,  // 0x98
        &&op_SWAP, &&op_SWAP, &&op_SWAP, &&op_SWAP,  // 0x9c
        &&op_LOG, &&op_LOG, &&op_LOG, &&op_LOG,  // 0xa0
        &&op_LOG, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xa4
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xa8
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xac
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xb0
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xb4
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xb8
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xbc
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xc0
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xc4
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xc8
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xcc
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xd0
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xd4
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xd8
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xdc
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xe0
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xe4
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xe8
        &&op_undefined, &&op_undefined, &&op_undefined, &&op_undefined,  // 0xec
        &&op_CREATE, &&op_CALL, &&op_CALLCODE, &&op_RETURN,  // 0xf0
        &&op_DELEGATECALL, &&op_CREATE2, &&op_undefined, &&op_undefined,  // 0xf4
        &&op_undefined, &&op_undefined, &&op_STATICCALL, &&op_undefined,  // 0xf8
        &&op_undefined, &&op_REVERT, &&op_INVALID, &&op_SELFDESTRUCT,  // 0xfc
    };
    void* const* const dispatch = kDispatch;

#define DISPATCH() goto* dispatch[*pc]
#define NEXT(n)   \
    do {          \
        pc += (n); \
        DISPATCH(); \
    } while (0)
#define FAIL(s)          \
    do {                 \
        result.status = (s); \
        goto fail;       \
    } while (0)
#define CHARGE(cost)                                 \
    do {                                             \
        if ((gas -= int64_t(cost)) < 0) FAIL(Status::kOutOfGas); \
    } while (0)
#define ENTER_BLOCK(pc_index)                                                      \
    do {                                                                           \
        const BlockCost& b_ = an.block_at(pc_index);                               \
        if ((gas -= int64_t(b_.gas)) < 0) FAIL(Status::kOutOfGas);                 \
        const ptrdiff_t h_ = sp - bottom;                                          \
        if (h_ < b_.stack_required) FAIL(Status::kStackUnderflow);                 \
        if (h_ + b_.stack_max_growth > 1024) FAIL(Status::kStackOverflow);         \
    } while (0)
// After an instruction that ends a block but lets execution go on (JUMPI not
// taken, GAS, SSTORE, calls, creates): enter the next block, unless it begins
// with a JUMPDEST, which charges its own block.
#define CONTINUE_AFTER_BLOCK_END()                                \
    do {                                                          \
        ++pc;                                                     \
        if (*pc != OP_JUMPDEST) ENTER_BLOCK(size_t(pc - code));   \
        DISPATCH();                                               \
    } while (0)
#define MEMORY(off, size) \
    if (!grow_memory(gas, mem, off, size)) FAIL(Status::kOutOfGas)
#define REQUIRE_REV(r) \
    if (rev_ < Revision::r) goto op_undefined
#define BINARY(expr)                    \
    do {                                \
        const uint256& a = sp[-1];      \
        const uint256& b = sp[-2];      \
        sp[-2] = (expr);                \
        --sp;                           \
        NEXT(1);                        \
    } while (0)

    // Block 0 starts at pc 0; a JUMPDEST there charges itself.
    if (*code != OP_JUMPDEST) ENTER_BLOCK(0);
    DISPATCH();

op_STOP:
    result.status = Status::kSuccess;
    goto done;

op_ADD: BINARY(a + b);
op_MUL: BINARY(a * b);
op_SUB: BINARY(a - b);
op_DIV: BINARY(a / b);
op_SDIV: BINARY(sdiv(a, b));
op_MOD: BINARY(a % b);
op_SMOD: BINARY(smod(a, b));
op_ADDMOD:
    sp[-3] = addmod(sp[-1], sp[-2], sp[-3]);
    sp -= 2;
    NEXT(1);
op_MULMOD:
    sp[-3] = mulmod(sp[-1], sp[-2], sp[-3]);
    sp -= 2;
    NEXT(1);
op_EXP: {
    const uint256& e = sp[-2];
    CHARGE(50 * e.byte_length());  // EIP-160
    sp[-2] = exp(sp[-1], e);
    --sp;
    NEXT(1);
}
op_SIGNEXTEND: BINARY(signextend(a, b));
op_LT: BINARY(uint256(a < b));
op_GT: BINARY(uint256(a > b));
op_SLT: BINARY(uint256(slt(a, b)));
op_SGT: BINARY(uint256(sgt(a, b)));
op_EQ: BINARY(uint256(a == b));
op_ISZERO:
    sp[-1] = uint256(sp[-1].is_zero());
    NEXT(1);
op_AND: BINARY(a & b);
op_OR: BINARY(a | b);
op_XOR: BINARY(a ^ b);
op_NOT:
    sp[-1] = ~sp[-1];
    NEXT(1);
op_BYTE: BINARY(byte_at(a, b));
op_SHL: BINARY(shl(a, b));
op_SHR: BINARY(shr(a, b));
op_SAR: BINARY(sar(a, b));
op_CLZ:  // EIP-7939
    REQUIRE_REV(kTrellis);
    sp[-1] = uint256(clz(sp[-1]));
    NEXT(1);

op_KECCAK256: {
    const uint256& off = sp[-1];
    const uint256& size = sp[-2];
    MEMORY(off, size);
    const uint64_t n = uint64_t(size);
    CHARGE(6 * num_words(n));
    const Hash32 h = n ? crypto::keccak256({mem.data() + uint64_t(off), n}) : crypto::keccak256({});
    sp[-2] = from_bytes32(h);
    --sp;
    NEXT(1);
}

op_ADDRESS:
    *sp++ = from_address(msg.recipient);
    NEXT(1);
op_BALANCE: {
    const Address a = to_address(sp[-1]);
    if (!host.access_account(a)) CHARGE(2500);  // EIP-2929 cold surcharge
    sp[-1] = host.get_balance(a);
    NEXT(1);
}
op_ORIGIN:
    *sp++ = from_address(tx_.origin);
    NEXT(1);
op_CALLER:
    *sp++ = from_address(msg.sender);
    NEXT(1);
op_CALLVALUE:
    *sp++ = msg.value;
    NEXT(1);
op_CALLDATALOAD:
    sp[-1] = load_padded_word(input, sp[-1]);
    NEXT(1);
op_CALLDATASIZE:
    *sp++ = uint256(input.size());
    NEXT(1);
op_CALLDATACOPY:
op_CODECOPY:
op_RETURNDATACOPY: {
    const uint8_t op = *pc;
    const uint256& mem_off = sp[-1];
    const uint256& src_off = sp[-2];
    const uint256& size = sp[-3];
    if (op == OP_RETURNDATACOPY) {
        // Reading past the end of the return data is an exceptional halt.
        if (!src_off.fits_u64() || !size.fits_u64() ||
            uint64_t(src_off) > return_data.size() ||
            uint64_t(size) > return_data.size() - uint64_t(src_off))
            FAIL(Status::kInvalidMemoryAccess);
    }
    MEMORY(mem_off, size);
    const uint64_t n = uint64_t(size);
    CHARGE(3 * num_words(n));
    if (n) {
        const ByteView src = op == OP_CALLDATACOPY ? input
                             : op == OP_CODECOPY   ? an.code_view()
                                                   : ByteView(return_data);
        copy_padded(mem.data() + uint64_t(mem_off), src, src_off, n);
    }
    sp -= 3;
    NEXT(1);
}
op_CODESIZE:
    *sp++ = uint256(an.code_size());
    NEXT(1);
op_GASPRICE:
    *sp++ = tx_.gas_price;
    NEXT(1);
op_EXTCODESIZE: {
    const Address a = to_address(sp[-1]);
    if (!host.access_account(a)) CHARGE(2500);
    sp[-1] = uint256(host.get_code(a).size());
    NEXT(1);
}
op_EXTCODECOPY: {
    const Address a = to_address(sp[-1]);
    const uint256& mem_off = sp[-2];
    const uint256& src_off = sp[-3];
    const uint256& size = sp[-4];
    MEMORY(mem_off, size);
    const uint64_t n = uint64_t(size);
    CHARGE(3 * num_words(n));
    if (!host.access_account(a)) CHARGE(2500);
    if (n) copy_padded(mem.data() + uint64_t(mem_off), host.get_code(a), src_off, n);
    sp -= 4;
    NEXT(1);
}
op_RETURNDATASIZE:
    *sp++ = uint256(return_data.size());
    NEXT(1);
op_EXTCODEHASH: {
    const Address a = to_address(sp[-1]);
    if (!host.access_account(a)) CHARGE(2500);
    // EIP-1052 + EIP-161: empty or absent accounts hash to 0.
    sp[-1] = host.account_is_empty(a) ? uint256() : from_bytes32(host.get_code_hash(a));
    NEXT(1);
}
op_BLOCKHASH: {
    const uint256& n = sp[-1];
    const uint64_t cur = block_.number;
    uint256 h;
    if (n.fits_u64() && uint64_t(n) < cur && cur - uint64_t(n) <= 256)
        h = from_bytes32(host.block_hash(uint64_t(n)));
    sp[-1] = h;
    NEXT(1);
}
op_COINBASE:
    *sp++ = from_address(block_.coinbase);
    NEXT(1);
op_TIMESTAMP:
    *sp++ = uint256(block_.timestamp);
    NEXT(1);
op_NUMBER:
    *sp++ = uint256(block_.number);
    NEXT(1);
op_PREVRANDAO:
    *sp++ = from_bytes32(block_.prev_randao);
    NEXT(1);
op_GASLIMIT:
    *sp++ = uint256(block_.gas_limit);
    NEXT(1);
op_CHAINID:
    *sp++ = uint256(block_.chain_id);
    NEXT(1);
op_SELFBALANCE:
    *sp++ = host.get_balance(msg.recipient);
    NEXT(1);
op_BASEFEE:
    *sp++ = block_.base_fee;
    NEXT(1);
op_BLOBHASH: {
    REQUIRE_REV(kCancun);
    const uint256& i = sp[-1];
    sp[-1] = (i.fits_u64() && uint64_t(i) < tx_.blob_hashes.size())
                 ? from_bytes32(tx_.blob_hashes[size_t(uint64_t(i))])
                 : uint256();
    NEXT(1);
}
op_BLOBBASEFEE:
    REQUIRE_REV(kCancun);
    *sp++ = block_.blob_base_fee;
    NEXT(1);

op_POP:
    --sp;
    NEXT(1);
op_MLOAD: {
    const uint256& off = sp[-1];
    MEMORY(off, uint256(32));
    sp[-1] = uint256::from_be({mem.data() + uint64_t(off), 32});
    NEXT(1);
}
op_MSTORE: {
    const uint256& off = sp[-1];
    MEMORY(off, uint256(32));
    sp[-2].store_be(mem.data() + uint64_t(off));
    sp -= 2;
    NEXT(1);
}
op_MSTORE8: {
    const uint256& off = sp[-1];
    MEMORY(off, uint256(1));
    mem[uint64_t(off)] = uint8_t(sp[-2].w[0]);
    sp -= 2;
    NEXT(1);
}
op_SLOAD: {
    const Bytes32 key = to_bytes32(sp[-1]);
    if (!host.access_storage(msg.recipient, key)) CHARGE(2000);  // EIP-2929: 2100 cold
    sp[-1] = from_bytes32(host.get_storage(msg.recipient, key));
    NEXT(1);
}
op_SSTORE: {
    if (msg.is_static) FAIL(Status::kStaticModeViolation);
    if (gas <= kCallStipend) FAIL(Status::kOutOfGas);  // EIP-2200 sentry
    const Bytes32 key = to_bytes32(sp[-1]);
    const Bytes32 value = to_bytes32(sp[-2]);
    sp -= 2;
    int64_t cost = 0;
    if (!host.access_storage(msg.recipient, key)) cost += 2100;  // EIP-2929
    const Bytes32 current = host.get_storage(msg.recipient, key);
    // EIP-2200 with EIP-2929 costs and EIP-3529 refunds.
    if (current == value) {
        cost += 100;
    } else {
        const Bytes32 original = host.get_committed_storage(msg.recipient, key);
        if (original == current) {
            if (original.is_zero()) {
                cost += 20000;
            } else {
                cost += 2900;
                if (value.is_zero()) host.add_refund(4800);
            }
        } else {
            cost += 100;
            if (!original.is_zero()) {
                if (current.is_zero())
                    host.add_refund(-4800);
                else if (value.is_zero())
                    host.add_refund(4800);
            }
            if (original == value) host.add_refund(original.is_zero() ? 19900 : 2800);
        }
        host.set_storage(msg.recipient, key, value);
    }
    CHARGE(cost);
    CONTINUE_AFTER_BLOCK_END();
}
op_JUMP: {
    const uint256& dest = sp[-1];
    if (!dest.fits_u64() || !an.is_jumpdest(uint64_t(dest))) FAIL(Status::kBadJumpDestination);
    --sp;
    pc = code + uint64_t(sp->w[0]);
    DISPATCH();  // the JUMPDEST charges its block
}
op_JUMPI: {
    const uint256& dest = sp[-1];
    if (!sp[-2].is_zero()) {
        if (!dest.fits_u64() || !an.is_jumpdest(uint64_t(dest))) FAIL(Status::kBadJumpDestination);
        pc = code + uint64_t(dest);
        sp -= 2;
        DISPATCH();
    }
    sp -= 2;
    CONTINUE_AFTER_BLOCK_END();
}
op_PC:
    *sp++ = uint256(uint64_t(pc - code));
    NEXT(1);
op_MSIZE:
    *sp++ = uint256(mem.size());
    NEXT(1);
op_GAS:
    *sp++ = uint256(uint64_t(gas));
    CONTINUE_AFTER_BLOCK_END();
op_JUMPDEST:
    ENTER_BLOCK(size_t(pc - code));
    NEXT(1);
op_TLOAD:  // EIP-1153
    REQUIRE_REV(kCancun);
    sp[-1] = from_bytes32(host.get_transient_storage(msg.recipient, to_bytes32(sp[-1])));
    NEXT(1);
op_TSTORE:
    REQUIRE_REV(kCancun);
    if (msg.is_static) FAIL(Status::kStaticModeViolation);
    host.set_transient_storage(msg.recipient, to_bytes32(sp[-1]), to_bytes32(sp[-2]));
    sp -= 2;
    NEXT(1);
op_MCOPY: {  // EIP-5656
    REQUIRE_REV(kCancun);
    const uint256& dst = sp[-1];
    const uint256& src = sp[-2];
    const uint256& size = sp[-3];
    if (!size.is_zero()) {
        // Memory grows to cover both regions.
        const uint256 hi = src > dst ? src : dst;
        MEMORY(hi, size);
        const uint64_t n = uint64_t(size);
        CHARGE(3 * num_words(n));
        std::memmove(mem.data() + uint64_t(dst), mem.data() + uint64_t(src), n);
    }
    sp -= 3;
    NEXT(1);
}
op_PUSH0:
    *sp++ = uint256();
    NEXT(1);
op_PUSH1:
    *sp++ = uint256(pc[1]);
    NEXT(2);
op_PUSHN: {
    const unsigned n = unsigned(*pc - OP_PUSH1 + 1);
    *sp++ = load_push(pc + 1 + n, n);
    NEXT(1 + n);
}
op_PUSH32:
    *sp++ = uint256::load_be32(pc + 1);
    NEXT(33);
op_DUP: {
    const unsigned n = unsigned(*pc - OP_DUP1 + 1);
    *sp = sp[-int(n)];
    ++sp;
    NEXT(1);
}
op_SWAP: {
    const unsigned n = unsigned(*pc - OP_SWAP1 + 1);
    std::swap(sp[-1], sp[-1 - int(n)]);
    NEXT(1);
}
op_LOG: {
    if (msg.is_static) FAIL(Status::kStaticModeViolation);
    const unsigned ntopics = unsigned(*pc - OP_LOG0);
    const uint256& off = sp[-1];
    const uint256& size = sp[-2];
    MEMORY(off, size);
    const uint64_t n = uint64_t(size);
    CHARGE(8 * n);
    {  // Objects with destructors live in an inner scope: DISPATCH is an indirect goto.
    Log log;
    log.address = msg.recipient;
    log.topics.reserve(ntopics);
    for (unsigned i = 0; i < ntopics; ++i) log.topics.push_back(to_bytes32(sp[-3 - int(i)]));
    if (n) log.data.assign(mem.data() + uint64_t(off), mem.data() + uint64_t(off) + n);
    host.emit_log(std::move(log));
    }
    sp -= 2 + ntopics;
    NEXT(1);
}

op_CREATE:
op_CREATE2: {
    const bool is_create2 = *pc == OP_CREATE2;
    if (msg.is_static) FAIL(Status::kStaticModeViolation);
    const uint256 value = sp[-1];
    const uint256 off = sp[-2];
    const uint256 size = sp[-3];
    Bytes32 salt;
    if (is_create2) salt = to_bytes32(sp[-4]);
    sp -= is_create2 ? 4 : 3;
    MEMORY(off, size);
    const uint64_t n = uint64_t(size);
    if (n > kMaxInitcodeSize) FAIL(Status::kOutOfGas);  // EIP-3860
    CHARGE(2 * num_words(n));                            // EIP-3860 initcode words
    if (is_create2) CHARGE(6 * num_words(n));            // hashing the initcode
    return_data.clear();
    {
    Message child;
    child.kind = is_create2 ? CallKind::kCreate2 : CallKind::kCreate;
    child.depth = msg.depth + 1;
    child.gas = all_but_one_64th(gas);
    child.sender = msg.recipient;
    child.value = value;
    child.salt = salt;
    // The initcode must outlive the child's memory changes: copy it.
    Bytes initcode = n ? Bytes(mem.data() + uint64_t(off), mem.data() + uint64_t(off) + n) : Bytes{};
    child.input = initcode;
    gas -= child.gas;
    ExecResult r = execute(child);
    gas += r.gas_left;
    if (r.status == Status::kRevert) return_data = std::move(r.output);
    *sp++ = r.status == Status::kSuccess ? from_address(r.created) : uint256();
    }
    CONTINUE_AFTER_BLOCK_END();
}

op_CALL:
op_CALLCODE:
op_DELEGATECALL:
op_STATICCALL: {
    const uint8_t op = *pc;
    const bool has_value = op == OP_CALL || op == OP_CALLCODE;
    const uint256 gas_req = sp[-1];
    const Address dest = to_address(sp[-2]);
    const uint256 value = has_value ? sp[-3] : uint256();
    const int base = has_value ? 3 : 2;
    const uint256 in_off = sp[-1 - base];
    const uint256 in_size = sp[-2 - base];
    const uint256 out_off = sp[-3 - base];
    const uint256 out_size = sp[-4 - base];
    sp -= base + 4;
    if (op == OP_CALL && msg.is_static && !value.is_zero()) FAIL(Status::kStaticModeViolation);
    if (!host.access_account(dest)) CHARGE(2500);  // EIP-2929
    MEMORY(in_off, in_size);
    MEMORY(out_off, out_size);
    if (!value.is_zero()) {
        CHARGE(9000);
        // EIP-161: the new-account charge applies only to value sent to an empty account.
        if (op == OP_CALL && host.account_is_empty(dest)) CHARGE(25000);
    }
    {
    int64_t child_gas = all_but_one_64th(gas);  // EIP-150
    if (gas_req.fits_u64() && uint64_t(gas_req) < uint64_t(child_gas)) child_gas = int64_t(uint64_t(gas_req));
    gas -= child_gas;
    if (!value.is_zero()) child_gas += kCallStipend;

    Message child;
    child.depth = msg.depth + 1;
    child.gas = child_gas;
    child.code_address = dest;
    switch (op) {
        case OP_CALL:
            child.kind = CallKind::kCall;
            child.is_static = msg.is_static;
            child.recipient = dest;
            child.sender = msg.recipient;
            child.value = value;
            break;
        case OP_CALLCODE:
            child.kind = CallKind::kCallCode;
            child.is_static = msg.is_static;
            child.recipient = msg.recipient;
            child.sender = msg.recipient;
            child.value = value;
            break;
        case OP_DELEGATECALL:
            child.kind = CallKind::kDelegateCall;
            child.is_static = msg.is_static;
            child.recipient = msg.recipient;
            child.sender = msg.sender;
            child.value = msg.value;
            break;
        default:
            child.kind = CallKind::kStaticCall;
            child.is_static = true;
            child.recipient = dest;
            child.sender = msg.recipient;
            break;
    }
    // The callee may grow the caller's memory only through this frame's
    // copy-back, so passing a view into it is safe.
    const uint64_t in_n = uint64_t(in_size);
    child.input = in_n ? ByteView(mem.data() + uint64_t(in_off), in_n) : ByteView();
    ExecResult r = execute(child);
    return_data = std::move(r.output);
    const uint64_t out_n = std::min<uint64_t>(uint64_t(out_size), return_data.size());
    if (out_n) std::memcpy(mem.data() + uint64_t(out_off), return_data.data(), out_n);
    gas += r.gas_left;
    *sp++ = uint256(r.status == Status::kSuccess);
    }
    CONTINUE_AFTER_BLOCK_END();
}

op_RETURN:
op_REVERT: {
    const uint256& off = sp[-1];
    const uint256& size = sp[-2];
    MEMORY(off, size);
    const uint64_t n = uint64_t(size);
    if (n) result.output.assign(mem.data() + uint64_t(off), mem.data() + uint64_t(off) + n);
    result.status = *pc == OP_RETURN ? Status::kSuccess : Status::kRevert;
    goto done;
}

op_SELFDESTRUCT: {
    if (msg.is_static) FAIL(Status::kStaticModeViolation);
    const Address beneficiary = to_address(sp[-1]);
    if (!host.access_account(beneficiary)) CHARGE(2600);  // EIP-2929
    const uint256 balance = host.get_balance(msg.recipient);
    if (!balance.is_zero() && host.account_is_empty(beneficiary)) CHARGE(25000);
    // EIP-6780: the account is deleted only when created in this transaction;
    // otherwise only its balance moves.
    host.touch(beneficiary);
    if (beneficiary != msg.recipient) {
        host.set_balance(beneficiary, host.get_balance(beneficiary) + balance);
        host.set_balance(msg.recipient, uint256());
    }
    if (host.created_in_transaction(msg.recipient)) {
        host.set_balance(msg.recipient, uint256());
        host.mark_destructed(msg.recipient);
    }
    result.status = Status::kSuccess;
    goto done;
}

op_INVALID:
    FAIL(Status::kInvalidInstruction);
op_undefined:
    FAIL(Status::kInvalidInstruction);

fail:
    result.gas_left = 0;
    result.output.clear();
    return result;
done:
    result.gas_left = gas;
    return result;

#undef DISPATCH
#undef NEXT
#undef FAIL
#undef CHARGE
#undef ENTER_BLOCK
#undef MEMORY
#undef CONTINUE_AFTER_BLOCK_END
#undef BINARY
#undef REQUIRE_REV
}

}  // namespace trellis::evm
