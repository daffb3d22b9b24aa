// Randomised differential test of trellis::uint256 against GMP (mpz).
//
// Every operation is checked on TRELLIS_UINT256_CASES inputs (default 10000),
// biased towards edges. The seed is fixed (override with TRELLIS_UINT256_SEED)
// and printed. Long run, 1,000,000 cases per operation:
//
//   TRELLIS_UINT256_CASES=1000000 build/release/src/base_test --gtest_filter='*Differential*'
//
// Signed operations (sdiv, smod, sar, slt, sgt, signextend) are checked by
// reading the operands as two's-complement integers in GMP here, so the
// reference does not share the implementation's sign tricks.

#include <gmp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include "base/hex.hpp"
#include "base/uint256.hpp"

using namespace trellis;

namespace {

constexpr uint64_t kDefaultSeed = 0x7e3779b97f4a7c15ull;
constexpr int kMaxReportedFailures = 5;

size_t case_count() {
    const char* s = std::getenv("TRELLIS_UINT256_CASES");
    if (s == nullptr || *s == '\0') return 10000;
    return size_t(std::strtoull(s, nullptr, 10));
}

uint64_t base_seed() {
    const char* s = std::getenv("TRELLIS_UINT256_SEED");
    if (s == nullptr || *s == '\0') return kDefaultSeed;
    return std::strtoull(s, nullptr, 0);
}

// ---------------------------------------------------------------------------
// GMP glue.

/// An owning mpz_t.
struct Z {
    mpz_t v;
    Z() { mpz_init(v); }
    explicit Z(const uint256& x) {
        mpz_init(v);
        mpz_import(v, 4, -1, sizeof(uint64_t), 0, 0, x.w);
    }
    Z(const Z&) = delete;
    Z& operator=(const Z&) = delete;
    ~Z() { mpz_clear(v); }
    operator mpz_ptr() { return v; }
    operator mpz_srcptr() const { return v; }
};

/// The two's-complement reading of x: x - 2^256 when bit 255 is set.
void set_signed(Z& out, const uint256& x) {
    mpz_import(out, 4, -1, sizeof(uint64_t), 0, 0, x.w);
    if (mpz_tstbit(out, 255)) {
        Z two256;
        mpz_setbit(two256, 256);
        mpz_sub(out, out, two256);
    }
}

/// x mod 2^256 (for any sign) as a uint256.
uint256 wrap(const Z& x) {
    Z r;
    mpz_fdiv_r_2exp(r, x, 256);  // floor remainder: always in [0, 2^256)
    uint256 out;
    size_t count = 0;
    mpz_export(out.w, &count, -1, sizeof(uint64_t), 0, 0, r);
    return out;
}

std::string hex(const uint256& x) { return to_hex_quantity(x); }

// ---------------------------------------------------------------------------
// Edge-biased inputs.

class Gen {
public:
    explicit Gen(uint64_t seed) : rng_(seed) {}

    uint64_t u64() { return rng_(); }
    uint64_t below(uint64_t n) { return rng_() % n; }
    bool coin() { return (rng_() & 1) != 0; }

    /// A value that fits in `bits` bits with its top bit set (0 for bits == 0).
    uint256 with_bit_length(unsigned bits) {
        if (bits == 0) return {};
        uint256 x{u64(), u64(), u64(), u64()};
        x = x >> (256 - bits);
        return x | (uint256(1) << (bits - 1));
    }

    uint64_t edge_limb() {
        switch (below(8)) {
            case 0: return 0;
            case 1: return 1;
            case 2: return (uint64_t{1} << 63) - 1;
            case 3: return uint64_t{1} << 63;
            case 4: return ~uint64_t{0} - 1;
            case 5: return ~uint64_t{0};
            case 6: return uint64_t{1} << below(64);
            default: return u64();
        }
    }

    /// One operand: about a third uniformly random shapes, the rest edges.
    uint256 value() {
        const uint256 small = below(1000);
        switch (below(20)) {
            case 0: return 0;
            case 1: return 1;
            case 2: return 2;
            case 3: return uint256(1) << 255;
            case 4: return uint256::max();
            case 5: {
                const uint256 two64 = uint256(0, 1, 0, 0);
                return below(3) == 0 ? two64 - 1 : below(2) == 0 ? two64 : two64 + 1;
            }
            case 6: {  // 2^k - 1, 2^k, 2^k + 1
                const uint256 p = uint256(1) << unsigned(below(256));
                return p + uint256(below(3)) - 1;
            }
            case 7: return small;
            case 8: return uint256::max() - small;
            case 9: return coin() ? (uint256(1) << 255) + small : (uint256(1) << 255) - small;
            case 10: return -small;  // small negative numbers
            case 11:
            case 12: return {edge_limb(), edge_limb(), edge_limb(), edge_limb()};
            case 13: {  // few significant limbs
                const unsigned limbs = unsigned(below(4)) + 1;
                uint256 x;
                for (unsigned i = 0; i < limbs; ++i) x.w[i] = u64();
                return x;
            }
            case 14:
            case 15: return with_bit_length(unsigned(below(257)));
            default: return {u64(), u64(), u64(), u64()};
        }
    }

    /// A second operand, sometimes derived from the first so that quotients
    /// near 0, 1 and B-1 and equal operands come up often.
    uint256 related(const uint256& a) {
        switch (below(12)) {
            case 0: return a;
            case 1: return a + 1;
            case 2: return a - 1;
            case 3: return a >> unsigned(below(256));
            case 4: return ~a;
            case 5: return -a;
            case 6: {  // same top limbs, different tail: stresses the 3-by-2 estimate
                uint256 b = a;
                b.w[below(4)] = edge_limb();
                return b;
            }
            default: return value();
        }
    }

    /// A shift amount / index operand: mostly around [0, 300), with huge ones.
    uint256 small_operand(unsigned around) {
        switch (below(10)) {
            case 0: return uint256(around) + below(3) - 1;  // around-1 .. around+1
            case 1: return uint256(0, 1, 0, 0) + below(300);  // low limb small, high limbs not
            case 2: return uint256::max();
            case 3: return value();
            default: return below(around + around / 4 + 8);
        }
    }

private:
    std::mt19937_64 rng_;
};

uint64_t name_hash(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
    for (char c : s) h = (h ^ uint8_t(c)) * 0x100000001b3ull;
    return h;
}

class Uint256Differential : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        std::printf("uint256 differential: seed=%#llx, %zu cases per operation "
                    "(TRELLIS_UINT256_SEED, TRELLIS_UINT256_CASES)\n",
                    (unsigned long long)base_seed(), case_count());
    }

    // Each test draws from its own stream (seed ^ hash(test name)) so a single
    // test reproduces on its own under --gtest_filter.
    Uint256Differential()
        : gen_(base_seed() ^
               name_hash(::testing::UnitTest::GetInstance()->current_test_info()->name())),
          n_(case_count()) {}

    /// Records a mismatch; returns false once enough failures were reported.
    bool check(bool ok, const std::string& what) {
        if (ok) return true;
        ADD_FAILURE() << what;
        return ++failures_ < kMaxReportedFailures;
    }
    bool check_eq(const char* op, const uint256& got, const uint256& want,
                  std::initializer_list<uint256> inputs) {
        if (got == want) return true;
        std::string msg = std::string(op) + "(";
        for (const auto& x : inputs) msg += (msg.back() == '(' ? "" : ", ") + hex(x);
        msg += ") = " + hex(got) + ", GMP says " + hex(want);
        return check(false, msg);
    }

    /// A binary operation against a GMP reference ref(out, za, zb, a, b).
    template <class Op, class Ref>
    void run_binary(const char* name, Op op, Ref ref) {
        Z za, zb, zr;
        for (size_t i = 0; i < n_; ++i) {
            const uint256 a = gen_.value();
            const uint256 b = gen_.related(a);
            const bool swap = gen_.coin();  // related() derives b from a: try both orders
            const uint256& x = swap ? b : a;
            const uint256& y = swap ? a : b;
            mpz_import(za, 4, -1, 8, 0, 0, x.w);
            mpz_import(zb, 4, -1, 8, 0, 0, y.w);
            ref(zr, za, zb, x, y);
            if (!check_eq(name, op(x, y), wrap(zr), {x, y})) return;
        }
    }

    Gen gen_;
    size_t n_;
    int failures_ = 0;
};

// Checks `expr` over (a, b) against GMP's `ref_body`, which sets r from za, zb.
#define RUN_BINARY(name, expr, ref_body)                                               \
    run_binary(                                                                        \
        name,                                                                          \
        []([[maybe_unused]] const uint256& a, [[maybe_unused]] const uint256& b) {     \
            return expr;                                                               \
        },                                                                             \
        [](Z & r, [[maybe_unused]] Z & za, [[maybe_unused]] Z & zb,                    \
           [[maybe_unused]] const uint256& a, [[maybe_unused]] const uint256& b) { ref_body; })

}  // namespace

// ---------------------------------------------------------------------------
// Arithmetic.

TEST_F(Uint256Differential, add_matches_gmp) {
    RUN_BINARY("add", a + b, mpz_add(r, za, zb));
    RUN_BINARY("add_assign", [&] { uint256 c = a; c += b; return c; }(), mpz_add(r, za, zb));
}

TEST_F(Uint256Differential, add_with_carry_reports_the_wrap) {
    Z za, zb, zs;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        bool carry = false;
        const uint256 s = add_with_carry(a, b, &carry);
        mpz_add(zs, Z(a), Z(b));
        const bool want = mpz_sizeinbase(zs, 2) > 256;
        if (!check_eq("add_with_carry", s, wrap(zs), {a, b})) return;
        if (!check(carry == want, "carry of " + hex(a) + " + " + hex(b))) return;
    }
}

TEST_F(Uint256Differential, sub_matches_gmp) {
    RUN_BINARY("sub", a - b, mpz_sub(r, za, zb));
    RUN_BINARY("sub_assign", [&] { uint256 c = a; c -= b; return c; }(), mpz_sub(r, za, zb));
}

TEST_F(Uint256Differential, sub_with_borrow_reports_a_below_b) {
    Z zd;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        bool borrow = false;
        const uint256 d = sub_with_borrow(a, b, &borrow);
        mpz_sub(zd, Z(a), Z(b));
        if (!check_eq("sub_with_borrow", d, wrap(zd), {a, b})) return;
        if (!check(borrow == (mpz_sgn(zd.v) < 0), "borrow of " + hex(a) + " - " + hex(b))) return;
    }
}

TEST_F(Uint256Differential, negation_matches_gmp) {
    Z zr;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value();
        mpz_neg(zr, Z(a));
        if (!check_eq("neg", -a, wrap(zr), {a})) return;
    }
}

TEST_F(Uint256Differential, mul_matches_gmp) {
    RUN_BINARY("mul", a * b, mpz_mul(r, za, zb));
    RUN_BINARY("mul_assign", [&] { uint256 c = a; c *= b; return c; }(), mpz_mul(r, za, zb));
}

TEST_F(Uint256Differential, mul_full_matches_gmp) {
    Z zp, zhi;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        const uint512 p = mul_full(a, b);
        mpz_mul(zp, Z(a), Z(b));
        mpz_fdiv_q_2exp(zhi, zp, 256);
        if (!check_eq("mul_full.lo", p.lo(), wrap(zp), {a, b})) return;
        if (!check_eq("mul_full.hi", p.hi(), wrap(zhi), {a, b})) return;
    }
}

TEST_F(Uint256Differential, div_matches_gmp) {
    RUN_BINARY("div", a / b, if (!b.is_zero()) mpz_tdiv_q(r, za, zb); else mpz_set_ui(r, 0));
    RUN_BINARY("div_assign", [&] { uint256 c = a; c /= b; return c; }(),
               if (!b.is_zero()) mpz_tdiv_q(r, za, zb); else mpz_set_ui(r, 0));
}

TEST_F(Uint256Differential, mod_matches_gmp) {
    RUN_BINARY("mod", a % b, if (!b.is_zero()) mpz_tdiv_r(r, za, zb); else mpz_set_ui(r, 0));
    RUN_BINARY("mod_assign", [&] { uint256 c = a; c %= b; return c; }(),
               if (!b.is_zero()) mpz_tdiv_r(r, za, zb); else mpz_set_ui(r, 0));
}

TEST_F(Uint256Differential, divmod_matches_gmp) {
    Z zq, zr;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        const auto [q, r] = divmod(a, b);
        if (b.is_zero()) {
            mpz_set_ui(zq, 0);
            mpz_set_ui(zr, 0);
        } else {
            mpz_tdiv_qr(zq, zr, Z(a), Z(b));
        }
        if (!check_eq("divmod.q", q, wrap(zq), {a, b})) return;
        if (!check_eq("divmod.r", r, wrap(zr), {a, b})) return;
    }
}

TEST_F(Uint256Differential, sdiv_matches_gmp_on_twos_complement) {
    Z sa, sb, zq;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        set_signed(sa, a);
        set_signed(sb, b);
        if (b.is_zero()) mpz_set_ui(zq, 0);
        else mpz_tdiv_q(zq, sa, sb);  // truncates towards zero, as SDIV does
        if (!check_eq("sdiv", sdiv(a, b), wrap(zq), {a, b})) return;
    }
}

TEST_F(Uint256Differential, smod_matches_gmp_on_twos_complement) {
    Z sa, sb, zr;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        set_signed(sa, a);
        set_signed(sb, b);
        if (b.is_zero()) mpz_set_ui(zr, 0);
        else mpz_tdiv_r(zr, sa, sb);  // sign of the dividend, as SMOD
        if (!check_eq("smod", smod(a, b), wrap(zr), {a, b})) return;
    }
}

TEST_F(Uint256Differential, addmod_matches_gmp) {
    Z zs, zr;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        const uint256 m = gen_.coin() ? gen_.value() : gen_.related(gen_.coin() ? a : b);
        mpz_add(zs, Z(a), Z(b));
        if (m.is_zero()) mpz_set_ui(zr, 0);
        else mpz_mod(zr, zs, Z(m));
        if (!check_eq("addmod", addmod(a, b, m), wrap(zr), {a, b, m})) return;
    }
}

TEST_F(Uint256Differential, mulmod_matches_gmp) {
    Z zp, zr;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        const uint256 m = gen_.coin() ? gen_.value() : gen_.related(gen_.coin() ? a : b);
        mpz_mul(zp, Z(a), Z(b));
        if (m.is_zero()) mpz_set_ui(zr, 0);
        else mpz_mod(zr, zp, Z(m));
        if (!check_eq("mulmod", mulmod(a, b, m), wrap(zr), {a, b, m})) return;
    }
}

TEST_F(Uint256Differential, exp_matches_gmp) {
    Z mod, zr;
    mpz_setbit(mod, 256);
    for (size_t i = 0; i < n_; ++i) {
        const uint256 base = gen_.value();
        const uint256 e = gen_.below(3) == 0 ? gen_.small_operand(256) : gen_.value();
        mpz_powm(zr, Z(base), Z(e), mod);
        if (!check_eq("exp", exp(base, e), wrap(zr), {base, e})) return;
    }
}

// ---------------------------------------------------------------------------
// Bits and shifts.

TEST_F(Uint256Differential, bitwise_ops_match_gmp) {
    RUN_BINARY("and", a & b, mpz_and(r, za, zb));
    RUN_BINARY("or", a | b, mpz_ior(r, za, zb));
    RUN_BINARY("xor", a ^ b, mpz_xor(r, za, zb));
    RUN_BINARY("and_assign", [&] { uint256 c = a; c &= b; return c; }(), mpz_and(r, za, zb));
    RUN_BINARY("or_assign", [&] { uint256 c = a; c |= b; return c; }(), mpz_ior(r, za, zb));
    RUN_BINARY("xor_assign", [&] { uint256 c = a; c ^= b; return c; }(), mpz_xor(r, za, zb));
    RUN_BINARY("not", ~a, mpz_com(r, za));
}

TEST_F(Uint256Differential, shift_operators_match_gmp) {
    Z zr;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 x = gen_.value();
        const unsigned n = gen_.below(16) == 0 ? unsigned(gen_.u64()) : unsigned(gen_.below(300));
        const unsigned clamped = n < 256 ? n : 256;
        mpz_mul_2exp(zr, Z(x), clamped);
        if (!check_eq("<<", x << n, wrap(zr), {x, n})) return;
        uint256 y = x;
        y <<= n;
        if (!check_eq("<<=", y, wrap(zr), {x, n})) return;
        mpz_fdiv_q_2exp(zr, Z(x), clamped);
        if (!check_eq(">>", x >> n, wrap(zr), {x, n})) return;
        y = x;
        y >>= n;
        if (!check_eq(">>=", y, wrap(zr), {x, n})) return;
    }
}

TEST_F(Uint256Differential, evm_shl_shr_match_gmp) {
    Z zr;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 s = gen_.small_operand(256), x = gen_.value();
        const unsigned n = s < 256 ? unsigned(s.w[0]) : 256;
        mpz_mul_2exp(zr, Z(x), n);
        if (!check_eq("shl", shl(s, x), wrap(zr), {s, x})) return;
        mpz_fdiv_q_2exp(zr, Z(x), n);
        if (!check_eq("shr", shr(s, x), wrap(zr), {s, x})) return;
    }
}

TEST_F(Uint256Differential, sar_matches_gmp_floor_shift_on_twos_complement) {
    Z sx, zr;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 s = gen_.small_operand(256), x = gen_.value();
        set_signed(sx, x);
        // floor(x / 2^256) is already 0 or -1, so larger shifts clamp to 256.
        mpz_fdiv_q_2exp(zr, sx, s < 256 ? unsigned(s.w[0]) : 256);
        if (!check_eq("sar", sar(s, x), wrap(zr), {s, x})) return;
    }
}

TEST_F(Uint256Differential, signextend_matches_gmp_on_twos_complement) {
    Z zr, bound;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 b = gen_.small_operand(31), x = gen_.value();
        if (b >= 31) {
            mpz_import(zr, 4, -1, 8, 0, 0, x.w);
        } else {
            // The low 8(b+1) bits read as a two's-complement number.
            const unsigned width = 8 * (unsigned(b.w[0]) + 1);
            mpz_fdiv_r_2exp(zr, Z(x), width);
            if (mpz_tstbit(zr, width - 1)) {
                mpz_set_ui(bound, 0);
                mpz_setbit(bound, width);
                mpz_sub(zr, zr, bound);
            }
        }
        if (!check_eq("signextend", signextend(b, x), wrap(zr), {b, x})) return;
    }
}

TEST_F(Uint256Differential, byte_at_matches_gmp) {
    Z zr;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 idx = gen_.small_operand(32), x = gen_.value();
        if (idx >= 32) {
            mpz_set_ui(zr, 0);
        } else {
            mpz_fdiv_q_2exp(zr, Z(x), 8 * (31 - unsigned(idx.w[0])));
            mpz_fdiv_r_2exp(zr, zr, 8);
        }
        if (!check_eq("byte_at", byte_at(idx, x), wrap(zr), {idx, x})) return;
    }
}

TEST_F(Uint256Differential, clz_and_bit_length_match_gmp) {
    for (size_t i = 0; i < n_; ++i) {
        const uint256 x = gen_.value();
        const Z zx(x);
        const unsigned bits = mpz_sgn(zx.v) == 0 ? 0 : unsigned(mpz_sizeinbase(zx, 2));
        if (!check(clz(x) == 256 - bits, "clz(" + hex(x) + ") = " + std::to_string(clz(x)))) return;
        if (!check(x.bit_length() == bits, "bit_length(" + hex(x) + ")")) return;
        if (!check(x.byte_length() == (bits + 7) / 8, "byte_length(" + hex(x) + ")")) return;
        if (!check(is_negative(x) == (bits == 256), "is_negative(" + hex(x) + ")")) return;
    }
}

// ---------------------------------------------------------------------------
// Comparisons.

TEST_F(Uint256Differential, unsigned_comparisons_match_gmp) {
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        const int want = mpz_cmp(Z(a), Z(b));
        const auto got = a <=> b;
        const bool ok = (want < 0 && got < 0) || (want == 0 && got == 0) || (want > 0 && got > 0);
        if (!check(ok && (a == b) == (want == 0) && (a < b) == (want < 0) &&
                       (a <= b) == (want <= 0) && (a > b) == (want > 0),
                   "compare(" + hex(a) + ", " + hex(b) + ")"))
            return;
    }
}

TEST_F(Uint256Differential, slt_sgt_match_gmp_on_twos_complement) {
    Z sa, sb;
    for (size_t i = 0; i < n_; ++i) {
        const uint256 a = gen_.value(), b = gen_.related(a);
        set_signed(sa, a);
        set_signed(sb, b);
        const int want = mpz_cmp(sa, sb);
        if (!check(slt(a, b) == (want < 0), "slt(" + hex(a) + ", " + hex(b) + ")")) return;
        if (!check(sgt(a, b) == (want > 0), "sgt(" + hex(a) + ", " + hex(b) + ")")) return;
    }
}

// ---------------------------------------------------------------------------
// Encodings and text.

TEST_F(Uint256Differential, big_endian_round_trip_matches_gmp) {
    for (size_t i = 0; i < n_; ++i) {
        // from_be on a random-length byte string.
        uint8_t in[32];
        const size_t len = size_t(gen_.below(33));
        for (size_t j = 0; j < len; ++j) in[j] = uint8_t(gen_.coin() ? gen_.u64() : (j % 2 ? 0xff : 0));
        Z zin;
        mpz_import(zin, len, 1, 1, 0, 0, in);
        const uint256 x = uint256::from_be(ByteView(in, len));
        if (!check_eq("from_be", x, wrap(zin), {uint256(len)})) return;

        // to_be / store_be / to_be_trimmed of an edge value.
        const uint256 v = gen_.value();
        uint8_t want[32] = {};
        size_t count = 0;
        const Z zv(v);
        const size_t bytes = mpz_sgn(zv.v) == 0 ? 0 : (mpz_sizeinbase(zv, 2) + 7) / 8;
        mpz_export(want + 32 - bytes, &count, 1, 1, 0, 0, zv);
        const Bytes32 be = v.to_be();
        const Bytes trimmed = v.to_be_trimmed();
        if (!check(std::equal(be.bytes.begin(), be.bytes.end(), want), "to_be(" + hex(v) + ")")) return;
        if (!check(equal(trimmed, ByteView(want + 32 - bytes, bytes)), "to_be_trimmed(" + hex(v) + ")"))
            return;
    }
}

TEST_F(Uint256Differential, to_string_and_hex_quantity_match_gmp) {
    for (size_t i = 0; i < n_; ++i) {
        const uint256 x = gen_.value();
        const Z zx(x);
        char dec[100], hx[100];
        gmp_snprintf(dec, sizeof dec, "%Zd", zx.v);
        gmp_snprintf(hx, sizeof hx, "0x%Zx", zx.v);
        if (!check(to_string(x) == dec, "to_string(" + hex(x) + ") = " + to_string(x))) return;
        if (!check(to_hex_quantity(x) == hx, "to_hex_quantity = " + to_hex_quantity(x))) return;
    }
}

namespace {

/// Reference parse: classify the string by the documented grammar, then let
/// GMP compute the value. `error` is meaningful only when !ok.
struct Expected {
    bool ok;
    ParseError error;
    uint256 value;
};

Expected reference_parse(const std::string& s) {
    const bool is_hex = s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const std::string digits = is_hex ? s.substr(2) : s;
    if (digits.empty()) return {false, ParseError::kEmpty, {}};
    for (char c : digits) {
        const bool valid = is_hex ? std::isxdigit(uint8_t(c)) != 0 : (c >= '0' && c <= '9');
        if (!valid) return {false, ParseError::kInvalidDigit, {}};
    }
    Z z;
    EXPECT_EQ(mpz_set_str(z, digits.c_str(), is_hex ? 16 : 10), 0) << s;
    if (mpz_sizeinbase(z, 2) > 256) return {false, ParseError::kOverflow, {}};
    return {true, ParseError::kEmpty, wrap(z)};
}

std::string random_string(Gen& g) {
    static constexpr char kNoise[] = " +-_gGxX.\t\n\xff\x00zZ9aF";
    // A base value: in range, at the boundary, or beyond 2^256.
    Z z;
    switch (g.below(4)) {
        case 0: {
            const uint256 v = g.value();
            mpz_import(z, 4, -1, 8, 0, 0, v.w);
            mpz_setbit(z, 256 + unsigned(g.below(40)));  // definitely too big
            break;
        }
        case 1:
            mpz_set_ui(z, 0);
            mpz_setbit(z, 256);
            if (g.coin()) mpz_sub_ui(z, z, 1 + g.below(2));  // 2^256 - 1, 2^256 - 2
            break;
        default: {
            const uint256 v = g.value();
            mpz_import(z, 4, -1, 8, 0, 0, v.w);
        }
    }
    const bool as_hex = g.coin();
    char* body = mpz_get_str(nullptr, as_hex ? 16 : 10, z);
    std::string digits(body);
    void (*gmp_free)(void*, size_t);
    mp_get_memory_functions(nullptr, nullptr, &gmp_free);
    gmp_free(body, digits.size() + 1);
    if (as_hex)
        for (char& c : digits)
            if (g.coin()) c = char(std::toupper(uint8_t(c)));
    if (g.below(3) == 0) digits.insert(0, size_t(g.below(g.coin() ? 4 : 80)), '0');
    std::string s = as_hex ? (g.coin() ? "0x" : "0X") + digits : digits;
    switch (g.below(8)) {
        case 0: s[g.below(s.size())] = kNoise[g.below(sizeof kNoise - 1)]; break;  // corrupt
        case 1: s.insert(size_t(g.below(s.size() + 1)), 1, kNoise[g.below(sizeof kNoise - 1)]); break;
        case 2: s = s.substr(0, size_t(g.below(s.size() + 1))); break;  // truncate, maybe to "" or "0x"
        default: break;
    }
    return s;
}

}  // namespace

TEST_F(Uint256Differential, parse_uint256_matches_gmp) {
    for (size_t i = 0; i < n_; ++i) {
        const std::string s = random_string(gen_);
        const Expected want = reference_parse(s);
        const auto got = parse_uint256(s);
        std::string shown;
        for (char c : s) shown += std::isprint(uint8_t(c)) ? std::string(1, c) : "\\x" + to_hex(ByteView((const uint8_t*)&c, 1));
        if (want.ok) {
            if (!check(got.ok(), "parse_uint256(\"" + shown + "\") failed: " +
                                     (got.ok() ? "" : to_string(got.error()))))
                return;
            if (!check_eq("parse_uint256", *got, want.value, {})) return;
        } else {
            if (!check(!got.ok() && got.error() == want.error,
                       "parse_uint256(\"" + shown + "\") should fail with " + to_string(want.error)))
                return;
        }
    }
}
