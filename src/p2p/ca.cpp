#include "p2p/ca.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <sstream>

#include "crypto/hash.hpp"

namespace trellis::p2p::ca {
namespace {

namespace fs = std::filesystem;

struct X509Free {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct StoreFree {
    void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
};
struct StoreCtxFree {
    void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

bool valid_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.') return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

PkeyPtr generate_p256() {
    return PkeyPtr(EVP_EC_gen("P-256"));
}

X509Ptr parse_cert(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return nullptr;
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr parse_key(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return nullptr;
    return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string bio_string(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string cert_pem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
    return bio_string(bio.get());
}

std::string key_pem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    return bio_string(bio.get());
}

/// Writes a new file; a secret one is created 0600 from the start (not
/// chmod-ed after the fact, when it would briefly be readable).
Result<void, CaError> write_new_file(const fs::path& path, const std::string& text, bool secret,
                                     bool replace) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : O_EXCL);
    const int fd = ::open(path.c_str(), flags, secret ? 0600 : 0644);
    if (fd < 0) return Unexpected{errno == EEXIST ? CaError::kExists : CaError::kIo};
    if (secret && ::fchmod(fd, 0600) != 0) {
        ::close(fd);
        return Unexpected{CaError::kIo};
    }
    size_t off = 0;
    while (off < text.size()) {
        const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return Unexpected{CaError::kIo};
        }
        off += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) return Unexpected{CaError::kIo};
    return {};
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) return false;
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1;
}

/// A positive random 127-bit serial (RFC 5280 §4.1.2.2: unique per CA, <= 20 octets).
bool set_random_serial(X509* cert) {
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1) return false;
    raw[0] &= 0x7f;
    raw[0] |= 0x01;  // never zero, never negative
    BIGNUM* bn = BN_bin2bn(raw, sizeof raw, nullptr);
    if (!bn) return false;
    const bool ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
    BN_free(bn);
    return ok;
}

/// A certificate skeleton: version 3, serial, subject CN, validity from now.
X509Ptr new_cert(const std::string& cn, EVP_PKEY* subject_key, int valid_days) {
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !set_random_serial(cert.get()))
        return nullptr;
    // Back-date by an hour so nodes with slightly skewed clocks accept a fresh certificate.
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert.get()), valid_days, 0, nullptr))
        return nullptr;
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("Trellis"), -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1)
        return nullptr;
    if (X509_set_pubkey(cert.get(), subject_key) != 1) return nullptr;
    return cert;
}

Hash32 spki_hash(X509* cert) {
    const EVP_PKEY* key = X509_get0_pubkey(cert);
    unsigned char* der = nullptr;
    const int n = key ? i2d_PUBKEY(const_cast<EVP_PKEY*>(key), &der) : -1;
    if (n <= 0) return Hash32{};
    const Hash32 h = crypto::sha256(ByteView(der, static_cast<size_t>(n)));
    OPENSSL_free(der);
    return h;
}

}  // namespace

const char* to_string(CaError e) noexcept {
    switch (e) {
        case CaError::kIo:
            return "file read or write failed";
        case CaError::kExists:
            return "file exists already (not overwritten)";
        case CaError::kBadName:
            return "node name must be 1..64 characters of [A-Za-z0-9._-], not starting with '.'";
        case CaError::kMalformed:
            return "not a PEM certificate or private key";
        case CaError::kCryptoFailure:
            return "OpenSSL failure";
        case CaError::kNotIssuedByCa:
            return "certificate does not verify against the CA";
        case CaError::kKeyMismatch:
            return "CA key does not match the CA certificate";
    }
    return "unknown CA error";
}

Result<std::string, CaError> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Unexpected{CaError::kIo};
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Unexpected{CaError::kIo};
    return ss.str();
}

Result<void, CaError> init_ca(const fs::path& dir, const std::string& common_name, int valid_days) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Unexpected{CaError::kIo};
    if (fs::exists(dir / kCaKeyFile) || fs::exists(dir / kCaCertFile)) return Unexpected{CaError::kExists};
    PkeyPtr key = generate_p256();
    if (!key) return Unexpected{CaError::kCryptoFailure};
    X509Ptr cert = new_cert(common_name, key.get(), valid_days);
    if (!cert) return Unexpected{CaError::kCryptoFailure};
    // Self-signed: issuer = subject. RFC 5280 §4.2.1.9: CA:TRUE, critical; pathlen 0
    // because the consortium CA signs node certificates directly.
    if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1 ||
        !add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash") ||
        X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        return Unexpected{CaError::kCryptoFailure};
    const std::string kp = key_pem(key.get());
    const std::string cp = cert_pem(cert.get());
    if (kp.empty() || cp.empty()) return Unexpected{CaError::kCryptoFailure};
    if (auto r = write_new_file(dir / kCaKeyFile, kp, true, false); !r) return r;
    return write_new_file(dir / kCaCertFile, cp, false, false);
}

Result<IssuedNode, CaError> issue_node(const fs::path& ca_dir, const std::string& name,
                                       const fs::path& out_dir, int valid_days) {
    if (!valid_name(name)) return Unexpected{CaError::kBadName};
    auto ca_cert_text = read_file(ca_dir / kCaCertFile);
    if (!ca_cert_text) return Unexpected{ca_cert_text.error()};
    auto ca_key_text = read_file(ca_dir / kCaKeyFile);
    if (!ca_key_text) return Unexpected{ca_key_text.error()};
    X509Ptr ca_cert = parse_cert(*ca_cert_text);
    PkeyPtr ca_key = parse_key(*ca_key_text);
    if (!ca_cert || !ca_key) return Unexpected{CaError::kMalformed};
    if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) return Unexpected{CaError::kKeyMismatch};

    IssuedNode out;
    out.cert_file = out_dir / (name + ".crt");
    out.key_file = out_dir / (name + ".key");
    out.ca_file = out_dir / kCaCertFile;
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) return Unexpected{CaError::kIo};
    if (fs::exists(out.cert_file) || fs::exists(out.key_file)) return Unexpected{CaError::kExists};

    PkeyPtr key = generate_p256();
    if (!key) return Unexpected{CaError::kCryptoFailure};
    X509Ptr cert = new_cert(name, key.get(), valid_days);
    if (!cert) return Unexpected{CaError::kCryptoFailure};
    const std::string san = "DNS:" + name;
    if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) != 1 ||
        !add_ext(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature") ||
        !add_ext(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth,clientAuth") ||
        !add_ext(cert.get(), ca_cert.get(), NID_subject_alt_name, san.c_str()) ||
        !add_ext(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash") ||
        !add_ext(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always") ||
        X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0)
        return Unexpected{CaError::kCryptoFailure};

    const std::string kp = key_pem(key.get());
    const std::string cp = cert_pem(cert.get());
    if (kp.empty() || cp.empty()) return Unexpected{CaError::kCryptoFailure};
    if (auto r = write_new_file(out.key_file, kp, true, false); !r) return Unexpected{r.error()};
    if (auto r = write_new_file(out.cert_file, cp, false, false); !r) return Unexpected{r.error()};
    if (fs::absolute(out.ca_file) != fs::absolute(ca_dir / kCaCertFile)) {
        if (auto r = write_new_file(out.ca_file, *ca_cert_text, false, true); !r)
            return Unexpected{r.error()};
    }
    out.node_id = spki_hash(cert.get());
    return out;
}

Result<Hash32, CaError> node_id_of_certificate(const std::string& pem) {
    X509Ptr cert = parse_cert(pem);
    if (!cert) return Unexpected{CaError::kMalformed};
    if (!X509_get0_pubkey(cert.get())) return Unexpected{CaError::kMalformed};
    return spki_hash(cert.get());
}

Result<void, CaError> verify_node_certificate(const std::string& ca_pem, const std::string& pem) {
    X509Ptr ca = parse_cert(ca_pem);
    X509Ptr cert = parse_cert(pem);
    if (!ca || !cert) return Unexpected{CaError::kMalformed};
    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
    if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
        X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1)
        return Unexpected{CaError::kCryptoFailure};
    // Both purposes: a node accepts connections (server) and dials (client).
    for (const int purpose : {X509_PURPOSE_SSL_CLIENT, X509_PURPOSE_SSL_SERVER}) {
        X509_STORE_CTX_cleanup(ctx.get());
        if (X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1)
            return Unexpected{CaError::kCryptoFailure};
        X509_STORE_CTX_set_purpose(ctx.get(), purpose);
        if (X509_verify_cert(ctx.get()) != 1) return Unexpected{CaError::kNotIssuedByCa};
    }
    return {};
}

}  // namespace trellis::p2p::ca
