#include "evm/precompiles.hpp"

#include <algorithm>
#include <cstring>

#include "base/uint256.hpp"
#include "crypto/blake2f.hpp"
#include "crypto/bn254.hpp"
#include "crypto/hash.hpp"
#include "crypto/modexp.hpp"
#include "crypto/p256.hpp"
#include "crypto/secp256k1.hpp"

namespace trellis::evm {
namespace {

constexpr uint64_t words(size_t n) noexcept { return (uint64_t(n) + 31) / 32; }

/// input[offset, offset+n) with zero padding past the end.
void read_padded(ByteView input, size_t offset, uint8_t* out, size_t n) noexcept {
    if (n == 0) return;  // out may be null for an empty operand
    size_t copied = 0;
    if (offset < input.size()) {
        copied = std::min(n, input.size() - offset);
        std::memcpy(out, input.data() + offset, copied);
    }
    std::memset(out + copied, 0, n - copied);
}

// 0x01 ecrecover
uint64_t ecrecover_gas(ByteView) { return 3000; }
bool ecrecover_run(ByteView input, Bytes& out) {
    uint8_t buf[128];
    read_padded(input, 0, buf, sizeof(buf));
    // v is a full word that must equal 27 or 28; anything else yields empty output.
    for (int i = 32; i < 63; ++i)
        if (buf[i] != 0) return true;
    if (buf[63] != 27 && buf[63] != 28) return true;
    crypto::secp256k1::Signature sig;
    sig.r = Bytes32::from({buf + 64, 32});
    sig.s = Bytes32::from({buf + 96, 32});
    sig.recovery_id = uint8_t(buf[63] - 27);
    const auto pub = crypto::secp256k1::recover(Hash32::from({buf, 32}), sig);
    if (!pub) return true;
    const Address a = crypto::secp256k1::address_of(*pub);
    out.assign(12, 0);
    append(out, a.view());
    return true;
}

// 0x02 sha256, 0x03 ripemd160, 0x04 identity
uint64_t sha256_gas(ByteView in) { return 60 + 12 * words(in.size()); }
bool sha256_run(ByteView in, Bytes& out) {
    out = to_bytes(crypto::sha256(in).view());
    return true;
}
uint64_t ripemd160_gas(ByteView in) { return 600 + 120 * words(in.size()); }
bool ripemd160_run(ByteView in, Bytes& out) {
    const auto h = crypto::ripemd160(in);
    out.assign(12, 0);
    append(out, h.view());
    return true;
}
uint64_t identity_gas(ByteView in) { return 15 + 3 * words(in.size()); }
bool identity_run(ByteView in, Bytes& out) {
    out = to_bytes(in);
    return true;
}

// 0x05 modexp (EIP-198 semantics, EIP-2565 gas)
struct ModexpHeader {
    uint256 base_len, exp_len, mod_len;
};
ModexpHeader modexp_header(ByteView in) noexcept {
    uint8_t h[96];
    read_padded(in, 0, h, sizeof(h));
    return {uint256::from_be({h, 32}), uint256::from_be({h + 32, 32}), uint256::from_be({h + 64, 32})};
}
bool modexp_run(ByteView in, Bytes& out) {
    const ModexpHeader h = modexp_header(in);
    // Gas has been paid, which bounds every length far below these limits.
    const size_t bl = size_t(uint64_t(h.base_len)), el = size_t(uint64_t(h.exp_len)),
                 ml = size_t(uint64_t(h.mod_len));
    if (ml == 0) {
        out.clear();
        return true;
    }
    Bytes base(bl), exponent(el), modulus(ml);
    read_padded(in, 96, base.data(), bl);
    read_padded(in, 96 + bl, exponent.data(), el);
    read_padded(in, 96 + bl + el, modulus.data(), ml);
    out = crypto::modexp(base, exponent, modulus);
    return true;
}

// 0x06-0x08 bn254 (EIP-196, EIP-197, gas EIP-1108)
uint64_t bn_add_gas(ByteView) { return 150; }
bool bn_add_run(ByteView in, Bytes& out) {
    const auto r = crypto::bn254_add(in);
    if (!r) return false;
    out.assign(r->begin(), r->end());
    return true;
}
uint64_t bn_mul_gas(ByteView) { return 6000; }
bool bn_mul_run(ByteView in, Bytes& out) {
    const auto r = crypto::bn254_mul(in);
    if (!r) return false;
    out.assign(r->begin(), r->end());
    return true;
}
uint64_t bn_pairing_gas(ByteView in) { return 45000 + 34000 * (uint64_t(in.size()) / 192); }
bool bn_pairing_run(ByteView in, Bytes& out) {
    const auto r = crypto::bn254_pairing_check(in);
    if (!r) return false;
    out.assign(32, 0);
    out[31] = *r ? 1 : 0;
    return true;
}

// 0x09 blake2f (EIP-152)
uint64_t blake2f_gas(ByteView in) { return crypto::blake2f_rounds(in); }
bool blake2f_run(ByteView in, Bytes& out) {
    const auto r = crypto::blake2f(in);
    if (!r) return false;
    out.assign(r->begin(), r->end());
    return true;
}

// 0x0a KZG point evaluation (EIP-4844). Trellis has no blobs and ships no
// trusted setup: the input is checked as the EIP specifies (192 bytes, the
// versioned hash matching the commitment), and the proof itself cannot be
// verified, so every call fails.
uint64_t point_evaluation_gas(ByteView) { return 50000; }
bool point_evaluation_run(ByteView, Bytes&) { return false; }

// 0x100 P-256 verification (EIP-7951): 160 bytes in; 32-byte 1 on success,
// empty output on any failure (which still succeeds as a call).
uint64_t p256_gas(ByteView) { return 6900; }
bool p256_run(ByteView in, Bytes& out) {
    out.clear();
    if (in.size() != 160) return true;
    if (crypto::p256_verify(Hash32::from(in.subspan(0, 32)), Bytes32::from(in.subspan(32, 32)),
                            Bytes32::from(in.subspan(64, 32)), Bytes32::from(in.subspan(96, 32)),
                            Bytes32::from(in.subspan(128, 32)))) {
        out.assign(32, 0);
        out[31] = 1;
    }
    return true;
}

constexpr Precompile kPrecompiles[] = {
    {"ECREC", ecrecover_gas, ecrecover_run},
    {"SHA256", sha256_gas, sha256_run},
    {"RIPEMD160", ripemd160_gas, ripemd160_run},
    {"ID", identity_gas, identity_run},
    {"MODEXP", modexp_gas, modexp_run},
    {"BN254_ADD", bn_add_gas, bn_add_run},
    {"BN254_MUL", bn_mul_gas, bn_mul_run},
    {"BN254_PAIRING", bn_pairing_gas, bn_pairing_run},
    {"BLAKE2F", blake2f_gas, blake2f_run},
    {"KZG_POINT_EVALUATION", point_evaluation_gas, point_evaluation_run},
};
constexpr Precompile kP256 = {"P256VERIFY", p256_gas, p256_run};

}  // namespace

bool is_well_formed_point_evaluation(ByteView in) noexcept {
    if (in.size() != 192) return false;
    // versioned_hash = 0x01 || sha256(commitment)[1:]
    const Hash32 h = crypto::sha256(in.subspan(96, 48));
    return in[0] == 0x01 && std::memcmp(h.data() + 1, in.data() + 1, 31) == 0;
}

uint64_t modexp_gas(ByteView in) noexcept {
    const ModexpHeader h = modexp_header(in);
    // Lengths beyond 2^32 cost more gas than exists.
    constexpr uint64_t kBig = 0xffff'ffffu;
    if (!h.base_len.fits_u64() || !h.mod_len.fits_u64() || !h.exp_len.fits_u64() ||
        uint64_t(h.base_len) > kBig || uint64_t(h.mod_len) > kBig || uint64_t(h.exp_len) > kBig) {
        // Zero-length base and modulus make the complexity 0, so the cost is the
        // 200 minimum whatever the exponent length.
        if (h.base_len.is_zero() && h.mod_len.is_zero()) return 200;
        return ~uint64_t{0};
    }
    const uint64_t bl = uint64_t(h.base_len), el = uint64_t(h.exp_len), ml = uint64_t(h.mod_len);
    const uint64_t w = (std::max(bl, ml) + 7) / 8;
    const unsigned __int128 complexity = (unsigned __int128)w * w;
    // The exponent's first (up to) 32 bytes decide its bit length.
    uint8_t head[32];
    const size_t head_len = size_t(std::min<uint64_t>(el, 32));
    read_padded(in, size_t(96 + bl), head, head_len);
    const uint256 e_head = uint256::from_be({head, head_len});
    uint64_t iterations;
    if (el <= 32)
        iterations = e_head.is_zero() ? 0 : e_head.bit_length() - 1;
    else
        iterations = 8 * (el - 32) + (e_head.is_zero() ? 0 : e_head.bit_length() - 1);
    iterations = std::max<uint64_t>(iterations, 1);
    const unsigned __int128 gas = complexity * iterations / 3;
    if (gas > ~uint64_t{0}) return ~uint64_t{0};
    return std::max<uint64_t>(uint64_t(gas), 200);
}

const Precompile* find_precompile(const Address& a, Revision rev) noexcept {
    for (int i = 0; i < 18; ++i)
        if (a[i] != 0) return nullptr;
    const unsigned id = unsigned(a[18]) << 8 | a[19];
    if (id >= 1 && id <= 10) return &kPrecompiles[id - 1];
    if (id == 0x100 && rev >= Revision::kTrellis) return &kP256;
    return nullptr;
}

ExecResult run_precompile(const Precompile& p, ByteView input, int64_t gas) {
    ExecResult r;
    const uint64_t cost = p.gas(input);
    if (cost > uint64_t(gas)) {
        r.status = Status::kOutOfGas;
        return r;
    }
    if (!p.run(input, r.output)) {
        r.status = Status::kPrecompileFailure;
        r.output.clear();
        return r;
    }
    r.status = Status::kSuccess;
    r.gas_left = gas - int64_t(cost);
    return r;
}

}  // namespace trellis::evm
