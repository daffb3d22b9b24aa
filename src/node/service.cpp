#include "node/service.hpp"

#include <signal.h>

#include "base/hex.hpp"
#include "node/consensus_proposer.hpp"
#include "node/network.hpp"
#include "runtime/asio.hpp"
#include "rpc/json_rpc.hpp"
#include "runtime/metrics.hpp"

namespace trellis::node {

namespace {

using rpc::json;

Hash32 node_id_param(const json& params, size_t i) {
    if (!params.is_array() || params.size() <= i || !params[i].is_string())
        rpc::throw_invalid_params("expected a node id (0x + 64 hex digits) at position " + std::to_string(i));
    auto id = fixed_from_hex<Hash32>(params[i].get<std::string>());
    if (!id) rpc::throw_invalid_params("expected a node id (0x + 64 hex digits) at position " + std::to_string(i));
    return *id;
}

NetworkNode& live(std::atomic<NetworkNode*>& n) {
    NetworkNode* p = n.load();
    if (!p) throw rpc::RpcError(rpc::code::kServerError, "the network is not running");
    return *p;
}

/// The operator's view of the peers (trellis_peers; trellis_nodeInfo is
/// rpc's, fed by the backend's network view) and,
/// only with test faults on, the fault switches the multi-process tests use.
void register_network_methods(rpc::Dispatcher& d, std::atomic<NetworkNode*>& node, bool test_faults) {
    d.register_method("trellis_peers", [&node](const json&, rpc::CallContext&) {
        NetworkStatus s = live(node).status();
        json peers = json::array();
        for (const auto& p : s.peers)
            peers.push_back({{"nodeId", to_0x_hex(p.node_id.view())},
                             {"outbound", p.outbound},
                             {"remote", p.remote},
                             {"score", p.score},
                             {"helloHead", p.hello.head_num}});
        json banned = json::array();
        for (const auto& b : s.banned) banned.push_back(to_0x_hex(b.view()));
        return json{{"peers", peers}, {"banned", banned}};
    });
    if (!test_faults) return;
    d.register_method("trellis_testPartition", [&node](const json& params, rpc::CallContext&) {
        std::set<p2p::NodeId> isolated;
        if (!params.is_array() || params.size() != 1 || !params[0].is_array())
            rpc::throw_invalid_params("expected [[node ids]]");
        for (size_t i = 0; i < params[0].size(); ++i) isolated.insert(node_id_param(params[0], i));
        live(node).set_partition(std::move(isolated));
        return json(true);
    });
    d.register_method("trellis_testInject", [&node](const json& params, rpc::CallContext&) {
        const Hash32 peer = node_id_param(params, 0);
        if (params.size() < 2 || !params[1].is_string())
            rpc::throw_invalid_params("expected a kind: garbage, oversized, badSignature, falseHead or requestFlood");
        const std::string kind = params[1].get<std::string>();
        InjectKind k;
        if (kind == "garbage")
            k = InjectKind::kGarbage;
        else if (kind == "oversized")
            k = InjectKind::kOversizedFrame;
        else if (kind == "badSignature")
            k = InjectKind::kBadSignature;
        else if (kind == "falseHead")
            k = InjectKind::kFalseHead;
        else if (kind == "requestFlood")
            k = InjectKind::kRequestFlood;
        else
            rpc::throw_invalid_params("unknown kind " + kind);
        return json(live(node).inject(peer, k));
    });
}

}  // namespace

Result<void, std::string> Service::start_rpc() {
    const ServiceSettings& st = settings_;
    metrics_ = std::make_unique<runtime::metrics::Registry>();
    api_ = std::make_unique<rpc::EthApi>(*backend_, st.api);
    dispatcher_ = std::make_unique<rpc::Dispatcher>(st.rpc.dispatch, metrics_.get());
    api_->register_methods(*dispatcher_);
    if (st.network) register_network_methods(*dispatcher_, network_, st.network->test_faults);
    ioc_ = std::make_unique<boost::asio::io_context>();
    rpc::Settings rs = st.rpc;
    rs.address = st.http_host;
    rs.port = st.http_port;
    rs.threads = std::max(1u, st.rpc_threads);
    server_ = std::make_unique<rpc::Server>(*ioc_, rs, *dispatcher_, backend_.get(), metrics_.get());
    auto port = server_->start();
    if (!port)
        return Unexpected{std::string("cannot serve JSON-RPC on ") + st.http_host + ":" +
                          std::to_string(st.http_port) + ": " + rpc::to_string(port.error())};
    port_ = *port;
    return {};
}

Result<std::unique_ptr<Service>, std::string> Service::start(ServiceSettings settings) {
    std::unique_ptr<Service> s(new Service());
    s->settings_ = std::move(settings);
    ServiceSettings& st = s->settings_;

    auto ledger = ledger::Ledger::open(st.datadir, st.genesis, st.ledger);
    if (!ledger) return Unexpected{ledger.error()};
    s->ledger_ = std::move(ledger).value();

    Address proposer = st.proposer.value_or(
        st.genesis.validators.empty() ? Address{} : st.genesis.validators.front().address);
    BackendSettings bs;
    bs.pool = st.pool;
    bs.recovery = st.recovery;
    bs.validator = proposer;
    s->backend_ = std::make_unique<ChainBackend>(*s->ledger_, bs);

    if (auto r = s->start_rpc(); !r) return Unexpected{r.error()};

    // Node metrics beside the RPC server's (requests and latency by method):
    // served on /metrics in the Prometheus text format.
    runtime::metrics::Registry& m = *s->metrics_;
    auto& head_gauge = m.gauge("trellis_head_block", "Number of the head block").with({});
    auto& pending_gauge = m.gauge("trellis_txpool_pending", "Executable transactions in the pool").with({});
    auto& queued_gauge = m.gauge("trellis_txpool_queued", "Future-nonce transactions in the pool").with({});
    auto& exec_hist =
        m.histogram("trellis_block_execution_seconds", "Time to execute a sealed block's transactions")
            .with({});
    auto& commit_hist = m.histogram("trellis_block_commit_seconds",
                                    "Time to compute a sealed block's state root and write it to disk")
                            .with({});
    const double gl = double(st.genesis.gas_limit);
    auto& gas_hist =
        m.histogram("trellis_block_gas_used", "Gas used per sealed block", {},
                    {0, 0.01 * gl, 0.05 * gl, 0.1 * gl, 0.25 * gl, 0.5 * gl, 0.75 * gl, 0.9 * gl, gl})
            .with({});
    auto& txs_hist = m.histogram("trellis_block_transactions", "Transactions per sealed block", {},
                                 {0, 1, 10, 50, 100, 250, 500, 1000, 2000, 5000})
                         .with({});
    auto& mined_counter =
        m.counter("trellis_transactions_mined_total", "Transactions in sealed blocks").with({});
    auto& failed_counter =
        m.counter("trellis_block_production_failures_total", "Blocks that failed to commit (storage)")
            .with({});
    head_gauge.set(double(s->backend_->head_number()));
    runtime::log::Logger* log = &runtime::log::or_global(st.logger);
    if (!st.consensus.logger) st.consensus.logger = log;
    ChainBackend* backend = s->backend_.get();
    // Pool sizes follow every admission; the backend keeps them as atomics,
    // so this listener never takes the pool's lock.
    s->metrics_listener_ =
        backend->add_listener([backend, &pending_gauge, &queued_gauge](const rpc::ChainEvent&) {
            pending_gauge.set(double(backend->pool_pending()));
            queued_gauge.set(double(backend->pool_queued()));
        });
    auto on_failure = [log, &failed_counter](const std::string& why) {
        failed_counter.inc();
        TRELLIS_LOG_LIMITED_TO(*log, node, error, "block production failed: {}; retrying", why);
    };
    auto on_block = [log, &head_gauge, &exec_hist, &commit_hist, &gas_hist, &txs_hist,
                     &mined_counter](const SealedBlock& b) {
        head_gauge.set(double(b.number));
        exec_hist.observe(b.execute_seconds);
        commit_hist.observe(b.commit_seconds);
        gas_hist.observe(double(b.gas_used));
        txs_hist.observe(double(b.tx_count));
        mined_counter.inc(double(b.tx_count));
        TRELLIS_LOG_TO(*log, node, info, "block {} {} txs={} gas={}", b.number, to_0x_hex(b.hash.view()),
                       b.tx_count, b.gas_used);
    };
    if (st.network) {
        auto nn = NetworkNode::open(*s->ledger_, *s->backend_, st.consensus_key, st.consensus, *st.network,
                                    on_block, log);
        if (!nn) return Unexpected{"network: " + nn.error()};
        s->network_ = nn->get();
        s->backend_->set_network_view(nn->get());
        s->proposer_ = std::move(nn).value();
    } else if (st.consensus_key) {
        // The block log and metrics hear of commits as in solo mode.
        auto cp = ConsensusProposer::open(*s->ledger_, *s->backend_, *st.consensus_key, st.consensus, on_block);
        if (!cp) return Unexpected{"consensus: " + cp.error()};
        s->proposer_ = std::move(cp).value();
    } else {
        s->proposer_ = std::make_unique<SoloProposer>(*s->backend_, proposer, st.poll_interval,
                                                      st.empty_block_interval, on_block, on_failure);
    }
    s->proposer_->start();
    return s;
}

Service::~Service() {
    stop();
}

void Service::stop() {
    if (stopped_.exchange(true)) return;
    // Proposer first (no block is being sealed afterwards), then the server
    // (joins its threads), then the ledger closes with the members.
    if (proposer_) proposer_->stop();
    if (server_) server_->stop();
    // No RPC call runs any more: the network view can go with the network.
    if (backend_) backend_->set_network_view(nullptr);
    if (metrics_listener_) {
        backend_->remove_listener(metrics_listener_);
        metrics_listener_ = 0;
    }
    network_ = nullptr;
    proposer_.reset();
    server_.reset();
}

void block_stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_stop_signal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    return sig;
}

}  // namespace trellis::node
