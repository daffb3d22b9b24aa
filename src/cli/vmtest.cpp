#include "cli/vmtest.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "base/hex.hpp"
#include "cli/big_stack.hpp"
#include "cli/fixture_json.hpp"
#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "evm/evm.hpp"
#include "state/state_db.hpp"
#include "state/world_state.hpp"

namespace trellis::cli {
namespace {

using nlohmann::json;

using namespace fixture;

/// Empty when the test passes, else the reason.
std::string run_one(const json& t) {
    const json& exec = t.at("exec");
    const json& env = t.at("env");
    state::MemoryStateDb db;
    for (const auto& [a, acc] : t.at("pre").items()) {
        std::map<Bytes32, Bytes32> storage;
        for (const auto& [k, v] : acc.at("storage").items()) storage[num(json(k)).to_be()] = num(v).to_be();
        db.put_account(address(json(a)), uint64_t(num(acc.at("nonce"))), num(acc.at("balance")),
                       bytes(acc.at("code")), storage);
    }
    state::WorldState ws(db);
    ws.set_block_hash_source(test_block_hash);
    ws.begin_transaction();

    evm::BlockContext block;
    block.coinbase = address(env.at("currentCoinbase"));
    block.number = uint64_t(num(env.at("currentNumber")));
    block.timestamp = uint64_t(num(env.at("currentTimestamp")));
    block.gas_limit = uint64_t(num(env.at("currentGasLimit")));
    block.prev_randao = num(env.at("currentDifficulty")).to_be();  // DIFFICULTY in these tests
    evm::TxContext tx;
    tx.origin = address(exec.at("origin"));
    tx.gas_price = num(exec.at("gasPrice"));

    const Address addr = address(exec.at("address"));
    const Bytes code = bytes(exec.at("code"));
    const Bytes data = bytes(exec.at("data"));
    evm::Evm vm(ws, block, tx, evm::Revision::kCancun);
    vm.set_nested_message_handler([](const evm::Message& m) {
        evm::ExecResult r;
        r.gas_left = m.gas;
        return r;
    });
    // The executing account, its caller and the origin are warm, as at the
    // start of a transaction.
    ws.access_account(addr);
    ws.access_account(address(exec.at("caller")));
    ws.access_account(tx.origin);
    evm::Message msg;
    const uint256 gas = num(exec.at("gas"));
    msg.gas = gas.fits_u64() && uint64_t(gas) <= uint64_t(INT64_MAX) ? int64_t(uint64_t(gas)) : INT64_MAX;
    msg.recipient = addr;
    msg.code_address = addr;
    msg.sender = address(exec.at("caller"));
    msg.value = num(exec.at("value"));
    msg.input = data;
    const auto analysis = evm::CodeAnalysis::analyze(code, evm::Revision::kCancun);
    const evm::ExecResult r = vm.run_code(msg, *analysis);

    if (!t.contains("post")) {
        if (r.status == evm::Status::kSuccess || r.status == evm::Status::kRevert)
            return "expected an exceptional halt, got " + std::string(evm::to_string(r.status));
        return {};
    }
    if (r.status != evm::Status::kSuccess) return std::string("halted: ") + evm::to_string(r.status);
    if (t.contains("out") && r.output != bytes(t["out"]))
        return "output " + to_0x_hex(r.output) + " != " + t["out"].get<std::string>();
    if (t.contains("logs") && logs_hash(ws.logs()) != Hash32::from(bytes(t["logs"]))) return "logs hash mismatch";
    for (const auto& [a, acc] : t["post"].items()) {
        const Address pa = address(json(a));
        std::map<Bytes32, Bytes32> expected;
        for (const auto& [k, v] : acc.at("storage").items())
            if (!num(v).is_zero()) expected[num(json(k)).to_be()] = num(v).to_be();
        for (const auto& [k, v] : expected)
            if (ws.get_storage(pa, k) != v) return "storage " + a + "[" + to_0x_hex(k.view()) + "] differs";
        // Slots the test expects empty must be empty too: check everything written.
        const auto diff = ws.diff();
        if (auto it = diff.accounts.find(pa); it != diff.accounts.end())
            for (const auto& [k, v] : it->second.storage)
                if (!v.is_zero() && !expected.count(k))
                    return "unexpected storage " + a + "[" + to_0x_hex(k.view()) + "]";
    }
    return {};
}

}  // namespace

namespace {
VmTestSummary run_vm_tests_here(const std::vector<std::filesystem::path>& paths, std::ostream& out) {
    std::vector<std::filesystem::path> files;
    for (const auto& p : paths) {
        if (std::filesystem::is_directory(p)) {
            for (const auto& e : std::filesystem::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
        } else {
            files.push_back(p);
        }
    }
    std::sort(files.begin(), files.end());
    VmTestSummary s;
    for (const auto& f : files) {
        std::ifstream in(f);
        json doc;
        try {
            doc = json::parse(in);
        } catch (const std::exception& e) {
            ++s.failed;
            s.failures.push_back(f.string() + ": cannot parse: " + e.what());
            continue;
        }
        for (const auto& [name, t] : doc.items()) {
            if (!t.is_object() || !t.contains("exec")) continue;
            std::string why;
            try {
                why = run_one(t);
            } catch (const std::exception& e) {
                why = std::string("fixture error: ") + e.what();
            }
            if (why.empty()) {
                ++s.passed;
            } else {
                ++s.failed;
                std::string line = f.filename().string() + ":" + name + ": " + why;
                out << "FAIL " << line << "\n";
                s.failures.push_back(std::move(line));
            }
        }
    }
    return s;
}
}  // namespace

VmTestSummary run_vm_tests(const std::vector<std::filesystem::path>& paths, std::ostream& out) {
    VmTestSummary s;
    run_with_stack(kExecutionStackBytes, [&] { s = run_vm_tests_here(paths, out); });
    return s;
}

}  // namespace trellis::cli
