// Real TLS over loopback: certificates made by node::ca at test time into a
// temporary directory, one io_context thread per node. Every wait is on a
// condition with a deadline; nothing asserts on elapsed time.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <random>
#include <thread>

#include "p2p/ca.hpp"
#include "p2p/peer_manager.hpp"

namespace fs = std::filesystem;
using namespace trellis;
using namespace trellis::p2p;
using namespace std::chrono_literals;

namespace {

Hash32 hash_of(uint8_t v) {
    Hash32 h;
    h.bytes.fill(v);
    return h;
}

const Hash32 kGenesis = hash_of(0x61);
constexpr uint64_t kChainId = 1337;

/// Polls pred until it holds or the deadline passes.
bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 8000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(2ms);
    }
    return pred();
}

namespace ca = p2p::ca;

/// The consortium: one CA, admitted nodes a..d, a valid but unadmitted
/// "outsider", and "rogue" from another CA. Made once for the whole suite.
struct Pki {
    fs::path dir;
    std::map<std::string, ca::IssuedNode> nodes;
    std::set<NodeId> admitted;

    Pki() {
        std::random_device rd;
        dir = fs::temp_directory_path() / ("trellis-p2p-" + std::to_string(rd()) + std::to_string(rd()));
        EXPECT_TRUE(p2p::ca::init_ca(dir / "ca").ok());
        EXPECT_TRUE(p2p::ca::init_ca(dir / "ca-rogue").ok());
        for (const char* n : {"a", "b", "c", "d", "outsider"}) {
            auto r = p2p::ca::issue_node(dir / "ca", n, dir / "certs");
            EXPECT_TRUE(r.ok());
            nodes[n] = *r;
        }
        auto rogue = p2p::ca::issue_node(dir / "ca-rogue", "rogue", dir / "rogue");
        EXPECT_TRUE(rogue.ok());
        nodes["rogue"] = *rogue;
        for (const char* n : {"a", "b", "c", "d"}) admitted.insert(nodes[n].node_id);
    }
    ~Pki() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    Settings settings(const std::string& name) {
        Settings s;
        auto& t = s.transport;
        t.listen_port = 0;
        t.cert_file = nodes[name].cert_file;
        t.key_file = nodes[name].key_file;
        t.ca_file = dir / "ca" / "ca.crt";  // every node trusts the consortium CA only
        t.chain_id = kChainId;
        t.genesis_hash = kGenesis;
        t.admitted = admitted;  // the outsider admits a..d; none of them admits it
        t.handshake_timeout = 3000ms;
        t.read_timeout = 5000ms;
        t.ping_interval = 500ms;
        t.enable_test_faults = true;
        s.backoff_initial = 20ms;
        s.backoff_max = 200ms;
        s.ban_duration = 60s;
        s.seed = 1;
        return s;
    }
};

Pki& pki() {
    static Pki p;
    return p;
}

/// One node: a PeerManager on its own io_context thread, recording events.
class TestNode {
public:
    explicit TestNode(Settings s, std::function<void(TestNode&)> before_start = {})
        : guard_(boost::asio::make_work_guard(io_)), pm_(std::make_unique<PeerManager>(io_, std::move(s))) {
        pm_->on_peer_up([this](const NodeId& id) {
            std::lock_guard lock(mu_);
            up_.push_back(id);
        });
        pm_->on_peer_down([this](const NodeId& id, DisconnectReason r) {
            std::lock_guard lock(mu_);
            down_.emplace_back(id, r);
        });
        for (auto t :
             {MessageType::kConsensus, MessageType::kTxs, MessageType::kStatus, MessageType::kTxAnnounce}) {
            pm_->on_message(t, [this](const NodeId& from, const Message& m) {
                if (on_receive) on_receive(from, m);
                std::lock_guard lock(mu_);
                received_.emplace_back(from, m);
            });
        }
        if (before_start) before_start(*this);
        auto r = pm_->start();
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : to_string(r.error()));
        thread_ = std::thread([this] { io_.run(); });
    }
    ~TestNode() {
        pm_->stop();
        pm_.reset();
        guard_.reset();
        io_.stop();
        thread_.join();
    }

    PeerManager& pm() { return *pm_; }
    NodeId id() const { return pm_->node_id(); }
    PeerAddress address() const { return PeerAddress{"127.0.0.1", pm_->port()}; }

    size_t received_from(const NodeId& from, MessageType type) {
        std::lock_guard lock(mu_);
        size_t n = 0;
        for (const auto& [f, m] : received_) n += (f == from && type_of(m) == type) ? 1 : 0;
        return n;
    }
    std::vector<Message> messages_from(const NodeId& from) {
        std::lock_guard lock(mu_);
        std::vector<Message> out;
        for (const auto& [f, m] : received_)
            if (f == from) out.push_back(m);
        return out;
    }
    size_t downs() {
        std::lock_guard lock(mu_);
        return down_.size();
    }
    std::optional<DisconnectReason> last_down_reason() {
        std::lock_guard lock(mu_);
        if (down_.empty()) return std::nullopt;
        return down_.back().second;
    }

    /// Runs on B's io thread for every recorded message (before recording).
    std::function<void(const NodeId&, const Message&)> on_receive;

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::unique_ptr<PeerManager> pm_;
    std::thread thread_;
    std::mutex mu_;
    std::vector<NodeId> up_;
    std::vector<std::pair<NodeId, DisconnectReason>> down_;
    std::vector<std::pair<NodeId, Message>> received_;
};

Settings dialing(Settings s, std::initializer_list<PeerAddress> peers) {
    s.static_peers.assign(peers.begin(), peers.end());
    return s;
}

Bytes frame_header(uint32_t length, uint8_t type) {
    return Bytes{uint8_t(length >> 24), uint8_t(length >> 16), uint8_t(length >> 8), uint8_t(length), type};
}

}  // namespace

TEST(Network, node_id_is_the_ca_node_id_of_the_certificate) {
    TestNode a(pki().settings("a"));
    EXPECT_EQ(a.id(), pki().nodes["a"].node_id);
    auto from_file = node_id_of_certificate_file(pki().nodes["b"].cert_file);
    ASSERT_TRUE(from_file.ok());
    EXPECT_EQ(*from_file, pki().nodes["b"].node_id);
}

TEST(Network, two_nodes_connect_over_mutual_tls_and_exchange_messages) {
    TestNode a(pki().settings("a"));
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    ASSERT_TRUE(wait_for([&] { return a.pm().connected(b.id()) && b.pm().connected(a.id()); }));

    const auto peers = a.pm().peers();
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_FALSE(peers[0].outbound);
    EXPECT_EQ(peers[0].hello.chain_id, kChainId);
    EXPECT_EQ(peers[0].hello.node_id, b.id());

    ASSERT_TRUE(b.pm().send(a.id(), Consensus{Bytes{1, 2, 3}}));
    ASSERT_TRUE(a.pm().send(b.id(), Txs{{Bytes{0x02, 0x03}}}));
    ASSERT_TRUE(wait_for([&] { return a.received_from(b.id(), MessageType::kConsensus) == 1; }));
    ASSERT_TRUE(wait_for([&] { return b.received_from(a.id(), MessageType::kTxs) == 1; }));
    EXPECT_EQ(std::get<Consensus>(a.messages_from(b.id()).at(0)).payload, (Bytes{1, 2, 3}));
}

TEST(Network, three_nodes_connect_and_broadcast_reaches_all) {
    TestNode a(pki().settings("a"));
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    TestNode c(dialing(pki().settings("c"), {a.address(), b.address()}));
    ASSERT_TRUE(wait_for(
        [&] { return a.pm().peer_count() == 2 && b.pm().peer_count() == 2 && c.pm().peer_count() == 2; }));
    EXPECT_EQ(a.pm().broadcast(Status{5, hash_of(5)}), 2u);
    EXPECT_EQ(c.pm().broadcast(Status{6, hash_of(6)}, a.id()), 1u);
    ASSERT_TRUE(wait_for([&] {
        return b.received_from(a.id(), MessageType::kStatus) == 1 &&
               c.received_from(a.id(), MessageType::kStatus) == 1 &&
               b.received_from(c.id(), MessageType::kStatus) == 1;
    }));
    EXPECT_EQ(a.received_from(c.id(), MessageType::kStatus), 0u);
}

TEST(Network, simultaneous_dials_converge_to_one_agreed_connection) {
    // a and b dial each other at once: both ends must keep the connection
    // dialed by the lower node id, so they agree on its direction.
    TestNode a(pki().settings("a"));
    TestNode b(pki().settings("b"));
    a.pm().add_peer(b.address(), true);
    b.pm().add_peer(a.address(), true);
    auto direction = [](PeerManager& pm, const NodeId& id) {
        for (const auto& p : pm.peers())
            if (p.node_id == id) return std::optional<bool>(p.outbound);
        return std::optional<bool>();
    };
    const bool a_lower = a.id() < b.id();
    ASSERT_TRUE(wait_for([&] {
        const auto da = direction(a.pm(), b.id());
        const auto db = direction(b.pm(), a.id());
        return da && db && *da == a_lower && *db == !a_lower;
    }));
    // Both stay connected and exchange messages over the kept connection.
    ASSERT_TRUE(a.pm().send(b.id(), Consensus{Bytes{1}}));
    ASSERT_TRUE(wait_for([&] { return b.received_from(a.id(), MessageType::kConsensus) == 1; }));
}

TEST(Network, certificate_from_another_ca_is_rejected) {
    TestNode a(pki().settings("a"));
    Settings rs = pki().settings("rogue");
    rs.transport.ca_file = pki().dir / "ca" / "ca.crt";  // it trusts our CA; we do not trust its issuer
    rs.static_peers = {a.address()};
    TestNode rogue(rs);
    ASSERT_TRUE(wait_for([&] { return a.pm().transport_stats().handshake_failures >= 2; }));
    EXPECT_EQ(a.pm().peer_count(), 0u);
    EXPECT_EQ(rogue.pm().peer_count(), 0u);
    EXPECT_EQ(a.pm().stats().peers_up, 0u);
}

TEST(Network, valid_certificate_not_on_the_admission_list_is_rejected) {
    TestNode a(pki().settings("a"));
    Settings os = pki().settings("outsider");
    os.static_peers = {a.address()};
    TestNode outsider(os);
    ASSERT_TRUE(wait_for([&] { return a.pm().transport_stats().rejected_hello >= 2; }));
    EXPECT_EQ(a.pm().peer_count(), 0u);
    EXPECT_EQ(outsider.pm().peer_count(), 0u);
    EXPECT_EQ(a.pm().stats().peers_up + outsider.pm().stats().peers_up, 0u);
}

TEST(Network, wrong_genesis_or_chain_id_is_rejected) {
    TestNode a(pki().settings("a"));
    Settings bs = dialing(pki().settings("b"), {a.address()});
    bs.transport.genesis_hash = hash_of(0x62);
    TestNode b(bs);
    Settings cs = dialing(pki().settings("c"), {a.address()});
    cs.transport.chain_id = kChainId + 1;
    TestNode c(cs);
    ASSERT_TRUE(wait_for([&] { return a.pm().transport_stats().rejected_hello >= 2; }));
    EXPECT_EQ(a.pm().peer_count(), 0u);
    EXPECT_EQ(b.pm().peer_count() + c.pm().peer_count(), 0u);
}

TEST(Network, oversized_frame_is_penalised_and_disconnected_while_others_continue) {
    TestNode a(pki().settings("a"));
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    TestNode c(dialing(pki().settings("c"), {a.address()}));
    ASSERT_TRUE(wait_for(
        [&] { return a.pm().connected(b.id()) && b.pm().connected(a.id()) && a.pm().connected(c.id()); }));

    const uint32_t too_big = uint32_t(max_payload(MessageType::kConsensus) + 1);
    ASSERT_TRUE(b.pm().inject_raw(a.id(), frame_header(too_big, uint8_t(MessageType::kConsensus))));
    ASSERT_TRUE(wait_for([&] { return a.downs() >= 1; }));
    EXPECT_EQ(a.pm().score(b.id()), kInitialScore - penalty_of(Misbehaviour::kOversizedFrame).points);
    EXPECT_EQ(a.last_down_reason(), DisconnectReason::kProtocolError);
    EXPECT_GE(a.pm().transport_stats().frame_errors, 1u);

    EXPECT_TRUE(a.pm().connected(c.id()));
    ASSERT_TRUE(c.pm().send(a.id(), Consensus{Bytes{9}}));
    ASSERT_TRUE(wait_for([&] { return a.received_from(c.id(), MessageType::kConsensus) == 1; }));
    // b is not banned: it comes back.
    ASSERT_TRUE(wait_for([&] { return a.pm().connected(b.id()); }));
}

TEST(Network, garbage_bytes_get_the_sender_banned_after_repeated_offences) {
    TestNode a(pki().settings("a"));
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    TestNode c(dialing(pki().settings("c"), {a.address()}));
    const int per_offence = penalty_of(Misbehaviour::kMalformedFrame).points;
    int offences = 0;
    while (!a.pm().is_banned(b.id())) {
        ASSERT_LT(offences, 10);
        // b must be on its new connection too (its old one seen closed).
        ASSERT_TRUE(wait_for([&] {
            return a.pm().connected(b.id()) && b.pm().connected(a.id()) &&
                   b.pm().stats().peers_down == uint64_t(offences);
        }));
        const size_t downs = a.downs();
        ASSERT_TRUE(b.pm().inject_raw(a.id(), Bytes{0xde, 0xad, 0xbe, 0xef, 0xff, 0x00, 0x01}));
        ++offences;
        ASSERT_TRUE(wait_for([&] { return a.downs() > downs; }));
    }
    EXPECT_EQ(offences, (kInitialScore + per_offence - 1) / per_offence);
    EXPECT_GE(a.pm().stats().bans, 1u);
    // b keeps redialling and is refused right after TLS.
    const auto refused = a.pm().transport_stats().rejected_hello.load();
    ASSERT_TRUE(wait_for([&] { return a.pm().transport_stats().rejected_hello >= refused + 2; }));
    EXPECT_FALSE(a.pm().connected(b.id()));
    // The honest peer was never touched.
    EXPECT_TRUE(a.pm().connected(c.id()));
    EXPECT_EQ(a.pm().score(c.id()), kInitialScore);
    ASSERT_TRUE(c.pm().send(a.id(), Consensus{Bytes{7}}));
    ASSERT_TRUE(wait_for([&] { return a.received_from(c.id(), MessageType::kConsensus) == 1; }));
}

TEST(Network, reported_bad_signatures_lower_the_score_and_ban) {
    TestNode a(pki().settings("a"));
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    ASSERT_TRUE(wait_for([&] { return a.pm().connected(b.id()); }));
    a.pm().penalise(b.id(), Misbehaviour::kInvalidSignature);
    EXPECT_EQ(a.pm().score(b.id()), kInitialScore - 50);
    EXPECT_TRUE(a.pm().connected(b.id()));
    a.pm().penalise(b.id(), Misbehaviour::kInvalidSignature);
    EXPECT_TRUE(a.pm().is_banned(b.id()));
    ASSERT_TRUE(wait_for([&] { return !a.pm().connected(b.id()) && !b.pm().connected(a.id()); }));
}

TEST(Network, malformed_message_payload_is_penalised_without_disconnect) {
    TestNode a(pki().settings("a"));
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    ASSERT_TRUE(wait_for([&] { return a.pm().connected(b.id()) && b.pm().connected(a.id()); }));
    // A well-framed Status whose payload is not RLP of a Status.
    Bytes f = frame_header(2, uint8_t(MessageType::kStatus));
    f.push_back(0xff);
    f.push_back(0xff);
    ASSERT_TRUE(b.pm().inject_raw(a.id(), f));
    ASSERT_TRUE(wait_for([&] { return a.pm().stats().malformed_messages == 1; }));
    EXPECT_EQ(a.pm().score(b.id()), kInitialScore - penalty_of(Misbehaviour::kMalformedMessage).points);
    ASSERT_TRUE(b.pm().send(a.id(), Status{1, hash_of(1)}));
    ASSERT_TRUE(wait_for([&] { return a.received_from(b.id(), MessageType::kStatus) == 1; }));
    EXPECT_EQ(a.downs(), 0u);
}

TEST(Network, reconnects_after_the_peer_restarts) {
    Settings sa = pki().settings("a");
    auto a = std::make_unique<TestNode>(sa);
    const PeerAddress addr = a->address();
    TestNode b(dialing(pki().settings("b"), {addr}));
    ASSERT_TRUE(wait_for([&] { return b.pm().connected(a->id()); }));
    const NodeId a_id = a->id();
    a.reset();
    ASSERT_TRUE(wait_for([&] { return !b.pm().connected(a_id); }));
    EXPECT_EQ(b.last_down_reason(), DisconnectReason::kRequested);
    sa.transport.listen_port = addr.port;
    a = std::make_unique<TestNode>(sa);
    ASSERT_TRUE(wait_for([&] { return b.pm().connected(a_id) && a->pm().connected(b.id()); }));
    ASSERT_TRUE(b.pm().send(a_id, Consensus{Bytes{1}}));
    ASSERT_TRUE(wait_for([&] { return a->received_from(b.id(), MessageType::kConsensus) == 1; }));
}

TEST(Network, send_queue_overflow_disconnects_the_slow_peer) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<bool> blocked{false};
    Settings sa = pki().settings("a");
    sa.transport.max_send_queue_bytes = size_t{1} << 20;
    sa.transport.read_timeout = 60s;  // b's io thread will be stuck: timeouts must not decide
    TestNode a(sa);
    Settings sb = dialing(pki().settings("b"), {a.address()});
    sb.transport.read_timeout = 60s;
    // b's only io thread blocks in its first handler: it stops reading, the
    // TCP buffers fill, and a's queue grows until the bound.
    TestNode b(sb, [&](TestNode& n) {
        n.on_receive = [&](const NodeId&, const Message&) {
            if (!blocked.exchange(true)) released.wait();
        };
    });
    struct Release {
        std::promise<void>& p;
        ~Release() { p.set_value(); }
    } unblock_b_before_teardown{release};
    ASSERT_TRUE(wait_for([&] { return a.pm().connected(b.id()) && b.pm().connected(a.id()); }));
    const Consensus big{Bytes(256 * 1024, 0x42)};
    size_t sent = 0;
    while (sent < 400 && a.pm().send(b.id(), big)) ++sent;
    EXPECT_LT(sent, 400u);
    EXPECT_GE(a.pm().transport_stats().send_overflows, 1u);
    ASSERT_TRUE(wait_for([&] { return !a.pm().connected(b.id()); }));
    EXPECT_EQ(a.last_down_reason(), DisconnectReason::kSlowPeer);
}

TEST(Network, fault_filter_drops_messages_to_a_chosen_peer) {
    TestNode a(pki().settings("a"));
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    TestNode c(dialing(pki().settings("c"), {a.address()}));
    ASSERT_TRUE(wait_for([&] { return a.pm().peer_count() == 2; }));
    const NodeId bid = b.id();
    a.pm().set_fault_filter([bid](const NodeId& to, MessageType t) {
        return FaultAction{to == bid && t == MessageType::kConsensus ? FaultAction::kDrop
                                                                     : FaultAction::kPass};
    });
    a.pm().broadcast(Consensus{Bytes{1}});
    a.pm().set_fault_filter([](const NodeId&, MessageType t) {
        return FaultAction{t == MessageType::kConsensus ? FaultAction::kDelay : FaultAction::kPass, 20ms};
    });
    a.pm().broadcast(Consensus{Bytes{2}});
    a.pm().set_fault_filter(nullptr);
    ASSERT_TRUE(wait_for([&] {
        return c.received_from(a.id(), MessageType::kConsensus) == 2 &&
               b.received_from(a.id(), MessageType::kConsensus) == 1;
    }));
    // b got only the second: messages on one connection stay in order, so the first is gone.
    EXPECT_EQ(std::get<Consensus>(b.messages_from(a.id()).at(0)).payload, (Bytes{2}));
}

TEST(Network, max_peers_refuses_extra_inbound_connections) {
    Settings sa = pki().settings("a");
    sa.max_peers = 1;
    TestNode a(sa);
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    ASSERT_TRUE(wait_for([&] { return a.pm().connected(b.id()); }));
    TestNode c(dialing(pki().settings("c"), {a.address()}));
    ASSERT_TRUE(
        wait_for([&] { return a.pm().stats().peers_up == 1 && c.pm().transport_stats().dials >= 2; }));
    EXPECT_FALSE(a.pm().connected(c.id()));
    EXPECT_EQ(a.pm().peer_count(), 1u);
}

TEST(Network, connections_beyond_max_connections_are_closed_before_tls) {
    Settings sa = pki().settings("a");
    sa.transport.max_connections = 1;
    TestNode a(sa);
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    ASSERT_TRUE(wait_for([&] { return a.pm().connected(b.id()); }));
    TestNode c(dialing(pki().settings("c"), {a.address()}));
    ASSERT_TRUE(wait_for([&] { return a.pm().transport_stats().refused_connections >= 2; }));
    EXPECT_FALSE(a.pm().connected(c.id()));
    EXPECT_TRUE(a.pm().connected(b.id()));
}

TEST(Network, silent_tcp_client_is_dropped_at_the_handshake_timeout) {
    Settings sa = pki().settings("a");
    sa.transport.handshake_timeout = 200ms;
    TestNode a(sa);
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket sock(io);
    sock.connect({boost::asio::ip::make_address("127.0.0.1"), a.address().port});
    ASSERT_TRUE(wait_for([&] { return a.pm().transport_stats().timeouts >= 1; }));
    // The server closed its end: the client reads end of stream.
    uint8_t byte;
    boost::system::error_code ec;
    sock.read_some(boost::asio::buffer(&byte, 1), ec);
    EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
}

TEST(Network, keep_alive_pings_hold_an_idle_connection_open) {
    Settings sa = pki().settings("a");
    sa.transport.ping_interval = 20ms;
    sa.transport.read_timeout = 300ms;
    Settings sb = dialing(pki().settings("b"), {});
    sb.transport.ping_interval = 20ms;
    sb.transport.read_timeout = 300ms;
    TestNode a(sa);
    sb.static_peers = {a.address()};
    TestNode b(sb);
    ASSERT_TRUE(wait_for([&] { return a.pm().connected(b.id()); }));
    // Many read timeouts' worth of pings (>= 40 * 20 ms > 2 * 300 ms) with no other traffic.
    ASSERT_TRUE(wait_for([&] { return a.pm().transport_stats().frames_in >= 40; }));
    EXPECT_TRUE(a.pm().connected(b.id()));
    EXPECT_EQ(a.downs(), 0u);
    EXPECT_EQ(a.pm().transport_stats().timeouts, 0u);
}

TEST(Network, a_peer_that_goes_silent_is_dropped_at_the_read_timeout) {
    Settings sa = pki().settings("a");
    sa.transport.ping_interval = 20ms;
    sa.transport.read_timeout = 200ms;
    TestNode a(sa);
    TestNode b(dialing(pki().settings("b"), {a.address()}));
    ASSERT_TRUE(wait_for([&] { return a.pm().connected(b.id()) && b.pm().connected(a.id()); }));
    // b stops sending anything to a (its pings included): a partition in one direction.
    b.pm().set_fault_filter([](const NodeId&, MessageType) { return FaultAction{FaultAction::kDrop}; });
    ASSERT_TRUE(wait_for([&] { return a.downs() >= 1; }));
    EXPECT_EQ(a.last_down_reason(), DisconnectReason::kTimeout);
    EXPECT_GE(a.pm().transport_stats().timeouts, 1u);
}

TEST(PeerAddress, parses_host_and_port) {
    EXPECT_EQ(parse_peer_address("127.0.0.1:30700"), (PeerAddress{"127.0.0.1", 30700}));
    EXPECT_EQ(parse_peer_address("node-1.example:1"), (PeerAddress{"node-1.example", 1}));
    EXPECT_EQ(parse_peer_address("[::1]:30700"), (PeerAddress{"::1", 30700}));
    for (const char* bad : {"", "host", "host:", ":1", "host:0", "host:65536", "host:1x", "::1:5", "[]:1"})
        EXPECT_FALSE(parse_peer_address(bad)) << bad;
}
