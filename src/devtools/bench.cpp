#include "devtools/bench.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "base/assert.hpp"
#include "base/hex.hpp"
#include "chain/transaction.hpp"
#include "crypto/keccak.hpp"
#include "evm/evm.hpp"
#include "chain/devnet.hpp"
#include "devtools/json_rpc_client.hpp"
#include "node/local_network.hpp"
#include "node/service.hpp"
#include "rpc/eth_json.hpp"

namespace trellis::devtools {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

/// A failure inside the benchmark; run_bench turns it into its error.
struct BenchError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The token, hand-assembled. Runtime (offsets in hex):
//   00 CALLVALUE PUSH1 fail JUMPI                      non-payable
//   04 PUSH1 0 CALLDATALOAD PUSH1 0xe0 SHR             selector
//   0a DUP1 PUSH4 a9059cbb EQ PUSH1 transfer JUMPI     transfer(address,uint256)
//   13 DUP1 PUSH4 70a08231 EQ PUSH1 balanceOf JUMPI    balanceOf(address)
//   1e fail: JUMPDEST PUSH1 0 DUP1 REVERT
//   23 transfer: JUMPDEST
//      PUSH1 0x44 CALLDATASIZE LT PUSH1 fail JUMPI     short calldata reverts
//      PUSH1 4 CALLDATALOAD PUSH1 0x60 SHL PUSH1 0x60 SHR      to (160 bits)
//      PUSH1 0x24 CALLDATALOAD CALLER SLOAD            from_balance, amount, to
//      DUP2 DUP2 LT PUSH1 fail JUMPI                   from_balance < amount: revert
//      DUP2 SWAP1 SUB CALLER SSTORE                    balance[caller] -= amount
//      DUP2 SLOAD DUP2 ADD DUP3 SSTORE                 balance[to] += amount
//      PUSH1 0 MSTORE PUSH32 topic CALLER SWAP1 PUSH1 0x20 PUSH1 0 LOG3
//                                                      Transfer(caller, to, amount)
//      PUSH1 1 PUSH1 0 MSTORE PUSH1 0x20 PUSH1 0 RETURN    true
//   7f balanceOf: JUMPDEST PUSH1 4 CALLDATALOAD PUSH1 0x60 SHL PUSH1 0x60 SHR SLOAD
//      PUSH1 0 MSTORE PUSH1 0x20 PUSH1 0 RETURN
// The sum of balances is the total supply (at most 2^128 here), so the
// addition cannot overflow. topic = keccak256("Transfer(address,address,uint256)").
constexpr const char* kTokenRuntime =
    "34601e5760003560e01c8063a9059cbb14602357806370a0823114607f575b600080fd5b60443610601e5760043560601b60601c"
    "6024353354818110601e5781900333558154810182556000527fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f5"
    "5a4df523b3ef339060206000a3600160005260206000f35b60043560601b60601c5460005260206000f3";

Bytes abi_transfer(const Address& to, const uint256& amount) {
    Bytes data = {0xa9, 0x05, 0x9c, 0xbb};
    data.resize(4 + 64);
    std::copy(to.bytes.begin(), to.bytes.end(), data.begin() + 4 + 12);
    const auto a = amount.to_be();
    std::copy(a.bytes.begin(), a.bytes.end(), data.begin() + 4 + 32);
    return data;
}

Bytes abi_balance_of(const Address& who) {
    Bytes data = {0x70, 0xa0, 0x82, 0x31};
    data.resize(4 + 32);
    std::copy(who.bytes.begin(), who.bytes.end(), data.begin() + 4 + 12);
    return data;
}

/// One keep-alive HTTP/1.1 connection to a JSON-RPC endpoint.
/// JsonRpcClient whose failures end the run (as BenchError).
class RpcConnection {
public:
    RpcConnection(const std::string& host, uint16_t port) {
        auto c = JsonRpcClient::connect(host, port);
        if (!c) throw BenchError(c.error());
        client_ = std::move(c).value();
    }

    /// Posts body; the parsed answer.
    json post(const std::string& body) { return value(client_->post(body)); }
    /// One call; its result (an error answer throws).
    json call(const std::string& method, json params) { return value(client_->call(method, std::move(params))); }

private:
    static json value(Result<json, std::string> r) {
        if (!r) throw BenchError(r.error());
        return std::move(r).value();
    }
    std::unique_ptr<JsonRpcClient> client_;
};

uint64_t to_u64(const json& quantity) {
    auto v = parse_uint256(quantity.get<std::string>());
    if (!v || !v->fits_u64()) throw BenchError("not a quantity: " + quantity.dump());
    return uint64_t(*v);
}

std::pair<std::string, uint16_t> parse_url(const std::string& url) {
    std::string rest = url;
    if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
    if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) return {rest, 8545};
    const unsigned long port = std::stoul(rest.substr(colon + 1));
    if (port == 0 || port > 65535) throw BenchError("bad port in " + url);
    return {rest.substr(0, colon), uint16_t(port)};
}

chain::Transaction make_tx(chain::ChainId chain_id, uint64_t nonce, std::optional<Address> to, Bytes data,
                           uint64_t gas) {
    chain::Transaction tx;
    tx.type = chain::TxType::kDynamicFee;
    tx.chain_id = chain_id;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = uint256(1'000'000'000);
    tx.max_fee_per_gas = uint256(2'000'000'000);
    tx.gas_limit = gas;
    tx.to = to;
    tx.data = std::move(data);
    return tx;
}

Bytes sign_encode(chain::Transaction tx, const Bytes32& key) {
    if (!chain::sign(tx, key)) throw BenchError("signing failed");
    return chain::encode_transaction(tx);
}

/// Runs f(i) for i in [0, n) on every core.
template <class F>
void parallel_for(size_t n, F&& f) {
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (size_t i; (i = next.fetch_add(1)) < n;) f(i);
        });
    for (auto& t : pool) t.join();
}

/// Sender recoveries per second on all cores, over pre-decoded transactions.
std::pair<double, unsigned> measure_recovery(const std::vector<chain::Transaction>& txs, double seconds) {
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::atomic<uint64_t> total{0};
    std::atomic<bool> failed{false};
    const auto start = Clock::now();
    const auto until =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            uint64_t n = 0;
            size_t i = t * 997;
            while (Clock::now() < until) {
                for (int k = 0; k < 16; ++k, ++n)
                    if (!chain::recover_sender(txs[i++ % txs.size()])) failed = true;
            }
            total += n;
        });
    for (auto& t : pool) t.join();
    if (failed) throw BenchError("a pre-signed transaction did not recover");
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    return {double(total.load()) / elapsed, threads};
}

/// Sends signed transactions in one batch per chunk; returns their hashes.
std::vector<Hash32> send_all(RpcConnection& c, const std::vector<Bytes>& raws) {
    json batch = json::array();
    for (size_t i = 0; i < raws.size(); ++i)
        batch.push_back({{"jsonrpc", "2.0"},
                         {"id", i},
                         {"method", "eth_sendRawTransaction"},
                         {"params", {to_0x_hex(raws[i])}}});
    json out = c.post(batch.dump());
    if (!out.is_array() || out.size() != raws.size())
        throw BenchError("bad batch answer: " + out.dump().substr(0, 300));
    std::vector<Hash32> hashes(raws.size());
    for (const auto& r : out) {
        if (!r.contains("result")) throw BenchError("setup transaction rejected: " + r.dump());
        hashes[r["id"].get<size_t>()] = *fixed_from_hex<Hash32>(r["result"].get<std::string>());
    }
    return hashes;
}

/// Waits until every hash has a receipt with status 1.
void wait_for_receipts(RpcConnection& c, const std::vector<Hash32>& hashes, std::chrono::seconds timeout) {
    const auto until = Clock::now() + timeout;
    for (const auto& h : hashes) {
        for (;;) {
            json r = c.call("eth_getTransactionReceipt", {to_0x_hex(h.view())});
            if (!r.is_null()) {
                if (r["status"] != "0x1")
                    throw BenchError("setup transaction " + to_0x_hex(h.view()) + " failed");
                break;
            }
            if (Clock::now() > until) throw BenchError("timed out waiting for setup receipts");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
}

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const size_t i = std::min(sorted.size() - 1, size_t(p * double(sorted.size() - 1) + 0.5));
    return sorted[i];
}

/// CPU seconds (user + system) of the whole process so far.
double process_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    const auto secs = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return secs(u.ru_utime) + secs(u.ru_stime);
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "trellis-bench-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw BenchError("cannot create a temporary directory");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

/// One run of the benchmark, in the steps run() lists. The fields are what
/// one step leaves for the next; the node comes first, so it is stopped last.
struct BenchRun {
    const BenchOptions& o;
    std::ostream& log;

    // The node: in-process on a fresh directory (one node, or a network of
    // validators), or the one at --rpc.
    std::unique_ptr<TempDir> dir;
    std::unique_ptr<node::Service> service;
    std::unique_ptr<node::LocalNetwork> network;
    std::string host;
    std::vector<uint16_t> ports;  // RPC ports; the first serves setup and receipts
    uint16_t port = 0;
    std::optional<RpcConnection> setup;

    size_t S = 0;  // senders
    std::vector<chain::DevAccount> accounts;
    size_t window = 0;  // most transactions in flight

    // deploy_token
    chain::ChainId chain_id = 0;
    std::vector<uint64_t> nonce;  // each sender's next nonce after the setup
    uint256 supply;
    Address token;
    uint256 per_sender;

    // sign_transfers: round-robin over senders, to R recipients.
    static constexpr size_t R = 256;
    std::vector<Address> recipients;
    size_t N = 0;  // transfers
    std::vector<Bytes> raws;
    std::unordered_map<Hash32, size_t, FixedBytesHasher> index;
    std::vector<chain::Transaction> decoded;

    BenchReport rep;

    // build_batches: batch bodies, built before the clock starts.
    std::vector<std::string> bodies;
    std::vector<std::pair<size_t, size_t>> ranges;

    // send_and_collect
    std::vector<Clock::time_point> submitted, seen;
    std::mutex mined_mu;  // guards next_batch, sent, mined and error (with mined_cv)
    size_t next_batch = 0, sent = 0;
    std::condition_variable mined_cv;
    size_t mined = 0;
    std::string error;
    std::atomic<bool> abort{false};
    uint64_t start_block = 0;
    Clock::time_point t0, deadline;
    double cpu0 = 0, cpu1 = 0;
    size_t blocks = 0;

    BenchRun(const BenchOptions& options, std::ostream& l) : o(options), log(l) {
        if (o.txs == 0 || o.senders == 0 || o.batch == 0 || o.connections == 0)
            throw BenchError("--txs, --senders, --batch and --connections must be positive");
        S = o.senders;
        accounts = chain::devnet_accounts(S);
        // A sender has about (window + batch) / S transactions in flight, which
        // the pool's default nonce gap (64) must allow. A larger window than
        // 1024 only queues: on 2 cores 512, 1024 and 2048 all gave ~16k tx/s,
        // with p50 latency 31, 60 and 123 ms.
        window = o.window
                     ? o.window
                     : std::min<size_t>(1024, std::max(o.batch, 56 * S > o.batch ? 56 * S - o.batch : 0));
        if (window < o.batch) throw BenchError("the window must hold at least one batch");
    }

    BenchReport run() {
        start_node();
        deploy_token();
        sign_transfers();
        measure_recovery_rate();
        build_batches();
        send_and_collect();
        check_balances();
        report();
        if (service) service->stop();
        if (network) network->stop();
        return rep;
    }

    void start_node() {
        if (o.validators == 0) throw BenchError("--validators must be positive");
        if (o.rpc_url.empty()) {
            dir = std::make_unique<TempDir>();
            node::ServiceSettings st;
            st.datadir = dir->path / "chain";
            st.genesis = chain::devnet_genesis(accounts, chain::devnet_default_balance());
            st.genesis.gas_limit = o.gas_limit;
            st.http_port = 0;
            st.rpc_threads =
                o.rpc_threads ? o.rpc_threads : std::max(2u, std::thread::hardware_concurrency());
            st.ledger.sync_commits = o.sync_commits;
            st.rpc.max_connections = std::max<size_t>(st.rpc.max_connections, o.connections + 8);
            host = "127.0.0.1";
            if (o.validators > 1)
                start_network(std::move(st));
            else
                start_service(std::move(st));
        } else {
            uint16_t rpc_port = 0;
            std::tie(host, rpc_port) = parse_url(o.rpc_url);
            ports.push_back(rpc_port);
            log << "node: " << host << ":" << rpc_port << "\n";
        }
        port = ports[0];
        setup.emplace(host, port);
    }

    void start_network(node::ServiceSettings st) {
        node::LocalNetworkOptions lo;
        lo.validators = o.validators;
        lo.genesis = st.genesis;
        st.rpc_threads = o.rpc_threads ? o.rpc_threads : 2;
        st.recovery.threads = 0;
        lo.base = st;
        auto n = node::LocalNetwork::start(dir->path, std::move(lo));
        if (!n) throw BenchError("cannot start the network: " + n.error());
        network = std::move(n).value();
        for (size_t i = 0; i < network->size(); ++i) ports.push_back(network->node(i).http_port());
        log << "network: " << o.validators << " validators in-process on 127.0.0.1 (RPC ports";
        for (auto p : ports) log << " " << p;
        log << "), data in " << dir->path.string() << "\n";
        // Consensus needs the validators connected before the first block.
        RpcConnection probe(host, ports[0]);
        const auto until = Clock::now() + std::chrono::seconds(30);
        while (to_u64(probe.call("eth_blockNumber", json::array())) < 2) {
            if (Clock::now() > until) throw BenchError("the network made no blocks in 30 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    void start_service(node::ServiceSettings st) {
        auto s = node::Service::start(std::move(st));
        if (!s) throw BenchError("cannot start the node: " + s.error());
        service = std::move(s).value();
        ports.push_back(service->http_port());
        log << "node: in-process on 127.0.0.1:" << ports[0] << ", data in " << dir->path.string() << "\n";
    }

    /// Deploys the token and gives every sender a balance (not timed).
    void deploy_token() {
        chain_id = to_u64(setup->call("eth_chainId", json::array()));
        nonce.resize(S);
        for (size_t i = 0; i < S; ++i)
            nonce[i] = to_u64(
                setup->call("eth_getTransactionCount", {to_0x_hex(accounts[i].address.view()), "latest"}));

        supply = uint256(1) << 128;
        token = evm::create_address(accounts[0].address, nonce[0]);
        per_sender = supply / uint256(uint64_t(S) * 2);
        std::vector<Bytes> setup_txs;
        setup_txs.push_back(
            sign_encode(make_tx(chain_id, nonce[0]++, std::nullopt, bench_token_initcode(supply), 300'000),
                        accounts[0].private_key));
        for (size_t i = 1; i < S; ++i)
            setup_txs.push_back(sign_encode(
                make_tx(chain_id, nonce[0]++, token, abi_transfer(accounts[i].address, per_sender), 100'000),
                accounts[0].private_key));
        std::vector<Hash32> hashes;
        for (size_t at = 0; at < setup_txs.size(); at += 32) {
            std::vector<Bytes> chunk(setup_txs.begin() + long(at),
                                     setup_txs.begin() + long(std::min(setup_txs.size(), at + 32)));
            auto h = send_all(*setup, chunk);
            hashes.insert(hashes.end(), h.begin(), h.end());
            wait_for_receipts(*setup, h, o.timeout);
        }
        // A real token: moving more than one holds reverts.
        const Address poor = accounts.size() > 1 ? accounts[1].address : Address{};
        json call = {{"from", to_0x_hex(poor.view())},
                     {"to", to_0x_hex(token.view())},
                     {"data", to_0x_hex(abi_transfer(accounts[0].address, supply))}};
        json r = setup->post(
            json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "eth_call"}, {"params", {call, "latest"}}}.dump());
        if (!r.contains("error")) throw BenchError("the token let a sender move more than its balance");
        log << "token: " << to_0x_hex(token.view()) << " deployed, " << S << " senders funded\n";
    }

    /// Pre-signs the transfers: round-robin over senders, to R recipients.
    void sign_transfers() {
        recipients.resize(R);
        for (size_t r = 0; r < R; ++r) {
            recipients[r].bytes[0] = 0xb0;
            recipients[r].bytes[18] = uint8_t(r >> 8);
            recipients[r].bytes[19] = uint8_t(r);
        }
        N = o.txs;
        raws.resize(N);
        std::vector<uint64_t> first_nonce = nonce;
        const auto sign_start = Clock::now();
        parallel_for(N, [&](size_t i) {
            const size_t s = i % S;
            raws[i] = sign_encode(make_tx(chain_id, first_nonce[s] + i / S, token,
                                          abi_transfer(recipients[i % R], uint256(1 + i % 5)), 100'000),
                                  accounts[s].private_key);
        });
        log << "signed " << N << " transfers in "
            << std::chrono::duration<double>(Clock::now() - sign_start).count() << " s\n";
        index.reserve(N);
        for (size_t i = 0; i < N; ++i) {
            index.emplace(crypto::keccak256(raws[i]), i);
            if (decoded.size() < 4096) decoded.push_back(*chain::decode_transaction(raws[i]));
        }
    }

    void measure_recovery_rate() {
        rep.txs = N;
        if (o.recovery_seconds > 0) {
            auto [rate, threads] = measure_recovery(decoded, o.recovery_seconds);
            rep.recoveries_per_second = rate;
            rep.recovery_threads = threads;
            log << "secp256k1 recovery: " << std::fixed << std::setprecision(0) << rate << "/s on " << threads
                << " threads\n"
                << std::defaultfloat;
        }
    }

    void build_batches() {
        for (size_t at = 0; at < N; at += o.batch) {
            const size_t end = std::min(N, at + o.batch);
            std::string body = "[";
            for (size_t i = at; i < end; ++i) {
                if (i > at) body += ',';
                body += R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                        R"(,"method":"eth_sendRawTransaction","params":[")" + to_0x_hex(raws[i]) + "\"]}";
            }
            body += ']';
            bodies.push_back(std::move(body));
            ranges.emplace_back(at, end);
        }
    }

    /// The timed part: o.connections threads send the batches while this
    /// thread collects the receipts.
    void send_and_collect() {
        submitted.resize(N);
        seen.resize(N);
        start_block = to_u64(setup->call("eth_blockNumber", json::array()));
        t0 = Clock::now();
        cpu0 = process_cpu_seconds();
        deadline = t0 + o.timeout;
        std::vector<std::thread> senders;
        for (size_t c = 0; c < o.connections; ++c) senders.emplace_back([this, c] { send_batches(c); });
        collect_receipts();
        for (auto& t : senders) t.join();
        cpu1 = process_cpu_seconds();
        if (!error.empty()) throw BenchError(error);
    }

    void fail(std::string why) {
        {
            std::lock_guard lock(mined_mu);
            if (error.empty()) error = std::move(why);
        }
        abort = true;
        mined_cv.notify_all();
    }

    /// One sending thread, on connection c.
    void send_batches(size_t c) {
        try {
            RpcConnection conn(host, ports[c % ports.size()]);
            for (;;) {
                size_t b = 0;
                {
                    // Batches are claimed in order, each once the window has
                    // room for it: every claimed batch is sent at once, so no
                    // sender's nonces wait behind a batch that cannot go.
                    std::unique_lock lock(mined_mu);
                    mined_cv.wait(lock, [&] {
                        if (abort || next_batch == bodies.size()) return true;
                        const auto [from, to] = ranges[next_batch];
                        return sent + (to - from) <= mined + window;
                    });
                    if (abort || next_batch == bodies.size()) return;
                    b = next_batch++;
                    sent += ranges[b].second - ranges[b].first;
                }
                const auto [at, end] = ranges[b];
                if (o.rate > 0)
                    std::this_thread::sleep_until(t0 +
                                                  std::chrono::duration_cast<Clock::duration>(
                                                      std::chrono::duration<double>(double(at) / o.rate)));
                const auto now = Clock::now();
                for (size_t i = at; i < end; ++i) submitted[i] = now;
                json out = conn.post(bodies[b]);
                if (!out.is_array() || out.size() != end - at) {
                    fail("bad batch answer: " + out.dump().substr(0, 300));
                    return;
                }
                for (const auto& r : out)
                    if (!r.contains("result")) {
                        fail("transfer rejected: " + r.dump());
                        return;
                    }
            }
        } catch (const std::exception& e) {
            fail(std::string("sender: ") + e.what());
        }
    }

    /// Receipts: scans each new block's receipts as it appears.
    void collect_receipts() {
        try {
            RpcConnection conn(host, port);
            uint64_t next = start_block + 1;
            size_t found = 0;
            while (found < N && !abort) {
                if (Clock::now() > deadline) {
                    fail("timed out: " + std::to_string(found) + " of " + std::to_string(N) +
                         " receipts after " + std::to_string(o.timeout.count()) + " s");
                    break;
                }
                const uint64_t head = to_u64(conn.call("eth_blockNumber", json::array()));
                if (head < next) {
                    std::this_thread::sleep_for(std::chrono::microseconds(500));
                    continue;
                }
                for (; next <= head && !abort; ++next) {
                    json receipts = conn.call("eth_getBlockReceipts", {rpc::quantity(next)});
                    const size_t here = note_receipts(receipts);
                    if (here) {
                        ++blocks;
                        found += here;
                        {
                            std::lock_guard lock(mined_mu);
                            mined = found;
                        }
                        mined_cv.notify_all();
                    }
                }
            }
        } catch (const std::exception& e) {
            fail(std::string("receipts: ") + e.what());
        }
    }

    /// Marks the measured transfers among one block's receipts as seen now;
    /// how many there were.
    size_t note_receipts(const json& receipts) {
        const auto now = Clock::now();
        size_t here = 0;
        for (const auto& r : receipts) {
            auto h = fixed_from_hex<Hash32>(r["transactionHash"].get<std::string>());
            auto it = h ? index.find(*h) : index.end();
            if (it == index.end()) continue;
            if (r["status"] != "0x1") {
                fail("transfer " + std::to_string(it->second) + " failed (status " + r["status"].dump() +
                     ")");
                break;
            }
            seen[it->second] = now;
            ++here;
        }
        return here;
    }

    /// Final balances: each sender lost what it sent, each recipient got what was sent to it.
    void check_balances() {
        std::vector<uint256> sender_sent(S), recipient_got(R);
        for (size_t i = 0; i < N; ++i) {
            sender_sent[i % S] += uint256(1 + i % 5);
            recipient_got[i % R] += uint256(1 + i % 5);
        }
        json batch = json::array();
        std::vector<std::pair<Address, uint256>> expect;
        for (size_t s = 1; s < S; ++s) expect.emplace_back(accounts[s].address, per_sender - sender_sent[s]);
        for (size_t r = 0; r < R; ++r) expect.emplace_back(recipients[r], recipient_got[r]);
        for (size_t k = 0; k < expect.size(); ++k) {
            json call = {{"to", to_0x_hex(token.view())},
                         {"data", to_0x_hex(abi_balance_of(expect[k].first))}};
            batch.push_back(
                {{"jsonrpc", "2.0"}, {"id", k}, {"method", "eth_call"}, {"params", {call, "latest"}}});
        }
        json out = setup->post(batch.dump());
        for (const auto& r : out) {
            const size_t k = r["id"].get<size_t>();
            Bytes v;
            if (r.contains("result") && r["result"].is_string())
                if (auto b = from_hex(r["result"].get<std::string>())) v = std::move(b).value();
            if (v.size() != 32 || uint256::from_be(v) != expect[k].second)
                throw BenchError("wrong token balance for " + to_0x_hex(expect[k].first.view()) + ": " +
                                 r.dump());
        }
    }

    void report() {
        const auto t1 = *std::max_element(seen.begin(), seen.end());
        std::vector<double> lat(N);
        for (size_t i = 0; i < N; ++i)
            lat[i] = std::chrono::duration<double, std::milli>(seen[i] - submitted[i]).count();
        std::sort(lat.begin(), lat.end());
        rep.blocks = blocks;
        rep.seconds = std::chrono::duration<double>(t1 - t0).count();
        rep.tps = double(N) / rep.seconds;
        rep.p50_ms = percentile(lat, 0.50);
        rep.p99_ms = percentile(lat, 0.99);
        rep.max_ms = lat.back();
        rep.cpu_us_per_tx = (cpu1 - cpu0) * 1e6 / double(N);
        rep.validators = o.validators;
        if (rep.recoveries_per_second > 0)
            rep.share_of_limit = rep.tps / (rep.recoveries_per_second / double(o.validators));
    }
};

BenchReport run(const BenchOptions& o, std::ostream& log) {
    return BenchRun(o, log).run();
}

}  // namespace

Bytes bench_token_runtime() {
    return *from_hex(kTokenRuntime);
}

Bytes bench_token_initcode(const uint256& total_supply) {
    // PUSH32 supply CALLER SSTORE                    balance[deployer] = supply
    // PUSH2 len DUP1 PUSH1 0x2f PUSH1 0 CODECOPY    runtime (at 0x2f) to memory 0
    // PUSH1 0 RETURN
    const Bytes runtime = bench_token_runtime();
    Bytes code = {0x7f};
    const auto s = total_supply.to_be();
    code.insert(code.end(), s.bytes.begin(), s.bytes.end());
    code.insert(code.end(), {0x33, 0x55, 0x61, uint8_t(runtime.size() >> 8), uint8_t(runtime.size()), 0x80,
                             0x60, 0x2f, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3});
    TRELLIS_ASSERT(code.size() == 0x2f);
    code.insert(code.end(), runtime.begin(), runtime.end());
    return code;
}

Result<BenchReport, std::string> run_bench(const BenchOptions& options, std::ostream& log) {
    try {
        return run(options, log);
    } catch (const std::exception& e) {
        return Unexpected{std::string(e.what())};
    }
}

void print_bench_report(const BenchReport& r, std::ostream& out) {
    out << std::fixed << std::setprecision(1);
    out << "transactions:        " << r.txs << " ERC-20 transfers in " << r.blocks
        << " blocks, all succeeded\n"
        << "end to end:          " << r.seconds << " s, " << std::setprecision(0) << r.tps << " tx/s\n"
        << std::setprecision(1) << "latency (submit -> receipt seen): p50 " << r.p50_ms << " ms, p99 "
        << r.p99_ms << " ms, max " << r.max_ms << " ms\n"
        << std::setprecision(0) << "CPU per transfer:    " << r.cpu_us_per_tx << " us (this process)\n";
    if (r.recoveries_per_second > 0 && r.validators > 1)
        out << std::setprecision(0) << "secp256k1 recovery:  " << r.recoveries_per_second << "/s on "
            << r.recovery_threads << " threads; / " << r.validators << " validators = "
            << r.recoveries_per_second / double(r.validators) << "/s (the ceiling: each validator recovers every sender)\n"
            << std::setprecision(1) << "TPS share of limit:  " << 100 * r.share_of_limit << " %\n";
    else if (r.recoveries_per_second > 0)
        out << std::setprecision(0) << "secp256k1 recovery:  " << r.recoveries_per_second << "/s on "
            << r.recovery_threads << " threads (the ceiling)\n"
            << std::setprecision(1) << "TPS share of limit:  " << 100 * r.share_of_limit << " %\n";
    out << std::defaultfloat;
}

}  // namespace trellis::devtools
