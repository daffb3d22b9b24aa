#pragma once

// `trellis devnet`: a development chain with well-known prefunded accounts,
// like other dev chains (hardhat, anvil) give. Never use these keys for
// anything of value: anyone can derive them.

#include <string>
#include <vector>

#include "chain/genesis.hpp"

namespace trellis::chain {

inline constexpr chain::ChainId kDevnetChainId = 1337;

struct DevAccount {
    Address address;
    Bytes32 private_key;
};

/// The i-th development account's key is keccak256("trellis devnet account " + i)
/// (re-hashed in the negligible case it is not a valid secp256k1 key), so the
/// same accounts come back on every machine.
std::vector<DevAccount> devnet_accounts(size_t count);

/// The devnet's single validator key, derived the same way from "trellis devnet validator".
DevAccount devnet_validator();

/// The multi-validator devnet's consensus keys: index 0 is devnet_validator(),
/// index i > 0 derives from "trellis devnet validator <i>".
std::vector<DevAccount> devnet_validators(size_t count);

/// A genesis for chain id 1337 with a fixed base fee of zero (fee-less, as
/// consortium chains often are; gas still bounds execution), each account
/// prefunded with balance wei, and devnet_validator() as the one validator.
Genesis devnet_genesis(const std::vector<DevAccount>& accounts, const uint256& balance);

/// The same chain with devnet_validators(validator_nodes.size()) as validators,
/// stake 100 each, validator i bound to node id validator_nodes[i], and
/// observer_nodes admitted as observers. One validator with a zero node id and
/// no observers gives devnet_genesis(accounts, balance) exactly.
Genesis devnet_genesis(const std::vector<DevAccount>& accounts, const uint256& balance,
                              const std::vector<Hash32>& validator_nodes,
                              const std::vector<Hash32>& observer_nodes);

/// 10,000 ether in wei: each development account's default balance.
uint256 devnet_default_balance();

}  // namespace trellis::chain
