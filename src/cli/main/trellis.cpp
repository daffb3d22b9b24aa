// The trellis binary: one executable, one subcommand per job.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/hex.hpp"
#include "cli/statetest.hpp"
#include "cli/vmtest.hpp"
#include "evm/evm.hpp"
#include "state/state_db.hpp"
#include "state/world_state.hpp"

using namespace trellis;

namespace {

std::optional<evm::Revision> parse_revision(const std::string& s) {
    if (s == "shanghai" || s == "Shanghai") return evm::Revision::kShanghai;
    if (s == "cancun" || s == "Cancun") return evm::Revision::kCancun;
    if (s == "trellis" || s == "Trellis") return evm::Revision::kTrellis;
    return std::nullopt;
}

/// Reads HEX or @FILE (a file holding hex).
Bytes hex_arg(const std::string& arg, const char* what) {
    std::string text = arg;
    if (!arg.empty() && arg[0] == '@') {
        std::ifstream in(arg.substr(1));
        if (!in) throw CLI::ValidationError(what, "cannot read " + arg.substr(1));
        std::stringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    text.erase(std::remove_if(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); }),
               text.end());
    auto b = from_hex(text);
    if (!b) throw CLI::ValidationError(what, std::string("not hex: ") + to_string(b.error()));
    return std::move(b).value();
}

int cmd_statetest(const std::vector<std::string>& paths, const std::string& fork, const std::string& filter,
                  bool dump) {
    cli::StateTestOptions opt;
    if (dump) opt.dump = &std::cout;
    opt.fork = fork;
    opt.filter = filter;
    const auto rev = parse_revision(fork);
    if (!rev) {
        std::cerr << "unsupported fork " << fork << "\n";
        return 2;
    }
    opt.revision = *rev;
    std::vector<std::filesystem::path> ps(paths.begin(), paths.end());
    const auto s = cli::run_state_tests(ps, opt, std::cout);
    std::cout << s.passed << " passed, " << s.failed << " failed, " << s.skipped << " skipped\n";
    return s.failed == 0 ? 0 : 1;
}

int cmd_evm_run(const std::string& code_arg, const std::string& input_arg, int64_t gas, const std::string& rev_name,
                bool bench) {
    const Bytes code = hex_arg(code_arg, "--code");
    const Bytes input = input_arg.empty() ? Bytes{} : hex_arg(input_arg, "--input");
    const auto rev = parse_revision(rev_name);
    if (!rev) {
        std::cerr << "unknown revision " << rev_name << "\n";
        return 2;
    }
    Address contract;
    contract[19] = 0xc0;
    Address caller;
    caller[19] = 0xca;
    auto run_once = [&](evm::ExecResult& result) {
        state::MemoryStateDb db;
        db.put_account(contract, 1, uint256(), code, {});
        state::WorldState ws(db);
        ws.begin_transaction();
        evm::BlockContext block;
        block.gas_limit = uint64_t(gas);
        evm::TxContext tx;
        tx.origin = caller;
        evm::Evm vm(ws, block, tx, *rev);
        evm::Message msg;
        msg.gas = gas;
        msg.recipient = contract;
        msg.code_address = contract;
        msg.sender = caller;
        msg.input = input;
        const auto analysis = evm::CodeAnalysis::analyze(code, *rev);
        const auto t0 = std::chrono::steady_clock::now();
        result = vm.run_code(msg, *analysis);
        return std::chrono::steady_clock::now() - t0;
    };
    evm::ExecResult r;
    run_once(r);
    std::cout << "status: " << evm::to_string(r.status) << "\n"
              << "output: " << to_0x_hex(r.output) << "\n"
              << "gas used: " << (gas - r.gas_left) << "\n";
    if (bench) {
        std::vector<double> ns;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (ns.size() < 5 || (std::chrono::steady_clock::now() < deadline && ns.size() < 10000)) {
            evm::ExecResult rr;
            ns.push_back(std::chrono::duration<double, std::nano>(run_once(rr)).count());
        }
        std::sort(ns.begin(), ns.end());
        const double median = ns[ns.size() / 2];
        std::cout << "runs: " << ns.size() << "\nmedian: " << median / 1e3 << " us\n"
                  << "gas/s: " << double(gas - r.gas_left) / (median / 1e9) << "\n";
    }
    return r.status == evm::Status::kSuccess ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Trellis: a consortium blockchain node and its tools"};
    app.require_subcommand(1);

    auto* st = app.add_subcommand("statetest", "Run Ethereum state-test JSON files or folders");
    std::vector<std::string> st_paths;
    std::string st_fork = "Cancun", st_filter;
    st->add_option("paths", st_paths, "state-test files or folders")->required();
    st->add_option("--fork", st_fork, "post section to check (Cancun, Shanghai)")->capture_default_str();
    st->add_option("--filter", st_filter, "only tests whose name contains this");
    bool st_dump = false;
    st->add_flag("--dump", st_dump, "print each case's post-state (for debugging)");

    auto* vt = app.add_subcommand("vmtest", "Run the classic VM tests (ethereum/legacytests VMTests)");
    std::vector<std::string> vt_paths;
    vt->add_option("paths", vt_paths, "VM-test files or folders")->required();

    auto* ev = app.add_subcommand("evm", "EVM tools");
    ev->require_subcommand(1);
    auto* run = ev->add_subcommand("run", "Execute bytecode against an empty state");
    std::string code, input, rev = "cancun";
    int64_t gas = 10'000'000;
    bool bench = false;
    run->add_option("--code", code, "bytecode as hex, or @FILE")->required();
    run->add_option("--input", input, "calldata as hex, or @FILE");
    run->add_option("--gas", gas, "gas limit")->capture_default_str();
    run->add_option("--rev", rev, "revision: shanghai, cancun, trellis")->capture_default_str();
    run->add_flag("--bench", bench, "repeat and print the median time and gas/s");

    CLI11_PARSE(app, argc, argv);
    try {
        if (st->parsed()) return cmd_statetest(st_paths, st_fork, st_filter, st_dump);
        if (vt->parsed()) {
            const auto s = cli::run_vm_tests({vt_paths.begin(), vt_paths.end()}, std::cout);
            std::cout << s.passed << " passed, " << s.failed << " failed\n";
            return s.failed == 0 ? 0 : 1;
        }
        if (run->parsed()) return cmd_evm_run(code, input, gas, rev, bench);
    } catch (const CLI::Error& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
