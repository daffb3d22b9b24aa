// Genesis node identities: validation, the admission list, and the config
// encoding (unchanged without node ids, so existing chains keep their hash).

#include "chain/genesis.hpp"

#include <gtest/gtest.h>

#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "crypto/suite.hpp"

using namespace trellis;
using namespace trellis::chain;

namespace {

Hash32 id(uint8_t b) {
    Hash32 h;
    h.bytes.fill(b);
    return h;
}

Genesis three_validators() {
    Genesis g;
    g.chain_id = 77;
    g.base_fee = FixedBaseFee{5};
    g.extra_data = {0xab};
    for (uint8_t i = 1; i <= 3; ++i) {
        const auto& suite = crypto::ethereum_suite();
        Bytes32 k;
        k.bytes.fill(i);
        GenesisValidator v;
        v.public_key = suite.public_key(k).value();
        v.address = suite.address_of(v.public_key);
        v.stake = 100 * i;
        g.validators.push_back(v);
    }
    return g;
}

/// The config encoding as it was before node ids: an 8-element list.
Bytes encoding_without_node_ids(const Genesis& g) {
    Bytes out;
    const size_t mark = rlp::begin_list(out);
    rlp::encode_uint(out, g.chain_id);
    rlp::encode_string(out, as_view(g.crypto_suite));
    rlp::encode_string(out, as_view(g.evm_revision));
    rlp::encode_uint(out, g.timestamp);
    rlp::encode_uint(out, g.gas_limit);
    const size_t fee = rlp::begin_list(out);
    rlp::encode_uint(out, uint64_t(0));
    rlp::encode_uint(out, std::get<FixedBaseFee>(g.base_fee).value);
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
    rlp::end_list(out, mark);
    return out;
}

std::optional<GenesisError> error_of(const Genesis& g) {
    auto r = validate_genesis(g);
    return r.ok() ? std::nullopt : std::optional<GenesisError>{r.error()};
}

}  // namespace

TEST(GenesisNodes, encoding_without_node_ids_is_the_pre_node_id_encoding) {
    const Genesis g = three_validators();
    EXPECT_EQ(encode_genesis_config(g), encoding_without_node_ids(g));
    EXPECT_EQ(genesis_config_hash(g), crypto::keccak256(encoding_without_node_ids(g)));
}

TEST(GenesisNodes, node_ids_append_one_element_and_change_the_hash) {
    const Genesis plain = three_validators();
    Genesis g = plain;
    g.validators[1].node_id = id(0x11);
    const Bytes enc = encode_genesis_config(g);
    EXPECT_NE(genesis_config_hash(g), genesis_config_hash(plain));

    // Expected: the old list plus [[zero, id11, zero], []].
    Bytes tail;
    const size_t outer = rlp::begin_list(tail);
    const size_t vids = rlp::begin_list(tail);
    rlp::encode_string(tail, Hash32{}.view());
    rlp::encode_string(tail, id(0x11).view());
    rlp::encode_string(tail, Hash32{}.view());
    rlp::end_list(tail, vids);
    const size_t oids = rlp::begin_list(tail);
    rlp::end_list(tail, oids);
    rlp::end_list(tail, outer);
    Bytes expected;
    {
        const Bytes old = encoding_without_node_ids(plain);
        // Re-wrap the old list's payload plus the tail in one list.
        auto item = rlp::decode_exact(old);
        ASSERT_TRUE(item);
        Bytes payload(item->payload.begin(), item->payload.end());
        payload.insert(payload.end(), tail.begin(), tail.end());
        const size_t m = rlp::begin_list(expected);
        expected.insert(expected.end(), payload.begin(), payload.end());
        rlp::end_list(expected, m);
    }
    EXPECT_EQ(enc, expected);

    // Each kind of node-id change moves the hash.
    Genesis moved = g;
    moved.validators[1].node_id = id(0x12);
    EXPECT_NE(genesis_config_hash(moved), genesis_config_hash(g));
    Genesis observed = plain;
    observed.observer_nodes = {id(0x21)};
    EXPECT_NE(genesis_config_hash(observed), genesis_config_hash(plain));
    Genesis both = g;
    both.observer_nodes = {id(0x21)};
    EXPECT_NE(genesis_config_hash(both), genesis_config_hash(g));
    EXPECT_NE(genesis_config_hash(both), genesis_config_hash(observed));
}

TEST(GenesisNodes, admitted_nodes_lists_bound_validators_then_observers) {
    Genesis g = three_validators();
    EXPECT_TRUE(admitted_nodes(g).empty());
    g.validators[0].node_id = id(1);
    g.validators[2].node_id = id(3);
    g.observer_nodes = {id(9), id(8)};
    EXPECT_EQ(admitted_nodes(g), (std::vector<Hash32>{id(1), id(3), id(9), id(8)}));
}

TEST(GenesisNodes, validation_rejects_zero_duplicate_and_too_many_node_ids) {
    Genesis g = three_validators();
    g.validators[0].node_id = id(1);
    g.validators[1].node_id = id(2);
    g.observer_nodes = {id(3)};
    EXPECT_EQ(error_of(g), std::nullopt);

    Genesis zero_observer = g;
    zero_observer.observer_nodes.push_back(Hash32{});
    EXPECT_EQ(error_of(zero_observer), GenesisError::kZeroObserverNode);

    Genesis twice_validators = g;
    twice_validators.validators[2].node_id = id(1);
    EXPECT_EQ(error_of(twice_validators), GenesisError::kDuplicateNode);

    Genesis validator_and_observer = g;
    validator_and_observer.observer_nodes.push_back(id(2));
    EXPECT_EQ(error_of(validator_and_observer), GenesisError::kDuplicateNode);

    Genesis twice_observers = g;
    twice_observers.observer_nodes.push_back(id(3));
    EXPECT_EQ(error_of(twice_observers), GenesisError::kDuplicateNode);

    Genesis many = three_validators();
    for (size_t i = 0; i <= kMaxGenesisValidators; ++i) {
        Hash32 h;
        h.bytes[0] = uint8_t(i);
        h.bytes[1] = uint8_t(i >> 8);
        h.bytes[2] = 1;
        many.observer_nodes.push_back(h);
    }
    EXPECT_EQ(error_of(many), GenesisError::kTooManyObservers);
    many.observer_nodes.pop_back();
    EXPECT_EQ(error_of(many), std::nullopt);

    // Unbound validators (zero node id) may be several.
    EXPECT_EQ(error_of(three_validators()), std::nullopt);
    EXPECT_STREQ(to_string(GenesisError::kDuplicateNode), "node id listed twice (validators and observers)");
}
