// The EC_KEY/ECDSA_SIG interfaces are deprecated in OpenSSL 3 but remain the
// direct way to verify a raw (r, s) over a caller-supplied digest.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "crypto/p256.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include <memory>

namespace trellis::crypto {
namespace {

struct Curve {
    EC_GROUP* group = nullptr;
    BIGNUM* order = nullptr;
    BIGNUM* prime = nullptr;
    Curve() {
        group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
        order = BN_new();
        prime = BN_new();
        if (group) {
            EC_GROUP_get_order(group, order, nullptr);
            EC_GROUP_get_curve(group, prime, nullptr, nullptr, nullptr);
        }
    }
};

const Curve& curve() {
    static const Curve c;  // immutable after construction; shared by all threads
    return c;
}

template <class T, void (*F)(T*)>
struct Free {
    void operator()(T* p) const noexcept { F(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Free<BIGNUM, BN_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Free<EC_POINT, EC_POINT_free>>;
using KeyPtr = std::unique_ptr<EC_KEY, Free<EC_KEY, EC_KEY_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Free<ECDSA_SIG, ECDSA_SIG_free>>;

BIGNUM* to_bn(const Bytes32& b) { return BN_bin2bn(b.data(), 32, nullptr); }

}  // namespace

bool p256_verify(const Hash32& digest, const Bytes32& r, const Bytes32& s, const Bytes32& x,
                 const Bytes32& y) noexcept {
    const Curve& c = curve();
    if (!c.group) return false;
    BnPtr rb(to_bn(r)), sb(to_bn(s)), xb(to_bn(x)), yb(to_bn(y));
    if (!rb || !sb || !xb || !yb) return false;
    if (BN_is_zero(rb.get()) || BN_is_zero(sb.get()) || BN_cmp(rb.get(), c.order) >= 0 ||
        BN_cmp(sb.get(), c.order) >= 0)
        return false;
    if (BN_cmp(xb.get(), c.prime) >= 0 || BN_cmp(yb.get(), c.prime) >= 0) return false;
    PointPtr point(EC_POINT_new(c.group));
    if (!point || EC_POINT_set_affine_coordinates(c.group, point.get(), xb.get(), yb.get(), nullptr) != 1)
        return false;  // not on the curve
    if (EC_POINT_is_at_infinity(c.group, point.get())) return false;
    KeyPtr key(EC_KEY_new());
    if (!key || EC_KEY_set_group(key.get(), c.group) != 1 || EC_KEY_set_public_key(key.get(), point.get()) != 1)
        return false;
    SigPtr sig(ECDSA_SIG_new());
    if (!sig || ECDSA_SIG_set0(sig.get(), rb.release(), sb.release()) != 1) return false;
    return ECDSA_do_verify(digest.data(), 32, sig.get(), key.get()) == 1;
}

}  // namespace trellis::crypto
