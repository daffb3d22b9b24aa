// The networked node (src/node/network.*): real Services on loopback with
// mutual-TLS p2p between them (certificates from a test CA), consensus over
// the transport, transaction gossip, block sync with commit proofs, and the
// operator and test-fault RPC views. Waits are on conditions with
// deadlines; nothing asserts on timing.

#include "node/network.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "chain/devnet.hpp"
#include "consensus/messages.hpp"
#include "crypto/keccak.hpp"
#include "node/local_network.hpp"
#include "node/service.hpp"
#include "p2p/ca.hpp"
#include "runtime/log.hpp"
#include "support/temp_dir.hpp"

using namespace trellis;
using namespace trellis::node;
namespace fs = std::filesystem;

namespace {

constexpr chain::ChainId kChain = 4242;

/// Each test's directory (tests/support/temp_dir.hpp).
struct TempDir : test::TempDir {
    TempDir() : test::TempDir("trellis-net") {}
};

template <class F>
bool wait_for(F f, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (f()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return f();
}

Bytes transfer(const chain::DevAccount& from, uint64_t nonce, uint64_t value) {
    chain::Transaction tx;
    tx.type = chain::TxType::kDynamicFee;
    tx.chain_id = kChain;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = uint256(0);
    tx.max_fee_per_gas = uint256(0);
    tx.gas_limit = 21000;
    tx.to = Address{};
    tx.value = uint256(value);
    EXPECT_TRUE(chain::sign(tx, from.private_key));
    return chain::encode_transaction(tx);
}

/// n validators and m observers, each a Service with its own data directory,
/// certificate and RPC port; every node dials every other.
struct Cluster {
    TempDir dir;
    size_t validators = 0;
    std::vector<chain::DevAccount> accounts = chain::devnet_accounts(4);
    chain::Genesis genesis;
    std::vector<ServiceSettings> settings;
    std::vector<std::unique_ptr<Service>> nodes;
    std::vector<uint16_t> p2p_ports;
    std::vector<std::unique_ptr<runtime::log::Logger>> logs;
    /// Times node i's view timer fired (HostSettings::on_view_timeout), across restarts.
    std::vector<std::unique_ptr<std::atomic<uint64_t>>> view_timeouts;

    // The nodes log into `logs` until they stop: stop them before the
    // members go (members are destroyed in reverse order, logs first).
    ~Cluster() {
        for (auto& n : nodes)
            if (n) n->stop();
    }

    Cluster(size_t n, size_t m, std::chrono::milliseconds idle = std::chrono::milliseconds(100))
        : validators(n) {
        chain::Genesis base = chain::devnet_genesis(accounts, chain::devnet_default_balance());
        base.chain_id = kChain;
        auto ids = make_local_identities(dir.path, n, m, base);
        EXPECT_TRUE(ids.ok()) << (ids.ok() ? "" : ids.error());
        genesis = ids->genesis;
        // TRELLIS_NET_VERBOSE=1: every node's log on stderr, at debug.
        const bool verbose = std::getenv("TRELLIS_NET_VERBOSE") != nullptr;
        runtime::log::LoggerSettings ls;
        if (verbose) ls.levels.global = runtime::log::Level::kDebug;
        for (size_t i = 0; i < n + m; ++i)
            logs.push_back(verbose ? runtime::log::Logger::to_stderr(ls)
                                   : runtime::log::Logger::to_memory(ls));
        for (size_t i = 0; i < n + m; ++i)
            view_timeouts.push_back(std::make_unique<std::atomic<uint64_t>>(0));
        for (size_t i = 0; i < n + m; ++i) {
            ServiceSettings st;
            st.rpc_threads = 1;
            st.recovery.threads = 1;
            st.ledger.sync_commits = false;
            st.consensus.idle_block_interval = idle;
            st.consensus.engine.base_timeout_ms = 1000;
            st.consensus.on_view_timeout = [count = view_timeouts[i].get()](consensus::ViewNum) { ++*count; };
            st.network = NetworkSettings{};
            st.network->test_faults = true;
            st = local_node_settings(*ids, i, dir.path, std::move(st));
            st.http_port = 0;
            st.logger = logs[i].get();
            settings.push_back(st);
        }
        nodes.resize(n + m);
        p2p_ports.resize(n + m);
        for (size_t i = 0; i < n + m; ++i) start(i);
    }

    /// Starts node i (again) and connects it with every running node.
    void start(size_t i) {
        auto svc = Service::start(settings[i]);
        ASSERT_TRUE(svc.ok()) << svc.error();
        nodes[i] = std::move(svc).value();
        // Keep the port across restarts so the others' redials reach it.
        p2p_ports[i] = nodes[i]->network()->p2p_port();
        settings[i].network->p2p.transport.listen_port = p2p_ports[i];
        for (size_t j = 0; j < nodes.size(); ++j) {
            if (j == i || !nodes[j]) continue;
            nodes[i]->network()->add_peer({"127.0.0.1", p2p_ports[j]});
        }
    }
    void stop(size_t i) {
        nodes[i]->stop();
        nodes[i].reset();
    }
    NetworkNode& net(size_t i) { return *nodes[i]->network(); }
    ChainBackend& backend(size_t i) { return nodes[i]->backend(); }
    uint64_t head(size_t i) { return backend(i).head_number(); }
    bool all_at_least(uint64_t h) {
        for (size_t i = 0; i < nodes.size(); ++i)
            if (nodes[i] && head(i) < h) return false;
        return true;
    }
    std::vector<uint64_t> timeouts() {
        std::vector<uint64_t> t;
        for (const auto& v : view_timeouts) t.push_back(v->load());
        return t;
    }
    /// Whether every validator's view timer fired at least k times since `since` (timeouts()).
    bool validators_timed_out(const std::vector<uint64_t>& since, uint64_t k) {
        for (size_t i = 0; i < validators; ++i)
            if (view_timeouts[i]->load() < since[i] + k) return false;
        return true;
    }
    /// Whether node i has banned node `who`.
    bool has_banned(size_t i, const p2p::NodeId& who) {
        for (const auto& b : net(i).status().banned)
            if (b == who) return true;
        return false;
    }
    std::string dump() {
        std::string s;
        for (size_t i = 0; i < logs.size(); ++i) {
            const std::string l = logs[i]->captured();
            s += "--- node" + std::to_string(i) + " (head " +
                 (nodes[i] ? std::to_string(head(i)) : "stopped") + ")\n" +
                 (l.size() > 3000 ? l.substr(l.size() - 3000) : l);
        }
        return s;
    }
};

TEST(Network, four_validators_and_an_observer_agree_and_gossip_a_transaction_sent_to_the_observer) {
    Cluster c(4, 1);
    ASSERT_TRUE(wait_for([&] { return c.all_at_least(3); }, std::chrono::seconds(30))) << c.dump();
    for (size_t i = 0; i < 4; ++i) EXPECT_FALSE(c.net(i).status().syncing) << "validator " << i;
    EXPECT_TRUE(c.net(4).status().syncing) << "an observer only follows";
    // net_peerCount, eth_syncing and trellis_nodeInfo answer from the network.
    ASSERT_TRUE(wait_for(
        [&] {
            for (size_t i = 0; i < 5; ++i)
                if (c.backend(i).peer_count() != 4) return false;
            return true;
        },
        std::chrono::seconds(30)))
        << c.dump();
    for (size_t i = 0; i < 5; ++i) {
        EXPECT_FALSE(c.backend(i).sync_status()) << "node " << i << " is caught up";
        const auto n = c.backend(i).node_info().network;
        ASSERT_TRUE(n) << "node " << i;
        EXPECT_EQ(n->node_id, c.net(i).status().node_id);
        EXPECT_EQ(n->validator_index.has_value(), i < 4);
    }

    // Sent to the observer: only gossip brings it to a leader.
    auto sent = c.backend(4).send_raw_transaction(transfer(c.accounts[0], 0, 5));
    ASSERT_TRUE(sent.ok());
    ASSERT_TRUE(wait_for(
        [&] {
            for (size_t i = 0; i < 5; ++i)
                if (!c.backend(i).tx_location(*sent)) return false;
            return true;
        },
        std::chrono::seconds(30)))
        << c.dump();
    const uint64_t at = c.backend(4).tx_location(*sent)->block_num;
    ASSERT_TRUE(wait_for([&] { return c.all_at_least(at); }, std::chrono::seconds(10)));
    for (size_t i = 0; i < 5; ++i)
        EXPECT_EQ(c.backend(i).canonical_hash(at), c.backend(0).canonical_hash(at)) << "node " << i;
    // Every validator holds the commit proof of the block beside it.
    auto info = c.net(4).status();
    EXPECT_GT(info.blocks_imported, 0u);
    EXPECT_EQ(info.peers.size(), 4u);
}

TEST(Network, a_validator_far_behind_catches_up_by_sync_and_rejoins_consensus) {
    // Blocks as fast as consensus goes: 200 blocks while validator 3 is
    // down, far past join_distance (32), so it must sync before it joins.
    // (e2e/test/faults.test.js does 1,000 with the real binary.)
    Cluster c(4, 0, std::chrono::milliseconds(1));
    ASSERT_TRUE(wait_for([&] { return c.all_at_least(2); }, std::chrono::seconds(30))) << c.dump();
    c.stop(3);
    const uint64_t down_at = c.head(0);
    ASSERT_TRUE(wait_for([&] { return c.head(0) >= down_at + 200; }, std::chrono::seconds(120))) << c.dump();
    c.start(3);
    // eth_syncing reports the catch-up while it runs.
    std::optional<rpc::SyncStatus> seen;
    ASSERT_TRUE(wait_for(
        [&] {
            if (auto s = c.backend(3).sync_status(); s && !seen) seen = s;
            return c.head(3) + 5 >= c.head(0);
        },
        std::chrono::seconds(120)))
        << c.dump();
    ASSERT_TRUE(seen) << "sync_status never reported the catch-up of 200 blocks";
    EXPECT_LE(seen->starting_block, seen->current_block);
    EXPECT_GE(seen->highest_block, down_at + 150);
    EXPECT_LT(seen->current_block, seen->highest_block);
    EXPECT_GT(c.net(3).status().blocks_imported, 150u) << "caught up by block sync, not by the engine";
    ASSERT_TRUE(wait_for([&] { return !c.net(3).status().syncing; }, std::chrono::seconds(20))) << c.dump();
    // It votes again: with validator 0 stopped, commits need validator 3.
    c.stop(0);
    const uint64_t h = c.head(1);
    ASSERT_TRUE(wait_for([&] { return c.head(1) >= h + 5 && c.head(3) >= h + 5; }, std::chrono::seconds(30)))
        << c.dump();
    for (uint64_t n = 1; n <= h + 5; n += 97)
        EXPECT_EQ(c.backend(3).canonical_hash(n), c.backend(1).canonical_hash(n)) << "block " << n;
}

TEST(Network, a_peer_sending_garbage_and_bad_signatures_is_banned_while_the_others_commit) {
    Cluster c(4, 1);
    ASSERT_TRUE(wait_for([&] { return c.all_at_least(2); }, std::chrono::seconds(30))) << c.dump();
    const p2p::NodeId victim = c.net(0).node_id();
    const p2p::NodeId attacker = c.net(4).node_id();
    // Each framing error costs 40 and closes the connection (the attacker
    // redials); the bad signatures cost 20. An injection that lands on a
    // connection already closing is lost, so the attacker repeats its round
    // (one round suffices when nothing is lost; three at most).
    const auto banned = [&] { return c.has_banned(0, attacker); };
    for (int round = 0; !banned(); ++round) {
        ASSERT_LT(round, 3) << "not banned after three rounds\n" << c.dump();
        for (InjectKind k : {InjectKind::kGarbage, InjectKind::kOversizedFrame, InjectKind::kBadSignature}) {
            ASSERT_TRUE(wait_for([&] { return c.net(4).inject(victim, k); }, std::chrono::seconds(10)))
                << "attacker never reconnected";
            // The injection lands (the ban) or was lost: then the next one.
            if (wait_for(banned, std::chrono::milliseconds(500))) break;
        }
    }
    const uint64_t refused = c.net(0).status().refused_handshakes;
    const uint64_t h = c.head(0);
    ASSERT_TRUE(wait_for([&] { return c.head(0) >= h + 3; }, std::chrono::seconds(20))) << c.dump();
    // The attacker redials; the victim refuses the handshake (an event it
    // counts), and the attacker is not among its peers afterwards.
    ASSERT_TRUE(wait_for([&] { return c.net(0).status().refused_handshakes > refused; }, std::chrono::seconds(30)))
        << "the attacker never redialled\n"
        << c.dump();
    for (const auto& p : c.net(0).status().peers) EXPECT_NE(p.node_id, attacker);
}

TEST(Network, a_partition_halts_commits_and_healing_resumes_them_without_a_fork) {
    Cluster c(4, 0);
    ASSERT_TRUE(wait_for([&] { return c.all_at_least(2); }, std::chrono::seconds(30))) << c.dump();
    const std::set<p2p::NodeId> left{c.net(0).node_id(), c.net(1).node_id()};
    const std::set<p2p::NodeId> right{c.net(2).node_id(), c.net(3).node_id()};
    for (size_t i = 0; i < 4; ++i) c.net(i).set_partition(i < 2 ? right : left);
    // Settle: by its second view timeout after the partition, each
    // validator's first timeout (and whatever was in flight) has landed.
    const auto t0 = c.timeouts();
    ASSERT_TRUE(wait_for([&] { return c.validators_timed_out(t0, 2); }, std::chrono::seconds(30)))
        << c.dump();
    uint64_t h = 0;
    for (size_t i = 0; i < 4; ++i) h = std::max(h, c.head(i));
    // Then every validator times out three more times, sending its timeout
    // to its side each time: with a quorum on a side, those would have
    // formed a TC and committed a block above every head.
    const auto t1 = c.timeouts();
    ASSERT_TRUE(wait_for([&] { return c.validators_timed_out(t1, 3); }, std::chrono::seconds(40)))
        << c.dump();
    for (size_t i = 0; i < 4; ++i) EXPECT_LE(c.head(i), h) << "no quorum on either side";
    for (size_t i = 0; i < 4; ++i) c.net(i).set_partition({});
    ASSERT_TRUE(wait_for([&] { return c.all_at_least(h + 3); }, std::chrono::seconds(60))) << c.dump();
    uint64_t common = c.head(0);
    for (size_t i = 1; i < 4; ++i) common = std::min(common, c.head(i));
    for (size_t i = 1; i < 4; ++i)
        EXPECT_EQ(c.backend(i).canonical_hash(common), c.backend(0).canonical_hash(common)) << "node " << i;
}

}  // namespace

namespace {}  // namespace

namespace {

TEST(Network, one_peer_claiming_an_absurd_head_does_not_knock_validators_out_of_consensus) {
    Cluster c(4, 1);
    ASSERT_TRUE(wait_for([&] { return c.all_at_least(2); }, std::chrono::seconds(30))) << c.dump();
    // The observer tells every validator its head is block 2^40.
    for (size_t v = 0; v < 4; ++v)
        ASSERT_TRUE(wait_for([&] { return c.net(4).inject(c.net(v).node_id(), InjectKind::kFalseHead); },
                             std::chrono::seconds(10)));
    // Then ten more blocks commit at every validator. Each took an idle
    // interval (100 ms) at least, and a validator's run loop weighs its
    // peers' heads on each Status and at least every 500 ms: each had the
    // claim and two chances to leave consensus. consensus_exits counts
    // every exit, so one that came and went still shows.
    const uint64_t h = c.head(0);
    ASSERT_TRUE(wait_for([&] { return c.all_at_least(h + 10); }, std::chrono::seconds(20))) << c.dump();
    for (size_t v = 0; v < 4; ++v) {
        const auto s = c.net(v).status();
        EXPECT_FALSE(s.syncing) << "validator " << v;
        EXPECT_EQ(s.consensus_exits, 0u) << "validator " << v << " left consensus";
    }
}

}  // namespace

namespace {

TEST(Network, a_peer_flooding_block_requests_is_refused_and_banned) {
    Cluster c(4, 1);
    ASSERT_TRUE(wait_for([&] { return c.all_at_least(2); }, std::chrono::seconds(30))) << c.dump();
    const p2p::NodeId victim = c.net(0).node_id();
    const p2p::NodeId attacker = c.net(4).node_id();
    const auto banned = [&] { return c.has_banned(0, attacker); };
    // 12,800 blocks asked for at once: past the 4,096-a-second budget, each
    // request beyond it costs 20.
    ASSERT_TRUE(wait_for([&] { return c.net(4).inject(victim, InjectKind::kRequestFlood); },
                         std::chrono::seconds(10)));
    ASSERT_TRUE(wait_for(banned, std::chrono::seconds(10))) << c.dump();
    const uint64_t h = c.head(0);
    ASSERT_TRUE(wait_for([&] { return c.head(0) >= h + 3; }, std::chrono::seconds(20))) << c.dump();
}

}  // namespace
