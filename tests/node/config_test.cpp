#include "node/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <unistd.h>

using namespace trellis;

namespace {

Result<void, std::string> apply(const std::string& text, node::NodeConfig& c) {
    return node::apply_config(text, "test.toml", "/etc/trellis", c);
}

std::string error_of(const std::string& text) {
    node::NodeConfig c;
    auto r = apply(text, c);
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? std::string() : r.error();
}

}  // namespace

TEST(NodeConfig, example_file_loads_and_matches_the_defaults) {
    const char* src = std::getenv("TRELLIS_SOURCE_DIR");
    // ctest sets TRELLIS_SOURCE_DIR; run by hand, this file's path gives the tree.
    const std::filesystem::path root =
        src ? std::filesystem::path(src)
            : std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
    const auto file = root / "docs" / "trellis.example.toml";
    node::NodeConfig c;
    auto r = node::apply_config_file(file, c);
    ASSERT_TRUE(r.ok()) << r.error();
    // The example documents the defaults: loading it changes nothing but the paths.
    const node::ServiceSettings d;
    const auto& s = c.service;
    EXPECT_EQ(s.datadir, file.parent_path() / "chain");
    EXPECT_EQ(c.genesis_path, file.parent_path() / "genesis.json");
    EXPECT_EQ(s.http_host, d.http_host);
    EXPECT_EQ(s.http_port, d.http_port);
    EXPECT_EQ(s.rpc_threads, d.rpc_threads);
    EXPECT_EQ(s.rpc.max_body_bytes, d.rpc.max_body_bytes);
    EXPECT_EQ(s.rpc.max_header_bytes, d.rpc.max_header_bytes);
    EXPECT_EQ(s.rpc.max_ws_message_bytes, d.rpc.max_ws_message_bytes);
    EXPECT_EQ(s.rpc.max_connections, d.rpc.max_connections);
    EXPECT_EQ(s.rpc.request_timeout, d.rpc.request_timeout);
    EXPECT_EQ(s.rpc.max_subscriptions_per_connection, d.rpc.max_subscriptions_per_connection);
    EXPECT_EQ(s.rpc.max_queued_messages, d.rpc.max_queued_messages);
    EXPECT_EQ(s.rpc.dispatch.max_batch, d.rpc.dispatch.max_batch);
    EXPECT_EQ(s.rpc.dispatch.max_depth, d.rpc.dispatch.max_depth);
    EXPECT_EQ(s.api.gas_cap, d.api.gas_cap);
    EXPECT_EQ(s.api.max_log_range, d.api.max_log_range);
    EXPECT_EQ(s.api.filter_timeout, d.api.filter_timeout);
    EXPECT_EQ(s.api.max_fee_history, d.api.max_fee_history);
    EXPECT_EQ(s.empty_block_interval, d.empty_block_interval);
    EXPECT_EQ(s.poll_interval, d.poll_interval);
    EXPECT_FALSE(s.proposer.has_value());
    EXPECT_EQ(s.pool.max_transactions, d.pool.max_transactions);
    EXPECT_EQ(s.pool.max_per_sender, d.pool.max_per_sender);
    EXPECT_EQ(s.pool.max_queued_per_sender, d.pool.max_queued_per_sender);
    EXPECT_EQ(s.pool.max_nonce_gap, d.pool.max_nonce_gap);
    EXPECT_EQ(s.pool.replacement_bump_percent, d.pool.replacement_bump_percent);
    EXPECT_EQ(s.pool.min_priority_fee, d.pool.min_priority_fee);
    EXPECT_EQ(s.recovery.threads, d.recovery.threads);
    EXPECT_EQ(s.recovery.max_queued, d.recovery.max_queued);
    EXPECT_EQ(s.ledger.sync_commits, d.ledger.sync_commits);
    EXPECT_EQ(s.ledger.pruning.keep_last, d.ledger.pruning.keep_last);
    EXPECT_EQ(s.ledger.code_cache_entries, d.ledger.code_cache_entries);
    EXPECT_EQ(s.ledger.database.block_cache_bytes, d.ledger.database.block_cache_bytes);
    EXPECT_EQ(s.ledger.database.max_open_files, d.ledger.database.max_open_files);
    ASSERT_TRUE(c.log_levels.has_value());
    EXPECT_EQ(runtime::log::to_string(*c.log_levels), runtime::log::to_string(runtime::log::Levels{}));
}

TEST(NodeConfig, log_level_sets_a_global_level_and_category_overrides) {
    node::NodeConfig c;
    EXPECT_FALSE(c.log_levels.has_value()) << "unset: the logger keeps its levels";
    auto r = apply("[log]\nlevel = \"warn,net=debug\"\n", c);
    ASSERT_TRUE(r.ok()) << r.error();
    ASSERT_TRUE(c.log_levels.has_value());
    EXPECT_EQ(c.log_levels->global, runtime::log::Level::kWarn);
    EXPECT_EQ(c.log_levels->of(runtime::log::Category::kNet), runtime::log::Level::kDebug);
    EXPECT_EQ(c.log_levels->of(runtime::log::Category::kSync), runtime::log::Level::kWarn);

    std::string e = error_of("[log]\nlevel = \"info,p2p=debug\"\n");
    EXPECT_NE(e.find("log.level: unknown log category \"p2p\""), std::string::npos) << e;
    e = error_of("[log]\nlevel = 3\n");
    EXPECT_NE(e.find("log.level: expected a string"), std::string::npos) << e;
}

TEST(NodeConfig, sets_every_kind_of_value) {
    node::NodeConfig c;
    auto r = apply(R"(
datadir = "/var/lib/trellis"
genesis = "g.json"
[http]
host = "0.0.0.0"
port = 9000
threads = 6
request_timeout_ms = 1500
[blocks]
empty_block_interval_seconds = 5
proposer = "0x00000000000000000000000000000000000000aa"
[txpool]
max_transactions = 100
min_priority_fee = "0x3b9aca00"
[storage]
sync_commits = false
keep_state = 128
max_open_files = -1
)",
                   c);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(c.service.datadir, "/var/lib/trellis");
    EXPECT_EQ(c.genesis_path, std::filesystem::path("/etc/trellis/g.json"));
    EXPECT_EQ(c.service.http_host, "0.0.0.0");
    EXPECT_EQ(c.service.http_port, 9000);
    EXPECT_EQ(c.service.rpc_threads, 6u);
    EXPECT_EQ(c.service.rpc.request_timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(c.service.empty_block_interval, std::chrono::seconds(5));
    ASSERT_TRUE(c.service.proposer.has_value());
    EXPECT_EQ(c.service.proposer->bytes[19], 0xaa);
    EXPECT_EQ(c.service.pool.max_transactions, 100u);
    EXPECT_EQ(c.service.pool.min_priority_fee, uint256(1'000'000'000));
    EXPECT_FALSE(c.service.ledger.sync_commits);
    EXPECT_EQ(c.service.ledger.pruning.keep_last, 128u);
    EXPECT_EQ(c.service.ledger.database.max_open_files, -1);
}

TEST(NodeConfig, unknown_key_is_an_error_naming_it) {
    EXPECT_NE(error_of("datadir = \"x\"\nhttp_port = 1\n").find("unknown key http_port"), std::string::npos);
    const std::string e = error_of("[http]\nport = 1\nprot = 2\n");
    EXPECT_NE(e.find("unknown key http.prot"), std::string::npos) << e;
    EXPECT_NE(e.find("test.toml:3"), std::string::npos) << e;  // the line
    EXPECT_NE(error_of("[rpc]\nport = 1\n").find("unknown key rpc"), std::string::npos);
}

TEST(NodeConfig, wrong_type_or_range_is_a_clear_error) {
    std::string e = error_of("[http]\nport = \"8545\"\n");
    EXPECT_NE(e.find("http.port: expected an integer in [0, 65535], got a string"), std::string::npos) << e;
    e = error_of("[http]\nport = 70000\n");
    EXPECT_NE(e.find("http.port: expected an integer in [0, 65535], got 70000"), std::string::npos) << e;
    e = error_of("[storage]\nsync_commits = 1\n");
    EXPECT_NE(e.find("storage.sync_commits: expected a boolean, got an integer"), std::string::npos) << e;
    e = error_of("[txpool]\nmax_transactions = -5\n");
    EXPECT_NE(e.find("txpool.max_transactions"), std::string::npos) << e;
    e = error_of("[blocks]\nproposer = \"0x1234\"\n");
    EXPECT_NE(e.find("blocks.proposer: expected a 20-byte hex address"), std::string::npos) << e;
    e = error_of("http = 5\n");
    EXPECT_NE(e.find("http: expected a table"), std::string::npos) << e;
    e = error_of("[txpool]\nmin_priority_fee = 1.5\n");
    EXPECT_NE(e.find("txpool.min_priority_fee"), std::string::npos) << e;
}

TEST(NodeConfig, syntax_error_names_the_place) {
    const std::string e = error_of("[http]\nport = = 3\n");
    EXPECT_EQ(e.rfind("test.toml:2:", 0), 0u) << e;
}

TEST(NodeConfig, p2p_and_consensus_tables_set_the_network) {
    node::NodeConfig c;
    auto r = apply(R"(
[consensus]
validator_key_file = "keys/validator.key"
base_timeout_ms = 2000
idle_block_interval_ms = 250
[p2p]
listen = "0.0.0.0:30701"
cert_file = "node1.crt"
key_file = "/abs/node1.key"
ca_file = "ca.crt"
peers = ["10.0.0.1:30700", "[::1]:30702"]
max_peers = 7
ban_seconds = 60
sync_batch = 32
test_faults = true
)",
                   c);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(c.validator_key_file, std::filesystem::path("/etc/trellis/keys/validator.key"));
    EXPECT_EQ(c.service.consensus.engine.base_timeout_ms, 2000u);
    EXPECT_EQ(c.service.consensus.idle_block_interval, std::chrono::milliseconds(250));
    ASSERT_TRUE(c.service.network.has_value());
    const auto& n = *c.service.network;
    EXPECT_EQ(n.p2p.transport.listen_address, "0.0.0.0");
    EXPECT_EQ(n.p2p.transport.listen_port, 30701);
    EXPECT_EQ(n.p2p.transport.cert_file, std::filesystem::path("/etc/trellis/node1.crt"));
    EXPECT_EQ(n.p2p.transport.key_file, std::filesystem::path("/abs/node1.key"));
    ASSERT_EQ(n.p2p.static_peers.size(), 2u);
    EXPECT_EQ(n.p2p.static_peers[1].host, "::1");
    EXPECT_EQ(n.p2p.static_peers[1].port, 30702);
    EXPECT_EQ(n.p2p.max_peers, 7u);
    EXPECT_EQ(n.p2p.ban_duration, std::chrono::seconds(60));
    EXPECT_EQ(n.sync_batch, 32u);
    EXPECT_TRUE(n.test_faults);

    // Without [p2p] the node runs alone.
    node::NodeConfig alone;
    ASSERT_TRUE(apply("[consensus]\nbase_timeout_ms = 1500\n", alone).ok());
    EXPECT_FALSE(alone.service.network.has_value());

    EXPECT_NE(error_of("[p2p]\nlisten = \"nohost\"\n").find("p2p.listen"), std::string::npos);
    EXPECT_NE(error_of("[p2p]\npeers = [\"a:1\", 5]\n").find("p2p.peers"), std::string::npos);
    EXPECT_NE(error_of("[p2p]\nsync_batch = 1000\n").find("p2p.sync_batch"), std::string::npos);
}

TEST(NodeConfig, validator_key_file_is_64_hex_digits) {
    const auto dir = std::filesystem::temp_directory_path() / ("trellis-key-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto write = [&](const std::string& text) {
        std::ofstream(dir / "k") << text;
        return node::load_validator_key(dir / "k");
    };
    auto ok = write("  0x" + std::string(63, '0') + "7\n");
    ASSERT_TRUE(ok.ok()) << ok.error();
    EXPECT_EQ(ok->bytes[31], 7);
    EXPECT_TRUE(write(std::string(64, 'a')).ok());
    EXPECT_FALSE(write(std::string(62, 'a')).ok());
    EXPECT_FALSE(write("zz").ok());
    EXPECT_FALSE(write(std::string(64, '0')).ok()) << "a zero key";
    EXPECT_FALSE(write("").ok());
    EXPECT_FALSE(node::load_validator_key(dir / "missing").ok());
    std::filesystem::remove_all(dir);
}
