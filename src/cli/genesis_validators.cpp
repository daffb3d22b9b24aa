#include "cli/genesis_validators.hpp"

#include <map>

#include "base/hex.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/sm2.hpp"
#include "p2p/ca.hpp"
#include "node/config.hpp"

namespace trellis::cli {
namespace {

bool is_decimal(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

/// The legacy PRIVATEKEY_HEX[=STAKE] form.
Result<chain::GenesisValidator, std::string> legacy_spec(const std::string& spec,
                                                         const crypto::CryptoSuite& suite) {
    const auto eq = spec.find('=');
    const auto key = fixed_from_hex<crypto::SuitePrivateKey>(spec.substr(0, eq));
    if (!key) return Unexpected{"--validator " + spec + ": expected key=FILE|0xPUBKEY,stake=N[,cert=FILE]"};
    const auto pub = suite.public_key(*key);
    if (!pub)
        return Unexpected{"--validator " + spec + ": not a valid private key for the " +
                          std::string(suite.name()) + " suite"};
    chain::GenesisValidator v;
    v.public_key = *pub;
    v.address = suite.address_of(*pub);
    v.stake = 100;
    if (eq != std::string::npos) {
        const std::string stake = spec.substr(eq + 1);
        const auto s = parse_uint256(stake);
        if (!s) return Unexpected{"--validator " + spec + ": stake is not a number"};
        v.stake = *s;
    }
    return v;
}

}  // namespace

Result<Hash32, std::string> node_id_of_certificate_file(const std::string& path) {
    auto pem = p2p::ca::read_file(path);
    if (!pem) return Unexpected{"cannot read certificate " + path};
    auto id = p2p::ca::node_id_of_certificate(*pem);
    if (!id) return Unexpected{path + ": " + p2p::ca::to_string(id.error())};
    return *id;
}

Result<chain::GenesisValidator, std::string> parse_validator_spec(const std::string& spec,
                                                                  const crypto::CryptoSuite& suite) {
    if (!spec.starts_with("key=")) return legacy_spec(spec, suite);
    const std::string where = "--validator " + spec + ": ";
    std::map<std::string, std::string> fields;
    size_t pos = 0;
    while (pos <= spec.size()) {
        const size_t comma = std::min(spec.find(',', pos), spec.size());
        const std::string item = spec.substr(pos, comma - pos);
        const auto eq = item.find('=');
        if (eq == std::string::npos) return Unexpected{where + "expected NAME=VALUE, got '" + item + "'"};
        const std::string name = item.substr(0, eq);
        if (name != "key" && name != "stake" && name != "cert")
            return Unexpected{where + "unknown field '" + name + "' (key, stake, cert)"};
        if (!fields.emplace(name, item.substr(eq + 1)).second)
            return Unexpected{where + name + " given twice"};
        pos = comma + 1;
    }
    if (!fields.contains("stake")) return Unexpected{where + "stake=N is required"};

    chain::GenesisValidator v;
    const std::string& key = fields["key"];
    if (key.starts_with("0x") || key.starts_with("0X")) {
        const auto pub = fixed_from_hex<crypto::SuitePublicKey>(key);
        if (!pub)
            return Unexpected{where + "key: expected 0x and 128 hex digits (a 64-byte public key X||Y)"};
        // A point off the curve would make a validator whose votes never verify.
        const bool on_curve = suite.kind() == crypto::SuiteKind::kEthereum
                                  ? crypto::secp256k1::decode_public_key(pub->view()).ok()
                                  : crypto::sm2::decode_public_key(pub->view()).ok();
        if (!on_curve)
            return Unexpected{where + "key: not a point on the " + std::string(suite.name()) +
                              " suite's curve"};
        v.public_key = *pub;
    } else {
        const auto priv = node::load_validator_key(key);
        if (!priv) return Unexpected{where + "key: " + priv.error()};
        const auto pub = suite.public_key(*priv);
        if (!pub)
            return Unexpected{where + "key: " + key + " is not a valid private key for the " +
                              std::string(suite.name()) + " suite"};
        v.public_key = *pub;
    }
    v.address = suite.address_of(v.public_key);
    // Decimal only: a stake is a count, and "0x" would read as a second key.
    if (!is_decimal(fields["stake"])) return Unexpected{where + "stake: expected a decimal number"};
    const auto stake = parse_uint256(fields["stake"]);
    if (!stake) return Unexpected{where + "stake: " + std::string(to_string(stake.error()))};
    if (stake->is_zero()) return Unexpected{where + "stake: must be nonzero"};
    v.stake = *stake;
    if (fields.contains("cert")) {
        auto id = node_id_of_certificate_file(fields["cert"]);
        if (!id) return Unexpected{where + "cert: " + id.error()};
        v.node_id = *id;
    }
    return v;
}

}  // namespace trellis::cli
