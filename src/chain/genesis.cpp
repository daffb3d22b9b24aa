#include "chain/genesis.hpp"

#include <algorithm>

#include <set>
#include <string_view>

#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "trie/common.hpp"

namespace trellis::chain {

uint256 initial_base_fee(const BaseFeeRule& rule) noexcept {
    if (const auto* fixed = std::get_if<FixedBaseFee>(&rule)) return fixed->value;
    return std::get<Eip1559BaseFee>(rule).initial;
}

uint256 expected_base_fee(const BaseFeeRule& rule, const BlockHeader& parent) noexcept {
    if (const auto* fixed = std::get_if<FixedBaseFee>(&rule)) return fixed->value;
    const auto& p = std::get<Eip1559BaseFee>(rule);
    // EIP-1559: parent_gas_target = parent.gas_limit // ELASTICITY_MULTIPLIER.
    const uint64_t target = p.elasticity_multiplier ? parent.gas_limit / p.elasticity_multiplier : 0;
    uint256 fee = parent.base_fee;
    if (target != 0 && p.change_denominator != 0 && parent.gas_used != target) {
        const bool up = parent.gas_used > target;
        const uint64_t diff = up ? parent.gas_used - target : target - parent.gas_used;
        // base_fee * diff can exceed 256 bits only for absurd fees; saturate then.
        const uint512 wide = mul_full(parent.base_fee, uint256(diff));
        uint256 delta = wide.hi().is_zero() ? wide.lo() / uint256(target) / uint256(p.change_denominator)
                                            : uint256::max();
        if (up) {
            if (delta.is_zero()) delta = 1;  // EIP-1559: max(..., 1) when above target
            bool carry = false;
            fee = add_with_carry(fee, delta, &carry);
            if (carry) fee = uint256::max();
        } else {
            fee = delta > fee ? uint256{} : fee - delta;
        }
    }
    return fee < p.min_base_fee ? p.min_base_fee : fee;
}

const char* to_string(GenesisError e) noexcept {
    switch (e) {
        case GenesisError::kZeroChainId:
            return "chain id is zero";
        case GenesisError::kUnknownCryptoSuite:
            return "unknown crypto suite";
        case GenesisError::kUnknownEvmRevision:
            return "unknown EVM revision";
        case GenesisError::kZeroGasLimit:
            return "gas limit is zero";
        case GenesisError::kBadElasticity:
            return "bad EIP-1559 elasticity multiplier";
        case GenesisError::kBadChangeDenominator:
            return "bad EIP-1559 change denominator";
        case GenesisError::kExtraDataTooLong:
            return "extra data too long";
        case GenesisError::kNoValidators:
            return "no validators";
        case GenesisError::kTooManyValidators:
            return "too many validators";
        case GenesisError::kDuplicateValidator:
            return "duplicate validator";
        case GenesisError::kValidatorAddressMismatch:
            return "validator address does not match its key";
        case GenesisError::kZeroStake:
            return "validator with zero stake";
        case GenesisError::kStakeOverflow:
            return "total stake overflows";
        case GenesisError::kTooManyAccounts:
            return "too many accounts";
        case GenesisError::kCodeTooLarge:
            return "account code too large";
        case GenesisError::kZeroObserverNode:
            return "observer node id is zero";
        case GenesisError::kDuplicateNode:
            return "node id listed twice (validators and observers)";
        case GenesisError::kTooManyObservers:
            return "too many observer nodes";
    }
    return "unknown genesis error";
}

Result<void, GenesisError> validate_genesis(const Genesis& g) {
    if (g.chain_id == 0) return Unexpected{GenesisError::kZeroChainId};
    const crypto::CryptoSuite* suite = crypto::suite_by_name(g.crypto_suite);
    if (!suite) return Unexpected{GenesisError::kUnknownCryptoSuite};
    bool known_revision = false;
    for (const char* name : kEvmRevisionNames) known_revision |= g.evm_revision == name;
    if (!known_revision) return Unexpected{GenesisError::kUnknownEvmRevision};
    if (g.gas_limit == 0) return Unexpected{GenesisError::kZeroGasLimit};
    if (const auto* p = std::get_if<Eip1559BaseFee>(&g.base_fee)) {
        if (p->elasticity_multiplier == 0 || p->elasticity_multiplier > g.gas_limit)
            return Unexpected{GenesisError::kBadElasticity};
        if (p->change_denominator == 0) return Unexpected{GenesisError::kBadChangeDenominator};
    }
    if (g.extra_data.size() > kMaxExtraData) return Unexpected{GenesisError::kExtraDataTooLong};
    if (g.validators.empty()) return Unexpected{GenesisError::kNoValidators};
    if (g.validators.size() > kMaxGenesisValidators) return Unexpected{GenesisError::kTooManyValidators};
    std::set<Address> addresses;
    std::set<crypto::SuitePublicKey> keys;
    uint256 total;
    for (const GenesisValidator& v : g.validators) {
        if (!addresses.insert(v.address).second || !keys.insert(v.public_key).second)
            return Unexpected{GenesisError::kDuplicateValidator};
        if (suite->address_of(v.public_key) != v.address)
            return Unexpected{GenesisError::kValidatorAddressMismatch};
        if (v.stake.is_zero()) return Unexpected{GenesisError::kZeroStake};
        bool carry = false;
        total = add_with_carry(total, v.stake, &carry);
        if (carry) return Unexpected{GenesisError::kStakeOverflow};
    }
    if (g.observer_nodes.size() > kMaxGenesisValidators) return Unexpected{GenesisError::kTooManyObservers};
    std::set<Hash32> nodes;
    for (const GenesisValidator& v : g.validators)
        if (!v.node_id.is_zero() && !nodes.insert(v.node_id).second)
            return Unexpected{GenesisError::kDuplicateNode};
    for (const Hash32& id : g.observer_nodes) {
        if (id.is_zero()) return Unexpected{GenesisError::kZeroObserverNode};
        if (!nodes.insert(id).second) return Unexpected{GenesisError::kDuplicateNode};
    }
    if (g.alloc.size() > kMaxGenesisAccounts) return Unexpected{GenesisError::kTooManyAccounts};
    for (const auto& [addr, acc] : g.alloc)
        if (acc.code.size() > kMaxGenesisCode) return Unexpected{GenesisError::kCodeTooLarge};
    return {};
}

std::vector<Hash32> admitted_nodes(const Genesis& g) {
    std::vector<Hash32> out;
    for (const GenesisValidator& v : g.validators)
        if (!v.node_id.is_zero()) out.push_back(v.node_id);
    out.insert(out.end(), g.observer_nodes.begin(), g.observer_nodes.end());
    return out;
}

Bytes encode_genesis_config(const Genesis& g) {
    Bytes out;
    const size_t mark = rlp::begin_list(out);
    rlp::encode_uint(out, g.chain_id);
    rlp::encode_string(out, as_view(g.crypto_suite));
    rlp::encode_string(out, as_view(g.evm_revision));
    rlp::encode_uint(out, g.timestamp);
    rlp::encode_uint(out, g.gas_limit);
    const size_t fee = rlp::begin_list(out);
    if (const auto* fixed = std::get_if<FixedBaseFee>(&g.base_fee)) {
        rlp::encode_uint(out, uint64_t(0));
        rlp::encode_uint(out, fixed->value);
    } else {
        const auto& p = std::get<Eip1559BaseFee>(g.base_fee);
        rlp::encode_uint(out, uint64_t(1));
        rlp::encode_uint(out, p.initial);
        rlp::encode_uint(out, p.elasticity_multiplier);
        rlp::encode_uint(out, p.change_denominator);
        rlp::encode_uint(out, p.min_base_fee);
    }
    rlp::end_list(out, fee);
    rlp::encode_string(out, g.extra_data);
    const size_t vals = rlp::begin_list(out);
    for (const GenesisValidator& v : g.validators) {
        const size_t vm = rlp::begin_list(out);
        rlp::encode_string(out, v.public_key.view());
        rlp::encode_string(out, v.address.view());
        rlp::encode_uint(out, v.stake);
        rlp::end_list(out, vm);
    }
    rlp::end_list(out, vals);
    // Appended only when used, so genesis files without node ids keep their hash.
    bool any_node = !g.observer_nodes.empty();
    for (const GenesisValidator& v : g.validators) any_node |= !v.node_id.is_zero();
    if (any_node) {
        const size_t ids = rlp::begin_list(out);
        const size_t vids = rlp::begin_list(out);
        for (const GenesisValidator& v : g.validators) rlp::encode_string(out, v.node_id.view());
        rlp::end_list(out, vids);
        const size_t oids = rlp::begin_list(out);
        for (const Hash32& id : g.observer_nodes) rlp::encode_string(out, id.view());
        rlp::end_list(out, oids);
        rlp::end_list(out, ids);
    }
    rlp::end_list(out, mark);
    return out;
}

Hash32 genesis_config_hash(const Genesis& g) {
    return crypto::keccak256(encode_genesis_config(g));
}

BlockHeader genesis_header(const Genesis& g, const Hash32& state_root) {
    BlockHeader h;
    h.number = 0;
    h.timestamp = g.timestamp;
    h.state_root = state_root;
    h.transactions_root = trie::kEmptyRoot;
    h.receipts_root = trie::kEmptyRoot;
    h.gas_limit = g.gas_limit;
    h.base_fee = initial_base_fee(g.base_fee);
    h.extra_data = g.extra_data;
    const Hash32 config = genesis_config_hash(g);
    h.consensus.assign(config.bytes.begin(), config.bytes.end());
    return h;
}

BlockHeader child_header(const BlockHeader& parent, const BaseFeeRule& rule, uint64_t timestamp,
                         const Address& proposer) {
    BlockHeader h;
    h.parent_hash = header_hash(parent);
    h.number = parent.number + 1;
    h.timestamp = std::max(timestamp, parent.timestamp);
    h.proposer = proposer;
    h.gas_limit = parent.gas_limit;
    h.base_fee = expected_base_fee(rule, parent);
    return h;
}

}  // namespace trellis::chain
