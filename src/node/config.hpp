#pragma once

// `trellis node --config FILE`: the node's settings from a TOML file
// (https://toml.io/en/v1.0.0). The file is optional and partial: a key it
// leaves out keeps its default, command-line flags override what it sets,
// and docs/trellis.example.toml documents every key. Unknown keys and values
// of the wrong type or out of range are errors naming the key, so a typo
// never silently runs a node with a default.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "node/service.hpp"
#include "runtime/log.hpp"

namespace trellis::node {

/// What `trellis node` runs with: the service settings and the genesis file
/// (read once files and flags are merged).
struct NodeConfig {
    ServiceSettings service;
    std::filesystem::path genesis_path;
    /// [consensus] validator_key_file: the validator's consensus key (see
    /// load_validator_key); empty: none (an observer when [p2p] is set).
    std::filesystem::path validator_key_file;
    /// [log] level ("info,net=debug", runtime::log::parse_levels); nullopt:
    /// not set. The caller applies it to its logger (trellis node: the
    /// process's, runtime::log::global()).
    std::optional<runtime::log::Levels> log_levels;
};

/// Reads a validator key file: 64 hex digits (an optional 0x, surrounding
/// whitespace allowed), the secp256k1 / SM2 private key. The file should be
/// readable by the node's user only.
Result<Bytes32, std::string> load_validator_key(const std::filesystem::path& path);

/// Applies the TOML text to config, key by key. source names the text in
/// messages (the file name); relative datadir and genesis paths are taken
/// relative to base_dir. On error config may be partly updated and the
/// message reads "SOURCE:LINE:COLUMN: KEY: what is wrong".
Result<void, std::string> apply_config(std::string_view toml_text, std::string_view source,
                                       const std::filesystem::path& base_dir, NodeConfig& config);

/// Reads path and applies it (relative paths in it are relative to its folder).
Result<void, std::string> apply_config_file(const std::filesystem::path& path, NodeConfig& config);

}  // namespace trellis::node
