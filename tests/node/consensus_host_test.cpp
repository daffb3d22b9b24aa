// The consensus host: speculative execution's diff merge and overlay reader
// against MemoryStateDb, and in-process clusters of real Ledgers (RocksDB in
// temporary directories) running the BFT engine over an in-memory network
// with an injectable drop filter. Waits are on conditions with deadlines;
// nothing asserts on timing. The tests that check that nothing commits
// without a quorum run the hosts on a ManualClock: the test itself makes
// every validator wait out its view timeout, so "it had its chance" is an
// event, not a sleep.

#include "ledger/consensus_host.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "chain/devnet.hpp"
#include "crypto/keccak.hpp"
#include "ledger/speculative.hpp"
#include "node/service.hpp"
#include "runtime/log.hpp"
#include "support/temp_dir.hpp"

using namespace trellis;
using namespace trellis::node;
using namespace trellis::ledger;
namespace fs = std::filesystem;

namespace {

/// TRELLIS_HOST_VERBOSE=1: the hosts' lines on stderr, at debug (commits,
/// blocks not voted for, rejected messages).
runtime::log::Logger* verbose_log() {
    static const auto logger = [] {
        runtime::log::LoggerSettings s;
        s.levels.global = runtime::log::Level::kDebug;
        return runtime::log::Logger::to_stderr(s);
    }();
    return logger.get();
}

// ---------------------------------------------------------------------------
// Speculative state

Address addr(uint8_t i) {
    Address a;
    a.bytes[19] = i;
    a.bytes[0] = 0xaa;
    return a;
}

Bytes32 word(uint64_t v) {
    Bytes32 w;
    for (int i = 0; i < 8; ++i) w.bytes[31 - i] = uint8_t(v >> (8 * i));
    return w;
}

/// A random diff over addresses 1..6 and slots 0..5 with every kind of change.
state::StateDiff random_diff(std::mt19937_64& rng) {
    state::StateDiff d;
    const int accounts = 1 + int(rng() % 5);
    for (int k = 0; k < accounts; ++k) {
        state::StateDiff::AccountChange ch;
        const unsigned kind = rng() % 8;
        if (kind == 0) {
            ch.deleted = true;
        } else {
            ch.storage_cleared = kind == 1;
            ch.record.nonce = rng() % 100;
            ch.record.balance = uint256(rng() % 1000);
            if (rng() % 3 == 0) {
                Bytes code{0x60, uint8_t(rng() % 4), 0x00};
                ch.record.code_hash = crypto::keccak256(code);
                ch.code = code;
            }
            const int slots = int(rng() % 4);
            for (int s = 0; s < slots; ++s)
                ch.storage[word(rng() % 6)] = rng() % 3 == 0 ? Bytes32{} : word(1 + rng() % 50);
        }
        d.accounts[addr(uint8_t(1 + rng() % 6))] = ch;
    }
    return d;
}

state::MemoryStateDb random_base(std::mt19937_64& rng) {
    state::MemoryStateDb db;
    for (uint8_t i = 1; i <= 6; ++i) {
        if (rng() % 4 == 0) continue;
        std::map<Bytes32, Bytes32> st;
        for (int s = 0; s < 3; ++s)
            if (rng() % 2) st[word(rng() % 6)] = word(1 + rng() % 50);
        db.put_account(addr(i), rng() % 10, uint256(rng() % 1000), Bytes{0x60, i}, st);
    }
    return db;
}

}  // namespace

TEST(Speculative, merged_diffs_apply_like_the_diffs_in_sequence) {
    for (uint64_t seed = 1; seed <= 500; ++seed) {
        std::mt19937_64 rng(seed);
        state::MemoryStateDb sequential = random_base(rng);
        state::MemoryStateDb merged_db = sequential;
        state::MemoryStateDb base = sequential;
        state::StateDiff merged;
        const int n = 1 + int(rng() % 5);
        for (int i = 0; i < n; ++i) {
            const auto d = random_diff(rng);
            sequential.apply(d);
            merge_diff(merged, d);
        }
        merged_db.apply(merged);
        ASSERT_EQ(merged_db.state_root(), sequential.state_root()) << "seed " << seed;

        // Reads through the overlay equal reads of the sequentially applied state.
        OverlayStateReader overlay(base, merged);
        for (uint8_t i = 1; i <= 7; ++i) {
            const Address a = addr(i);
            const auto want = sequential.read_account(a);
            const auto got = overlay.read_account(a);
            ASSERT_EQ(got.has_value(), want.has_value()) << "seed " << seed << " account " << int(i);
            if (want) {
                EXPECT_EQ(got->nonce, want->nonce);
                EXPECT_EQ(got->balance, want->balance);
                EXPECT_EQ(got->code_hash, want->code_hash);
                EXPECT_EQ(overlay.read_code(want->code_hash), sequential.read_code(want->code_hash));
            }
            for (uint64_t s = 0; s < 6; ++s)
                ASSERT_EQ(overlay.read_storage(a, word(s)), sequential.read_storage(a, word(s)))
                    << "seed " << seed << " account " << int(i) << " slot " << s;
            // has_storage is exact unless the overlay zeroed slots of an
            // account whose base slots it does not clear (documented).
            auto it = merged.accounts.find(a);
            const bool zeroes = it != merged.accounts.end() && !it->second.storage_cleared &&
                                std::any_of(it->second.storage.begin(), it->second.storage.end(),
                                            [](const auto& kv) { return kv.second.is_zero(); });
            if (!zeroes) {
                EXPECT_EQ(overlay.has_storage(a), sequential.has_storage(a)) << "seed " << seed;
            }
        }
    }
}

TEST(Speculative, commit_keeps_only_descendants_of_the_new_head) {
    SpeculativeChain c;
    const auto block = [](uint8_t id, uint8_t parent) {
        SpeculativeBlock b;
        b.hash.bytes[0] = id;
        b.block.header.parent_hash.bytes[0] = parent;
        return b;
    };
    // head 0 -> 1 -> 2 -> 3, and a fork 0 -> 4 -> 5, and 1 -> 6.
    for (auto [id, parent] :
         std::vector<std::pair<uint8_t, uint8_t>>{{1, 0}, {2, 1}, {3, 2}, {4, 0}, {5, 4}, {6, 1}})
        ASSERT_TRUE(c.add(block(id, parent)));
    Hash32 h0, h1, h3;
    h1.bytes[0] = 1;
    h3.bytes[0] = 3;
    auto p = c.path(h3, h0);
    ASSERT_TRUE(p.has_value());
    ASSERT_EQ(p->size(), 3u);
    EXPECT_EQ((*p)[0]->hash, h1);
    auto taken = c.take_committed(h1);
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->hash, h1);
    EXPECT_EQ(c.size(), 3u);  // 2, 3 and 6
    Hash32 h5;
    h5.bytes[0] = 5;
    EXPECT_EQ(c.find(h5), nullptr);
    EXPECT_FALSE(c.path(h5, h1).has_value());
}

// ---------------------------------------------------------------------------
// Clusters

namespace {

constexpr chain::ChainId kChain = 4242;

/// Each test's directory (tests/support/temp_dir.hpp).
struct TempDir : test::TempDir {
    TempDir() : test::TempDir("trellis-host") {}
};

Bytes32 validator_key(size_t i) {
    return Bytes32::from(
        crypto::keccak256(as_view("trellis host test validator " + std::to_string(i))).view());
}

chain::Genesis cluster_genesis(size_t n, const std::vector<chain::DevAccount>& accounts) {
    chain::Genesis g = chain::devnet_genesis(accounts, chain::devnet_default_balance());
    g.chain_id = kChain;
    g.validators.clear();
    const auto& suite = crypto::ethereum_suite();
    for (size_t i = 0; i < n; ++i) {
        chain::GenesisValidator v;
        v.public_key = *suite.public_key(validator_key(i));
        v.address = suite.address_of(v.public_key);
        v.stake = uint256(100);
        g.validators.push_back(v);
    }
    return g;
}

Bytes transfer(const chain::DevAccount& from, uint64_t nonce, uint64_t value,
               chain::ChainId chain_id = kChain) {
    chain::Transaction tx;
    tx.type = chain::TxType::kDynamicFee;
    tx.chain_id = chain_id;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = uint256(1'000'000'000);
    tx.max_fee_per_gas = uint256(1'000'000'000);
    tx.gas_limit = 21000;
    tx.to = addr(0x42);
    tx.value = uint256(value);
    EXPECT_TRUE(chain::sign(tx, from.private_key));
    return chain::encode_transaction(tx);
}

/// Delivers each host's messages to the others' threads; a filter drops some.
struct Net {
    std::mutex mu;  ///< guards hosts and allow
    std::vector<ConsensusHost*> hosts;
    std::function<bool(size_t, size_t)> allow;
    std::atomic<uint64_t> delivered{0};  ///< messages handed to a host so far

    void send(size_t from, std::optional<consensus::ValidatorIndex> to, const Bytes& bytes) {
        std::lock_guard lock(mu);
        for (size_t j = 0; j < hosts.size(); ++j) {
            if (j == from || !hosts[j] || (to && *to != j)) continue;
            if (allow && !allow(from, j)) continue;
            hosts[j]->deliver(consensus::ValidatorIndex(from), bytes);
            ++delivered;
        }
    }
};

struct Endpoint final : ConsensusNetwork {
    Net& net;
    size_t self;
    Endpoint(Net& n, size_t s) : net(n), self(s) {}
    void send(std::optional<consensus::ValidatorIndex> to, Bytes bytes) override {
        net.send(self, to, bytes);
    }
};

struct Member {
    TempDir dir;
    std::unique_ptr<Ledger> ledger;
    std::unique_ptr<PoolChain> pool;
    std::unique_ptr<Endpoint> endpoint;
    std::unique_ptr<ConsensusHost> host;
    /// Times this validator's view timer fired (HostSettings::on_view_timeout), across restarts.
    std::atomic<uint64_t> view_timeouts{0};
};

/// Rejections that an honest validator must never earn: equivocation, and
/// everything the peer table disconnects for.
struct Faults {
    std::mutex mu;
    std::vector<std::string> seen;
    void note(size_t at, consensus::ValidatorIndex from, consensus::RejectReason r) {
        if (r != consensus::RejectReason::kConflicting &&
            consensus::peer_action(r) != consensus::PeerAction::kDisconnect)
            return;
        std::lock_guard lock(mu);
        seen.push_back("validator " + std::to_string(at) + " rejected " + std::to_string(from) + ": " +
                       consensus::to_string(r));
    }
    size_t count() {
        std::lock_guard lock(mu);
        return seen.size();
    }
};

struct Cluster {
    size_t n;
    std::vector<chain::DevAccount> accounts = chain::devnet_accounts(8);
    chain::Genesis genesis;
    Net net;
    Faults faults;
    /// Set (manual_time): the hosts' timers fire only when the test moves it.
    std::unique_ptr<ManualClock> clock;
    std::vector<std::unique_ptr<Member>> members;

    uint64_t base_timeout_ms;
    std::chrono::milliseconds idle{100};

    explicit Cluster(size_t count, uint64_t timeout_ms = 1000,
                     std::chrono::milliseconds idle_interval = std::chrono::milliseconds(100),
                     bool manual_time = false)
        : n(count),
          genesis(cluster_genesis(count, accounts)),
          clock(manual_time ? std::make_unique<ManualClock>() : nullptr),
          base_timeout_ms(timeout_ms),
          idle(idle_interval) {
        net.hosts.assign(n, nullptr);
        for (size_t i = 0; i < n; ++i) members.push_back(std::make_unique<Member>());
        for (size_t i = 0; i < n; ++i) start(i);
    }
    ~Cluster() {
        for (size_t i = 0; i < n; ++i) stop(i);
    }

    void start(size_t i) {
        Member& m = *members[i];
        LedgerSettings ls;
        ls.sync_commits = false;
        auto ledger = Ledger::open(m.dir.path, genesis, ls);
        ASSERT_TRUE(ledger.ok()) << ledger.error();
        m.ledger = std::move(ledger).value();
        m.pool = std::make_unique<PoolChain>(*m.ledger, txpool::Settings{});
        m.endpoint = std::make_unique<Endpoint>(net, i);
        HostSettings hs;
        hs.engine.base_timeout_ms = base_timeout_ms;
        hs.idle_block_interval = idle;
        hs.sync_writes = false;
        hs.clock = clock.get();
        hs.on_view_timeout = [&m](consensus::ViewNum) { ++m.view_timeouts; };
        // TRELLIS_HOST_VERBOSE=1: every host's log on stderr (commits, blocks not voted for).
        if (std::getenv("TRELLIS_HOST_VERBOSE")) hs.logger = verbose_log();
        hs.on_reject = [this, i](consensus::ValidatorIndex from, consensus::RejectReason r) {
            faults.note(i, from, r);
        };
        auto host = ConsensusHost::open(*m.ledger, *m.pool, *m.endpoint, validator_key(i), hs);
        ASSERT_TRUE(host.ok()) << host.error();
        m.host = std::move(host).value();
        ASSERT_EQ(m.host->self(), consensus::ValidatorIndex(i));
        {
            std::lock_guard lock(net.mu);
            net.hosts[i] = m.host.get();
        }
        m.host->start();
    }

    /// Crash-stops validator i and closes its ledger (the data directory stays).
    void stop(size_t i) {
        Member& m = *members[i];
        {
            std::lock_guard lock(net.mu);
            net.hosts[i] = nullptr;
        }
        if (m.host) m.host->stop();
        m.host.reset();
        m.endpoint.reset();
        m.pool.reset();
        m.ledger.reset();
    }

    bool up(size_t i) const { return members[i]->host != nullptr; }

    uint64_t head(size_t i) { return members[i]->host->committed_block_num(); }

    /// Waits until pred() holds or the deadline passes; returns pred().
    static bool wait_for(const std::function<bool()>& pred, std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (pred()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return pred();
    }

    /// wait_for, and on a manual clock time moves by one idle interval
    /// per poll (idle leaders propose, views time out) while it waits.
    bool progress_until(const std::function<bool()>& pred, std::chrono::seconds limit) {
        if (!clock) return wait_for(pred, limit);
        return wait_for(
            [&] {
                if (pred()) return true;
                clock->advance(idle);
                return false;
            },
            limit);
    }

    bool all_reach(uint64_t height, std::chrono::seconds limit) {
        return progress_until(
            [&] {
                for (size_t i = 0; i < n; ++i)
                    if (up(i) && head(i) < height) return false;
                return true;
            },
            limit);
    }

    /// Returns once every running host has handled every message sent so
    /// far and nothing it did sent another: a whole round of flushes
    /// delivered nothing new. (Timers are not inputs until they fire.)
    void quiesce() {
        for (;;) {
            const uint64_t before = net.delivered.load();
            for (size_t i = 0; i < n; ++i)
                if (up(i)) members[i]->host->flush();
            if (net.delivered.load() == before) return;
        }
    }

    /// Manual clock only: moves time past the longest view timer (the
    /// engine's backoff cap) and past the idle interval, so every running
    /// validator's view timer and pacing fire once, then waits until
    /// everything that caused has been handled.
    void time_out_every_view() {
        ASSERT_NE(clock, nullptr);
        clock->advance(std::chrono::milliseconds(base_timeout_ms << consensus::Settings{}.max_backoff_shift));
        quiesce();
    }

    /// Every running validator waits out its view timeout `settle` times
    /// (what was in flight lands), then `rounds` more times; returns why
    /// it would be wrong that anything committed or any view changed in
    /// those rounds, or "" if nothing did. Each round gives each validator
    /// a fresh timeout (and an idle leader its proposal): with a quorum
    /// those would form a TC, enter a view and, a view later, commit. A
    /// validator's view moves only on a QC or a TC, both of which need a
    /// quorum. Manual clock only.
    std::string nothing_happens_without_a_quorum(int settle, int rounds) {
        for (int r = 0; r < settle; ++r) time_out_every_view();
        std::vector<consensus::ViewNum> views(n);
        std::vector<uint64_t> timeouts(n), heads(n);
        for (size_t i = 0; i < n; ++i)
            if (up(i)) {
                heads[i] = head(i);
                views[i] = members[i]->host->view();
                timeouts[i] = members[i]->view_timeouts.load();
            }
        for (int r = 0; r < rounds; ++r) time_out_every_view();
        std::ostringstream why;
        for (size_t i = 0; i < n; ++i) {
            if (!up(i)) continue;
            // The event that proves the chance was given.
            if (members[i]->view_timeouts.load() < timeouts[i] + uint64_t(rounds))
                why << "validator " << i << " timed out " << members[i]->view_timeouts.load() - timeouts[i]
                    << " times, not " << rounds << "; ";
            if (head(i) != heads[i])
                why << "validator " << i << " committed " << heads[i] << " -> " << head(i) << "; ";
            if (members[i]->host->view() != views[i])
                why << "validator " << i << " entered view " << members[i]->host->view() << " from "
                    << views[i] << "; ";
        }
        return why.str();
    }

    uint64_t max_head() {
        uint64_t h = 0;
        for (size_t i = 0; i < n; ++i)
            if (up(i)) h = std::max(h, head(i));
        return h;
    }

    /// Submits raw to validator i's pool only (no gossip yet).
    void submit_to(size_t i, const Bytes& raw) {
        auto r = members[i]->pool->add_raw(raw);
        EXPECT_TRUE(r.ok()) << txpool::to_string(r.error());
        members[i]->host->notify_transaction();
    }

    /// Submits raw to every running validator's pool.
    void submit(const Bytes& raw) {
        for (size_t i = 0; i < n; ++i) {
            if (!up(i)) continue;
            auto r = members[i]->pool->add_raw(raw);
            EXPECT_TRUE(r.ok()) << txpool::to_string(r.error());
            members[i]->host->notify_transaction();
        }
    }

    bool committed(size_t i, const Hash32& tx) {
        auto loc = members[i]->ledger->store().transaction_location(tx);
        return loc.ok() && loc->has_value();
    }

    /// Every running ledger holds the same block (hash and state root) at
    /// height h.
    void expect_same_block(uint64_t h) {
        std::optional<chain::BlockHeader> first;
        for (size_t i = 0; i < n; ++i) {
            if (!up(i)) continue;
            auto hdr = members[i]->ledger->store().header_by_number(h);
            ASSERT_TRUE(hdr.ok() && hdr->has_value()) << "validator " << i << " lacks block " << h;
            if (!first) {
                first = **hdr;
                continue;
            }
            EXPECT_EQ(chain::header_hash(**hdr), chain::header_hash(*first)) << "validator " << i;
            EXPECT_EQ((*hdr)->state_root, first->state_root) << "validator " << i;
        }
    }
};

Hash32 tx_hash(const Bytes& raw) {
    return chain::transaction_hash(*chain::decode_transaction(raw));
}

}  // namespace

TEST(ConsensusHost, single_validator_commits_transactions) {
    Cluster c(1);
    std::vector<Hash32> hashes;
    for (uint64_t k = 0; k < 5; ++k) {
        const Bytes raw = transfer(c.accounts[0], k, 1000 + k);
        hashes.push_back(tx_hash(raw));
        c.submit(raw);
    }
    ASSERT_TRUE(Cluster::wait_for(
        [&] {
            for (const auto& h : hashes)
                if (!c.committed(0, h)) return false;
            return true;
        },
        std::chrono::seconds(15)))
        << "head " << c.head(0) << " error " << c.members[0]->host->error();
    EXPECT_EQ(c.members[0]->host->error(), "");
    // The recipient got every transfer, and the head has a stored QC.
    storage::FlatStateReader state(c.members[0]->ledger->database());
    auto acc = state.read_account(addr(0x42));
    ASSERT_TRUE(acc.has_value());
    EXPECT_EQ(acc->balance, uint256(5000 + 0 + 1 + 2 + 3 + 4));
    EXPECT_EQ(c.members[0]->pool->size(), 0u);
    consensus::SuiteScheme verify_only(crypto::ethereum_suite(), std::nullopt);
    auto rec = ConsensusHost::committed_record(*c.members[0]->ledger, verify_only, c.head(0));
    ASSERT_TRUE(rec.ok()) << rec.error();
    ASSERT_TRUE(rec->has_value());
    EXPECT_EQ((*rec)->first.header.block_num, c.head(0));
    EXPECT_EQ((*rec)->first.header.state_root, c.members[0]->ledger->head_header().state_root);
    EXPECT_EQ(c.faults.count(), 0u);
}

TEST(ConsensusHost, four_validators_agree_and_commit_each_transaction_once) {
    Cluster c(4);
    std::vector<Hash32> hashes;
    // Accounts 0-2 to every pool; accounts 3-6 each to one validator's
    // pool only, included when that validator leads.
    for (uint64_t k = 0; k < 6; ++k) {
        for (size_t a = 0; a < 3; ++a) {
            const Bytes raw = transfer(c.accounts[a], k, 1 + k);
            hashes.push_back(tx_hash(raw));
            c.submit(raw);
        }
        for (size_t a = 3; a < 7; ++a) {
            const Bytes raw = transfer(c.accounts[a], k, 1 + k);
            hashes.push_back(tx_hash(raw));
            c.submit_to(a - 3, raw);
        }
    }
    ASSERT_TRUE(Cluster::wait_for(
        [&] {
            for (size_t i = 0; i < c.n; ++i)
                for (const auto& h : hashes)
                    if (!c.committed(i, h)) return false;
            return true;
        },
        std::chrono::seconds(20)))
        << "heads " << c.head(0) << " " << c.head(1) << " " << c.head(2) << " " << c.head(3);
    const uint64_t h = c.max_head();
    ASSERT_TRUE(c.all_reach(h, std::chrono::seconds(10)));
    for (uint64_t k = 1; k <= h; ++k) c.expect_same_block(k);
    // Each transaction once: the blocks hold exactly the submitted ones.
    size_t total = 0;
    auto& store = c.members[0]->ledger->store();
    for (uint64_t k = 1; k <= h; ++k) {
        auto hash = store.canonical_hash(k);
        ASSERT_TRUE(hash.ok() && hash->has_value());
        auto body = store.body(**hash);
        ASSERT_TRUE(body.ok() && body->has_value());
        total += (*body)->transactions.size();
    }
    EXPECT_EQ(total, hashes.size());
    for (size_t i = 0; i < c.n; ++i) EXPECT_EQ(c.members[i]->host->error(), "") << i;
    EXPECT_EQ(c.faults.count(), 0u);
}

TEST(ConsensusHost, commits_continue_with_one_of_four_stopped) {
    Cluster c(4);
    ASSERT_TRUE(c.all_reach(2, std::chrono::seconds(15)));
    c.stop(3);
    const uint64_t from = c.max_head();
    const Bytes raw = transfer(c.accounts[0], 0, 7);
    c.submit(raw);
    ASSERT_TRUE(c.all_reach(from + 5, std::chrono::seconds(20))) << "head " << c.max_head();
    ASSERT_TRUE(
        Cluster::wait_for([&] { return c.committed(0, tx_hash(raw)) && c.committed(1, tx_hash(raw)); },
                          std::chrono::seconds(10)));
    c.expect_same_block(from + 5);
    EXPECT_EQ(c.faults.count(), 0u);
}

TEST(ConsensusHost, two_of_four_stopped_halts_until_one_restarts) {
    Cluster c(4, /*timeout_ms=*/1000, /*idle_interval=*/std::chrono::milliseconds(100), /*manual_time=*/true);
    ASSERT_TRUE(c.all_reach(2, std::chrono::seconds(15)));
    c.stop(2);
    c.stop(3);
    // In-flight blocks may still commit (two settling timeouts); then
    // validators 0 and 1 time out three more times and nothing commits.
    const std::string moved = c.nothing_happens_without_a_quorum(/*settle=*/2, /*rounds=*/3);
    EXPECT_EQ(moved, "") << "progress without a quorum";
    const uint64_t stalled = c.max_head();
    // Validator 2 comes back on its data directory (ledger and WAL reloaded).
    c.start(2);
    ASSERT_TRUE(c.up(2));
    ASSERT_TRUE(c.all_reach(stalled + 3, std::chrono::seconds(25)))
        << "heads " << c.head(0) << " " << c.head(1) << " " << c.head(2);
    c.expect_same_block(stalled + 3);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(c.members[i]->host->error(), "") << i;
    EXPECT_EQ(c.faults.count(), 0u);
}

TEST(ConsensusHost, restarted_validator_resumes_from_its_stored_root_without_equivocating) {
    Cluster c(4);
    ASSERT_TRUE(c.all_reach(3, std::chrono::seconds(15)));
    c.stop(0);
    consensus::ViewNum last_voted = 0;
    {
        // The data directory holds the head's QC: a restart roots the engine there.
        LedgerSettings ls;
        ls.sync_commits = false;
        auto ledger = Ledger::open(c.members[0]->dir.path, c.genesis, ls);
        ASSERT_TRUE(ledger.ok()) << ledger.error();
        const uint64_t head = (*ledger)->head_header().number;
        EXPECT_GE(head, 3u);
        consensus::SuiteScheme verify_only(crypto::ethereum_suite(), std::nullopt);
        auto rec = ConsensusHost::committed_record(**ledger, verify_only, head);
        ASSERT_TRUE(rec.ok()) << rec.error();
        ASSERT_TRUE(rec->has_value());
        EXPECT_EQ((*rec)->second.block_id, consensus::block_id(verify_only, (*rec)->first.header));
        // And the WAL: what validator 0 last voted.
        storage::DbSafetyStore wal((*ledger)->database());
        auto saved = wal.load();
        ASSERT_TRUE(saved.ok() && saved->has_value());
        last_voted = (*saved)->last_voted_view;
        EXPECT_GT(last_voted, 0u);
    }
    const uint64_t before = c.max_head();
    c.start(0);
    // The engine resumed at or above its last vote (R3): it cannot vote in
    // a view it voted in before the restart.
    EXPECT_GE(c.members[0]->host->view(), last_voted);
    const Bytes raw = transfer(c.accounts[1], 0, 9);
    c.submit(raw);
    ASSERT_TRUE(c.all_reach(before + 4, std::chrono::seconds(25)))
        << "heads " << c.head(0) << " " << c.head(1) << " " << c.head(2) << " " << c.head(3);
    c.expect_same_block(before + 4);
    for (size_t i = 0; i < c.n; ++i) EXPECT_EQ(c.members[i]->host->error(), "") << i;
    EXPECT_EQ(c.faults.count(), 0u);
}

TEST(ConsensusHost, single_validator_resumes_after_a_restart) {
    // With n = 1 the leader's lock (its high QC) is always one block above
    // its last commit, a block only its pending records hold after a
    // restart: without them it could never extend its own lock again.
    Cluster c(1);
    ASSERT_TRUE(c.all_reach(3, std::chrono::seconds(15)));
    for (int round = 0; round < 2; ++round) {
        c.stop(0);
        c.start(0);
        const uint64_t from = c.head(0);
        const Bytes raw = transfer(c.accounts[2], uint64_t(round), 5);
        c.submit(raw);
        ASSERT_TRUE(Cluster::wait_for([&] { return c.committed(0, tx_hash(raw)); }, std::chrono::seconds(15)))
            << "round " << round << " head " << c.head(0) << " error " << c.members[0]->host->error();
        EXPECT_GT(c.head(0), from);
    }
    EXPECT_EQ(c.faults.count(), 0u);
}

TEST(ConsensusHost, whole_cluster_restart_resumes_from_pending_records) {
    // After every validator restarts, the blocks their high QCs certify
    // above the committed root are in no engine's memory: only the pending
    // records (R7) still hold them.
    Cluster c(4);
    ASSERT_TRUE(c.all_reach(3, std::chrono::seconds(15)));
    for (size_t i = 0; i < c.n; ++i) c.stop(i);
    for (size_t i = 0; i < c.n; ++i) c.start(i);
    const uint64_t from = c.max_head();
    const Bytes raw = transfer(c.accounts[3], 0, 11);
    c.submit(raw);
    ASSERT_TRUE(c.all_reach(from + 3, std::chrono::seconds(25)))
        << "heads " << c.head(0) << " " << c.head(1) << " " << c.head(2) << " " << c.head(3);
    ASSERT_TRUE(Cluster::wait_for(
        [&] {
            for (size_t i = 0; i < c.n; ++i)
                if (!c.committed(i, tx_hash(raw))) return false;
            return true;
        },
        std::chrono::seconds(10)));
    c.expect_same_block(from + 3);
    for (size_t i = 0; i < c.n; ++i) EXPECT_EQ(c.members[i]->host->error(), "") << i;
    EXPECT_EQ(c.faults.count(), 0u);
}

TEST(ConsensusHost, single_validator_extends_a_lock_only_its_pending_records_hold) {
    // A crash after the WAL saved a high QC for a block above the committed
    // root (the state a validator is in after a timeout or a vote that
    // follows the QC) and before that block committed: with n = 1 no peer
    // can send the block back, so only the pending record (R7) can.
    Cluster c(1);
    ASSERT_TRUE(c.all_reach(3, std::chrono::seconds(15)));
    c.stop(0);
    {
        LedgerSettings ls;
        ls.sync_commits = false;
        auto ledger = Ledger::open(c.members[0]->dir.path, c.genesis, ls);
        ASSERT_TRUE(ledger.ok()) << ledger.error();
        storage::Database& db = (*ledger)->database();
        consensus::SuiteScheme signer(crypto::ethereum_suite(), validator_key(0));
        // The newest pending record: our last proposal, above the head.
        const Bytes lower{'p'};
        const Bytes upper{'q'};
        std::optional<consensus::Block> top;
        for (auto it = db.iterate(storage::Column::kConsensusWal, lower, upper); it->valid(); it->next()) {
            auto b = consensus::decode_block(it->value(), signer);
            ASSERT_TRUE(b.ok());
            if (!top || b->header.block_num > top->header.block_num) top = std::move(*b);
        }
        ASSERT_TRUE(top.has_value());
        ASSERT_GT(top->header.block_num, (*ledger)->head_header().number);
        const consensus::QuorumCert qc{
            0,
            top->header.view,
            top->id,
            {{0, signer.sign(consensus::vote_digest(signer, kChain, 0, top->header.view, top->id))}}};
        storage::DbSafetyStore wal(db);
        auto saved = wal.load();
        ASSERT_TRUE(saved.ok() && saved->has_value());
        consensus::SafetyState s = **saved;
        s.high_qc = qc;
        if (s.last_voted_view < qc.view) {
            s.last_voted_view = qc.view;
            s.last_voted_block = qc.block_id;
        }
        ASSERT_TRUE(wal.save(s).ok());
    }
    c.start(0);
    const uint64_t from = c.head(0);
    const Bytes raw = transfer(c.accounts[4], 0, 3);
    c.submit(raw);
    ASSERT_TRUE(Cluster::wait_for([&] { return c.committed(0, tx_hash(raw)); }, std::chrono::seconds(15)))
        << "head " << c.head(0) << " error " << c.members[0]->host->error();
    EXPECT_GT(c.head(0), from);
    EXPECT_EQ(c.members[0]->host->error(), "");
}

TEST(ConsensusHost, partition_halts_commits_and_healing_resumes_them) {
    Cluster c(4, /*timeout_ms=*/1000, /*idle_interval=*/std::chrono::milliseconds(100), /*manual_time=*/true);
    ASSERT_TRUE(c.all_reach(2, std::chrono::seconds(15)));
    {
        // {0, 1} | {2, 3}: neither side has a quorum.
        std::lock_guard lock(c.net.mu);
        c.net.allow = [](size_t from, size_t to) { return (from < 2) == (to < 2); };
    }
    // Every validator times out twice to settle, then three times more,
    // exchanging its timeouts within its side: no commit, no new view.
    const std::string moved = c.nothing_happens_without_a_quorum(/*settle=*/2, /*rounds=*/3);
    EXPECT_EQ(moved, "") << "progress without a quorum";
    const uint64_t stalled = c.max_head();
    {
        std::lock_guard lock(c.net.mu);
        c.net.allow = nullptr;
    }
    ASSERT_TRUE(c.all_reach(stalled + 3, std::chrono::seconds(25)))
        << "heads " << c.head(0) << " " << c.head(1) << " " << c.head(2) << " " << c.head(3);
    c.expect_same_block(stalled + 3);
    EXPECT_EQ(c.faults.count(), 0u);
}

TEST(ConsensusHost, lossy_network_still_commits_the_same_blocks) {
    Cluster c(4, /*timeout_ms=*/300);
    {
        // Drop one message in ten, seeded.
        std::lock_guard lock(c.net.mu);
        c.net.allow = [rng = std::mt19937_64(7)](size_t, size_t) mutable { return rng() % 10 != 0; };
    }
    std::vector<Hash32> hashes;
    for (uint64_t k = 0; k < 3; ++k) {
        const Bytes raw = transfer(c.accounts[5], k, 1);
        hashes.push_back(tx_hash(raw));
        c.submit(raw);
    }
    ASSERT_TRUE(c.all_reach(6, std::chrono::seconds(25)))
        << "heads " << c.head(0) << " " << c.head(1) << " " << c.head(2) << " " << c.head(3);
    ASSERT_TRUE(Cluster::wait_for(
        [&] {
            for (size_t i = 0; i < c.n; ++i)
                for (const auto& h : hashes)
                    if (!c.committed(i, h)) return false;
            return true;
        },
        std::chrono::seconds(20)));
    for (uint64_t k = 1; k <= 6; ++k) c.expect_same_block(k);
    for (size_t i = 0; i < c.n; ++i) EXPECT_EQ(c.members[i]->host->error(), "") << i;
    EXPECT_EQ(c.faults.count(), 0u);
}

TEST(ConsensusHost, lagging_validator_catches_up_beyond_the_engines_window) {
    // The engines keep the last 64 committed blocks; older ones are served
    // from the hosts' stores (stored consensus headers, QCs and blocks).
    Cluster c(4, /*timeout_ms=*/1000, /*idle_interval=*/std::chrono::milliseconds(5));
    ASSERT_TRUE(c.all_reach(2, std::chrono::seconds(15)));
    c.stop(3);
    const uint64_t left = c.members[0]->host->committed_block_num();
    ASSERT_TRUE(c.all_reach(left + 100, std::chrono::seconds(25))) << "head " << c.max_head();
    c.start(3);
    const uint64_t target = c.max_head();
    ASSERT_TRUE(Cluster::wait_for([&] { return c.head(3) >= target; }, std::chrono::seconds(20)))
        << "validator 3 at " << c.head(3) << ", the others at " << target;
    c.expect_same_block(target);
    for (size_t i = 0; i < c.n; ++i) EXPECT_EQ(c.members[i]->host->error(), "") << i;
    EXPECT_EQ(c.faults.count(), 0u);
}

// A figure, not a check: transfers per second through the whole path
// (pool, payload, speculative execution at every validator, commit).
// Run with --gtest_also_run_disabled_tests --gtest_filter='*throughput*'.
TEST(ConsensusHost, DISABLED_throughput_of_transfers) {
    for (size_t n : {size_t(1), size_t(4)}) {
        Cluster c(n);
        ASSERT_TRUE(c.all_reach(1, std::chrono::seconds(15)));
        std::vector<Bytes> raws;
        // The pool admits nonces up to 64 ahead of the account's.
        for (uint64_t k = 0; k < 60; ++k)
            for (size_t a = 0; a < c.accounts.size(); ++a) raws.push_back(transfer(c.accounts[a], k, 1));
        const uint64_t start_head = c.max_head();
        const auto t0 = std::chrono::steady_clock::now();
        for (const auto& r : raws) c.submit(r);
        const Hash32 last = tx_hash(raws.back());
        ASSERT_TRUE(Cluster::wait_for(
            [&] {
                for (size_t i = 0; i < c.n; ++i)
                    if (!c.committed(i, last)) return false;
                return true;
            },
            std::chrono::seconds(60)));
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("n=%zu: %zu transfers committed at every validator in %.2f s (%.0f tx/s), %llu blocks\n",
                    n, raws.size(), s, double(raws.size()) / s,
                    static_cast<unsigned long long>(c.max_head() - start_head));
    }
}

TEST(ConsensusHost, service_in_consensus_mode_commits_transactions_across_a_restart) {
    // Service with consensus_key set: the devnet's single validator through
    // the engine (n = 1), its pool and listeners through ChainBackend.
    TempDir dir;
    const auto accounts = chain::devnet_accounts(2);
    ServiceSettings st;
    st.datadir = dir.path;
    st.genesis = chain::devnet_genesis(accounts, chain::devnet_default_balance());
    st.http_port = 0;
    st.rpc_threads = 1;
    st.recovery.threads = 1;
    st.ledger.sync_commits = false;
    st.consensus_key = chain::devnet_validator().private_key;
    st.consensus.idle_block_interval = std::chrono::milliseconds(100);
    auto block_log = runtime::log::Logger::to_memory();
    st.logger = block_log.get();
    for (uint64_t round = 0; round < 2; ++round) {
        auto svc = Service::start(st);
        ASSERT_TRUE(svc.ok()) << svc.error();
        ChainBackend& backend = (*svc)->backend();
        std::atomic<int> block_events{0};
        const uint64_t id = backend.add_listener([&](const rpc::ChainEvent& ev) {
            if (ev.block) ++block_events;
        });
        const Bytes raw = transfer(accounts[0], round, 77, chain::kDevnetChainId);
        auto sent = backend.send_raw_transaction(raw);
        ASSERT_TRUE(sent.ok());
        ASSERT_TRUE(Cluster::wait_for([&] { return backend.tx_location(*sent).has_value(); },
                                      std::chrono::seconds(15)))
            << "round " << round << " head " << backend.head_number();
        EXPECT_GT(block_events.load(), 0);
        EXPECT_EQ(backend.pool_pending(), 0u);
        backend.remove_listener(id);
        (*svc)->stop();
    }
    // The block log hears of commits as in solo mode.
    EXPECT_NE(block_log->captured().find("info  node      block "), std::string::npos)
        << block_log->captured();
    EXPECT_NE(block_log->captured().find("txs=1"), std::string::npos) << block_log->captured();
}
