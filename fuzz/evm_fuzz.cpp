// Random bytecode with random input through the EVM. Invariants: no crash or
// sanitizer report; gas left never exceeds the gas given; a failed or reverted
// call leaves the world exactly as it was; execution is deterministic.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "evm/evm.hpp"
#include "state/state_db.hpp"
#include "state/world_state.hpp"

using namespace trellis;

namespace {

struct Outcome {
    evm::Status status;
    int64_t gas_left;
    Bytes output;
    state::StateDiff diff;
};

Address account(uint8_t n) {
    Address a;
    a[19] = n;
    return a;
}

Outcome run(ByteView code, ByteView input, int64_t gas, uint8_t rev) {
    state::MemoryStateDb db;
    db.put_account(account(1), 1, uint256(1'000'000), code, {{uint256(0).to_be(), uint256(7).to_be()}});
    db.put_account(account(2), 1, uint256(5), code.subspan(0, code.size() / 2), {});
    db.put_account(account(3), 0, uint256(1) << 80, {}, {});
    state::WorldState ws(db);
    ws.begin_transaction();
    evm::BlockContext block;
    block.number = 1000;
    block.gas_limit = 30'000'000;
    evm::TxContext tx;
    tx.origin = account(3);
    evm::Evm vm(ws, block, tx, evm::Revision(rev % evm::kNumRevisions));
    evm::Message msg;
    msg.gas = gas;
    msg.recipient = account(1);
    msg.code_address = account(1);
    msg.sender = account(3);
    msg.input = input;
    const auto r = vm.execute(msg);
    if (r.gas_left < 0 || r.gas_left > gas) std::abort();
    Outcome o{r.status, r.gas_left, r.output, ws.diff()};
    if (r.status != evm::Status::kSuccess) {
        // Everything the call did is undone: each account in the diff reads as in db.
        for (const auto& [addr, ch] : o.diff.accounts) {
            const auto before = db.read_account(addr);
            if (ch.deleted) {
                if (before) std::abort();
                continue;
            }
            if (!before || before->nonce != ch.record.nonce || before->balance != ch.record.balance ||
                before->code_hash != ch.record.code_hash)
                std::abort();
            for (const auto& [k, v] : ch.storage)
                if (db.read_storage(addr, k) != v) std::abort();
        }
    }
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    const int64_t gas = int64_t(data[0]) << 12 | int64_t(data[1]) << 4;  // up to ~1M
    const uint8_t rev = data[2];
    const size_t input_len = std::min<size_t>(data[3], size - 4);
    const ByteView input(data + 4, input_len);
    const ByteView code(data + 4 + input_len, size - 4 - input_len);
    const Outcome a = run(code, input, gas, rev);
    const Outcome b = run(code, input, gas, rev);
    if (a.status != b.status || a.gas_left != b.gas_left || a.output != b.output) std::abort();
    return 0;
}
