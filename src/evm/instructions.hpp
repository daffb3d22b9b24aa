#pragma once
// The instruction bodies of the interpreter: one small function per opcode, or
// one template per family (PUSHn, DUPn, SWAPn, LOGn), named by the handler
// column of TRELLIS_EVM_OPCODES. Internal to the evm module; interpreter.cpp
// generates one label per opcode that calls its handler.
//
// A handler runs with the static gas of its basic block already charged and
// the block's stack bounds already checked (analysis.hpp), so it reads and
// writes the stack without bounds checks and charges only dynamic gas. It
// leaves x.pc on its own instruction unless it returns Step::kJump.
//
// Speed: handlers are always inlined into the threaded loop so that State (the
// interpreter's registers) lives in machine registers. A State must never be
// passed by pointer or reference to a function that is not inlined, or every
// instruction would load and store sp and gas through memory. Slow paths
// (calls, creates, SSTORE, LOG, SELFDESTRUCT) are out-of-line
// functions in instructions.cpp that take the Context and plain values.
#include <cstring>

#include "base/uint256.hpp"
#include "crypto/keccak.hpp"
#include "evm/analysis.hpp"
#include "evm/evm.hpp"
#include "evm/opcodes.hpp"

#define TRELLIS_EVM_INLINE [[gnu::always_inline]] inline

namespace trellis::evm::instr {

/// What the interpreter does after a handler.
enum class Step : uint8_t {
    kNext,       ///< go on with the following instruction
    kJump,       ///< go on at x.pc, a JUMPDEST (which charges its own block)
    kNextBlock,  ///< the instruction ended its block: go on with the following one, entering its block
    kHalt,       ///< stop with x.status (success or revert), keeping the gas left
    kFail,       ///< exceptional halt with x.status: all gas is consumed
};

/// What a frame's instructions read and that may stay in memory: the message,
/// the world, and the buffers that outlive single instructions.
struct Context {
    const Message& msg;
    Evm& evm;
    Host& host;
    const BlockContext& block;
    const TxContext& tx;
    Bytes& return_data;  ///< what the last call or create returned (RETURNDATA)
    Bytes& output;       ///< what RETURN or REVERT hands back
};

/// The interpreter's registers for one frame; see the note on speed above.
struct State {
    uint256* sp;  ///< one past the top of the stack
    int64_t gas;
    const uint8_t* pc;
    Status status;  ///< why execution stopped, once a handler returns kHalt or kFail
    uint256* const bottom;
    const uint8_t* const code;
    Bytes& mem;
    const CodeAnalysis& an;
    const Context& ctx;
};

// ---- Helpers ----

// Any offset or size above this cannot be paid for (the memory cost of 2^32
// bytes exceeds any gas limit), so it is out of gas without arithmetic
// overflow worries.
inline constexpr uint64_t kMaxBufferSize = 0xffff'ffffu;

constexpr uint64_t num_words(uint64_t bytes) noexcept {
    return (bytes + 31) / 32;
}
/// EIP-150: all but one 64th.
constexpr int64_t all_but_one_64th(int64_t gas) noexcept {
    return gas - gas / 64;
}

inline Address to_address(const uint256& v) noexcept {
    Address a;
    const Bytes32 b = v.to_be();
    std::memcpy(a.data(), b.data() + 12, 20);
    return a;
}
inline uint256 from_address(const Address& a) noexcept {
    return uint256::from_be(a.view());
}
inline Bytes32 to_bytes32(const uint256& v) noexcept {
    return v.to_be();
}
inline uint256 from_bytes32(const Bytes32& b) noexcept {
    return uint256::from_be(b.view());
}

TRELLIS_EVM_INLINE Step fail(State& x, Status s) noexcept {
    x.status = s;
    return Step::kFail;
}
/// Takes cost from gas; false when that leaves it negative (out of gas).
TRELLIS_EVM_INLINE bool charge(int64_t& gas, int64_t cost) noexcept {
    return (gas -= cost) >= 0;
}

/// Checks the block starting at pc_index on entry: its static gas and stack bounds.
TRELLIS_EVM_INLINE bool enter_block(State& x, size_t pc_index) noexcept {
    const BlockCost& b = x.an.block_at(pc_index);
    const ptrdiff_t h = x.sp - x.bottom;
    if ((x.gas -= int64_t(b.gas)) < 0)
        x.status = Status::kOutOfGas;
    else if (h < b.stack_required)
        x.status = Status::kStackUnderflow;
    else if (h + b.stack_max_growth > 1024)
        x.status = Status::kStackOverflow;
    else
        return true;
    return false;
}

/// Grows memory to end bytes (rounded up to whole words) and charges for it
/// when gas covers the cost. Returns the gas left; negative means out of gas,
/// with memory unchanged.
TRELLIS_EVM_INLINE int64_t expand_memory(Bytes& mem, uint64_t end, int64_t gas) noexcept {
    constexpr auto cost = [](uint64_t words) { return int64_t(3 * words + words * words / 512); };
    const uint64_t new_words = num_words(end);
    gas -= cost(new_words) - cost(mem.size() / 32);
    if (gas >= 0) mem.resize(new_words * 32);
    return gas;
}

/// Grows memory to cover [offset, offset + size) and charges for it. size 0
/// touches nothing. Returns false when out of gas.
TRELLIS_EVM_INLINE bool grow_memory(Bytes& mem, int64_t& gas, const uint256& offset,
                                    const uint256& size) noexcept {
    if (size.is_zero()) return true;
    if (!offset.fits_u64() || !size.fits_u64() || uint64_t(offset) > kMaxBufferSize ||
        uint64_t(size) > kMaxBufferSize)
        return false;
    const uint64_t end = uint64_t(offset) + uint64_t(size);
    if (end <= mem.size()) return true;
    gas = expand_memory(mem, end, gas);
    return gas >= 0;
}
TRELLIS_EVM_INLINE bool grow_memory(State& x, const uint256& offset, const uint256& size) noexcept {
    return grow_memory(x.mem, x.gas, offset, size);
}

/// Copies src[src_offset, +size) into dst, zero-filling past the end of src.
TRELLIS_EVM_INLINE void copy_padded(uint8_t* dst, ByteView src, const uint256& src_offset,
                                    size_t size) noexcept {
    size_t copied = 0;
    if (src_offset.fits_u64() && uint64_t(src_offset) < src.size()) {
        const size_t off = size_t(uint64_t(src_offset));
        copied = std::min(size, src.size() - off);
        std::memcpy(dst, src.data() + off, copied);
    }
    std::memset(dst + copied, 0, size - copied);
}

/// The n-byte big-endian immediate that ends at end: one 32-byte load (the
/// code has 32 bytes of front padding) with the bytes before it masked off.
TRELLIS_EVM_INLINE uint256 load_push(const uint8_t* end, unsigned n) noexcept {
    uint256 v = uint256::load_be32(end - 32);
    const unsigned keep = 8 * n;
    for (unsigned i = 0; i < 4; ++i) {
        const unsigned lo = 64 * i;
        const uint64_t mask = keep >= lo + 64 ? ~uint64_t{0}
                              : keep <= lo    ? 0
                                              : (uint64_t{1} << (keep - lo)) - 1;
        v.w[i] &= mask;
    }
    return v;
}

/// Replaces the top two items by r.
TRELLIS_EVM_INLINE Step binary_result(State& x, const uint256& r) noexcept {
    x.sp[-2] = r;
    --x.sp;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step push_value(State& x, const uint256& v) noexcept {
    *x.sp++ = v;
    return Step::kNext;
}

// ---- Out-of-line slow paths (instructions.cpp). Each reads its operands at
// sp (the stack top before the instruction), writes its result, if any, where
// the new top will be, and returns kSuccess to go on or the reason to halt. ----

/// SSTORE after the static and stipend checks: EIP-2200 with EIP-2929 costs and
/// EIP-3529 refunds. Stores the value and returns the dynamic cost.
int64_t sstore_cost(const Context& c, const Bytes32& key, const Bytes32& value);
void emit_log(const Context& c, const uint256* sp, unsigned topics, const uint8_t* data, uint64_t size);
Status run_create(const Context& c, Bytes& mem, bool is_create2, uint256* sp, int64_t& gas);
Status run_call(const Context& c, Bytes& mem, Opcode op, uint256* sp, int64_t& gas);
Status run_selfdestruct(const Context& c, const uint256& beneficiary, int64_t& gas);

// ---- Arithmetic, comparison and bitwise (0x00-0x1e) ----

TRELLIS_EVM_INLINE Step stop(State& x) noexcept {
    x.status = Status::kSuccess;
    return Step::kHalt;
}
TRELLIS_EVM_INLINE Step add(State& x) noexcept {
    return binary_result(x, x.sp[-1] + x.sp[-2]);
}
TRELLIS_EVM_INLINE Step mul(State& x) noexcept {
    return binary_result(x, x.sp[-1] * x.sp[-2]);
}
TRELLIS_EVM_INLINE Step sub(State& x) noexcept {
    return binary_result(x, x.sp[-1] - x.sp[-2]);
}
TRELLIS_EVM_INLINE Step div(State& x) noexcept {
    return binary_result(x, x.sp[-1] / x.sp[-2]);
}
TRELLIS_EVM_INLINE Step sdiv(State& x) noexcept {
    return binary_result(x, trellis::sdiv(x.sp[-1], x.sp[-2]));
}
TRELLIS_EVM_INLINE Step mod(State& x) noexcept {
    return binary_result(x, x.sp[-1] % x.sp[-2]);
}
TRELLIS_EVM_INLINE Step smod(State& x) noexcept {
    return binary_result(x, trellis::smod(x.sp[-1], x.sp[-2]));
}
TRELLIS_EVM_INLINE Step addmod(State& x) noexcept {
    x.sp[-3] = trellis::addmod(x.sp[-1], x.sp[-2], x.sp[-3]);
    x.sp -= 2;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step mulmod(State& x) noexcept {
    x.sp[-3] = trellis::mulmod(x.sp[-1], x.sp[-2], x.sp[-3]);
    x.sp -= 2;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step exp(State& x) noexcept {
    const uint256& e = x.sp[-2];
    if (!charge(x.gas, 50 * int64_t(e.byte_length()))) return fail(x, Status::kOutOfGas);  // EIP-160
    return binary_result(x, trellis::exp(x.sp[-1], e));
}
TRELLIS_EVM_INLINE Step signextend(State& x) noexcept {
    return binary_result(x, trellis::signextend(x.sp[-1], x.sp[-2]));
}
TRELLIS_EVM_INLINE Step lt(State& x) noexcept {
    return binary_result(x, uint256(x.sp[-1] < x.sp[-2]));
}
TRELLIS_EVM_INLINE Step gt(State& x) noexcept {
    return binary_result(x, uint256(x.sp[-1] > x.sp[-2]));
}
TRELLIS_EVM_INLINE Step slt(State& x) noexcept {
    return binary_result(x, uint256(trellis::slt(x.sp[-1], x.sp[-2])));
}
TRELLIS_EVM_INLINE Step sgt(State& x) noexcept {
    return binary_result(x, uint256(trellis::sgt(x.sp[-1], x.sp[-2])));
}
TRELLIS_EVM_INLINE Step eq(State& x) noexcept {
    return binary_result(x, uint256(x.sp[-1] == x.sp[-2]));
}
TRELLIS_EVM_INLINE Step iszero(State& x) noexcept {
    x.sp[-1] = uint256(x.sp[-1].is_zero());
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step bitwise_and(State& x) noexcept {
    return binary_result(x, x.sp[-1] & x.sp[-2]);
}
TRELLIS_EVM_INLINE Step bitwise_or(State& x) noexcept {
    return binary_result(x, x.sp[-1] | x.sp[-2]);
}
TRELLIS_EVM_INLINE Step bitwise_xor(State& x) noexcept {
    return binary_result(x, x.sp[-1] ^ x.sp[-2]);
}
TRELLIS_EVM_INLINE Step bitwise_not(State& x) noexcept {
    x.sp[-1] = ~x.sp[-1];
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step byte(State& x) noexcept {
    return binary_result(x, byte_at(x.sp[-1], x.sp[-2]));
}
TRELLIS_EVM_INLINE Step shl(State& x) noexcept {
    return binary_result(x, trellis::shl(x.sp[-1], x.sp[-2]));
}
TRELLIS_EVM_INLINE Step shr(State& x) noexcept {
    return binary_result(x, trellis::shr(x.sp[-1], x.sp[-2]));
}
TRELLIS_EVM_INLINE Step sar(State& x) noexcept {
    return binary_result(x, trellis::sar(x.sp[-1], x.sp[-2]));
}
TRELLIS_EVM_INLINE Step clz(State& x) noexcept {  // EIP-7939
    x.sp[-1] = uint256(trellis::clz(x.sp[-1]));
    return Step::kNext;
}

TRELLIS_EVM_INLINE Step keccak256(State& x) noexcept {
    const uint256& off = x.sp[-1];
    const uint256& size = x.sp[-2];
    if (!grow_memory(x, off, size)) return fail(x, Status::kOutOfGas);
    const uint64_t n = uint64_t(size);
    if (!charge(x.gas, int64_t(6 * num_words(n)))) return fail(x, Status::kOutOfGas);
    const Hash32 h = n ? crypto::keccak256({x.mem.data() + uint64_t(off), n}) : crypto::keccak256({});
    return binary_result(x, from_bytes32(h));
}

// ---- Environment (0x30-0x4a) ----

/// EIP-2929: the cold surcharge when a is not yet warm (and warms it).
TRELLIS_EVM_INLINE bool charge_account_access(State& x, const Address& a) {
    return x.ctx.host.access_account(a) || charge(x.gas, 2500);
}

TRELLIS_EVM_INLINE Step address(State& x) noexcept {
    return push_value(x, from_address(x.ctx.msg.recipient));
}
TRELLIS_EVM_INLINE Step balance(State& x) {
    const Address a = to_address(x.sp[-1]);
    if (!charge_account_access(x, a)) return fail(x, Status::kOutOfGas);
    x.sp[-1] = x.ctx.host.get_balance(a);
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step origin(State& x) noexcept {
    return push_value(x, from_address(x.ctx.tx.origin));
}
TRELLIS_EVM_INLINE Step caller(State& x) noexcept {
    return push_value(x, from_address(x.ctx.msg.sender));
}
TRELLIS_EVM_INLINE Step callvalue(State& x) noexcept {
    return push_value(x, x.ctx.msg.value);
}
TRELLIS_EVM_INLINE Step calldataload(State& x) noexcept {
    uint8_t word[32];
    copy_padded(word, x.ctx.msg.input, x.sp[-1], 32);
    x.sp[-1] = uint256::from_be({word, 32});
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step calldatasize(State& x) noexcept {
    return push_value(x, uint256(x.ctx.msg.input.size()));
}

/// CALLDATACOPY, CODECOPY, RETURNDATACOPY (after its bounds check).
TRELLIS_EVM_INLINE Step copy_to_memory(State& x, ByteView src) noexcept {
    const uint256& mem_off = x.sp[-1];
    const uint256& src_off = x.sp[-2];
    const uint256& size = x.sp[-3];
    if (!grow_memory(x, mem_off, size)) return fail(x, Status::kOutOfGas);
    const uint64_t n = uint64_t(size);
    if (!charge(x.gas, int64_t(3 * num_words(n)))) return fail(x, Status::kOutOfGas);
    if (n) copy_padded(x.mem.data() + uint64_t(mem_off), src, src_off, n);
    x.sp -= 3;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step calldatacopy(State& x) noexcept {
    return copy_to_memory(x, x.ctx.msg.input);
}
TRELLIS_EVM_INLINE Step codesize(State& x) noexcept {
    return push_value(x, uint256(x.an.code_size()));
}
TRELLIS_EVM_INLINE Step codecopy(State& x) noexcept {
    return copy_to_memory(x, x.an.code_view());
}
TRELLIS_EVM_INLINE Step gasprice(State& x) noexcept {
    return push_value(x, x.ctx.tx.gas_price);
}
TRELLIS_EVM_INLINE Step extcodesize(State& x) {
    const Address a = to_address(x.sp[-1]);
    if (!charge_account_access(x, a)) return fail(x, Status::kOutOfGas);
    x.sp[-1] = uint256(x.ctx.host.get_code(a).size());
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step extcodecopy(State& x) {
    const Address a = to_address(x.sp[-1]);
    const uint256& mem_off = x.sp[-2];
    const uint256& src_off = x.sp[-3];
    const uint256& size = x.sp[-4];
    if (!grow_memory(x, mem_off, size)) return fail(x, Status::kOutOfGas);
    const uint64_t n = uint64_t(size);
    if (!charge(x.gas, int64_t(3 * num_words(n)))) return fail(x, Status::kOutOfGas);
    if (!charge_account_access(x, a)) return fail(x, Status::kOutOfGas);
    if (n) copy_padded(x.mem.data() + uint64_t(mem_off), x.ctx.host.get_code(a), src_off, n);
    x.sp -= 4;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step returndatasize(State& x) noexcept {
    return push_value(x, uint256(x.ctx.return_data.size()));
}
TRELLIS_EVM_INLINE Step returndatacopy(State& x) noexcept {
    const uint256& src_off = x.sp[-2];
    const uint256& size = x.sp[-3];
    const Bytes& data = x.ctx.return_data;
    // Reading past the end of the return data is an exceptional halt (EIP-211).
    if (!src_off.fits_u64() || !size.fits_u64() || uint64_t(src_off) > data.size() ||
        uint64_t(size) > data.size() - uint64_t(src_off))
        return fail(x, Status::kInvalidMemoryAccess);
    return copy_to_memory(x, data);
}
TRELLIS_EVM_INLINE Step extcodehash(State& x) {
    const Address a = to_address(x.sp[-1]);
    if (!charge_account_access(x, a)) return fail(x, Status::kOutOfGas);
    // EIP-1052 + EIP-161: empty or absent accounts hash to 0.
    x.sp[-1] = x.ctx.host.account_is_empty(a) ? uint256() : from_bytes32(x.ctx.host.get_code_hash(a));
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step blockhash(State& x) {
    const uint256& n = x.sp[-1];
    const uint64_t cur = x.ctx.block.number;
    uint256 h;
    if (n.fits_u64() && uint64_t(n) < cur && cur - uint64_t(n) <= 256)
        h = from_bytes32(x.ctx.host.block_hash(uint64_t(n)));
    x.sp[-1] = h;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step coinbase(State& x) noexcept {
    return push_value(x, from_address(x.ctx.block.coinbase));
}
TRELLIS_EVM_INLINE Step timestamp(State& x) noexcept {
    return push_value(x, uint256(x.ctx.block.timestamp));
}
TRELLIS_EVM_INLINE Step number(State& x) noexcept {
    return push_value(x, uint256(x.ctx.block.number));
}
TRELLIS_EVM_INLINE Step prevrandao(State& x) noexcept {
    return push_value(x, from_bytes32(x.ctx.block.prev_randao));
}
TRELLIS_EVM_INLINE Step gaslimit(State& x) noexcept {
    return push_value(x, uint256(x.ctx.block.gas_limit));
}
TRELLIS_EVM_INLINE Step chainid(State& x) noexcept {
    return push_value(x, uint256(x.ctx.block.chain_id));
}
TRELLIS_EVM_INLINE Step selfbalance(State& x) {
    return push_value(x, x.ctx.host.get_balance(x.ctx.msg.recipient));
}
TRELLIS_EVM_INLINE Step basefee(State& x) noexcept {
    return push_value(x, x.ctx.block.base_fee);
}
TRELLIS_EVM_INLINE Step blobhash(State& x) noexcept {  // EIP-4844
    const uint256& i = x.sp[-1];
    const auto& hashes = x.ctx.tx.blob_hashes;
    x.sp[-1] =
        (i.fits_u64() && uint64_t(i) < hashes.size()) ? from_bytes32(hashes[size_t(uint64_t(i))]) : uint256();
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step blobbasefee(State& x) noexcept {  // EIP-7516
    return push_value(x, x.ctx.block.blob_base_fee);
}

// ---- Stack, memory, storage and flow (0x50-0x5f) ----

TRELLIS_EVM_INLINE Step pop(State& x) noexcept {
    --x.sp;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step mload(State& x) noexcept {
    const uint256& off = x.sp[-1];
    if (!grow_memory(x, off, uint256(32))) return fail(x, Status::kOutOfGas);
    x.sp[-1] = uint256::from_be({x.mem.data() + uint64_t(off), 32});
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step mstore(State& x) noexcept {
    const uint256& off = x.sp[-1];
    if (!grow_memory(x, off, uint256(32))) return fail(x, Status::kOutOfGas);
    x.sp[-2].store_be(x.mem.data() + uint64_t(off));
    x.sp -= 2;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step mstore8(State& x) noexcept {
    const uint256& off = x.sp[-1];
    if (!grow_memory(x, off, uint256(1))) return fail(x, Status::kOutOfGas);
    x.mem[uint64_t(off)] = uint8_t(x.sp[-2].w[0]);
    x.sp -= 2;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step sload(State& x) {
    const Bytes32 key = to_bytes32(x.sp[-1]);
    const Address& self = x.ctx.msg.recipient;
    // EIP-2929: 2100 cold, of which the static 100 is charged already.
    if (!x.ctx.host.access_storage(self, key) && !charge(x.gas, 2000)) return fail(x, Status::kOutOfGas);
    x.sp[-1] = from_bytes32(x.ctx.host.get_storage(self, key));
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step sstore(State& x) {
    if (x.ctx.msg.is_static) return fail(x, Status::kStaticModeViolation);
    if (x.gas <= kCallStipend) return fail(x, Status::kOutOfGas);  // EIP-2200 sentry
    const Bytes32 key = to_bytes32(x.sp[-1]);
    const Bytes32 value = to_bytes32(x.sp[-2]);
    x.sp -= 2;
    if (!charge(x.gas, sstore_cost(x.ctx, key, value))) return fail(x, Status::kOutOfGas);
    return Step::kNextBlock;
}
TRELLIS_EVM_INLINE Step jump(State& x) noexcept {
    const uint256& dest = x.sp[-1];
    if (!dest.fits_u64() || !x.an.is_jumpdest(uint64_t(dest))) return fail(x, Status::kBadJumpDestination);
    --x.sp;
    x.pc = x.code + uint64_t(x.sp->w[0]);
    return Step::kJump;  // the JUMPDEST charges its block
}
TRELLIS_EVM_INLINE Step jumpi(State& x) noexcept {
    const uint256& dest = x.sp[-1];
    if (!x.sp[-2].is_zero()) {
        if (!dest.fits_u64() || !x.an.is_jumpdest(uint64_t(dest)))
            return fail(x, Status::kBadJumpDestination);
        x.pc = x.code + uint64_t(dest);
        x.sp -= 2;
        return Step::kJump;
    }
    x.sp -= 2;
    return Step::kNextBlock;
}
TRELLIS_EVM_INLINE Step pc(State& x) noexcept {
    return push_value(x, uint256(uint64_t(x.pc - x.code)));
}
TRELLIS_EVM_INLINE Step msize(State& x) noexcept {
    return push_value(x, uint256(x.mem.size()));
}
TRELLIS_EVM_INLINE Step gas(State& x) noexcept {
    *x.sp++ = uint256(uint64_t(x.gas));
    return Step::kNextBlock;
}
TRELLIS_EVM_INLINE Step jumpdest(State& x) noexcept {
    return enter_block(x, size_t(x.pc - x.code)) ? Step::kNext : Step::kFail;
}
TRELLIS_EVM_INLINE Step tload(State& x) {  // EIP-1153
    x.sp[-1] = from_bytes32(x.ctx.host.get_transient_storage(x.ctx.msg.recipient, to_bytes32(x.sp[-1])));
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step tstore(State& x) {
    if (x.ctx.msg.is_static) return fail(x, Status::kStaticModeViolation);
    x.ctx.host.set_transient_storage(x.ctx.msg.recipient, to_bytes32(x.sp[-1]), to_bytes32(x.sp[-2]));
    x.sp -= 2;
    return Step::kNext;
}
TRELLIS_EVM_INLINE Step mcopy(State& x) noexcept {  // EIP-5656
    const uint256& dst = x.sp[-1];
    const uint256& src = x.sp[-2];
    const uint256& size = x.sp[-3];
    if (!size.is_zero()) {
        // Memory grows to cover both regions.
        const uint256 hi = src > dst ? src : dst;
        if (!grow_memory(x, hi, size)) return fail(x, Status::kOutOfGas);
        const uint64_t n = uint64_t(size);
        if (!charge(x.gas, int64_t(3 * num_words(n)))) return fail(x, Status::kOutOfGas);
        std::memmove(x.mem.data() + uint64_t(dst), x.mem.data() + uint64_t(src), n);
    }
    x.sp -= 3;
    return Step::kNext;
}

// ---- PUSH0-PUSH32, DUPn, SWAPn, LOGn (0x5f-0xa4) ----

TRELLIS_EVM_INLINE Step push0(State& x) noexcept {
    return push_value(x, uint256());
}
template <unsigned N>
TRELLIS_EVM_INLINE Step push(State& x) noexcept {
    static_assert(N >= 1 && N <= 32);
    if constexpr (N == 1)
        return push_value(x, uint256(x.pc[1]));
    else if constexpr (N == 32)
        return push_value(x, uint256::load_be32(x.pc + 1));
    else
        return push_value(x, load_push(x.pc + 1 + N, N));
}
template <int N>
TRELLIS_EVM_INLINE Step dup(State& x) noexcept {
    *x.sp = x.sp[-N];
    ++x.sp;
    return Step::kNext;
}
template <int N>
TRELLIS_EVM_INLINE Step swap(State& x) noexcept {
    std::swap(x.sp[-1], x.sp[-1 - N]);
    return Step::kNext;
}
template <unsigned N>
TRELLIS_EVM_INLINE Step log(State& x) {
    if (x.ctx.msg.is_static) return fail(x, Status::kStaticModeViolation);
    const uint256& off = x.sp[-1];
    const uint256& size = x.sp[-2];
    if (!grow_memory(x, off, size)) return fail(x, Status::kOutOfGas);
    const uint64_t n = uint64_t(size);
    if (!charge(x.gas, int64_t(8 * n))) return fail(x, Status::kOutOfGas);
    emit_log(x.ctx, x.sp, N, n ? x.mem.data() + uint64_t(off) : nullptr, n);
    x.sp -= 2 + N;
    return Step::kNext;
}

// ---- System (0xf0-0xff) ----

template <bool kCreate2>
TRELLIS_EVM_INLINE Step create_any(State& x) {
    int64_t gas = x.gas;  // a copy: the out-of-line call must not see x
    const Status s = run_create(x.ctx, x.mem, kCreate2, x.sp, gas);
    x.gas = gas;
    x.sp -= kCreate2 ? 3 : 2;
    return s == Status::kSuccess ? Step::kNextBlock : fail(x, s);
}
TRELLIS_EVM_INLINE Step create(State& x) {
    return create_any<false>(x);
}
TRELLIS_EVM_INLINE Step create2(State& x) {
    return create_any<true>(x);
}

template <Opcode kOp>
TRELLIS_EVM_INLINE Step call_any(State& x) {
    constexpr int kArgs = kOp == OP_CALL || kOp == OP_CALLCODE ? 7 : 6;
    int64_t gas = x.gas;  // a copy: the out-of-line call must not see x
    const Status s = run_call(x.ctx, x.mem, kOp, x.sp, gas);
    x.gas = gas;
    x.sp -= kArgs - 1;
    return s == Status::kSuccess ? Step::kNextBlock : fail(x, s);
}
TRELLIS_EVM_INLINE Step call(State& x) {
    return call_any<OP_CALL>(x);
}
TRELLIS_EVM_INLINE Step callcode(State& x) {
    return call_any<OP_CALLCODE>(x);
}
TRELLIS_EVM_INLINE Step delegatecall(State& x) {
    return call_any<OP_DELEGATECALL>(x);
}
TRELLIS_EVM_INLINE Step staticcall(State& x) {
    return call_any<OP_STATICCALL>(x);
}

/// RETURN and REVERT.
TRELLIS_EVM_INLINE Step halt_with_output(State& x, Status s) {
    const uint256& off = x.sp[-1];
    const uint256& size = x.sp[-2];
    if (!grow_memory(x, off, size)) return fail(x, Status::kOutOfGas);
    const uint64_t n = uint64_t(size);
    if (n) x.ctx.output.assign(x.mem.data() + uint64_t(off), x.mem.data() + uint64_t(off) + n);
    x.status = s;
    return Step::kHalt;
}
TRELLIS_EVM_INLINE Step return_output(State& x) {
    return halt_with_output(x, Status::kSuccess);
}
TRELLIS_EVM_INLINE Step revert(State& x) {
    return halt_with_output(x, Status::kRevert);
}
TRELLIS_EVM_INLINE Step invalid(State& x) noexcept {
    return fail(x, Status::kInvalidInstruction);
}
TRELLIS_EVM_INLINE Step selfdestruct(State& x) {
    int64_t gas = x.gas;  // a copy: the out-of-line call must not see x
    const Status s = run_selfdestruct(x.ctx, x.sp[-1], gas);
    x.gas = gas;
    if (s != Status::kSuccess) return fail(x, s);
    x.status = Status::kSuccess;
    return Step::kHalt;
}

}  // namespace trellis::evm::instr
