// The slow paths of the instructions (instructions.hpp): out of line so the
// threaded loop stays small and its registers stay in registers.
#include "evm/instructions.hpp"

#include <algorithm>

namespace trellis::evm::instr {

int64_t sstore_cost(const Context& c, const Bytes32& key, const Bytes32& value) {
    Host& host = c.host;
    const Address& self = c.msg.recipient;
    int64_t cost = 0;
    if (!host.access_storage(self, key)) cost += 2100;  // EIP-2929
    const Bytes32 current = host.get_storage(self, key);
    // EIP-2200 with EIP-2929 costs and EIP-3529 refunds.
    if (current == value) return cost + 100;
    const Bytes32 original = host.get_committed_storage(self, key);
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
    host.set_storage(self, key, value);
    return cost;
}

void emit_log(const Context& c, const uint256* sp, unsigned topics, const uint8_t* data, uint64_t size) {
    Log log;
    log.address = c.msg.recipient;
    log.topics.reserve(topics);
    for (unsigned i = 0; i < topics; ++i) log.topics.push_back(to_bytes32(sp[-3 - int(i)]));
    if (size) log.data.assign(data, data + size);
    c.host.emit_log(std::move(log));
}

Status run_create(const Context& c, Bytes& mem, bool is_create2, uint256* sp, int64_t& gas) {
    if (c.msg.is_static) return Status::kStaticModeViolation;
    const uint256 value = sp[-1];
    const uint256 off = sp[-2];
    const uint256 size = sp[-3];
    Bytes32 salt;
    if (is_create2) salt = to_bytes32(sp[-4]);
    uint256& result = sp[is_create2 ? -4 : -3];
    if (!grow_memory(mem, gas, off, size)) return Status::kOutOfGas;
    const uint64_t n = uint64_t(size);
    if (n > kMaxInitcodeSize) return Status::kOutOfGas;                     // EIP-3860
    if (!charge(gas, int64_t(2 * num_words(n)))) return Status::kOutOfGas;  // EIP-3860 initcode words
    if (is_create2 && !charge(gas, int64_t(6 * num_words(n))))
        return Status::kOutOfGas;  // hashing the initcode
    c.return_data.clear();

    Message child;
    child.kind = is_create2 ? CallKind::kCreate2 : CallKind::kCreate;
    child.depth = c.msg.depth + 1;
    child.gas = all_but_one_64th(gas);
    child.sender = c.msg.recipient;
    child.value = value;
    child.salt = salt;
    // The initcode must outlive the child's memory changes: copy it.
    const Bytes initcode = n ? Bytes(mem.data() + uint64_t(off), mem.data() + uint64_t(off) + n) : Bytes{};
    child.input = initcode;
    gas -= child.gas;
    ExecResult r = c.evm.execute(child);
    gas += r.gas_left;
    if (r.status == Status::kRevert) c.return_data = std::move(r.output);
    result = r.status == Status::kSuccess ? from_address(r.created) : uint256();
    return Status::kSuccess;
}

namespace {

/// The child message of a call instruction, before its gas and input.
Message call_message(Opcode op, const Message& msg, const Address& dest, const uint256& value) {
    Message child;
    child.depth = msg.depth + 1;
    child.code_address = dest;
    child.is_static = msg.is_static;
    switch (op) {
        case OP_CALL:
            child.kind = CallKind::kCall;
            child.recipient = dest;
            child.sender = msg.recipient;
            child.value = value;
            break;
        case OP_CALLCODE:
            child.kind = CallKind::kCallCode;
            child.recipient = msg.recipient;
            child.sender = msg.recipient;
            child.value = value;
            break;
        case OP_DELEGATECALL:
            child.kind = CallKind::kDelegateCall;
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
    return child;
}

}  // namespace

Status run_call(const Context& c, Bytes& mem, Opcode op, uint256* sp, int64_t& gas) {
    const bool has_value = op == OP_CALL || op == OP_CALLCODE;
    const uint256 gas_req = sp[-1];
    const Address dest = to_address(sp[-2]);
    const uint256 value = has_value ? sp[-3] : uint256();
    const int base = has_value ? 3 : 2;
    const uint256 in_off = sp[-1 - base];
    const uint256 in_size = sp[-2 - base];
    const uint256 out_off = sp[-3 - base];
    const uint256 out_size = sp[-4 - base];
    uint256& result = sp[-4 - base];
    if (op == OP_CALL && c.msg.is_static && !value.is_zero()) return Status::kStaticModeViolation;
    if (!c.host.access_account(dest) && !charge(gas, 2500)) return Status::kOutOfGas;  // EIP-2929
    if (!grow_memory(mem, gas, in_off, in_size)) return Status::kOutOfGas;
    if (!grow_memory(mem, gas, out_off, out_size)) return Status::kOutOfGas;
    if (!value.is_zero()) {
        if (!charge(gas, 9000)) return Status::kOutOfGas;
        // EIP-161: the new-account charge applies only to value sent to an empty account.
        if (op == OP_CALL && c.host.account_is_empty(dest) && !charge(gas, 25000)) return Status::kOutOfGas;
    }

    int64_t child_gas = all_but_one_64th(gas);  // EIP-150
    if (gas_req.fits_u64() && uint64_t(gas_req) < uint64_t(child_gas)) child_gas = int64_t(uint64_t(gas_req));
    gas -= child_gas;
    if (!value.is_zero()) child_gas += kCallStipend;

    Message child = call_message(op, c.msg, dest, value);
    child.gas = child_gas;
    // The callee may grow the caller's memory only through this frame's
    // copy-back, so passing a view into it is safe.
    const uint64_t in_n = uint64_t(in_size);
    child.input = in_n ? ByteView(mem.data() + uint64_t(in_off), in_n) : ByteView();
    ExecResult r = c.evm.execute(child);
    c.return_data = std::move(r.output);
    const uint64_t out_n = std::min<uint64_t>(uint64_t(out_size), c.return_data.size());
    if (out_n) std::memcpy(mem.data() + uint64_t(out_off), c.return_data.data(), out_n);
    gas += r.gas_left;
    result = uint256(r.status == Status::kSuccess);
    return Status::kSuccess;
}

Status run_selfdestruct(const Context& c, const uint256& beneficiary_word, int64_t& gas) {
    if (c.msg.is_static) return Status::kStaticModeViolation;
    Host& host = c.host;
    const Address& self = c.msg.recipient;
    const Address beneficiary = to_address(beneficiary_word);
    if (!host.access_account(beneficiary) && !charge(gas, 2600)) return Status::kOutOfGas;  // EIP-2929
    const uint256 balance = host.get_balance(self);
    if (!balance.is_zero() && host.account_is_empty(beneficiary) && !charge(gas, 25000))
        return Status::kOutOfGas;
    // EIP-6780: the account is deleted only when created in this transaction;
    // otherwise only its balance moves.
    host.touch(beneficiary);
    if (beneficiary != self) {
        host.set_balance(beneficiary, host.get_balance(beneficiary) + balance);
        host.set_balance(self, uint256());
    }
    if (host.created_in_transaction(self)) {
        host.set_balance(self, uint256());
        host.mark_destructed(self);
    }
    return Status::kSuccess;
}

}  // namespace trellis::evm::instr
