#pragma once
// Genesis files: JSON in go-ethereum's shape (alloc with balance, nonce, code,
// storage) with Trellis's chain parameters under "config". See docs/genesis.md.

#include <string>

#include "base/result.hpp"
#include "chain/genesis.hpp"

namespace trellis::node {

/// Parses and validates a genesis document. Errors name the offending field.
Result<chain::Genesis, std::string> parse_genesis_json(const std::string& text);
/// Reads and parses a genesis file.
Result<chain::Genesis, std::string> load_genesis_file(const std::string& path);
/// The canonical JSON form of g (what `trellis genesis new` writes).
std::string genesis_to_json(const chain::Genesis& g);

}  // namespace trellis::node
