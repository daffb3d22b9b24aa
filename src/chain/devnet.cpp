#include "chain/devnet.hpp"

#include "crypto/keccak.hpp"
#include "crypto/suite.hpp"

namespace trellis::chain {
namespace {

DevAccount derive(const std::string& seed) {
    const auto& suite = crypto::ethereum_suite();
    Hash32 h = crypto::keccak256(ByteView(reinterpret_cast<const uint8_t*>(seed.data()), seed.size()));
    for (;;) {
        Bytes32 key;
        key.bytes = h.bytes;
        if (auto pub = suite.public_key(key)) return DevAccount{suite.address_of(*pub), key};
        h = crypto::keccak256(h.view());  // zero or not below the curve order: hash again
    }
}

}  // namespace

std::vector<DevAccount> devnet_accounts(size_t count) {
    std::vector<DevAccount> out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) out.push_back(derive("trellis devnet account " + std::to_string(i)));
    return out;
}

DevAccount devnet_validator() {
    return derive("trellis devnet validator");
}

uint256 devnet_default_balance() {
    return uint256(10'000) * uint256(1'000'000'000'000'000'000ULL);
}

std::vector<DevAccount> devnet_validators(size_t count) {
    std::vector<DevAccount> out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i)
        out.push_back(i == 0 ? devnet_validator() : derive("trellis devnet validator " + std::to_string(i)));
    return out;
}

Genesis devnet_genesis(const std::vector<DevAccount>& accounts, const uint256& balance) {
    return devnet_genesis(accounts, balance, {Hash32{}}, {});
}

Genesis devnet_genesis(const std::vector<DevAccount>& accounts, const uint256& balance,
                              const std::vector<Hash32>& validator_nodes,
                              const std::vector<Hash32>& observer_nodes) {
    Genesis g;
    g.chain_id = kDevnetChainId;
    g.base_fee = chain::FixedBaseFee{uint256()};
    for (const auto& a : accounts) g.alloc[a.address].balance = balance;
    const auto& suite = crypto::ethereum_suite();
    const auto keys = devnet_validators(validator_nodes.size());
    for (size_t i = 0; i < keys.size(); ++i) {
        GenesisValidator gv;
        gv.public_key = *suite.public_key(keys[i].private_key);
        gv.address = keys[i].address;
        gv.stake = uint256(100);
        gv.node_id = validator_nodes[i];
        g.validators.push_back(gv);
    }
    g.observer_nodes = observer_nodes;
    return g;
}

}  // namespace trellis::chain
