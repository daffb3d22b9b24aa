#pragma once
// `trellis genesis new --validator SPEC --observer CERT`: validators and
// observer nodes from key files, public keys and node certificates.

#include <string>

#include "base/result.hpp"
#include "chain/genesis.hpp"
#include "crypto/suite.hpp"

namespace trellis::cli {

/// Parses one --validator SPEC for suite:
///   key=<validator key file | 0x public key>,stake=<decimal>[,cert=<node certificate PEM file>]
/// A key file holds the 64-hex-digit private key (node::load_validator_key's
/// format); a public key is 0x + 128 hex digits (X || Y). The address is the
/// suite's address of the public key; node_id comes from the certificate
/// (zero without one). The legacy form PRIVATEKEY_HEX[=STAKE] (stake 100 by
/// default) is still accepted. Errors are one line naming the SPEC.
Result<chain::GenesisValidator, std::string> parse_validator_spec(const std::string& spec,
                                                                  const crypto::CryptoSuite& suite);

/// The node id of the certificate in the PEM file (p2p::ca::node_id_of_certificate).
Result<Hash32, std::string> node_id_of_certificate_file(const std::string& path);

}  // namespace trellis::cli
