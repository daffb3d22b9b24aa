// The trellis binary: one executable, one subcommand per job.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <ctime>
#include <filesystem>
#include <memory>
#include <sstream>

#include "base/hex.hpp"
#include "cli/genesis_validators.hpp"
#include "cli/statetest.hpp"
#include "cli/vmtest.hpp"
#include "codec/rlp.hpp"
#include "crypto/suite.hpp"
#include "chain/genesis_state.hpp"
#include "node/genesis_json.hpp"
#include "p2p/ca.hpp"
#include "node/keystore.hpp"
#include "crypto/secp256k1.hpp"
#include "ledger/ledger.hpp"
#include "chain/devnet.hpp"
#include "devtools/devnet_cluster.hpp"
#include "node/config.hpp"
#include "devtools/bench.hpp"
#include "node/service.hpp"
#include "p2p/peer_manager.hpp"
#include "rpc/eth_api.hpp"
#include "runtime/log.hpp"
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

Address parse_address(const std::string& s, const char* what) {
    auto a = fixed_from_hex<Address>(s);
    if (!a) throw CLI::ValidationError(what, "not a 20-byte hex address: " + s);
    return *a;
}

uint256 parse_quantity(const std::string& s, const char* what) {
    auto v = parse_uint256(s);
    if (!v) throw CLI::ValidationError(what, std::string("not a number: ") + to_string(v.error()));
    return *v;
}

struct GenesisOptions {
    uint64_t chain_id = 1337;
    std::string suite = "ethereum";
    std::string revision = "Trellis";
    uint64_t gas_limit = 30'000'000;
    std::string base_fee = "0";
    std::vector<std::string> alloc;       // ADDRESS=BALANCE
    std::vector<std::string> validators;  // cli::parse_validator_spec's SPEC
    std::vector<std::string> observers;   // node certificate PEM files
    std::string out;
};

int cmd_genesis_new(const GenesisOptions& o) {
    chain::Genesis g;
    g.chain_id = o.chain_id;
    g.crypto_suite = o.suite;
    g.evm_revision = o.revision;
    g.gas_limit = o.gas_limit;
    g.base_fee = chain::FixedBaseFee{parse_quantity(o.base_fee, "--base-fee")};
    for (const auto& a : o.alloc) {
        const auto eq = a.find('=');
        if (eq == std::string::npos) throw CLI::ValidationError("--alloc", "expected ADDRESS=BALANCE: " + a);
        g.alloc[parse_address(a.substr(0, eq), "--alloc")].balance = parse_quantity(a.substr(eq + 1), "--alloc");
    }
    const crypto::CryptoSuite* suite = crypto::suite_by_name(o.suite);
    if (!suite) throw CLI::ValidationError("--crypto-suite", "unknown suite " + o.suite);
    for (const auto& cert : o.observers) {
        auto id = cli::node_id_of_certificate_file(cert);
        if (!id) {
            std::cerr << "error: --observer " << id.error() << "\n";
            return 2;
        }
        g.observer_nodes.push_back(*id);
    }
    std::vector<std::string> specs = o.validators;
    if (specs.empty()) {
        // A development chain: one validator with a fresh key, printed once.
        const auto key = suite->generate_private_key();
        std::cerr << "generated validator key (keep it secret): " << to_0x_hex(key.view()) << "\n";
        specs.push_back(to_0x_hex(key.view()));
    }
    for (const auto& spec : specs) {
        auto v = cli::parse_validator_spec(spec, *suite);
        if (!v) {
            std::cerr << "error: " << v.error() << "\n";
            return 2;
        }
        g.validators.push_back(*v);
    }
    if (auto ok = chain::validate_genesis(g); !ok) {
        std::cerr << "invalid genesis: " << chain::to_string(ok.error()) << "\n";
        return 1;
    }
    const std::string text = node::genesis_to_json(g);
    if (o.out.empty()) {
        std::cout << text;
    } else {
        std::ofstream f(o.out);
        f << text;
        if (!f) throw std::runtime_error("cannot write " + o.out);
        std::cerr << "wrote " << o.out << " (genesis hash " << to_0x_hex(chain::genesis_hash(g).view()) << ")\n";
    }
    return 0;
}

/// Progress for long imports: a live line on a terminal, plain log lines otherwise.
class Progress {
public:
    explicit Progress(uint64_t total) : total_(total), start_(std::chrono::steady_clock::now()), last_(start_) {}
    void update(uint64_t blocks, uint64_t txs, bool final = false) {
        const auto now = std::chrono::steady_clock::now();
        if (!final && now - last_ < std::chrono::seconds(tty_ ? 1 : 10)) return;
        last_ = now;
        const double secs = std::max(1e-9, std::chrono::duration<double>(now - start_).count());
        const double bps = double(blocks) / secs, tps = double(txs) / secs;
        const double eta = bps > 0 && total_ > blocks ? double(total_ - blocks) / bps : 0;
        char line[200];
        std::snprintf(line, sizeof line, "imported %llu/%llu blocks, %llu txs, %.1f blocks/s, %.0f tx/s, ETA %.0fs",
                      (unsigned long long)blocks, (unsigned long long)total_, (unsigned long long)txs, bps, tps, eta);
        if (tty_)
            std::fprintf(stderr, "\r%s%s", line, final ? "\n" : "");
        else
            std::fprintf(stderr, "%s\n", line);
    }

private:
    uint64_t total_;
    std::chrono::steady_clock::time_point start_, last_;
    bool tty_ = ::isatty(2) != 0;
};

/// Splits a file of concatenated RLP blocks (what `trellis export` writes).
Result<std::vector<ByteView>, std::string> split_blocks(ByteView all) {
    std::vector<ByteView> out;
    while (!all.empty()) {
        ByteView rest = all;
        auto item = rlp::decode_item(rest);
        if (!item) return Unexpected{"block " + std::to_string(out.size()) + ": " + rlp::to_string(item.error())};
        out.push_back(all.subspan(0, all.size() - rest.size()));
        all = rest;
    }
    return out;
}

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

int cmd_import(const std::string& datadir, const std::string& genesis_path, const std::string& file, bool no_sync) {
    auto genesis = node::load_genesis_file(genesis_path);
    if (!genesis) {
        std::cerr << genesis.error() << "\n";
        return 1;
    }
    ledger::LedgerSettings settings;
    settings.sync_commits = !no_sync;
    auto ledger = ledger::Ledger::open(datadir, *genesis, settings);
    if (!ledger) {
        std::cerr << ledger.error() << "\n";
        return 1;
    }
    const Bytes data = read_file(file);
    auto blocks = split_blocks(data);
    if (!blocks) {
        std::cerr << file << ": " << blocks.error() << "\n";
        return 1;
    }
    const uint64_t head = (*ledger)->head_header().number;
    Progress progress(blocks->size());
    uint64_t imported = 0, txs = 0, skipped = 0;
    for (const ByteView raw : *blocks) {
        auto block = chain::decode_block(raw);
        if (!block) {
            std::cerr << "block " << imported + skipped << ": " << chain::to_string(block.error()) << "\n";
            return 1;
        }
        if (block->header.number <= head) {  // already have it (a resumed import)
            ++skipped;
            continue;
        }
        auto r = (*ledger)->import_block(*block);
        if (!r) {
            std::cerr << "block " << block->header.number << ": " << r.error() << "\n";
            return 1;
        }
        ++imported;
        txs += block->body.transactions.size();
        progress.update(imported + skipped, txs);
    }
    progress.update(imported + skipped, txs, true);
    std::cerr << "head " << (*ledger)->head_header().number << " " << to_0x_hex((*ledger)->head_hash().view()) << "\n";
    return 0;
}

int cmd_export(const std::string& datadir, const std::string& genesis_path, const std::string& file) {
    auto genesis = node::load_genesis_file(genesis_path);
    if (!genesis) {
        std::cerr << genesis.error() << "\n";
        return 1;
    }
    auto ledger = ledger::Ledger::open(datadir, *genesis);
    if (!ledger) {
        std::cerr << ledger.error() << "\n";
        return 1;
    }
    std::ofstream out(file, std::ios::binary);
    const uint64_t head = (*ledger)->head_header().number;
    for (uint64_t n = 1; n <= head; ++n) {
        auto hash = (*ledger)->store().canonical_hash(n);
        if (!hash || !hash->has_value()) throw std::runtime_error("missing block " + std::to_string(n));
        auto block = (*ledger)->store().block(**hash);
        if (!block || !block->has_value()) throw std::runtime_error("missing block body " + std::to_string(n));
        const Bytes enc = chain::encode_block(**block);
        out.write(reinterpret_cast<const char*>(enc.data()), std::streamsize(enc.size()));
    }
    if (!out) throw std::runtime_error("cannot write " + file);
    std::cerr << "exported " << head << " blocks\n";
    return 0;
}

/// The key-file password: --password-file, else $TRELLIS_KEY_PASSWORD, else a line on stdin.
std::string read_password(const std::string& file) {
    std::string pw;
    if (!file.empty()) {
        std::ifstream in(file);
        if (!in) throw std::runtime_error("cannot read " + file);
        std::getline(in, pw);
    } else if (const char* env = std::getenv("TRELLIS_KEY_PASSWORD")) {
        pw = env;
    } else {
        if (::isatty(0)) std::cerr << "password: ";
        std::getline(std::cin, pw);
    }
    return pw;
}

/// `trellis keys validator`: a fresh consensus key, written as the node's
/// validator_key_file expects; the public key and address go to stdout for
/// `trellis genesis new --validator key=0xPUBKEY,...` (the key stays here).
int cmd_keys_validator(const std::string& out, const std::string& suite_name) {
    const crypto::CryptoSuite* suite = crypto::suite_by_name(suite_name);
    if (!suite) {
        std::cerr << "error: unknown crypto suite " << suite_name << " (ethereum or sm)\n";
        return 2;
    }
    const Bytes32 key = suite->generate_private_key();
    auto pub = suite->public_key(key);
    if (!pub) throw std::runtime_error("key generation failed");
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        std::cerr << "error: cannot create " << out << " (" << std::strerror(errno) << "; an existing file is never overwritten)\n";
        return 1;
    }
    const std::string text = to_0x_hex(key.view()) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        std::cerr << "error: writing " << out << " failed\n";
        return 1;
    }
    std::cout << "validator key:  " << out << "\n"
              << "public key:     " << to_0x_hex(pub->view()) << "\n"
              << "address:        " << to_0x_hex(suite->address_of(*pub).view()) << "\n";
    return 0;
}

int write_keyfile(const std::string& dir, const Bytes32& key, const std::string& password, bool light) {
    std::filesystem::create_directories(dir);
    node::ScryptParams params;
    if (light) params.n = 1u << 12;
    const std::string text = node::encrypt_key(key, password, params);
    const std::string addr = node::keyfile_address(text);
    const auto path = std::filesystem::path(dir) / ("UTC--" + std::to_string(std::time(nullptr)) + "--" + addr + ".json");
    std::ofstream out(path);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::cout << "0x" << addr << "  " << path.string() << "\n";
    return 0;
}

int cmd_keys_list(const std::string& dir) {
    if (!std::filesystem::is_directory(dir)) {
        std::cerr << "no keystore at " << dir << "\n";
        return 1;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string addr = node::keyfile_address(ss.str());
        if (!addr.empty()) std::cout << "0x" << addr << "  " << f.string() << "\n";
    }
    return 0;
}

struct NodeOptions {
    std::string datadir;
    std::string genesis;
    std::string http_host = "127.0.0.1";
    uint16_t http_port = 8545;
    unsigned rpc_threads = 2;
    uint64_t empty_blocks = 0;  // seconds; 0: only when transactions are pending
    bool no_sync = false;
    uint64_t keep_state = 0;  // 0: archive
    std::string validator_key;
    std::string p2p_listen;  // HOST:PORT
    std::vector<std::string> peers;
    std::string node_cert, node_key, ca_cert;
    bool test_faults = false;
    std::string log_level;  // --log-level, runtime::log::parse_levels
};

/// Runs a service until SIGINT/SIGTERM. Signals are blocked before any thread
/// starts, so only this thread's sigwait sees them.
int run_service(node::ServiceSettings settings) {
    node::block_stop_signals();
    const std::string settings_host = settings.http_host;
    auto service = node::Service::start(std::move(settings));
    if (!service) {
        std::cerr << "error: " << service.error() << "\n";
        return 1;
    }
    auto& s = **service;
    // On stdout after binding, so scripts started with --http-port 0 learn the port.
    const std::string& host = settings_host;
    std::cout << "JSON-RPC: http://" << host << ":" << s.http_port() << " (WebSocket: ws://" << host << ":"
              << s.http_port() << "), head block " << s.backend().head_number() << std::endl;
    const int sig = node::wait_for_stop_signal();
    std::cerr << "received " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping\n";
    s.stop();
    std::cerr << "stopped at block " << s.backend().head_number() << "\n";
    return 0;
}

node::ServiceSettings service_settings(const NodeOptions& o) {
    node::ServiceSettings st;
    st.datadir = o.datadir;
    st.http_host = o.http_host;
    st.http_port = o.http_port;
    st.rpc_threads = std::max(1u, o.rpc_threads);
    st.empty_block_interval = std::chrono::seconds(o.empty_blocks);
    st.ledger.sync_commits = !o.no_sync;
    st.ledger.pruning.keep_last = o.keep_state;
    return st;
}

/// `trellis node`: defaults, then the --config file, then the flags given.
int cmd_node(const NodeOptions& o, const std::string& config_file, const CLI::App& cmd) {
    node::NodeConfig cfg;
    if (!config_file.empty()) {
        if (auto r = node::apply_config_file(config_file, cfg); !r) {
            std::cerr << "error: " << r.error() << "\n";
            return 2;
        }
    }
    node::ServiceSettings& st = cfg.service;
    const auto given = [&cmd](const char* flag) { return cmd.count(flag) > 0; };
    if (given("--datadir")) st.datadir = o.datadir;
    if (given("--genesis")) cfg.genesis_path = o.genesis;
    if (given("--http-host")) st.http_host = o.http_host;
    if (given("--http-port")) st.http_port = o.http_port;
    if (given("--rpc-threads")) st.rpc_threads = std::max(1u, o.rpc_threads);
    if (given("--empty-blocks")) st.empty_block_interval = std::chrono::seconds(o.empty_blocks);
    if (given("--keep-state")) st.ledger.pruning.keep_last = o.keep_state;
    if (given("--no-sync")) st.ledger.sync_commits = false;
    if (given("--validator-key")) cfg.validator_key_file = o.validator_key;
    if (given("--log-level")) {
        auto levels = runtime::log::parse_levels(o.log_level);
        if (!levels) {
            std::cerr << "error: --log-level: " << levels.error() << "\n";
            return 2;
        }
        cfg.log_levels = *levels;
    }
    if (cfg.log_levels) runtime::log::global().set_levels(*cfg.log_levels);
    // Any p2p flag makes this a networked node (as a [p2p] table does).
    for (const char* f : {"--p2p-listen", "--peer", "--node-cert", "--node-key", "--ca-cert", "--test-faults"})
        if (given(f) && !st.network) st.network.emplace();
    if (st.network) {
        auto& t = st.network->p2p.transport;
        if (given("--p2p-listen")) {
            auto a = p2p::parse_peer_address(o.p2p_listen);
            if (!a) {
                std::cerr << "error: --p2p-listen: expected HOST:PORT, got " << o.p2p_listen << "\n";
                return 2;
            }
            t.listen_address = a->host;
            t.listen_port = a->port;
        }
        if (given("--peer")) {
            st.network->p2p.static_peers.clear();
            for (const auto& p : o.peers) {
                auto a = p2p::parse_peer_address(p);
                if (!a) {
                    std::cerr << "error: --peer: expected HOST:PORT, got " << p << "\n";
                    return 2;
                }
                st.network->p2p.static_peers.push_back(*a);
            }
        }
        if (given("--node-cert")) t.cert_file = o.node_cert;
        if (given("--node-key")) t.key_file = o.node_key;
        if (given("--ca-cert")) t.ca_file = o.ca_cert;
        if (given("--test-faults")) st.network->test_faults = true;
    }
    if (!cfg.validator_key_file.empty()) {
        auto key = node::load_validator_key(cfg.validator_key_file);
        if (!key) {
            std::cerr << "error: " << key.error() << "\n";
            return 2;
        }
        st.consensus_key = *key;
    }
    if (st.datadir.empty() || cfg.genesis_path.empty()) {
        std::cerr << "error: a data directory and a genesis file are required (--datadir and --genesis, or "
                     "datadir and genesis in the --config file)\n";
        return 2;
    }
    auto genesis = node::load_genesis_file(cfg.genesis_path.string());
    if (!genesis) {
        std::cerr << genesis.error() << "\n";
        return 1;
    }
    st.genesis = std::move(genesis).value();
    if (!st.consensus_key && !st.network)
        std::cerr << "note: no validator key and no [p2p]: development mode, blocks are sealed here without "
                     "consensus (--validator-key runs the BFT engine with n = 1; [p2p] joins a network)\n";
    return run_service(std::move(st));
}

struct DevnetOptions {
    size_t validators = 4;
    size_t observers = 0;
    uint16_t p2p_port = 30700;
    uint64_t block_interval_ms = 500;
    size_t accounts = 10;
    bool test_faults = false;
    bool counts_given = false;  // --validators or --observers on the command line
};

/// A fresh development chain (or the one in --datadir), with well-known
/// prefunded accounts printed as other dev chains print them. One validator
/// and no observers: one in-process node. Otherwise one `trellis node`
/// process per node (node/devnet_cluster.hpp, docs/devnet.md).
int cmd_devnet(NodeOptions o, const DevnetOptions& d) {
    namespace fs = std::filesystem;
    if (!o.log_level.empty()) {
        auto levels = runtime::log::parse_levels(o.log_level);
        if (!levels) {
            std::cerr << "error: --log-level: " << levels.error() << "\n";
            return 2;
        }
        runtime::log::global().set_levels(*levels);  // one node: this process's
    }
    bool temporary = false;
    fs::path dir;
    if (o.datadir.empty()) {
        std::string tmpl = (fs::temp_directory_path() / "trellis-devnet-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
        dir = tmpl;
        temporary = true;
    } else {
        dir = o.datadir;
        fs::create_directories(dir);
    }
    const auto remove_temporary = [&] {
        if (!temporary) return;
        std::error_code ec;
        fs::remove_all(dir, ec);
    };
    // An existing directory keeps the kind it was made as.
    const bool existing = fs::exists(dir / "genesis.json");
    const bool multi = existing ? devtools::is_devnet_cluster_dir(dir) : !(d.validators == 1 && d.observers == 0);
    if (multi) {
        devtools::DevnetClusterOptions co;
        co.dir = dir;
        co.validators = d.validators;
        co.observers = d.observers;
        co.http_port = o.http_port;
        co.p2p_port = d.p2p_port;
        co.block_interval_ms = d.block_interval_ms;
        co.accounts = d.accounts;
        co.test_faults = d.test_faults;
        co.log_level = o.log_level;  // several nodes: their [log] level
        auto cluster = devtools::prepare_devnet_cluster(co);
        if (!cluster) {
            std::cerr << "error: " << cluster.error() << "\n";
            remove_temporary();
            return 1;
        }
        const size_t nv = cluster->genesis.validators.size(), no = cluster->genesis.observer_nodes.size();
        std::cout << "Trellis devnet: chain id " << cluster->genesis.chain_id << ", " << nv << " validator"
                  << (nv == 1 ? "" : "s") << ", " << no << " observer" << (no == 1 ? "" : "s") << ", data in "
                  << dir.string() << (temporary ? " (removed on exit)" : cluster->created ? "" : " (existing devnet)")
                  << "\n\n"
                  << std::flush;
        if (!cluster->created && d.counts_given && (nv != d.validators || no != d.observers))
            std::cerr << "note: " << dir.string() << " holds a devnet of " << nv << " validator(s) and " << no
                      << " observer(s); starting it as it is\n";
        const int rc = devtools::run_devnet_cluster(*cluster, d.accounts, devtools::DevnetRunOptions{}, std::cout, std::cerr);
        remove_temporary();
        return rc;
    }
    const auto accounts = chain::devnet_accounts(d.accounts);
    const fs::path genesis_path = dir / "genesis.json";
    chain::Genesis genesis;
    if (existing) {
        auto g = node::load_genesis_file(genesis_path.string());
        if (!g) {
            std::cerr << genesis_path.string() << ": " << g.error() << "\n";
            return 1;
        }
        genesis = std::move(g).value();
    } else {
        genesis = chain::devnet_genesis(accounts, chain::devnet_default_balance());
        std::ofstream f(genesis_path);
        f << node::genesis_to_json(genesis);
        if (!f) throw std::runtime_error("cannot write " + genesis_path.string());
    }
    std::cout << "Trellis devnet: chain id " << genesis.chain_id << ", data in " << dir.string()
              << (temporary ? " (removed on exit)" : "") << "\n\n";
    devtools::print_devnet_accounts(std::cout, genesis, accounts);
    o.datadir = (dir / "chain").string();
    node::ServiceSettings st = service_settings(o);
    // One validator through the BFT engine (n = 1), as every network runs:
    // the same commit path, QCs stored beside the blocks.
    const chain::DevAccount v = chain::devnet_validator();
    if (genesis.validators.size() == 1 && genesis.validators[0].address == v.address) {
        st.consensus_key = v.private_key;
        st.consensus.idle_block_interval = std::chrono::milliseconds(d.block_interval_ms);
    }
    st.genesis = std::move(genesis);
    const int rc = run_service(std::move(st));
    remove_temporary();
    return rc;
}

int cmd_vmtest(const std::vector<std::string>& paths) {
    const auto s = cli::run_vm_tests({paths.begin(), paths.end()}, std::cout);
    std::cout << s.passed << " passed, " << s.failed << " failed\n";
    return s.failed == 0 ? 0 : 1;
}

struct KeysOptions {
    std::string keystore = "keystore";
    std::string password_file;
    std::string import_file;
    bool light = false;
    std::string validator_out;
    std::string validator_suite = "ethereum";
};

int cmd_keys_new(const KeysOptions& o) {
    const auto key = crypto::ethereum_suite().generate_private_key();
    return write_keyfile(o.keystore, key, read_password(o.password_file), o.light);
}

int cmd_keys_import(const KeysOptions& o) {
    std::ifstream in(o.import_file);
    std::string hex;
    std::getline(in, hex);
    auto key = fixed_from_hex<Bytes32>(hex);
    if (!key || !crypto::secp256k1::public_key(*key))
        throw std::runtime_error("not a valid private key in " + o.import_file);
    return write_keyfile(o.keystore, *key, read_password(o.password_file), o.light);
}

struct CaOptions {
    std::string dir = "ca";
    std::string node;
    std::string out = ".";
    int days = 0;  // 0: the default for the certificate's kind
};

int cmd_ca_init(const CaOptions& o) {
    auto r = p2p::ca::init_ca(o.dir, "Trellis consortium CA", o.days > 0 ? o.days : p2p::ca::kCaValidDays);
    if (!r) throw std::runtime_error(std::string("ca init: ") + p2p::ca::to_string(r.error()));
    std::cout << "wrote " << (std::filesystem::path(o.dir) / p2p::ca::kCaCertFile).string() << " and "
              << (std::filesystem::path(o.dir) / p2p::ca::kCaKeyFile).string() << " (keep it offline)\n";
    return 0;
}

int cmd_ca_issue(const CaOptions& o) {
    auto r = p2p::ca::issue_node(o.dir, o.node, o.out, o.days > 0 ? o.days : p2p::ca::kNodeValidDays);
    if (!r) throw std::runtime_error(std::string("ca issue: ") + p2p::ca::to_string(r.error()));
    std::cout << "certificate: " << r->cert_file.string() << "\nkey:         " << r->key_file.string()
              << "\nca:          " << r->ca_file.string() << "\nnode id:     " << to_0x_hex(r->node_id.view())
              << "\n";
    return 0;
}

int cmd_bench(const devtools::BenchOptions& o) {
    auto r = devtools::run_bench(o, std::cerr);
    if (!r) {
        std::cerr << "bench failed: " << r.error() << "\n";
        return 1;
    }
    devtools::print_bench_report(*r, std::cout);
    return 0;
}

/// A subcommand and what runs it when the command line names it. `run` owns
/// the variables the subcommand's options write, so they live as long as the
/// App does.
struct Command {
    const CLI::App* cmd;
    std::function<int()> run;
};
using Commands = std::vector<Command>;

// One add_<command> per top-level subcommand: its options, help texts and the
// Command that runs it. main adds them in the order `trellis --help` lists them.

void add_statetest(CLI::App& app, Commands& commands) {
    struct Options {
        std::vector<std::string> paths;
        std::string fork = "Cancun", filter;
        bool dump = false;
    };
    auto o = std::make_shared<Options>();
    auto* st = app.add_subcommand("statetest", "Run Ethereum state-test JSON files or folders");
    st->add_option("paths", o->paths, "state-test files or folders")->required();
    st->add_option("--fork", o->fork, "post section to check (Cancun, Shanghai)")->capture_default_str();
    st->add_option("--filter", o->filter, "only tests whose name contains this");
    st->add_flag("--dump", o->dump, "print each case's post-state (for debugging)");
    commands.push_back({st, [o] { return cmd_statetest(o->paths, o->fork, o->filter, o->dump); }});
}

void add_vmtest(CLI::App& app, Commands& commands) {
    auto paths = std::make_shared<std::vector<std::string>>();
    auto* vt = app.add_subcommand("vmtest", "Run the classic VM tests (ethereum/legacytests VMTests)");
    vt->add_option("paths", *paths, "VM-test files or folders")->required();
    commands.push_back({vt, [paths] { return cmd_vmtest(*paths); }});
}

void add_evm(CLI::App& app, Commands& commands) {
    struct Options {
        std::string code, input, rev = "cancun";
        int64_t gas = 10'000'000;
        bool bench = false;
    };
    auto o = std::make_shared<Options>();
    auto* ev = app.add_subcommand("evm", "EVM tools");
    ev->require_subcommand(1);
    auto* run = ev->add_subcommand("run", "Execute bytecode against an empty state");
    run->add_option("--code", o->code, "bytecode as hex, or @FILE")->required();
    run->add_option("--input", o->input, "calldata as hex, or @FILE");
    run->add_option("--gas", o->gas, "gas limit")->capture_default_str();
    run->add_option("--rev", o->rev, "revision: shanghai, cancun, trellis")->capture_default_str();
    run->add_flag("--bench", o->bench, "repeat and print the median time and gas/s");
    commands.push_back({run, [o] { return cmd_evm_run(o->code, o->input, o->gas, o->rev, o->bench); }});
}

void add_genesis(CLI::App& app, Commands& commands) {
    auto o = std::make_shared<GenesisOptions>();
    auto* gen = app.add_subcommand("genesis", "Genesis files");
    gen->require_subcommand(1);
    auto* gen_new = gen->add_subcommand("new", "Write a valid genesis file");
    gen_new->add_option("--chain-id", o->chain_id, "chain id")->capture_default_str();
    gen_new->add_option("--crypto-suite", o->suite, "ethereum or sm")->capture_default_str();
    gen_new->add_option("--evm-revision", o->revision, "Shanghai, Cancun or Trellis")->capture_default_str();
    gen_new->add_option("--gas-limit", o->gas_limit, "block gas limit")->capture_default_str();
    gen_new->add_option("--base-fee", o->base_fee, "fixed base fee in wei (0 allowed)")
        ->capture_default_str();
    gen_new->add_option("--alloc", o->alloc, "prefunded account ADDRESS=BALANCE (repeatable)");
    gen_new->add_option(
        "--validator", o->validators,
        "validator key=KEYFILE|0xPUBKEY,stake=N[,cert=NODE.crt]: KEYFILE holds the hex private key, "
        "PUBKEY is 64 bytes X||Y, the node id comes from the certificate (repeatable; default: one "
        "validator with a new key)");
    gen_new->add_option(
        "--observer", o->observers,
        "node certificate (PEM) of a non-validator node admitted to the network (repeatable)");
    gen_new->add_option("--out", o->out, "file to write (default: stdout)");
    commands.push_back({gen_new, [o] { return cmd_genesis_new(*o); }});
}

void add_import(CLI::App& app, Commands& commands) {
    struct Options {
        std::string datadir, genesis, file;
        bool no_sync = false;
    };
    auto o = std::make_shared<Options>();
    auto* imp = app.add_subcommand(
        "import", "Import a file of RLP blocks (as `trellis export` writes) into a data directory");
    imp->add_option("--datadir", o->datadir, "data directory")->required();
    imp->add_option("--genesis", o->genesis, "genesis file")->required();
    imp->add_option("file", o->file, "blocks file")->required();
    imp->add_flag("--no-sync", o->no_sync, "do not fsync each commit (a process crash still loses nothing)");
    commands.push_back({imp, [o] { return cmd_import(o->datadir, o->genesis, o->file, o->no_sync); }});
}

void add_export(CLI::App& app, Commands& commands) {
    struct Options {
        std::string datadir, genesis, file;
    };
    auto o = std::make_shared<Options>();
    auto* exp = app.add_subcommand("export", "Write the canonical chain (after genesis) as concatenated RLP blocks");
    exp->add_option("--datadir", o->datadir, "data directory")->required();
    exp->add_option("--genesis", o->genesis, "genesis file")->required();
    exp->add_option("file", o->file, "output file")->required();
    commands.push_back({exp, [o] { return cmd_export(o->datadir, o->genesis, o->file); }});
}

void add_keys(CLI::App& app, Commands& commands) {
    auto o = std::make_shared<KeysOptions>();
    auto* keys = app.add_subcommand("keys", "Encrypted key files (Web3 Secret Storage v3)");
    keys->require_subcommand(1);
    auto* keys_new = keys->add_subcommand("new", "Create a new key and write it encrypted");
    auto* keys_import = keys->add_subcommand("import", "Encrypt an existing private key (hex in a file)");
    auto* keys_list = keys->add_subcommand("list", "List the addresses in a keystore");
    auto* keys_validator = keys->add_subcommand(
        "validator", "Create a validator's consensus key file (hex, mode 0600) and print its public key for the genesis");
    keys_validator->add_option("--out", o->validator_out, "key file to create (never overwritten)")
        ->required();
    keys_validator->add_option("--suite", o->validator_suite, "crypto suite of the chain (ethereum or sm)")
        ->capture_default_str();
    for (auto* c : {keys_new, keys_import, keys_list})
        c->add_option("--keystore", o->keystore, "key file directory")->capture_default_str();
    for (auto* c : {keys_new, keys_import}) {
        c->add_option("--password-file", o->password_file,
                      "file whose first line is the password (else $TRELLIS_KEY_PASSWORD, else stdin)");
        c->add_flag("--light", o->light, "scrypt N = 4096 instead of 262144 (development keys only)");
    }
    keys_import->add_option("file", o->import_file, "file holding the private key as hex")->required();
    commands.push_back({keys_new, [o] { return cmd_keys_new(*o); }});
    commands.push_back({keys_import, [o] { return cmd_keys_import(*o); }});
    commands.push_back({keys_list, [o] { return cmd_keys_list(o->keystore); }});
    commands.push_back(
        {keys_validator, [o] { return cmd_keys_validator(o->validator_out, o->validator_suite); }});
}

void add_ca(CLI::App& app, Commands& commands) {
    auto o = std::make_shared<CaOptions>();
    auto* cag = app.add_subcommand("ca", "The consortium certificate authority: node certificates for P2P (mutual TLS)");
    cag->require_subcommand(1);
    auto* ca_init = cag->add_subcommand(
        "init", "Create a self-signed CA (P-256, 10 years): DIR/ca.crt and DIR/ca.key (0600)");
    auto* ca_issue = cag->add_subcommand(
        "issue", "Issue a node certificate signed by the CA: OUT/NAME.crt, OUT/NAME.key (0600), OUT/ca.crt; "
                 "prints the node id (SHA-256 of the certificate's public key) for the admission list");
    for (auto* c : {ca_init, ca_issue}) c->add_option("--dir", o->dir, "CA directory")->capture_default_str();
    ca_issue->add_option("--node", o->node, "node name (CN and DNS SAN; 1-64 of A-Z a-z 0-9 . _ -)")
        ->required();
    ca_issue->add_option("--out", o->out, "output directory")->capture_default_str();
    for (auto* c : {ca_init, ca_issue})
        c->add_option("--days", o->days, "validity in days (default: CA 3650, node 730)")
            ->check(CLI::Range(1, 36500));
    commands.push_back({ca_init, [o] { return cmd_ca_init(*o); }});
    commands.push_back({ca_issue, [o] { return cmd_ca_issue(*o); }});
}

void add_node(CLI::App& app, Commands& commands) {
    struct Options {
        NodeOptions node;
        std::string config;
    };
    auto o = std::make_shared<Options>();
    NodeOptions& nopt = o->node;
    auto* nd = app.add_subcommand("node", "Run a node: the chain in --datadir, JSON-RPC over HTTP and WebSocket, "
                                          "blocks by BFT consensus with --validator-key and/or p2p (docs/network.md), else development mode");
    nd->add_option(
        "--config", o->config,
        "TOML settings file (every key optional; flags override it; see docs/trellis.example.toml)");
    nd->add_option("--datadir", nopt.datadir,
                   "data directory, created from the genesis when new (required here or in --config)");
    nd->add_option("--genesis", nopt.genesis, "genesis file (required here or in --config)");
    nd->add_option("--http-host", nopt.http_host, "JSON-RPC listen address")->capture_default_str();
    nd->add_option("--http-port", nopt.http_port, "JSON-RPC port (0: any free port)")->capture_default_str();
    nd->add_option("--rpc-threads", nopt.rpc_threads, "threads serving JSON-RPC")->capture_default_str();
    nd->add_option("--empty-blocks", nopt.empty_blocks,
                   "also seal an empty block after this many seconds without one (0: never)")
        ->capture_default_str();
    nd->add_option("--keep-state", nopt.keep_state,
                   "prune state older than the last N blocks (eth_call/eth_getBalance there fail; 0: archive)")
        ->capture_default_str();
    nd->add_flag("--no-sync", nopt.no_sync, "do not fsync each commit (a process crash still loses nothing)");
    nd->add_option("--validator-key", nopt.validator_key,
                   "validator key file (64 hex digits): take part in consensus as this genesis validator");
    nd->add_option("--p2p-listen", nopt.p2p_listen, "p2p listen address HOST:PORT (default 127.0.0.1:30700)");
    nd->add_option("--peer", nopt.peers, "p2p peer HOST:PORT to keep connected (repeatable)");
    nd->add_option("--node-cert", nopt.node_cert, "this node's certificate (PEM, `trellis ca issue`)");
    nd->add_option("--node-key", nopt.node_key, "this node's certificate key (PEM)");
    nd->add_option("--ca-cert", nopt.ca_cert, "the consortium CA certificate (PEM) peers must chain to");
    nd->add_option("--log-level", nopt.log_level, "log levels: LEVEL[,CATEGORY=LEVEL]... (docs/logging.md)");
    nd->add_flag("--test-faults", nopt.test_faults, "enable the test-only fault RPC methods")->group("");
    nd->footer(
        "Settings come from the defaults, then the --config file, then the flags given. The file is TOML:\n"
        "top-level datadir and genesis, and tables [http] (host, port, threads, limits), [api] (gas cap, log\n"
        "and filter limits), [blocks] (empty_block_interval_seconds, poll_interval_ms, proposer), [txpool]\n"
        "(pool limits, min_priority_fee, recovery_threads) and [storage] (sync_commits, keep_state, RocksDB\n"
        "sizes). Relative paths are relative to the file. Unknown keys and wrong types are errors naming the\n"
        "key. docs/trellis.example.toml lists every key with its default.");
    commands.push_back({nd, [o, nd] { return cmd_node(o->node, o->config, *nd); }});
}

void add_devnet(CLI::App& app, Commands& commands) {
    struct Options {
        NodeOptions node;
        DevnetOptions devnet;
    };
    auto o = std::make_shared<Options>();
    NodeOptions& dopt = o->node;
    DevnetOptions& dn_opts = o->devnet;
    auto* dn = app.add_subcommand("devnet",
                                  "Start a development chain on 127.0.0.1 with prefunded, well-known "
                                  "accounts (chain id 1337, zero base fee): N validators and M observers, "
                                  "each a `trellis node` process (one validator: one in-process node)");
    dn->add_option("--validators", dn_opts.validators, "validator nodes")
        ->check(CLI::Range(size_t(1), chain::kMaxGenesisValidators))
        ->capture_default_str();
    dn->add_option("--observers", dn_opts.observers, "observer nodes (non-validators)")
        ->check(CLI::Range(size_t(0), chain::kMaxGenesisValidators))
        ->capture_default_str();
    dn->add_option("--datadir", dopt.datadir,
                   "keep the devnet in this directory and restart it from there (default: a temporary one)");
    dn->add_option("--http-port", dopt.http_port,
                   "JSON-RPC port of the first node; node i uses this + i (0: free ports for every HTTP and p2p port)")
        ->capture_default_str();
    dn->add_option("--p2p-port", dn_opts.p2p_port, "p2p port of the first node; node i uses this + i")
        ->capture_default_str();
    dn->add_option("--block-interval-ms", dn_opts.block_interval_ms,
                   "several nodes: make an empty block after this long without one")
        ->capture_default_str();
    dn->add_option("--accounts", dn_opts.accounts, "number of prefunded accounts")
        ->check(CLI::Range(size_t(1), size_t(1000)))
        ->capture_default_str();
    dn->add_option("--empty-blocks", dopt.empty_blocks,
                   "one node: also seal an empty block after this many seconds without one (0: never)")
        ->capture_default_str();
    dn->add_option("--log-level", dopt.log_level,
                   "log levels of every node: LEVEL[,CATEGORY=LEVEL]... (docs/logging.md)");
    dn->add_flag("--test-faults", dn_opts.test_faults, "enable the test-only fault RPC methods")->group("");
    commands.push_back({dn, [o, dn] {
                            // A fresh temporary chain need not survive power loss.
                            o->node.no_sync = o->node.datadir.empty();
                            o->devnet.counts_given =
                                dn->count("--validators") > 0 || dn->count("--observers") > 0;
                            return cmd_devnet(o->node, o->devnet);
                        }});
}

void add_bench(CLI::App& app, Commands& commands) {
    struct Options {
        devtools::BenchOptions bench;
        size_t timeout = 600;
        bool no_sync = false;
    };
    auto o = std::make_shared<Options>();
    devtools::BenchOptions& bopt = o->bench;
    auto* bn = app.add_subcommand("bench",
                                  "End-to-end throughput: ERC-20 transfers over JSON-RPC, against the "
                                  "machine's secp256k1 recovery rate");
    bn->add_option("--txs", bopt.txs, "transfers to send and wait for")->capture_default_str();
    bn->add_option("--senders", bopt.senders, "distinct senders (round-robin)")->capture_default_str();
    bn->add_option("--batch", bopt.batch, "eth_sendRawTransaction requests per JSON-RPC batch")->capture_default_str();
    bn->add_option("--connections", bopt.connections, "HTTP connections sending at once")->capture_default_str();
    bn->add_option("--window", bopt.window, "most transactions in flight (0: min(1024, 56 per sender less one batch))")
        ->capture_default_str();
    bn->add_option("--rpc", bopt.rpc_url,
                   "use the node at this URL (http://HOST:PORT) whose first --senders devnet accounts are funded, "
                   "instead of a fresh in-process node");
    bn->add_option("--rpc-threads", bopt.rpc_threads, "in-process node: RPC threads (0: one per core)")
        ->capture_default_str();
    bn->add_option("--gas-limit", bopt.gas_limit, "in-process node: block gas limit")->capture_default_str();
    bn->add_option("--validators", bopt.validators,
                   "in-process: a network of this many validators (TLS p2p, BFT consensus; load spread over "
                   "their RPC ports)")
        ->capture_default_str();
    bn->add_option("--rate", bopt.rate, "offered load in transactions per second (0: as fast as the window allows)")
        ->capture_default_str();
    bn->add_flag("--no-sync", o->no_sync, "in-process node: do not fsync each block");
    bn->add_option("--recovery-seconds", bopt.recovery_seconds, "how long to measure the recovery rate (0: skip)")
        ->capture_default_str();
    bn->add_option("--timeout", o->timeout, "seconds to wait for all receipts")->capture_default_str();
    commands.push_back({bn, [o] {
                            o->bench.sync_commits = !o->no_sync;
                            o->bench.timeout = std::chrono::seconds(o->timeout);
                            return cmd_bench(o->bench);
                        }});
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Trellis: a consortium blockchain node and its tools"};
    app.require_subcommand(1);
    Commands commands;
    add_statetest(app, commands);
    add_vmtest(app, commands);
    add_evm(app, commands);
    add_genesis(app, commands);
    add_import(app, commands);
    add_export(app, commands);
    add_keys(app, commands);
    add_ca(app, commands);
    add_node(app, commands);
    add_devnet(app, commands);
    add_bench(app, commands);

    CLI11_PARSE(app, argc, argv);
    try {
        for (const auto& c : commands)
            if (c.cmd->parsed()) return c.run();
    } catch (const CLI::Error& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
