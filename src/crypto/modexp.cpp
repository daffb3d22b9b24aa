#include "crypto/modexp.hpp"

#include <gmp.h>

#include <algorithm>
#include <cstring>

namespace trellis::crypto {

const char* to_string(ModexpError e) noexcept {
    switch (e) {
        case ModexpError::kOperandTooLarge: return "modexp: operand length above the limit";
    }
    return "modexp: unknown error";
}

namespace {

/// Owns one GMP integer.
class Mpz {
public:
    Mpz() { mpz_init(v_); }
    ~Mpz() { mpz_clear(v_); }
    Mpz(const Mpz&) = delete;
    Mpz& operator=(const Mpz&) = delete;

    explicit Mpz(ByteView be) : Mpz() {
        if (!be.empty()) mpz_import(v_, be.size(), 1, 1, 1, 0, be.data());
    }
    mpz_ptr get() { return v_; }
    mpz_srcptr get() const { return v_; }

private:
    mpz_t v_;
};

/// Reads a 32-byte big-endian length word; anything that does not fit in
/// 64 bits saturates (it is above every bound anyway).
uint64_t length_word(ByteView w) {
    for (size_t i = 0; i < 24; ++i)
        if (w[i] != 0) return UINT64_MAX;
    uint64_t v = 0;
    for (size_t i = 24; i < 32; ++i) v = (v << 8) | w[i];
    return v;
}

/// input[offset, offset + len) with bytes past the end read as zero (EIP-198).
Bytes padded_slice(ByteView input, uint64_t offset, size_t len) {
    Bytes out(len, 0);
    if (offset < input.size()) {
        const size_t n = std::min<uint64_t>(len, input.size() - offset);
        if (n != 0) std::memcpy(out.data(), input.data() + offset, n);
    }
    return out;
}

}  // namespace

Bytes modexp(ByteView base, ByteView exponent, ByteView modulus) {
    Bytes out(modulus.size(), 0);
    const Mpz m(modulus);
    if (mpz_sgn(m.get()) == 0) return out;  // EIP-198: modulus 0 -> zeros
    const Mpz b(base);
    const Mpz e(exponent);
    Mpz r;
    mpz_powm(r.get(), b.get(), e.get(), m.get());
    // r < m <= 256^modulus.size(), so it fits right-aligned.
    size_t count = 0;
    const size_t bytes = (mpz_sizeinbase(r.get(), 2) + 7) / 8;
    if (mpz_sgn(r.get()) != 0) mpz_export(out.data() + (out.size() - bytes), &count, 1, 1, 1, 0, r.get());
    return out;
}

Result<Bytes, ModexpError> modexp_precompile_output(ByteView input, size_t max_operand_size) {
    uint8_t head[96] = {};
    if (!input.empty()) std::memcpy(head, input.data(), std::min<size_t>(input.size(), 96));
    const uint64_t base_len = length_word(ByteView(head, 32));
    const uint64_t exp_len = length_word(ByteView(head + 32, 32));
    const uint64_t mod_len = length_word(ByteView(head + 64, 32));
    if (mod_len == 0) return Bytes{};
    if (base_len > max_operand_size || exp_len > max_operand_size || mod_len > max_operand_size)
        return Unexpected{ModexpError::kOperandTooLarge};
    // The lengths are bounded now, so these offsets cannot overflow.
    const Bytes base = padded_slice(input, 96, base_len);
    const Bytes exponent = padded_slice(input, 96 + base_len, exp_len);
    const Bytes modulus = padded_slice(input, 96 + base_len + exp_len, mod_len);
    return modexp(base, exponent, modulus);
}

}  // namespace trellis::crypto
