#include "node/config.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>

#include "base/hex.hpp"

namespace trellis::node {
namespace {

/// Sets one setting from a TOML value; returns what is wrong with the value.
using Setter = std::function<std::optional<std::string>(const toml::node&)>;
/// A table's keys: a setter, or (for a sub-table) its own keys.
struct Section {
    std::map<std::string, Setter, std::less<>> keys;
    std::map<std::string, Section, std::less<>> tables;
};

const char* type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        default:
            return "a date/time";
    }
}

template <class T>
Setter integer(T& dst, int64_t min = 0,
               int64_t max = int64_t(std::min<uint64_t>(std::numeric_limits<T>::max(),
                                                        uint64_t(std::numeric_limits<int64_t>::max())))) {
    return [&dst, min, max](const toml::node& n) -> std::optional<std::string> {
        const auto v = n.value_exact<int64_t>();
        if (!v || *v < min || *v > max)
            return "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                   (v ? std::to_string(*v) : std::string(type_name(n)));
        dst = T(*v);
        return std::nullopt;
    };
}

template <class Duration>
Setter duration(Duration& dst) {
    return [&dst](const toml::node& n) -> std::optional<std::string> {
        int64_t count = 0;
        if (auto err = integer(count)(n)) return err;
        dst = Duration(count);
        return std::nullopt;
    };
}

Setter boolean(bool& dst) {
    return [&dst](const toml::node& n) -> std::optional<std::string> {
        const auto v = n.value_exact<bool>();
        if (!v) return std::string("expected a boolean, got ") + type_name(n);
        dst = *v;
        return std::nullopt;
    };
}

Setter string(std::string& dst) {
    return [&dst](const toml::node& n) -> std::optional<std::string> {
        const auto v = n.value_exact<std::string>();
        if (!v) return std::string("expected a string, got ") + type_name(n);
        dst = *v;
        return std::nullopt;
    };
}

/// A path; relative ones are relative to the config file's folder.
Setter path(std::filesystem::path& dst, const std::filesystem::path& base) {
    return [&dst, base](const toml::node& n) -> std::optional<std::string> {
        const auto v = n.value_exact<std::string>();
        if (!v || v->empty()) return std::string("expected a non-empty path string, got ") + type_name(n);
        const std::filesystem::path p(*v);
        dst = p.is_absolute() || base.empty() ? p : base / p;
        return std::nullopt;
    };
}

/// A wei amount: a non-negative integer, or a string holding a decimal or 0x quantity (for values past 2^63).
Setter amount(uint256& dst) {
    return [&dst](const toml::node& n) -> std::optional<std::string> {
        if (const auto i = n.value_exact<int64_t>()) {
            if (*i < 0) return "expected a non-negative amount, got " + std::to_string(*i);
            dst = uint256(uint64_t(*i));
            return std::nullopt;
        }
        if (const auto s = n.value_exact<std::string>()) {
            auto v = parse_uint256(*s);
            if (!v) return "expected an amount in wei, got \"" + *s + "\"";
            dst = *v;
            return std::nullopt;
        }
        return std::string("expected an integer or a string amount, got ") + type_name(n);
    };
}

Setter address(std::optional<Address>& dst) {
    return [&dst](const toml::node& n) -> std::optional<std::string> {
        const auto s = n.value_exact<std::string>();
        if (!s) return std::string("expected a 0x-prefixed address string, got ") + type_name(n);
        auto a = fixed_from_hex<Address>(*s);
        if (!a) return "expected a 20-byte hex address, got \"" + *s + "\"";
        dst = *a;
        return std::nullopt;
    };
}

/// "host:port".
Setter listen_address(std::string& host, uint16_t& port) {
    return [&host, &port](const toml::node& n) -> std::optional<std::string> {
        const auto v = n.value_exact<std::string>();
        if (!v) return std::string("expected a \"host:port\" string, got ") + type_name(n);
        auto a = p2p::parse_peer_address(*v);
        if (!a) return "expected \"host:port\", got \"" + *v + "\"";
        host = a->host;
        port = a->port;
        return std::nullopt;
    };
}

/// An array of "host:port" strings.
Setter peer_list(std::vector<p2p::PeerAddress>& dst) {
    return [&dst](const toml::node& n) -> std::optional<std::string> {
        const auto* arr = n.as_array();
        if (!arr) return std::string("expected an array of \"host:port\" strings, got ") + type_name(n);
        std::vector<p2p::PeerAddress> out;
        for (const auto& e : *arr) {
            const auto v = e.value_exact<std::string>();
            if (!v) return std::string("expected \"host:port\" strings, got ") + type_name(e);
            auto a = p2p::parse_peer_address(*v);
            if (!a) return "expected \"host:port\", got \"" + *v + "\"";
            out.push_back(*a);
        }
        dst = std::move(out);
        return std::nullopt;
    };
}

/// Every key the file may set, bound to the field it sets. Keep in step with
/// docs/trellis.example.toml (a test loads it).
Section schema(NodeConfig& c, const std::filesystem::path& base) {
    ServiceSettings& s = c.service;
    Section root;
    root.keys.emplace("datadir", path(s.datadir, base));
    root.keys.emplace("genesis", path(c.genesis_path, base));

    Section& http = root.tables["http"];
    http.keys.emplace("host", string(s.http_host));
    http.keys.emplace("port", integer(s.http_port));
    http.keys.emplace("threads", integer(s.rpc_threads, 1, 1024));
    http.keys.emplace("cors_origin", string(s.rpc.cors_origin));
    http.keys.emplace("max_body_bytes", integer(s.rpc.max_body_bytes, 1));
    http.keys.emplace("max_header_bytes", integer(s.rpc.max_header_bytes, 1));
    http.keys.emplace("max_ws_message_bytes", integer(s.rpc.max_ws_message_bytes, 1));
    http.keys.emplace("max_connections", integer(s.rpc.max_connections, 1));
    http.keys.emplace("request_timeout_ms", duration(s.rpc.request_timeout));
    http.keys.emplace("max_subscriptions_per_connection", integer(s.rpc.max_subscriptions_per_connection));
    http.keys.emplace("max_queued_messages", integer(s.rpc.max_queued_messages, 1));
    http.keys.emplace("max_batch", integer(s.rpc.dispatch.max_batch, 1));
    http.keys.emplace("max_depth", integer(s.rpc.dispatch.max_depth, 1, 1024));

    Section& api = root.tables["api"];
    api.keys.emplace("gas_cap", integer(s.api.gas_cap, 21000));
    api.keys.emplace("max_log_range", integer(s.api.max_log_range, 1));
    api.keys.emplace("max_log_results", integer(s.api.max_log_results, 1));
    api.keys.emplace("filter_timeout_seconds", duration(s.api.filter_timeout));
    api.keys.emplace("max_filters", integer(s.api.max_filters));
    api.keys.emplace("max_filter_backlog", integer(s.api.max_filter_backlog, 1));
    api.keys.emplace("max_fee_history", integer(s.api.max_fee_history, 1));
    api.keys.emplace("max_reward_percentiles", integer(s.api.max_reward_percentiles));

    Section& blocks = root.tables["blocks"];
    blocks.keys.emplace("empty_block_interval_seconds", duration(s.empty_block_interval));
    blocks.keys.emplace("poll_interval_ms", duration(s.poll_interval));
    blocks.keys.emplace("proposer", address(s.proposer));

    Section& pool = root.tables["txpool"];
    pool.keys.emplace("max_transactions", integer(s.pool.max_transactions, 1));
    pool.keys.emplace("max_per_sender", integer(s.pool.max_per_sender, 1));
    pool.keys.emplace("max_queued_per_sender", integer(s.pool.max_queued_per_sender));
    pool.keys.emplace("max_nonce_gap", integer(s.pool.max_nonce_gap));
    pool.keys.emplace("replacement_bump_percent", integer(s.pool.replacement_bump_percent, 0, 1000));
    pool.keys.emplace("min_priority_fee", amount(s.pool.min_priority_fee));
    pool.keys.emplace("allow_unprotected", boolean(s.pool.rules.allow_unprotected));
    pool.keys.emplace("recovery_threads", integer(s.recovery.threads, 0, 1024));
    pool.keys.emplace("recovery_queue", integer(s.recovery.max_queued, 1));

    Section& storage = root.tables["storage"];
    storage.keys.emplace("sync_commits", boolean(s.ledger.sync_commits));
    storage.keys.emplace("keep_state", integer(s.ledger.pruning.keep_last));
    storage.keys.emplace("prune_interval", integer(s.ledger.pruning.interval));
    storage.keys.emplace("code_cache_entries", integer(s.ledger.code_cache_entries, 1));
    storage.keys.emplace("block_cache_bytes", integer(s.ledger.database.block_cache_bytes));
    storage.keys.emplace("write_buffer_bytes", integer(s.ledger.database.write_buffer_bytes, 1 << 20));
    storage.keys.emplace("max_background_jobs", integer(s.ledger.database.max_background_jobs, 1, 64));
    storage.keys.emplace("max_open_files", integer(s.ledger.database.max_open_files, -1));
    storage.keys.emplace("compression", boolean(s.ledger.database.compression));

    Section& consensus = root.tables["consensus"];
    consensus.keys.emplace("validator_key_file", path(c.validator_key_file, base));
    consensus.keys.emplace("base_timeout_ms", integer(s.consensus.engine.base_timeout_ms, 50, 600'000));
    consensus.keys.emplace("idle_block_interval_ms", duration(s.consensus.idle_block_interval));

    Section& log = root.tables["log"];
    log.keys.emplace("level", [&c](const toml::node& n) -> std::optional<std::string> {
        const auto v = n.value_exact<std::string>();
        if (!v) return std::string("expected a string such as \"info,net=debug\", got ") + type_name(n);
        auto levels = runtime::log::parse_levels(*v);
        if (!levels) return levels.error();
        c.log_levels = *levels;
        return std::nullopt;
    });

    // [p2p] binds to the network settings, which exist only when the file
    // has the table (apply_config creates them first).
    if (s.network) {
        NetworkSettings& n = *s.network;
        Section& p = root.tables["p2p"];
        p.keys.emplace("listen", listen_address(n.p2p.transport.listen_address, n.p2p.transport.listen_port));
        p.keys.emplace("cert_file", path(n.p2p.transport.cert_file, base));
        p.keys.emplace("key_file", path(n.p2p.transport.key_file, base));
        p.keys.emplace("ca_file", path(n.p2p.transport.ca_file, base));
        p.keys.emplace("peers", peer_list(n.p2p.static_peers));
        p.keys.emplace("bootnodes", peer_list(n.p2p.bootnodes));
        p.keys.emplace("max_peers", integer(n.p2p.max_peers, 1, 4096));
        p.keys.emplace("max_connections", integer(n.p2p.transport.max_connections, 1, 65536));
        p.keys.emplace("ban_seconds", [&n](const toml::node& v) -> std::optional<std::string> {
            int64_t secs = 0;
            if (auto err = integer(secs, 1, 7 * 24 * 3600)(v)) return err;
            n.p2p.ban_duration = std::chrono::seconds(secs);
            return std::nullopt;
        });
        p.keys.emplace("sync_batch", integer(n.sync_batch, 1, int64_t(p2p::kMaxBlocksPerRequest)));
        p.keys.emplace("sync_parallel", integer(n.sync_parallel, 1, 64));
        p.keys.emplace("test_faults", boolean(n.test_faults));
    }
    return root;
}

std::string where(std::string_view source, const toml::node& n) {
    const auto& b = n.source().begin;
    std::string out(source);
    if (b.line) {
        out += ':';
        out += std::to_string(b.line);
        out += ':';
        out += std::to_string(b.column);
    }
    return out;
}

Result<void, std::string> apply_table(const toml::table& table, const Section& section,
                                      const std::string& prefix, std::string_view source) {
    for (const auto& [k, v] : table) {
        const std::string key = prefix + std::string(k.str());
        if (const auto t = section.tables.find(k.str()); t != section.tables.end()) {
            const auto* sub = v.as_table();
            if (!sub)
                return Unexpected{where(source, v) + ": " + key + ": expected a table [" + key + "], got " +
                                  type_name(v)};
            if (auto r = apply_table(*sub, t->second, key + ".", source); !r) return r;
            continue;
        }
        const auto s = section.keys.find(k.str());
        if (s == section.keys.end()) return Unexpected{where(source, v) + ": unknown key " + key};
        if (auto err = s->second(v)) return Unexpected{where(source, v) + ": " + key + ": " + *err};
    }
    return {};
}

}  // namespace

Result<void, std::string> apply_config(std::string_view toml_text, std::string_view source,
                                       const std::filesystem::path& base_dir, NodeConfig& config) {
    toml::table table;
    try {
        table = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        const auto& b = e.source().begin;
        return Unexpected{std::string(source) + ":" + std::to_string(b.line) + ":" +
                          std::to_string(b.column) + ": " + std::string(e.description())};
    }
    if (table.contains("p2p") && !config.service.network) config.service.network.emplace();
    return apply_table(table, schema(config, base_dir), "", source);
}

Result<Bytes32, std::string> load_validator_key(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Unexpected{"cannot read validator key file " + path.string()};
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > 1024) return Unexpected{path.string() + ": not a validator key file (too large)"};
    const auto first = text.find_first_not_of(" \t\r\n");
    const auto last = text.find_last_not_of(" \t\r\n");
    if (first == std::string::npos) return Unexpected{path.string() + ": empty validator key file"};
    std::string hex = text.substr(first, last - first + 1);
    if (hex.starts_with("0x") || hex.starts_with("0X")) hex = hex.substr(2);
    auto key = fixed_from_hex<Bytes32>(hex);
    if (!key) return Unexpected{path.string() + ": expected 64 hex digits (a private key)"};
    if (*key == Bytes32{}) return Unexpected{path.string() + ": the key is zero"};
    return *key;
}

Result<void, std::string> apply_config_file(const std::filesystem::path& path, NodeConfig& config) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Unexpected{"cannot read config file " + path.string()};
    std::stringstream ss;
    ss << in.rdbuf();
    return apply_config(ss.str(), path.string(), path.parent_path(), config);
}

}  // namespace trellis::node
