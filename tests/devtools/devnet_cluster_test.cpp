// The multi-process devnet: directory layout, genesis, TOML files the node's
// parser accepts, the process helpers, and the real binary end to end.
#include "devtools/devnet_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include "p2p/ca.hpp"
#include "node/config.hpp"
#include "node/genesis_json.hpp"
#include "support/temp_dir.hpp"

using namespace trellis;
using namespace trellis::devtools;
namespace fs = std::filesystem;

namespace {

/// Each test's directory (tests/support/temp_dir.hpp).
struct TempDir : test::TempDir {
    TempDir() : test::TempDir("trellis-devnet-test", /*create=*/false) {}
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

DevnetClusterOptions options(const fs::path& dir) {
    DevnetClusterOptions o;
    o.dir = dir;
    o.validators = 3;
    o.observers = 1;
    o.http_port = 20545;
    o.p2p_port = 20700;
    o.block_interval_ms = 250;
    o.accounts = 2;
    return o;
}

}  // namespace

TEST(DevnetKeys, validator_zero_is_the_single_node_devnet_validator_and_keys_differ) {
    const auto keys = chain::devnet_validators(4);
    ASSERT_EQ(keys.size(), 4u);
    EXPECT_EQ(keys[0].private_key, chain::devnet_validator().private_key);
    for (size_t i = 0; i < keys.size(); ++i)
        for (size_t j = i + 1; j < keys.size(); ++j) EXPECT_NE(keys[i].address, keys[j].address);
    // The generalised genesis with one unbound validator is the old one (same hash).
    const auto accounts = chain::devnet_accounts(3);
    EXPECT_EQ(chain::devnet_genesis(accounts, 5, {Hash32{}}, {}), chain::devnet_genesis(accounts, 5));
}

TEST(DevnetCluster, a_new_devnet_has_a_ca_certificates_keys_and_a_genesis_binding_them) {
    TempDir t;
    const auto o = options(t.path);
    auto c = prepare_devnet_cluster(o);
    ASSERT_TRUE(c) << c.error();
    EXPECT_TRUE(c->created);
    ASSERT_EQ(c->nodes.size(), 4u);
    EXPECT_TRUE(fs::exists(t.path / "ca" / "ca.key"));
    const auto& g = c->genesis;
    ASSERT_EQ(g.validators.size(), 3u);
    ASSERT_EQ(g.observer_nodes.size(), 1u);
    const auto keys = chain::devnet_validators(3);
    for (size_t i = 0; i < 4; ++i) {
        const auto& n = c->nodes[i];
        EXPECT_EQ(n.name, "node" + std::to_string(i));
        EXPECT_EQ(n.validator, i < 3);
        EXPECT_EQ(n.http_port, 20545 + i);
        EXPECT_EQ(n.p2p_port, 20700 + i);
        const fs::path d = t.path / n.name;
        auto id = p2p::ca::node_id_of_certificate(slurp(d / (n.name + ".crt")));
        ASSERT_TRUE(id);
        EXPECT_TRUE(p2p::ca::verify_node_certificate(slurp(d / "ca.crt"), slurp(d / (n.name + ".crt"))));
        if (i < 3) {
            EXPECT_EQ(g.validators[i].node_id, *id) << n.name;
            EXPECT_EQ(g.validators[i].address, keys[i].address);
            EXPECT_EQ(g.validators[i].stake, uint256(100));
            auto key = node::load_validator_key(d / "validator.key");
            ASSERT_TRUE(key) << key.error();
            EXPECT_EQ(*key, keys[i].private_key);
            struct stat st {};
            ASSERT_EQ(::stat((d / "validator.key").c_str(), &st), 0);
            EXPECT_EQ(st.st_mode & 0777, 0600u);
        } else {
            EXPECT_EQ(g.observer_nodes[0], *id);
            EXPECT_FALSE(fs::exists(d / "validator.key"));
        }
    }
    auto written = node::load_genesis_file((t.path / "genesis.json").string());
    ASSERT_TRUE(written) << written.error();
    EXPECT_EQ(*written, g);
    EXPECT_EQ(g.alloc.size(), 2u);
    EXPECT_TRUE(is_devnet_cluster_dir(t.path));
}

TEST(DevnetCluster, each_node_toml_parses_to_its_ports_files_and_peers) {
    TempDir t;
    auto o = options(t.path);
    o.test_faults = true;
    auto c = prepare_devnet_cluster(o);
    ASSERT_TRUE(c) << c.error();
    for (size_t i = 0; i < c->nodes.size(); ++i) {
        const auto& n = c->nodes[i];
        EXPECT_EQ(slurp(n.config_file), devnet_node_toml(*c, i, o));
        node::NodeConfig cfg;
        auto r = node::apply_config_file(n.config_file, cfg);
        ASSERT_TRUE(r) << r.error();
        const fs::path d = t.path / n.name;
        EXPECT_EQ(fs::weakly_canonical(cfg.service.datadir), fs::weakly_canonical(d / "chain"));
        EXPECT_EQ(fs::weakly_canonical(cfg.genesis_path), fs::weakly_canonical(t.path / "genesis.json"));
        EXPECT_EQ(cfg.service.http_host, "127.0.0.1");
        EXPECT_EQ(cfg.service.http_port, n.http_port);
        EXPECT_EQ(cfg.service.consensus.idle_block_interval, std::chrono::milliseconds(250));
        if (n.validator)
            EXPECT_EQ(cfg.validator_key_file, d / "validator.key");
        else
            EXPECT_TRUE(cfg.validator_key_file.empty());
        ASSERT_TRUE(cfg.service.network);
        const auto& net = *cfg.service.network;
        EXPECT_EQ(net.p2p.transport.listen_address, "127.0.0.1");
        EXPECT_EQ(net.p2p.transport.listen_port, n.p2p_port);
        EXPECT_EQ(net.p2p.transport.cert_file, d / (n.name + ".crt"));
        EXPECT_EQ(net.p2p.transport.key_file, d / (n.name + ".key"));
        EXPECT_EQ(net.p2p.transport.ca_file, d / "ca.crt");
        EXPECT_TRUE(net.test_faults);
        // Every other node, none twice, not itself.
        std::vector<uint16_t> peers;
        for (const auto& p : net.p2p.static_peers) {
            EXPECT_EQ(p.host, "127.0.0.1");
            peers.push_back(p.port);
        }
        std::vector<uint16_t> expected;
        for (const auto& m : c->nodes)
            if (m.name != n.name) expected.push_back(m.p2p_port);
        EXPECT_EQ(peers, expected) << n.name;
    }
    o.test_faults = false;
    EXPECT_EQ(devnet_node_toml(*c, 0, o).find("test_faults"), std::string::npos);
}

TEST(DevnetCluster, restarting_keeps_keys_certificates_and_genesis_and_rewrites_ports) {
    TempDir t;
    auto o = options(t.path);
    auto first = prepare_devnet_cluster(o);
    ASSERT_TRUE(first) << first.error();
    const std::string genesis_text = slurp(t.path / "genesis.json");
    const std::string cert = slurp(t.path / "node1" / "node1.crt");
    // Another count and other ports: the existing devnet's counts win, the ports change.
    o.validators = 7;
    o.observers = 0;
    o.http_port = 0;
    auto second = prepare_devnet_cluster(o);
    ASSERT_TRUE(second) << second.error();
    EXPECT_FALSE(second->created);
    EXPECT_EQ(second->genesis, first->genesis);
    EXPECT_EQ(slurp(t.path / "genesis.json"), genesis_text);
    EXPECT_EQ(slurp(t.path / "node1" / "node1.crt"), cert);
    ASSERT_EQ(second->nodes.size(), 4u);
    std::set<uint16_t> ports;
    for (const auto& n : second->nodes) {
        EXPECT_NE(n.http_port, 0);
        ports.insert(n.http_port);
        ports.insert(n.p2p_port);
        EXPECT_NE(slurp(n.config_file).find("port = " + std::to_string(n.http_port)), std::string::npos);
    }
    EXPECT_EQ(ports.size(), 8u);  // free ports are all different
}

TEST(DevnetCluster, refuses_a_single_node_devnet_directory_and_bad_port_ranges) {
    TempDir t;
    fs::create_directories(t.path);
    std::ofstream(t.path / "genesis.json") << node::genesis_to_json(
        chain::devnet_genesis(chain::devnet_accounts(1), chain::devnet_default_balance()));
    EXPECT_FALSE(is_devnet_cluster_dir(t.path));
    auto r = prepare_devnet_cluster(options(t.path));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("--validators 1"), std::string::npos) << r.error();

    TempDir u;
    auto o = options(u.path);
    o.http_port = 65534;
    auto high = prepare_devnet_cluster(o);
    ASSERT_FALSE(high);
    EXPECT_NE(high.error().find("ports out of range"), std::string::npos) << high.error();
    TempDir v;
    o = options(v.path);
    o.p2p_port = uint16_t(o.http_port + 2);
    auto overlap = prepare_devnet_cluster(o);
    ASSERT_FALSE(overlap);
    EXPECT_NE(overlap.error().find("overlap"), std::string::npos) << overlap.error();
}

TEST(DevnetProcesses, free_ports_are_distinct_and_bindable) {
    auto ports = pick_free_ports(16);
    ASSERT_TRUE(ports) << ports.error();
    ASSERT_EQ(ports->size(), 16u);
    EXPECT_EQ(std::set<uint16_t>(ports->begin(), ports->end()).size(), 16u);
    for (const uint16_t p : *ports) {
        EXPECT_NE(p, 0);
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(p);
        EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << p;
        ::close(fd);
    }
}

TEST(DevnetProcesses, a_spawned_child_logs_to_its_file_with_no_signals_blocked) {
    TempDir t;
    fs::create_directories(t.path);
    const fs::path log = t.path / "node.log";
    std::ofstream(log) << "earlier run\n";
    // The parent blocks SIGINT as the devnet does; the child must not inherit that.
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    ::pthread_sigmask(SIG_BLOCK, &set, &old);
    auto pid = spawn_logged("/bin/sh",
                                  {"-c", "grep SigBlk /proc/self/status; echo to-stderr >&2; exit 3"}, log);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ASSERT_TRUE(pid) << pid.error();
    int status = 0;
    ASSERT_EQ(::waitpid(*pid, &status, 0), *pid);
    EXPECT_EQ(describe_exit(status), "status 3");
    const std::string text = slurp(log);
    EXPECT_EQ(text.rfind("earlier run\n", 0), 0u) << text;  // appended, not truncated
    EXPECT_NE(text.find("SigBlk:\t0000000000000000"), std::string::npos) << text;
    EXPECT_NE(text.find("to-stderr"), std::string::npos) << text;
    EXPECT_EQ(tail_of_file(log, 1), "to-stderr\n");

    auto sleeper = spawn_logged("/bin/sleep", {"30"}, log);
    ASSERT_TRUE(sleeper);
    ::kill(*sleeper, SIGKILL);
    ASSERT_EQ(::waitpid(*sleeper, &status, 0), *sleeper);
    EXPECT_EQ(describe_exit(status), "signal 9");
}

TEST(DevnetProcesses, rpc_block_number_reads_the_json_rpc_answer) {
    const int srv = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(srv, 4), 0);
    ::getsockname(srv, reinterpret_cast<sockaddr*>(&a), &len);
    const uint16_t port = ntohs(a.sin_port);
    std::string request;
    std::thread server([&] {
        const char* answers[] = {
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
            R"({"jsonrpc":"2.0","id":1,"result":"0x2a"})",
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"};
        for (const char* answer : answers) {
            const int c = ::accept(srv, nullptr, nullptr);
            char buf[2048];
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (request.empty() && n > 0) request.assign(buf, size_t(n));
            [[maybe_unused]] auto w = ::send(c, answer, std::strlen(answer), 0);
            ::close(c);
        }
    });
    auto n = rpc_block_number(port, std::chrono::milliseconds(2000));
    auto bad = rpc_block_number(port, std::chrono::milliseconds(2000));
    server.join();
    ::close(srv);
    ASSERT_TRUE(n) << n.error();
    EXPECT_EQ(*n, 42u);
    EXPECT_NE(request.find("eth_blockNumber"), std::string::npos);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("503"), std::string::npos) << bad.error();
    EXPECT_FALSE(rpc_block_number(port, std::chrono::milliseconds(500)));  // nobody listens now
}

#ifdef TRELLIS_BIN
namespace {

/// A `trellis devnet` child with its stdout on a pipe.
struct DevnetRun {
    pid_t pid = -1;
    int out = -1;
    std::string buffer;

    DevnetRun(const std::vector<std::string>& args, const fs::path& err_file) {
        int fds[2];
        EXPECT_EQ(::pipe(fds), 0);
        std::vector<std::string> storage = {TRELLIS_BIN, "devnet"};
        storage.insert(storage.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& s : storage) argv.push_back(s.data());
        argv.push_back(nullptr);
        pid = ::fork();
        if (pid == 0) {
            ::dup2(fds[1], 1);
            const int e = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            ::dup2(e, 2);
            ::execv(TRELLIS_BIN, argv.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        out = fds[0];
    }
    ~DevnetRun() {
        if (pid > 0 && ::waitpid(pid, nullptr, WNOHANG) == 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        if (out >= 0) ::close(out);
    }
    /// Reads stdout until a line matching re (returns it) or the timeout (returns "").
    std::string wait_for(const std::regex& re, std::chrono::seconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
                std::string line = buffer.substr(0, nl);
                buffer.erase(0, nl + 1);
                lines.push_back(line);
                if (std::regex_search(line, re)) return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return "";
            pollfd p{out, POLLIN, 0};
            if (::poll(&p, 1, int(left.count())) <= 0) continue;
            char buf[4096];
            const ssize_t n = ::read(out, buf, sizeof buf);
            if (n <= 0) return "";
            buffer.append(buf, size_t(n));
        }
    }
    std::vector<std::string> lines;
};

}  // namespace

TEST(DevnetEndToEnd, three_processes_make_blocks_report_a_killed_node_stop_on_sigint_and_restart) {
    TempDir t;
    const fs::path err = t.path.string() + ".stderr";
    const std::vector<std::string> args = {"--validators", "2", "--observers",         "1",
                                           "--http-port",  "0", "--datadir",           t.path.string(),
                                           "--accounts",   "1", "--block-interval-ms", "200"};
    uint64_t head_before_stop = 0;
    {
        DevnetRun run(args, err);
        const std::string rpc =
            run.wait_for(std::regex("^JSON-RPC: http://127\\.0\\.0\\.1:(\\d+) "), std::chrono::seconds(90));
        ASSERT_FALSE(rpc.empty()) << "no JSON-RPC line; stderr:\n" << slurp(err);
        std::vector<pid_t> pids;
        std::vector<uint16_t> http;
        const std::regex node_line(
            "^node(\\d)  (validator|observer )  http://127\\.0\\.0\\.1:(\\d+)  p2p .*  pid (\\d+)  ");
        for (const auto& l : run.lines) {
            std::smatch m;
            if (!std::regex_search(l, m, node_line)) continue;
            http.push_back(uint16_t(std::stoul(m[3])));
            pids.push_back(pid_t(std::stol(m[4])));
        }
        ASSERT_EQ(pids.size(), 3u);
        EXPECT_NE(rpc.find(":" + std::to_string(http[0]) + " "), std::string::npos) << rpc;
        // Blocks are made by the two validators and reach the observer.
        uint64_t observer_head = 0;
        for (int i = 0; i < 150 && observer_head < 3; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (auto n = rpc_block_number(http[2], std::chrono::milliseconds(1000))) observer_head = *n;
        }
        EXPECT_GE(observer_head, 3u) << slurp(t.path / "node2" / "node.log");
        // A node killed from outside is reported and the rest keep running.
        ::kill(pids[2], SIGKILL);
        EXPECT_FALSE(
            run.wait_for(std::regex("^node2 exited \\(signal 9\\)$"), std::chrono::seconds(10)).empty());
        auto h = rpc_block_number(http[0], std::chrono::milliseconds(2000));
        ASSERT_TRUE(h) << h.error();
        head_before_stop = *h;
        ::kill(run.pid, SIGINT);
        EXPECT_FALSE(run.wait_for(std::regex("^stopped$"), std::chrono::seconds(30)).empty()) << slurp(err);
        int status = 0;
        ASSERT_EQ(::waitpid(run.pid, &status, 0), run.pid);
        run.pid = -1;
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describe_exit(status);
        for (const pid_t p : pids) EXPECT_NE(::kill(p, 0), 0) << "node pid " << p << " still running";
    }
    {
        // The same directory again: the same chain continues.
        DevnetRun run(args, err);
        const std::string rpc = run.wait_for(std::regex("^JSON-RPC: "), std::chrono::seconds(90));
        ASSERT_FALSE(rpc.empty()) << slurp(err);
        EXPECT_NE(run.lines.front().find("(existing devnet)"), std::string::npos) << run.lines.front();
        std::smatch m;
        ASSERT_TRUE(std::regex_search(rpc, m, std::regex("head block (\\d+)$")));
        EXPECT_GE(std::stoull(m[1]), head_before_stop);
        ::kill(run.pid, SIGTERM);
        EXPECT_FALSE(run.wait_for(std::regex("^stopped$"), std::chrono::seconds(30)).empty());
    }
    std::error_code ec;
    fs::remove(err, ec);
}
#endif
