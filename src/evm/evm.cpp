#include "evm/evm.hpp"

#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "evm/precompiles.hpp"

namespace trellis::evm {

const char* to_string(Status s) noexcept {
    switch (s) {
        case Status::kSuccess: return "success";
        case Status::kRevert: return "execution reverted";
        case Status::kOutOfGas: return "out of gas";
        case Status::kInvalidInstruction: return "invalid instruction";
        case Status::kStackUnderflow: return "stack underflow";
        case Status::kStackOverflow: return "stack overflow";
        case Status::kBadJumpDestination: return "invalid jump destination";
        case Status::kInvalidMemoryAccess: return "return data out of bounds";
        case Status::kStaticModeViolation: return "write protection";
        case Status::kCallDepthExceeded: return "max call depth exceeded";
        case Status::kInsufficientBalance: return "insufficient balance for transfer";
        case Status::kContractCollision: return "contract address collision";
        case Status::kCodeSizeExceeded: return "max code size exceeded";
        case Status::kInvalidCodePrefix: return "invalid code: must not begin with 0xef";
        case Status::kInitcodeSizeExceeded: return "max initcode size exceeded";
        case Status::kNonceOverflow: return "nonce uint64 overflow";
        case Status::kPrecompileFailure: return "precompile failed";
    }
    return "unknown status";
}

std::shared_ptr<const CodeAnalysis> CodeCache::get(const Hash32& code_hash, ByteView code, Revision rev) {
    auto& m = map_[int(rev)];
    if (auto it = m.find(code_hash); it != m.end()) return it->second;
    if (m.size() >= max_entries_) m.clear();
    auto a = CodeAnalysis::analyze(code, rev);
    m.emplace(code_hash, a);
    return a;
}

Evm::Evm(Host& host, const BlockContext& block, const TxContext& tx, Revision rev, CodeCache* cache)
    : host_(host), block_(block), tx_(tx), rev_(rev) {
    if (!cache) {
        own_cache_ = std::make_unique<CodeCache>();
        cache = own_cache_.get();
    }
    cache_ = cache;
}

Evm::~Evm() = default;

Frame& Evm::frame_at(int depth) {
    while (frames_.size() <= size_t(depth)) frames_.push_back(std::make_unique<Frame>());
    return *frames_[size_t(depth)];
}

Address create_address(const Address& sender, uint64_t nonce) {
    Bytes rlp;
    const size_t mark = rlp::begin_list(rlp);
    rlp::encode_string(rlp, sender.view());
    rlp::encode_uint(rlp, nonce);
    rlp::end_list(rlp, mark);
    const Hash32 h = crypto::keccak256(rlp);
    return Address::from({h.data() + 12, 20});
}

Address create2_address(const Address& sender, const Bytes32& salt, ByteView initcode) {
    uint8_t buf[1 + 20 + 32 + 32];
    buf[0] = 0xff;
    std::memcpy(buf + 1, sender.data(), 20);
    std::memcpy(buf + 21, salt.data(), 32);
    const Hash32 code_hash = crypto::keccak256(initcode);
    std::memcpy(buf + 53, code_hash.data(), 32);
    const Hash32 h = crypto::keccak256({buf, sizeof(buf)});
    return Address::from({h.data() + 12, 20});
}

ExecResult Evm::execute(const Message& msg) {
    if (msg.depth > 0 && nested_handler_) return nested_handler_(msg);
    if (msg.kind == CallKind::kCreate || msg.kind == CallKind::kCreate2) return create(msg);
    return call(msg);
}

namespace {
ExecResult failed(Status s, int64_t gas_left) {
    ExecResult r;
    r.status = s;
    r.gas_left = gas_left;
    return r;
}
}  // namespace

ExecResult Evm::call(const Message& msg) {
    // Depth and balance failures return the gas and change nothing.
    if (msg.depth > kMaxCallDepth) return failed(Status::kCallDepthExceeded, msg.gas);
    const bool transfers = msg.kind == CallKind::kCall || msg.kind == CallKind::kCallCode;
    if (transfers && !msg.value.is_zero() && host_.get_balance(msg.sender) < msg.value)
        return failed(Status::kInsufficientBalance, msg.gas);

    const size_t snap = host_.snapshot();
    if (msg.kind == CallKind::kCall) {
        // A call touches its recipient (EIP-161), value or not.
        host_.touch(msg.recipient);
        if (!msg.value.is_zero() && msg.sender != msg.recipient) {
            host_.set_balance(msg.sender, host_.get_balance(msg.sender) - msg.value);
            host_.set_balance(msg.recipient, host_.get_balance(msg.recipient) + msg.value);
        }
    }

    ExecResult r;
    if (const Precompile* p = find_precompile(msg.code_address, rev_)) {
        if (msg.code_address[19] == 0x0a && is_well_formed_point_evaluation(msg.input))
            ++stats_.unverifiable_kzg_calls;
        r = run_precompile(*p, msg.input, msg.gas);
    } else {
        const ByteView code = host_.get_code(msg.code_address);
        if (code.empty()) {
            r.status = Status::kSuccess;
            r.gas_left = msg.gas;
            return r;
        }
        const auto analysis = cache_->get(host_.get_code_hash(msg.code_address), code, rev_);
        r = run_code(msg, *analysis);
    }
    if (r.status != Status::kSuccess) {
        host_.revert_to(snap);
        if (r.status != Status::kRevert) r.gas_left = 0;
    }
    return r;
}

ExecResult Evm::create(const Message& msg) {
    if (msg.depth > kMaxCallDepth) return failed(Status::kCallDepthExceeded, msg.gas);
    if (host_.get_balance(msg.sender) < msg.value) return failed(Status::kInsufficientBalance, msg.gas);
    const uint64_t nonce = host_.get_nonce(msg.sender);
    if (nonce == ~uint64_t{0}) return failed(Status::kNonceOverflow, msg.gas);  // EIP-2681
    host_.set_nonce(msg.sender, nonce + 1);

    const Address addr = msg.kind == CallKind::kCreate2 ? create2_address(msg.sender, msg.salt, msg.input)
                                                        : create_address(msg.sender, nonce);
    host_.access_account(addr);  // EIP-2929: the new address is warm even if creation fails

    // EIP-684 / EIP-7610: an address with a nonce, code or storage is taken.
    if (host_.get_nonce(addr) != 0 || !host_.get_code(addr).empty() || host_.has_storage(addr))
        return failed(Status::kContractCollision, 0);

    const size_t snap = host_.snapshot();
    host_.create_contract_account(addr);
    host_.set_nonce(addr, 1);  // EIP-161
    if (!msg.value.is_zero()) {
        host_.set_balance(msg.sender, host_.get_balance(msg.sender) - msg.value);
        host_.set_balance(addr, host_.get_balance(addr) + msg.value);
    }

    Message init = msg;
    init.recipient = addr;
    init.code_address = addr;
    init.input = {};
    ExecResult r;
    if (!msg.input.empty()) {
        const auto analysis = CodeAnalysis::analyze(msg.input, rev_);
        // Initcode runs with no calldata; its code is the initcode itself.
        r = run_code(init, *analysis);
    } else {
        r.status = Status::kSuccess;
        r.gas_left = msg.gas;
    }

    if (r.status == Status::kSuccess) {
        const ByteView code = r.output;
        if (code.size() > kMaxCodeSize) {
            r = failed(Status::kCodeSizeExceeded, 0);
        } else if (!code.empty() && code[0] == 0xef) {
            r = failed(Status::kInvalidCodePrefix, 0);  // EIP-3541
        } else if (r.gas_left < int64_t(code.size()) * kCreateDataGas) {
            r = failed(Status::kOutOfGas, 0);
        } else {
            r.gas_left -= int64_t(code.size()) * kCreateDataGas;
            host_.set_code(addr, code);
            r.output.clear();
            r.created = addr;
            return r;
        }
    }
    host_.revert_to(snap);
    if (r.status != Status::kRevert) r.gas_left = 0;
    return r;
}

}  // namespace trellis::evm
