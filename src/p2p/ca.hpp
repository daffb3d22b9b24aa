#pragma once
// The consortium's certificate authority (DESIGN.md §4: "every node has a
// certificate from the consortium CA (`trellis ca`)"). Operator tooling:
// make a self-signed CA once, then issue one certificate per node. The p2p
// transport verifies peers against the CA certificate and identifies a node
// by the SHA-256 of its certificate's public key (SPKI), so a node keeps its
// identity when its certificate is re-issued for the same key.
//
// Keys are ECDSA P-256 (the curve every TLS 1.3 stack offers); certificates
// are X.509 v3 signed with ECDSA-SHA256. OpenSSL 3 EVP/X509 API.

#include <filesystem>
#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace trellis::p2p::ca {

enum class CaError {
    kIo,             ///< a file could not be read or written
    kExists,         ///< the file to create exists already (never overwritten)
    kBadName,        ///< node name not 1..64 of [A-Za-z0-9._-] (it names files and the SAN)
    kMalformed,      ///< a file is not a PEM certificate or key
    kCryptoFailure,  ///< OpenSSL failed to generate, sign or encode
    kNotIssuedByCa,  ///< the certificate does not verify against the CA (wrong CA, bad signature, expired)
    kKeyMismatch,    ///< the CA key does not belong to the CA certificate
};
const char* to_string(CaError e) noexcept;

/// File names inside a CA directory and an issue output directory.
inline constexpr const char* kCaCertFile = "ca.crt";
inline constexpr const char* kCaKeyFile = "ca.key";

/// Validity of the CA certificate: ten years.
inline constexpr int kCaValidDays = 3650;
/// Validity of a node certificate: two years (re-issue for the same key keeps the node id).
inline constexpr int kNodeValidDays = 730;

/// Creates dir (if needed) with ca.crt (self-signed, CA:TRUE, keyCertSign) and
/// ca.key (mode 0600). kExists if ca.key or ca.crt is already there.
Result<void, CaError> init_ca(const std::filesystem::path& dir,
                              const std::string& common_name = "Trellis consortium CA",
                              int valid_days = kCaValidDays);

struct IssuedNode {
    std::filesystem::path cert_file;  ///< out/NAME.crt
    std::filesystem::path key_file;   ///< out/NAME.key, mode 0600
    std::filesystem::path ca_file;    ///< out/ca.crt (a copy of the CA certificate)
    Hash32 node_id;                   ///< node_id_of_certificate(cert)
};

/// Issues a certificate for node `name` with a fresh P-256 key, signed by the
/// CA in ca_dir: subject CN = name, SAN DNS:name, EKU serverAuth + clientAuth
/// (a node is both ends of TLS connections). Writes NAME.crt, NAME.key and
/// ca.crt into out_dir (created if needed). kExists if NAME.key or NAME.crt
/// exists; an existing ca.crt is replaced (it is public).
Result<IssuedNode, CaError> issue_node(const std::filesystem::path& ca_dir, const std::string& name,
                                       const std::filesystem::path& out_dir, int valid_days = kNodeValidDays);

/// The node id: SHA-256 of the DER SubjectPublicKeyInfo of the certificate
/// in cert_pem (the same hash the p2p transport takes of a TLS peer).
Result<Hash32, CaError> node_id_of_certificate(const std::string& cert_pem);

/// Ok when cert_pem chains to ca_pem (signature, validity dates) and may be
/// used as a TLS client and server (EKU).
Result<void, CaError> verify_node_certificate(const std::string& ca_pem, const std::string& cert_pem);

/// Whole file as a string (kIo when unreadable).
Result<std::string, CaError> read_file(const std::filesystem::path& path);

}  // namespace trellis::p2p::ca
