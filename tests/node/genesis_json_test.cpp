// Genesis JSON with node identities: "nodeId" on a validator and
// "observerNodes" next to "validators".

#include "node/genesis_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/hex.hpp"
#include "chain/genesis_state.hpp"
#include "crypto/suite.hpp"
#include "chain/devnet.hpp"
#include "crypto/secp256k1.hpp"

using namespace trellis;

namespace {

Hash32 id(uint8_t b) {
    Hash32 h;
    h.bytes.fill(b);
    return h;
}

/// The devnet genesis with a second validator.
chain::Genesis two_validators() {
    chain::Genesis g = chain::devnet_genesis(chain::devnet_accounts(2), chain::devnet_default_balance());
    const auto& suite = crypto::ethereum_suite();
    Bytes32 k;
    k.bytes.fill(7);
    chain::GenesisValidator v;
    v.public_key = suite.public_key(k).value();
    v.address = suite.address_of(v.public_key);
    v.stake = 100;
    g.validators.push_back(v);
    return g;
}

std::string error_of(const std::string& text) {
    auto r = node::parse_genesis_json(text);
    return r ? std::string() : r.error();
}

}  // namespace

TEST(GenesisJsonNodes, round_trips_node_ids_and_observers) {
    chain::Genesis g = two_validators();
    g.validators[1].node_id = id(0x42);
    g.observer_nodes = {id(0x51), id(0x52)};
    const std::string text = node::genesis_to_json(g);
    const auto doc = nlohmann::json::parse(text);
    EXPECT_FALSE(doc["validators"][0].contains("nodeId"));  // zero: not written
    EXPECT_EQ(doc["validators"][1]["nodeId"], to_0x_hex(id(0x42).view()));
    ASSERT_EQ(doc["observerNodes"].size(), 2u);
    EXPECT_EQ(doc["observerNodes"][1], to_0x_hex(id(0x52).view()));
    auto back = node::parse_genesis_json(text);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, g);
    EXPECT_EQ(chain::genesis_hash(*back), chain::genesis_hash(g));
}

TEST(GenesisJsonNodes, without_node_ids_the_document_and_hash_are_unchanged) {
    const chain::Genesis g = two_validators();
    const std::string text = node::genesis_to_json(g);
    EXPECT_EQ(text.find("nodeId"), std::string::npos);
    EXPECT_EQ(text.find("observerNodes"), std::string::npos);
    auto back = node::parse_genesis_json(text);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(chain::genesis_hash(*back), chain::genesis_hash(g));
    chain::Genesis bound = g;
    bound.validators[0].node_id = id(1);
    EXPECT_NE(chain::genesis_hash(bound), chain::genesis_hash(g));
}

TEST(GenesisJsonNodes, errors_name_the_node_id_field) {
    chain::Genesis g = two_validators();
    g.validators[0].node_id = id(1);
    auto doc = nlohmann::json::parse(node::genesis_to_json(g));

    auto short_id = doc;
    short_id["validators"][0]["nodeId"] = "0x1234";
    EXPECT_NE(error_of(short_id.dump()).find("validators[0].nodeId"), std::string::npos)
        << error_of(short_id.dump());

    auto dup_validator = doc;
    dup_validator["validators"][1]["nodeId"] = to_0x_hex(id(1).view());
    EXPECT_NE(error_of(dup_validator.dump()).find("validators[1].nodeId"), std::string::npos);

    auto dup_observer = doc;
    dup_observer["observerNodes"] = {to_0x_hex(id(2).view()), to_0x_hex(id(1).view())};
    EXPECT_NE(error_of(dup_observer.dump()).find("observerNodes[1]"), std::string::npos);

    auto twice = doc;
    twice["observerNodes"] = {to_0x_hex(id(2).view()), to_0x_hex(id(2).view())};
    EXPECT_NE(error_of(twice.dump()).find("observerNodes[1]"), std::string::npos);

    auto zero = doc;
    zero["observerNodes"] = {to_0x_hex(Hash32{}.view())};
    EXPECT_NE(error_of(zero.dump()).find("observerNodes[0]"), std::string::npos);

    auto not_array = doc;
    not_array["observerNodes"] = "0x00";
    EXPECT_NE(error_of(not_array.dump()).find("observerNodes"), std::string::npos);

    EXPECT_EQ(error_of(doc.dump()), "");
}

TEST(GenesisJson, round_trips_and_reports_the_bad_field) {
    const chain::Genesis g = chain::devnet_genesis(chain::devnet_accounts(4), chain::devnet_default_balance());
    const std::string text = node::genesis_to_json(g);
    auto back = node::parse_genesis_json(text);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, g);
    auto bad = node::parse_genesis_json(R"({"config":{"chainId":"0x1"},"alloc":{"0x12":{"balance":"1"}}})");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("alloc.0x12"), std::string::npos) << bad.error();
    EXPECT_FALSE(node::parse_genesis_json("{not json"));
    EXPECT_FALSE(node::parse_genesis_json(R"({"alloc":{}})"));  // no config
}

TEST(GenesisJson, accepts_geth_style_alloc_keys_and_decimal_balances) {
    const chain::DevAccount v = chain::devnet_validator();
    const auto pub = crypto::secp256k1::public_key(v.private_key).value();
    auto g = node::parse_genesis_json(R"({
      "config": {"chainId": 5, "baseFee": {"type": "eip1559", "initial": "1000000000"}},
      "gasLimit": "0x1c9c380",
      "alloc": {"a94f5374fce5edbc8e2a8697c15331677e6ebf0b": {"balance": "1000000000000000000",
                 "storage": {"0x01": "0x02"}}},
      "validators": [{"publicKey": ")" +
                                      to_0x_hex(pub.view()) + R"(", "address": ")" +
                                      to_0x_hex(v.address.view()) + R"(", "stake": "0x64"}]
    })");
    ASSERT_TRUE(g) << g.error();
    EXPECT_EQ(g->chain_id, 5u);
    EXPECT_EQ(g->gas_limit, 30'000'000u);
    ASSERT_EQ(g->alloc.size(), 1u);
    EXPECT_EQ(g->alloc.begin()->second.balance, uint256(1'000'000'000'000'000'000ull));
    EXPECT_EQ(g->alloc.begin()->second.storage.size(), 1u);
}
