#include "devtools/devnet_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <thread>

#include "base/hex.hpp"
#include "devtools/json_rpc_client.hpp"
#include "node/genesis_json.hpp"
#include "p2p/ca.hpp"
#include "rpc/eth_api.hpp"

namespace trellis::devtools {
namespace fs = std::filesystem;
namespace {

constexpr const char* kGenesisFile = "genesis.json";
constexpr const char* kConfigFile = "trellis.toml";
constexpr const char* kLogFile = "node.log";
constexpr const char* kValidatorKeyFile = "validator.key";

std::string node_name(size_t i) {
    return "node" + std::to_string(i);
}

/// Writes text to path through a temporary file and a rename, so a reader
/// (or an interrupted run) never sees half a file.
Result<void, std::string> write_file_atomic(const fs::path& path, const std::string& text,
                                            mode_t mode = 0644) {
    const fs::path tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return Unexpected{"cannot write " + tmp.string() + ": " + std::strerror(errno)};
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return Unexpected{"cannot write " + tmp.string() + ": " + std::strerror(errno)};
        }
        done += size_t(n);
    }
    ::close(fd);
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) return Unexpected{"cannot rename " + tmp.string() + ": " + ec.message()};
    return {};
}

/// A TOML basic string.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string endpoint(uint16_t port) {
    return "127.0.0.1:" + std::to_string(port);
}

/// Creates the CA, node certificates, validator keys and the genesis in o.dir.
Result<chain::Genesis, std::string> create_devnet(const DevnetClusterOptions& o) {
    if (o.validators == 0) return Unexpected{std::string("a devnet needs at least one validator")};
    if (o.validators > chain::kMaxGenesisValidators || o.observers > chain::kMaxGenesisValidators)
        return Unexpected{"at most " + std::to_string(chain::kMaxGenesisValidators) +
                          " validators and as many observers"};
    if (fs::exists(o.dir / "ca"))
        return Unexpected{(o.dir / "ca").string() + " exists but " + (o.dir / kGenesisFile).string() +
                          " does not (an interrupted setup?): remove the directory or choose another"};
    if (auto r = p2p::ca::init_ca(o.dir / "ca", "Trellis devnet CA"); !r)
        return Unexpected{"devnet CA in " + (o.dir / "ca").string() + ": " + p2p::ca::to_string(r.error())};
    const auto keys = chain::devnet_validators(o.validators);
    std::vector<Hash32> validator_ids, observer_ids;
    for (size_t i = 0; i < o.validators + o.observers; ++i) {
        const std::string name = node_name(i);
        auto issued = p2p::ca::issue_node(o.dir / "ca", name, o.dir / name);
        if (!issued) return Unexpected{"certificate for " + name + ": " + p2p::ca::to_string(issued.error())};
        if (i < o.validators) {
            validator_ids.push_back(issued->node_id);
            const std::string hex = to_hex(keys[i].private_key.view()) + "\n";
            if (auto w = write_file_atomic(o.dir / name / kValidatorKeyFile, hex, 0600); !w)
                return Unexpected{w.error()};
        } else {
            observer_ids.push_back(issued->node_id);
        }
    }
    chain::Genesis g = chain::devnet_genesis(chain::devnet_accounts(o.accounts),
                                             chain::devnet_default_balance(), validator_ids, observer_ids);
    if (auto ok = chain::validate_genesis(g); !ok)
        return Unexpected{std::string("devnet genesis: ") + chain::to_string(ok.error())};
    if (auto w = write_file_atomic(o.dir / kGenesisFile, node::genesis_to_json(g)); !w)
        return Unexpected{w.error()};
    return g;
}

/// Loads the genesis of an existing devnet and checks each node's files are there.
Result<chain::Genesis, std::string> reuse_devnet(const fs::path& dir) {
    if (!fs::exists(dir / "node0"))
        return Unexpected{
            (dir / kGenesisFile).string() +
            " belongs to a single-node devnet (there is no node0/): start it with --validators 1"};
    auto g = node::load_genesis_file((dir / kGenesisFile).string());
    if (!g) return Unexpected{(dir / kGenesisFile).string() + ": " + g.error()};
    const size_t total = g->validators.size() + g->observer_nodes.size();
    for (size_t i = 0; i < total; ++i) {
        const std::string name = node_name(i);
        std::vector<std::string> files = {name + ".crt", name + ".key", p2p::ca::kCaCertFile};
        if (i < g->validators.size()) files.push_back(kValidatorKeyFile);
        for (const auto& f : files)
            if (!fs::exists(dir / name / f)) return Unexpected{"missing " + (dir / name / f).string()};
    }
    return std::move(g).value();
}

}  // namespace

bool is_devnet_cluster_dir(const fs::path& dir) {
    return fs::exists(dir / kGenesisFile) && fs::exists(dir / "node0");
}

Result<std::vector<uint16_t>, std::string> pick_free_ports(size_t count) {
    std::vector<int> fds;
    std::vector<uint16_t> ports;
    // All sockets stay bound until every port is read, so the ports differ.
    auto close_all = [&fds] {
        for (const int fd : fds) ::close(fd);
    };
    for (size_t i = 0; i < count; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            close_all();
            return Unexpected{std::string("socket: ") + std::strerror(errno)};
        }
        fds.push_back(fd);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        socklen_t len = sizeof a;
        if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            close_all();
            return Unexpected{std::string("cannot bind a free port on 127.0.0.1: ") + std::strerror(errno)};
        }
        ports.push_back(ntohs(a.sin_port));
    }
    close_all();
    return ports;
}

Result<DevnetCluster, std::string> prepare_devnet_cluster(const DevnetClusterOptions& o) {
    if (o.dir.empty()) return Unexpected{std::string("no devnet directory")};
    std::error_code ec;
    fs::create_directories(o.dir, ec);
    if (ec) return Unexpected{"cannot create " + o.dir.string() + ": " + ec.message()};
    DevnetCluster c;
    c.dir = o.dir;
    c.created = !fs::exists(o.dir / kGenesisFile);
    auto g = c.created ? create_devnet(o) : reuse_devnet(o.dir);
    if (!g) return Unexpected{g.error()};
    c.genesis = std::move(g).value();
    const size_t validators = c.genesis.validators.size();
    const size_t total = validators + c.genesis.observer_nodes.size();

    std::vector<uint16_t> http(total), p2p(total);
    if (o.http_port == 0) {
        auto free = pick_free_ports(2 * total);
        if (!free) return Unexpected{free.error()};
        std::copy(free->begin(), free->begin() + ptrdiff_t(total), http.begin());
        std::copy(free->begin() + ptrdiff_t(total), free->end(), p2p.begin());
    } else {
        if (size_t(o.http_port) + total - 1 > 65535 || o.p2p_port == 0 ||
            size_t(o.p2p_port) + total - 1 > 65535)
            return Unexpected{"ports out of range: " + std::to_string(total) + " nodes from HTTP port " +
                              std::to_string(o.http_port) + " and p2p port " + std::to_string(o.p2p_port)};
        for (size_t i = 0; i < total; ++i) {
            http[i] = uint16_t(o.http_port + i);
            p2p[i] = uint16_t(o.p2p_port + i);
        }
        // Overlapping ranges would make two listeners collide.
        if (o.http_port < size_t(o.p2p_port) + total && o.p2p_port < size_t(o.http_port) + total)
            return Unexpected{
                std::string("the HTTP and p2p port ranges overlap: choose --p2p-port further away")};
    }
    for (size_t i = 0; i < total; ++i) {
        DevnetNode n;
        n.name = node_name(i);
        n.validator = i < validators;
        n.http_port = http[i];
        n.p2p_port = p2p[i];
        n.dir = o.dir / n.name;
        n.config_file = n.dir / kConfigFile;
        n.log_file = n.dir / kLogFile;
        c.nodes.push_back(n);
    }
    for (size_t i = 0; i < total; ++i)
        if (auto w = write_file_atomic(c.nodes[i].config_file, devnet_node_toml(c, i, o)); !w)
            return Unexpected{w.error()};
    return c;
}

std::string devnet_node_toml(const DevnetCluster& c, size_t index, const DevnetClusterOptions& o) {
    const DevnetNode& n = c.nodes.at(index);
    std::ostringstream t;
    t << "# " << n.name << " of the devnet in " << c.dir.string()
      << (n.validator ? " (validator)" : " (observer)")
      << ".\n# Written by `trellis devnet` on every start (ports may change); paths are relative to this "
         "file.\n"
      << "datadir = \"chain\"\n"
      << "genesis = " << quoted("../" + std::string(kGenesisFile)) << "\n\n"
      << "[http]\nhost = \"127.0.0.1\"\nport = " << n.http_port << "\n\n"
      << "[consensus]\n";
    if (n.validator) t << "validator_key_file = " << quoted(kValidatorKeyFile) << "\n";
    t << "idle_block_interval_ms = " << o.block_interval_ms << "\n\n"
      << "[p2p]\nlisten = " << quoted(endpoint(n.p2p_port)) << "\n"
      << "cert_file = " << quoted(n.name + ".crt") << "\n"
      << "key_file = " << quoted(n.name + ".key") << "\n"
      << "ca_file = " << quoted(p2p::ca::kCaCertFile) << "\n"
      << "peers = [";
    bool first = true;
    for (size_t j = 0; j < c.nodes.size(); ++j) {
        if (j == index) continue;
        t << (first ? "" : ", ") << quoted(endpoint(c.nodes[j].p2p_port));
        first = false;
    }
    t << "]\n";
    if (o.test_faults) t << "test_faults = true\n";
    if (!o.log_level.empty()) t << "\n[log]\nlevel = " << quoted(o.log_level) << "\n";
    return t.str();
}

Result<pid_t, std::string> spawn_logged(const std::string& binary, const std::vector<std::string>& args,
                                        const fs::path& log_file) {
    // Everything the child needs is prepared here: between fork and exec only
    // async-signal-safe calls are allowed.
    std::vector<std::string> storage;
    storage.push_back(binary);
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    const int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) return Unexpected{"cannot open " + log_file.string() + ": " + std::strerror(errno)};
    const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const pid_t parent = ::getpid();
    sigset_t none;
    sigemptyset(&none);
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int e = errno;
        ::close(log);
        if (null_in >= 0) ::close(null_in);
        return Unexpected{std::string("fork: ") + std::strerror(e)};
    }
    if (pid == 0) {
        // A devnet parent killed outright should not leave its nodes behind.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(126);
        if (null_in >= 0) ::dup2(null_in, 0);
        ::dup2(log, 1);
        ::dup2(log, 2);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execv(argv[0], argv.data());
        static const char msg[] = "trellis devnet: exec failed\n";
        [[maybe_unused]] const auto ignored = ::write(2, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::close(log);
    if (null_in >= 0) ::close(null_in);
    return pid;
}

std::string describe_exit(int wait_status) {
    if (WIFSIGNALED(wait_status)) return "signal " + std::to_string(WTERMSIG(wait_status));
    if (WIFEXITED(wait_status)) return "status " + std::to_string(WEXITSTATUS(wait_status));
    return "wait status " + std::to_string(wait_status);
}

std::string tail_of_file(const fs::path& path, size_t lines) {
    std::ifstream in(path);
    std::deque<std::string> last;
    for (std::string line; std::getline(in, line);) {
        last.push_back(line);
        if (last.size() > lines) last.pop_front();
    }
    std::string out;
    for (const auto& l : last) out += l + "\n";
    return out;
}

Result<uint64_t, std::string> rpc_block_number(uint16_t port, std::chrono::milliseconds timeout) {
    auto c = JsonRpcClient::connect("127.0.0.1", port, timeout);
    if (!c) return Unexpected{c.error()};
    return (*c)->call_quantity("eth_blockNumber", nlohmann::json::array());
}

void print_devnet_accounts(std::ostream& out, const chain::Genesis& g,
                           const std::vector<chain::DevAccount>& accounts) {
    out << "Available accounts\n==================\n";
    for (size_t i = 0; i < accounts.size(); ++i) {
        auto it = g.alloc.find(accounts[i].address);
        const uint256 bal = it == g.alloc.end() ? uint256() : it->second.balance;
        out << "(" << i << ") " << rpc::checksum_address(accounts[i].address) << " ("
            << to_string(bal / uint256(1'000'000'000'000'000'000ULL)) << " ETH)\n";
    }
    out << "\nPrivate keys (well known: never use them for anything of value)\n==================\n";
    for (size_t i = 0; i < accounts.size(); ++i)
        out << "(" << i << ") " << to_0x_hex(accounts[i].private_key.view()) << "\n";
    out << std::endl;
}

namespace {

struct Child {
    const DevnetNode* node;
    pid_t pid = -1;
    bool alive = false;
};

/// Reaps the children that exited; calls on_exit(child, status) for each.
template <class F>
void reap(std::vector<Child>& children, F on_exit) {
    for (auto& c : children) {
        if (!c.alive) continue;
        int status = 0;
        const pid_t r = ::waitpid(c.pid, &status, WNOHANG);
        if (r == c.pid) {
            c.alive = false;
            on_exit(c, status);
        }
    }
}

/// SIGTERM to every live child, SIGKILL to those still alive after timeout.
void stop_children(std::vector<Child>& children, std::chrono::milliseconds timeout, std::ostream& err) {
    for (auto& c : children)
        if (c.alive) ::kill(c.pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        reap(children, [](Child&, int) {});
        bool any = false;
        for (const auto& c : children) any |= c.alive;
        if (!any) return;
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (auto& c : children) {
        if (!c.alive) continue;
        err << c.node->name << " did not stop within " << timeout.count() / 1000 << " s: killing it"
            << std::endl;
        ::kill(c.pid, SIGKILL);
        int status = 0;
        while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
        }
        c.alive = false;
    }
}

/// Waits up to timeout for SIGINT, SIGTERM or SIGCHLD (all blocked); 0 on timeout.
int wait_signal(const sigset_t& set, std::chrono::milliseconds timeout) {
    timespec ts{};
    ts.tv_sec = time_t(timeout.count() / 1000);
    ts.tv_nsec = long(timeout.count() % 1000) * 1'000'000;
    const int sig = ::sigtimedwait(&set, nullptr, &ts);
    return sig < 0 ? 0 : sig;
}

}  // namespace

int run_devnet_cluster(const DevnetCluster& c, size_t account_count, const DevnetRunOptions& ro,
                       std::ostream& out, std::ostream& err) {
    // Blocked before the first fork: the stop signals reach only sigtimedwait
    // below, and SIGCHLD wakes it when a node exits. Children unblock them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);

    std::vector<Child> children;
    children.reserve(c.nodes.size());
    for (const auto& n : c.nodes) {
        auto pid = spawn_logged(ro.binary, {"node", "--config", n.config_file.string()}, n.log_file);
        if (!pid) {
            err << "error: cannot start " << n.name << ": " << pid.error() << std::endl;
            stop_children(children, ro.stop_timeout, err);
            return 1;
        }
        children.push_back({&n, *pid, true});
        out << n.name << "  " << (n.validator ? "validator" : "observer ") << "  http://"
            << endpoint(n.http_port) << "  p2p " << endpoint(n.p2p_port) << "  pid " << *pid << "  config "
            << n.config_file.string() << "  log " << n.log_file.string() << std::endl;
    }

    auto stop = [&](int sig) {
        size_t live = 0;
        for (const auto& ch : children) live += ch.alive ? 1 : 0;
        err << "received " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping " << live << " node"
            << (live == 1 ? "" : "s") << std::endl;
        stop_children(children, ro.stop_timeout, err);
        out << "stopped" << std::endl;
        return 0;
    };

    // Ready: every node answers eth_blockNumber.
    std::vector<bool> ready(children.size(), false);
    uint64_t head0 = 0;
    const auto deadline = std::chrono::steady_clock::now() + ro.ready_timeout;
    for (;;) {
        std::string died;
        reap(children, [&](Child& ch, int status) {
            if (died.empty())
                died = ch.node->name + " exited (" + describe_exit(status) + ") before answering";
            err << ch.node->name << " exited (" << describe_exit(status) << "); the end of "
                << ch.node->log_file.string() << ":\n"
                << tail_of_file(ch.node->log_file, 20) << std::flush;
        });
        if (!died.empty()) {
            err << "error: " << died << std::endl;
            stop_children(children, ro.stop_timeout, err);
            return 1;
        }
        size_t waiting = 0;
        for (size_t i = 0; i < children.size(); ++i) {
            if (ready[i]) continue;
            auto bn = rpc_block_number(children[i].node->http_port, std::chrono::milliseconds(2000));
            if (bn) {
                ready[i] = true;
                if (i == 0) head0 = *bn;
            } else {
                ++waiting;
            }
        }
        if (waiting == 0) break;
        if (std::chrono::steady_clock::now() >= deadline) {
            for (size_t i = 0; i < children.size(); ++i) {
                if (ready[i]) continue;
                err << "error: " << children[i].node->name << " did not answer on http://"
                    << endpoint(children[i].node->http_port) << " within " << ro.ready_timeout.count() / 1000
                    << " s; the end of " << children[i].node->log_file.string() << ":\n"
                    << tail_of_file(children[i].node->log_file, 20) << std::flush;
            }
            stop_children(children, ro.stop_timeout, err);
            return 1;
        }
        const int sig = wait_signal(set, std::chrono::milliseconds(200));
        if (sig == SIGINT || sig == SIGTERM) return stop(sig);
    }

    out << "\n";
    print_devnet_accounts(out, c.genesis, chain::devnet_accounts(account_count));
    out << "JSON-RPC: http://" << endpoint(c.nodes[0].http_port) << " (WebSocket: ws://"
        << endpoint(c.nodes[0].http_port) << "), head block " << head0 << std::endl;

    for (;;) {
        const int sig = wait_signal(set, std::chrono::milliseconds(1000));
        // SIGCHLD can coalesce or arrive before the wait: reap on every wake-up.
        reap(children, [&](Child& ch, int status) {
            out << ch.node->name << " exited (" << describe_exit(status) << ")" << std::endl;
        });
        if (sig == SIGINT || sig == SIGTERM) return stop(sig);
    }
}

}  // namespace trellis::devtools
