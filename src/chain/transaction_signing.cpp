// Signing and sender recovery for transactions (secp256k1 via the crypto module).

#include "chain/transaction.hpp"
#include "crypto/secp256k1.hpp"

namespace trellis::chain {

namespace {

/// The secp256k1 group order n (SEC 2 §2.4.1).
constexpr uint256 kSecp256k1N{0xbfd25e8cd0364141ull, 0xbaaedce6af48a03bull, 0xfffffffffffffffeull,
                              0xffffffffffffffffull};
/// n / 2: EIP-2 rejects s above it, so (r, s) and (r, n - s) cannot both be valid.
constexpr uint256 kSecp256k1HalfN{0xdfe92f46681b20a0ull, 0x5d576e7357a4501dull, 0xffffffffffffffffull,
                                  0x7fffffffffffffffull};

}  // namespace

Result<void, TxError> sign(Transaction& tx, const Bytes32& private_key) {
    auto sig = crypto::secp256k1::sign(signing_hash(tx), private_key);
    // A recovery id of 2 or 3 (x(R) >= n, probability ~2^-127) has no y_parity encoding.
    if (!sig || sig->recovery_id > 1) return Unexpected{TxError::kSigningFailed};
    tx.r = uint256::from_be(sig->r);
    tx.s = uint256::from_be(sig->s);
    tx.y_parity = sig->recovery_id;
    return {};
}

Result<Address, TxError> recover_sender(const Transaction& tx) {
    // Yellow Paper (appendix F): 0 < r < n, 0 < s < n; EIP-2 (Homestead): s <= n/2.
    if (tx.r.is_zero() || tx.s.is_zero() || tx.r >= kSecp256k1N || tx.s >= kSecp256k1N)
        return Unexpected{TxError::kInvalidSignature};
    if (tx.s > kSecp256k1HalfN) return Unexpected{TxError::kHighS};
    if (tx.y_parity > 1) return Unexpected{TxError::kInvalidYParity};
    crypto::secp256k1::Signature sig;
    sig.r = tx.r.to_be();
    sig.s = tx.s.to_be();
    sig.recovery_id = tx.y_parity;
    auto pub = crypto::secp256k1::recover(signing_hash(tx), sig);
    if (!pub) return Unexpected{TxError::kRecoveryFailed};
    return crypto::secp256k1::address_of(*pub);
}

}  // namespace trellis::chain
