#include "node/genesis_json.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/hex.hpp"

namespace trellis::node {
namespace {

using nlohmann::json;

struct GenesisJsonError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& field, const std::string& why) {
    throw GenesisJsonError(field + ": " + why);
}

const json& member(const json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) fail(where + "." + key, "missing");
    return j.at(key);
}

uint256 quantity(const json& j, const std::string& field) {
    if (j.is_number_unsigned()) return uint256(j.get<uint64_t>());
    if (!j.is_string()) fail(field, "expected a number or a 0x-hex / decimal string");
    const auto r = parse_uint256(j.get<std::string>());
    if (!r) fail(field, to_string(r.error()));
    return *r;
}

uint64_t quantity64(const json& j, const std::string& field) {
    const uint256 v = quantity(j, field);
    if (!v.fits_u64()) fail(field, "does not fit in 64 bits");
    return uint64_t(v);
}

Bytes data(const json& j, const std::string& field) {
    if (!j.is_string()) fail(field, "expected a 0x-hex string");
    auto r = from_hex(j.get<std::string>());
    if (!r) fail(field, to_string(r.error()));
    return std::move(r).value();
}

template <class Fixed>
Fixed fixed(const json& j, const std::string& field) {
    if (!j.is_string()) fail(field, "expected a 0x-hex string");
    std::string s = j.get<std::string>();
    auto r = fixed_from_hex<Fixed>(s);
    if (!r) fail(field, std::string(to_string(r.error())) + " (expected " + std::to_string(Fixed::kSize) + " bytes)");
    return *r;
}

/// A storage key or value: a quantity up to 32 bytes, left-padded.
Bytes32 word(const std::string& s, const std::string& field) {
    const auto r = parse_uint256(s);
    if (!r) fail(field, to_string(r.error()));
    return r->to_be();
}

chain::BaseFeeRule base_fee_rule(const json& j) {
    const std::string type = j.value("type", "fixed");
    if (type == "fixed") return chain::FixedBaseFee{j.contains("value") ? quantity(j["value"], "config.baseFee.value") : uint256()};
    if (type == "eip1559") {
        chain::Eip1559BaseFee r;
        r.initial = quantity(member(j, "initial", "config.baseFee"), "config.baseFee.initial");
        if (j.contains("elasticityMultiplier"))
            r.elasticity_multiplier = quantity64(j["elasticityMultiplier"], "config.baseFee.elasticityMultiplier");
        if (j.contains("changeDenominator"))
            r.change_denominator = quantity64(j["changeDenominator"], "config.baseFee.changeDenominator");
        if (j.contains("minBaseFee")) r.min_base_fee = quantity(j["minBaseFee"], "config.baseFee.minBaseFee");
        return r;
    }
    fail("config.baseFee.type", "must be \"fixed\" or \"eip1559\"");
}

chain::Genesis parse(const json& doc) {
    if (!doc.is_object()) fail("genesis", "expected a JSON object");
    chain::Genesis g;
    const json& config = member(doc, "config", "genesis");
    g.chain_id = quantity64(member(config, "chainId", "config"), "config.chainId");
    if (config.contains("cryptoSuite")) g.crypto_suite = config["cryptoSuite"].get<std::string>();
    if (config.contains("evmRevision")) g.evm_revision = config["evmRevision"].get<std::string>();
    if (config.contains("baseFee")) g.base_fee = base_fee_rule(config["baseFee"]);
    if (doc.contains("timestamp")) g.timestamp = quantity64(doc["timestamp"], "timestamp");
    if (doc.contains("gasLimit")) g.gas_limit = quantity64(doc["gasLimit"], "gasLimit");
    if (doc.contains("extraData")) g.extra_data = data(doc["extraData"], "extraData");
    if (doc.contains("alloc")) {
        for (const auto& [key, acc] : doc["alloc"].items()) {
            const std::string where = "alloc." + key;
            std::string hex = key.rfind("0x", 0) == 0 || key.rfind("0X", 0) == 0 ? key : "0x" + key;
            const Address a = fixed<Address>(json(hex), where);
            chain::GenesisAccount ga;
            if (acc.contains("balance")) ga.balance = quantity(acc["balance"], where + ".balance");
            if (acc.contains("nonce")) ga.nonce = quantity64(acc["nonce"], where + ".nonce");
            if (acc.contains("code")) ga.code = data(acc["code"], where + ".code");
            if (acc.contains("storage")) {
                for (const auto& [k, v] : acc["storage"].items()) {
                    if (!v.is_string()) fail(where + ".storage." + k, "expected a hex string");
                    const Bytes32 value = word(v.get<std::string>(), where + ".storage." + k);
                    if (!value.is_zero()) ga.storage[word(k, where + ".storage")] = value;
                }
            }
            if (!g.alloc.emplace(a, std::move(ga)).second) fail(where, "listed twice");
        }
    }
    if (doc.contains("validators")) {
        size_t i = 0;
        for (const auto& v : doc["validators"]) {
            const std::string where = "validators[" + std::to_string(i++) + "]";
            chain::GenesisValidator gv;
            gv.public_key = fixed<crypto::SuitePublicKey>(member(v, "publicKey", where), where + ".publicKey");
            gv.address = fixed<Address>(member(v, "address", where), where + ".address");
            gv.stake = quantity(member(v, "stake", where), where + ".stake");
            if (v.contains("nodeId")) {
                gv.node_id = fixed<Hash32>(v["nodeId"], where + ".nodeId");
                for (size_t k = 0; k < g.validators.size(); ++k)
                    if (!gv.node_id.is_zero() && g.validators[k].node_id == gv.node_id)
                        fail(where + ".nodeId", "same node id as validators[" + std::to_string(k) + "]");
            }
            g.validators.push_back(gv);
        }
    }
    if (doc.contains("observerNodes")) {
        const json& obs = doc["observerNodes"];
        if (!obs.is_array()) fail("observerNodes", "expected an array of 0x-hex node ids");
        for (size_t i = 0; i < obs.size(); ++i) {
            const std::string where = "observerNodes[" + std::to_string(i) + "]";
            const Hash32 id = fixed<Hash32>(obs[i], where);
            if (id.is_zero()) fail(where, "node id is zero");
            for (size_t k = 0; k < g.validators.size(); ++k)
                if (g.validators[k].node_id == id) fail(where, "same node id as validators[" + std::to_string(k) + "]");
            for (size_t k = 0; k < g.observer_nodes.size(); ++k)
                if (g.observer_nodes[k] == id) fail(where, "same node id as observerNodes[" + std::to_string(k) + "]");
            g.observer_nodes.push_back(id);
        }
    }
    if (auto ok = chain::validate_genesis(g); !ok) fail("genesis", chain::to_string(ok.error()));
    return g;
}

std::string hexq(const uint256& v) { return to_hex_quantity(v); }

}  // namespace

Result<chain::Genesis, std::string> parse_genesis_json(const std::string& text) {
    try {
        return parse(json::parse(text));
    } catch (const GenesisJsonError& e) {
        return Unexpected{std::string(e.what())};
    } catch (const json::exception& e) {
        return Unexpected{std::string("genesis: ") + e.what()};
    }
}

Result<chain::Genesis, std::string> load_genesis_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Unexpected{"cannot read genesis file " + path};
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_genesis_json(ss.str());
}

std::string genesis_to_json(const chain::Genesis& g) {
    json doc;
    json config;
    config["chainId"] = g.chain_id;
    config["cryptoSuite"] = g.crypto_suite;
    config["evmRevision"] = g.evm_revision;
    if (const auto* fixed_fee = std::get_if<chain::FixedBaseFee>(&g.base_fee)) {
        config["baseFee"] = {{"type", "fixed"}, {"value", hexq(fixed_fee->value)}};
    } else {
        const auto& r = std::get<chain::Eip1559BaseFee>(g.base_fee);
        config["baseFee"] = {{"type", "eip1559"},
                             {"initial", hexq(r.initial)},
                             {"elasticityMultiplier", r.elasticity_multiplier},
                             {"changeDenominator", r.change_denominator},
                             {"minBaseFee", hexq(r.min_base_fee)}};
    }
    doc["config"] = config;
    doc["timestamp"] = hexq(uint256(g.timestamp));
    doc["gasLimit"] = hexq(uint256(g.gas_limit));
    doc["extraData"] = to_0x_hex(g.extra_data);
    json alloc = json::object();
    for (const auto& [a, acc] : g.alloc) {
        json j;
        j["balance"] = hexq(acc.balance);
        if (acc.nonce) j["nonce"] = hexq(uint256(acc.nonce));
        if (!acc.code.empty()) j["code"] = to_0x_hex(acc.code);
        if (!acc.storage.empty()) {
            json s = json::object();
            for (const auto& [k, v] : acc.storage) s[to_0x_hex(k.view())] = to_0x_hex(v.view());
            j["storage"] = s;
        }
        alloc[to_0x_hex(a.view())] = j;
    }
    doc["alloc"] = alloc;
    json validators = json::array();
    for (const auto& v : g.validators) {
        json j = {{"publicKey", to_0x_hex(v.public_key.view())}, {"address", to_0x_hex(v.address.view())}, {"stake", hexq(v.stake)}};
        if (!v.node_id.is_zero()) j["nodeId"] = to_0x_hex(v.node_id.view());
        validators.push_back(j);
    }
    doc["validators"] = validators;
    if (!g.observer_nodes.empty()) {
        json obs = json::array();
        for (const Hash32& id : g.observer_nodes) obs.push_back(to_0x_hex(id.view()));
        doc["observerNodes"] = obs;
    }
    return doc.dump(2) + "\n";
}

}  // namespace trellis::node
