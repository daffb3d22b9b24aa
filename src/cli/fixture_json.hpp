#pragma once
// Reading Ethereum test-fixture JSON (shared by the state-test and VM-test
// runners). Malformed fixtures throw FixtureError: this is tooling, not a
// path a peer can reach.

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "base/bytes.hpp"
#include "base/uint256.hpp"
#include "evm/host.hpp"

namespace trellis::cli::fixture {

struct FixtureError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A 0x-hex or decimal quantity (leading zeros allowed).
uint256 num(const nlohmann::json& j);
uint64_t num64(const nlohmann::json& j);
Bytes bytes(const nlohmann::json& j);
Address address(const nlohmann::json& j);
Bytes32 word(const nlohmann::json& j);

/// keccak256(RLP([[address, [topics...], data], ...])): the fixtures' `logs`.
Hash32 logs_hash(const std::vector<evm::Log>& logs);

/// The state tests' BLOCKHASH: keccak256 of the decimal ASCII number.
Hash32 test_block_hash(uint64_t n);

}  // namespace trellis::cli::fixture
