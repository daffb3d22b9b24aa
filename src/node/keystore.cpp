#include "node/keystore.hpp"

#include <nlohmann/json.hpp>

#include "base/hex.hpp"
#include "crypto/kdf.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"

namespace trellis::node {

const char* to_string(KeystoreError e) noexcept {
    switch (e) {
        case KeystoreError::kMalformed: return "malformed key file";
        case KeystoreError::kUnsupported: return "unsupported cipher or key derivation";
        case KeystoreError::kParametersTooLarge: return "key derivation parameters too large";
        case KeystoreError::kWrongPassword: return "wrong password (MAC mismatch)";
        case KeystoreError::kInvalidKey: return "decrypted key is not a valid secp256k1 key";
        case KeystoreError::kCryptoFailure: return "cryptographic failure";
    }
    return "unknown keystore error";
}

namespace {

using nlohmann::json;

Hash32 mac_of(ByteView derived, ByteView ciphertext) {
    Bytes m(derived.begin() + 16, derived.begin() + 32);
    append(m, ciphertext);
    return crypto::keccak256(m);
}

std::string uuid_v4() {
    Bytes r = crypto::random_bytes(16);
    r[6] = uint8_t((r[6] & 0x0f) | 0x40);
    r[8] = uint8_t((r[8] & 0x3f) | 0x80);
    const std::string h = to_hex(r);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace

std::string encrypt_key(const Bytes32& key, const std::string& password, const ScryptParams& params) {
    const Bytes salt = crypto::random_bytes(32);
    const Bytes iv = crypto::random_bytes(16);
    const Bytes derived = crypto::scrypt(as_view(password), salt, params.n, params.r, params.p, 32).value();
    const Bytes ciphertext = crypto::aes128_ctr(ByteView(derived).subspan(0, 16), iv, key.view()).value();
    const auto pub = crypto::secp256k1::public_key(key).value();
    json doc;
    doc["version"] = 3;
    doc["id"] = uuid_v4();
    doc["address"] = to_hex(crypto::secp256k1::address_of(pub).view());
    doc["crypto"] = {
        {"cipher", "aes-128-ctr"},
        {"cipherparams", {{"iv", to_hex(iv)}}},
        {"ciphertext", to_hex(ciphertext)},
        {"kdf", "scrypt"},
        {"kdfparams", {{"dklen", 32}, {"n", params.n}, {"r", params.r}, {"p", params.p}, {"salt", to_hex(salt)}}},
        {"mac", to_hex(mac_of(derived, ciphertext).view())},
    };
    return doc.dump(2) + "\n";
}

Result<Bytes32, KeystoreError> decrypt_key(const std::string& text, const std::string& password) {
    json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != 3) return Unexpected{KeystoreError::kMalformed};
    // go-ethereum writes "crypto"; some old tools wrote "Crypto".
    const json* c = doc.contains("crypto") ? &doc["crypto"] : doc.contains("Crypto") ? &doc["Crypto"] : nullptr;
    if (!c || !c->is_object()) return Unexpected{KeystoreError::kMalformed};
    try {
        if (c->at("cipher").get<std::string>() != "aes-128-ctr") return Unexpected{KeystoreError::kUnsupported};
        auto hex = [](const json& j) {
            auto r = from_hex(j.get<std::string>());
            if (!r) throw std::invalid_argument("hex");
            return std::move(r).value();
        };
        const Bytes iv = hex(c->at("cipherparams").at("iv"));
        const Bytes ciphertext = hex(c->at("ciphertext"));
        const Bytes expected_mac = hex(c->at("mac"));
        const json& kp = c->at("kdfparams");
        const std::string kdf = c->at("kdf").get<std::string>();
        const Bytes salt = hex(kp.at("salt"));
        if (kp.at("dklen").get<uint64_t>() != 32 || iv.size() != 16 || ciphertext.size() != 32 ||
            expected_mac.size() != 32 || salt.size() > 1024)
            return Unexpected{KeystoreError::kMalformed};
        Result<Bytes, crypto::CryptoError> derived = Unexpected{crypto::CryptoError::kInternal};
        if (kdf == "scrypt") {
            const uint64_t n = kp.at("n").get<uint64_t>();
            const uint64_t r = kp.at("r").get<uint64_t>(), p = kp.at("p").get<uint64_t>();
            if (n > (1u << 20) || r == 0 || r > 32 || p == 0 || p > 16 || 128 * r * n > (1ull << 30))
                return Unexpected{KeystoreError::kParametersTooLarge};
            derived = crypto::scrypt(as_view(password), salt, n, uint32_t(r), uint32_t(p), 32);
        } else if (kdf == "pbkdf2") {
            if (kp.at("prf").get<std::string>() != "hmac-sha256") return Unexpected{KeystoreError::kUnsupported};
            const uint64_t iterations = kp.at("c").get<uint64_t>();
            if (iterations == 0 || iterations > 10'000'000) return Unexpected{KeystoreError::kParametersTooLarge};
            derived = crypto::pbkdf2_hmac_sha256(as_view(password), salt, uint32_t(iterations), 32);
        } else {
            return Unexpected{KeystoreError::kUnsupported};
        }
        if (!derived) return Unexpected{KeystoreError::kCryptoFailure};
        if (mac_of(*derived, ciphertext).view().size() != 32 ||
            !equal(mac_of(*derived, ciphertext).view(), expected_mac))
            return Unexpected{KeystoreError::kWrongPassword};
        const auto plain = crypto::aes128_ctr(ByteView(*derived).subspan(0, 16), iv, ciphertext);
        if (!plain) return Unexpected{KeystoreError::kCryptoFailure};
        const Bytes32 key = Bytes32::from(*plain);
        if (!crypto::secp256k1::public_key(key)) return Unexpected{KeystoreError::kInvalidKey};
        return key;
    } catch (const std::exception&) {
        return Unexpected{KeystoreError::kMalformed};
    }
}

std::string keyfile_address(const std::string& text) {
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("address") || !doc["address"].is_string()) return {};
    return doc["address"].get<std::string>();
}

}  // namespace trellis::node
