#include "consensus/signer.hpp"

namespace trellis::consensus {

SuiteScheme::SuiteScheme(const crypto::CryptoSuite& suite, std::optional<crypto::SuitePrivateKey> key)
    : suite_(&suite), key_(key) {}

Bytes SuiteScheme::sign(const Hash32& digest) const {
    if (!key_) return {};
    auto sig = suite_->sign(digest, *key_);
    if (!sig) return {};
    Bytes out;
    out.reserve(129);
    append(out, sig->r.view());
    append(out, sig->s.view());
    out.push_back(sig->recovery_id);
    if (sig->public_key) append(out, sig->public_key->view());
    return out;
}

bool SuiteScheme::verify(ByteView public_key, const Hash32& digest, ByteView sig) const {
    if (public_key.size() != 64) return false;
    const bool sm = suite_->kind() == crypto::SuiteKind::kSm;
    if (sig.size() != (sm ? 129u : 65u)) return false;
    crypto::SuiteSignature s;
    s.r = Bytes32::from(sig.subspan(0, 32));
    s.s = Bytes32::from(sig.subspan(32, 32));
    s.recovery_id = sig[64];
    if (sm) s.public_key = crypto::SuitePublicKey::from(sig.subspan(65, 64));
    return suite_->verify(digest, s, crypto::SuitePublicKey::from(public_key));
}

std::optional<Bytes> SuiteScheme::public_key() const {
    if (!key_) return std::nullopt;
    auto pub = suite_->public_key(*key_);
    if (!pub) return std::nullopt;
    return to_bytes(pub->view());
}

}  // namespace trellis::consensus
