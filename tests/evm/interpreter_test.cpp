// The interpreter's rules pinned down one EIP at a time, for what the Cancun
// fixtures cover thinly or not at all (CLZ and P-256 are not Cancun features),
// run against an in-memory host (test_host.hpp).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include "base/hex.hpp"
#include "crypto/keccak.hpp"
#include "evm/evm.hpp"
#include "test_host.hpp"

using namespace trellis;
using evm::test::Runner;
using evm::test::TestHost;

namespace {

Bytes hex(std::string_view s) {
    return from_hex(s).value();
}

uint256 word_of(const evm::ExecResult& r) {
    EXPECT_EQ(r.output.size(), 32u);
    return r.output.size() == 32 ? uint256::from_be(r.output) : uint256();
}

// Returns the top of the stack: ... PUSH0 MSTORE PUSH1 32 PUSH0 RETURN
const std::string kReturnTop = "5f5260205ff3";

/// A P-256 signature made with OpenSSL: (digest, r, s, x, y).
Bytes p256_input(bool corrupt) {
    EC_KEY* key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    EXPECT_EQ(EC_KEY_generate_key(key), 1);
    const Hash32 digest = crypto::keccak256(as_view("trellis p256"));
    ECDSA_SIG* sig = ECDSA_do_sign(digest.data(), 32, key);
    const BIGNUM *r, *s;
    ECDSA_SIG_get0(sig, &r, &s);
    BIGNUM* x = BN_new();
    BIGNUM* y = BN_new();
    EC_POINT_get_affine_coordinates(EC_KEY_get0_group(key), EC_KEY_get0_public_key(key), x, y, nullptr);
    Bytes in(160);
    std::copy(digest.bytes.begin(), digest.bytes.end(), in.begin());
    BN_bn2binpad(r, in.data() + 32, 32);
    BN_bn2binpad(s, in.data() + 64, 32);
    BN_bn2binpad(x, in.data() + 96, 32);
    BN_bn2binpad(y, in.data() + 128, 32);
    if (corrupt) in[5] ^= 1;
    BN_free(x);
    BN_free(y);
    ECDSA_SIG_free(sig);
    EC_KEY_free(key);
    return in;
}

}  // namespace

TEST(Eip7939, clz_counts_leading_zero_bits_in_trellis_revision) {
    Runner one(hex("60011e" + kReturnTop));  // CLZ(1)
    auto r = one.call(evm::Revision::kTrellis);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_EQ(word_of(r), uint256(255));

    Runner zero(hex("5f1e" + kReturnTop));  // CLZ(0) = 256
    r = zero.call(evm::Revision::kTrellis);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_EQ(word_of(r), uint256(256));

    Runner top(
        hex("7f8000000000000000000000000000000000000000000000000000000000000000"
            "1e" +
            kReturnTop));
    r = top.call(evm::Revision::kTrellis);
    EXPECT_EQ(word_of(r), uint256(0));
}

TEST(Eip7939, clz_costs_5_gas) {
    // PUSH1 1 (3) CLZ (5) STOP
    Runner rn(hex("60011e00"));
    const auto r = rn.call(evm::Revision::kTrellis, 100);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_EQ(100 - r.gas_left, 8);
}

TEST(Eip7939, clz_is_undefined_at_cancun) {
    Runner rn(hex("60011e00"));
    const auto r = rn.call(evm::Revision::kCancun);
    EXPECT_EQ(r.status, evm::Status::kInvalidInstruction);
    EXPECT_EQ(r.gas_left, 0);
}

TEST(Eip3855, push0_pushes_zero_for_2_gas) {
    Runner rn(hex("5f" + kReturnTop));
    const auto r = rn.call(evm::Revision::kCancun, 1000);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_EQ(word_of(r), uint256(0));
    // PUSH0 2, PUSH0 2, MSTORE 3 + 3 memory, PUSH1 3, PUSH0 2, RETURN 0
    EXPECT_EQ(1000 - r.gas_left, 2 + 2 + 6 + 3 + 2);
}

TEST(Eip2929, cold_sload_costs_2100_then_warm_costs_100) {
    // SLOAD(0) POP SLOAD(0) POP STOP
    Runner rn(hex("5f54505f545000"));
    const auto r = rn.call(evm::Revision::kCancun, 10000);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_EQ(10000 - r.gas_left, (2 + 2100 + 2) + (2 + 100 + 2));
}

TEST(Eip150, gas_opcode_sees_exact_gas_left_despite_block_charging) {
    // PUSH1 1 PUSH1 2 ADD POP GAS + return: GAS sees 1000 - (3+3+3+2+2).
    Runner rn(
        hex("600160020150"
            "5a" +
            kReturnTop));
    const auto r = rn.call(evm::Revision::kCancun, 1000);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_EQ(word_of(r), uint256(1000 - 13));
}

TEST(Interpreter, out_of_gas_mid_block_consumes_all_gas) {
    // Four PUSH1s cost 12; with 11 gas the block cannot be paid.
    Runner rn(hex("6001600160016001"));
    const auto r = rn.call(evm::Revision::kCancun, 11);
    EXPECT_EQ(r.status, evm::Status::kOutOfGas);
    EXPECT_EQ(r.gas_left, 0);
}

TEST(Interpreter, jump_into_push_data_is_rejected) {
    // PUSH1 3 JUMP PUSH1 0x5b (a JUMPDEST byte inside push data at pc 4)
    Runner rn(hex("600456605b00"));
    const auto r = rn.call(evm::Revision::kCancun);
    EXPECT_EQ(r.status, evm::Status::kBadJumpDestination);
}

TEST(Interpreter, stack_underflow_halts) {
    Runner rn(hex("01"));
    EXPECT_EQ(rn.call(evm::Revision::kCancun).status, evm::Status::kStackUnderflow);
}

TEST(Interpreter, stack_overflow_at_1025_items) {
    Bytes code(1025, 0x5f);  // 1025 x PUSH0
    Runner rn(code);
    EXPECT_EQ(rn.call(evm::Revision::kCancun).status, evm::Status::kStackOverflow);
    Bytes fits(1024, 0x5f);
    Runner ok(fits);
    EXPECT_EQ(ok.call(evm::Revision::kCancun).status, evm::Status::kSuccess);
}

TEST(Eip5656, mcopy_handles_overlapping_regions) {
    // MSTORE 0x0102..(32 bytes) at 0; MCOPY(dst=1, src=0, len=32); return mload(0)
    const std::string value = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    Runner rn(hex("7f" + value + "5f52" + "60205f60015e" + "5f51" + kReturnTop));
    const auto r = rn.call(evm::Revision::kCancun);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    const Bytes expected =
        hex("00"
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
    EXPECT_EQ(r.output, expected);
}

TEST(Eip214, sstore_in_static_call_is_a_violation) {
    Runner rn(hex("60015f5500"));
    rn.host.access_account(rn.contract);
    evm::Evm vm(rn.host, rn.block, rn.tx, evm::Revision::kCancun);
    evm::Message m;
    m.gas = 100000;
    m.is_static = true;
    m.recipient = rn.contract;
    m.code_address = rn.contract;
    EXPECT_EQ(vm.execute(m).status, evm::Status::kStaticModeViolation);
}

TEST(Eip7951, p256_precompile_returns_one_for_a_valid_signature_and_empty_otherwise) {
    Address p256;
    p256[18] = 0x01;
    for (bool corrupt : {false, true}) {
        const Bytes input = p256_input(corrupt);
        TestHost host;
        evm::Evm vm(host, {}, {}, evm::Revision::kTrellis);
        evm::Message m;
        m.gas = 10000;
        m.recipient = p256;
        m.code_address = p256;
        m.input = input;
        const auto r = vm.execute(m);
        ASSERT_EQ(r.status, evm::Status::kSuccess);
        EXPECT_EQ(10000 - r.gas_left, 6900);
        if (corrupt)
            EXPECT_TRUE(r.output.empty());
        else
            EXPECT_EQ(r.output, hex("0000000000000000000000000000000000000000000000000000000000000001"));
    }
}

TEST(Eip7951, p256_is_not_a_precompile_at_cancun) {
    Address p256;
    p256[18] = 0x01;
    TestHost host;
    evm::Evm vm(host, {}, {}, evm::Revision::kCancun);
    evm::Message m;
    m.gas = 10000;
    m.recipient = p256;
    m.code_address = p256;
    m.input = p256_input(false);
    const auto r = vm.execute(m);
    EXPECT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_TRUE(r.output.empty());
    EXPECT_EQ(r.gas_left, 10000);  // an empty account runs no code
}

TEST(Eip1014, create2_address_matches_the_eip_example) {
    // EIP-1014 example 5: deployer 0x00000000000000000000000000000000deadbeef,
    // salt 0x00000000000000000000000000000000000000000000000000000000cafebabe, init_code 0xdeadbeef.
    const Address deployer = Address::from(hex("00000000000000000000000000000000deadbeef"));
    const Bytes32 salt =
        Bytes32::from(hex("00000000000000000000000000000000000000000000000000000000cafebabe"));
    EXPECT_EQ(to_hex(evm::create2_address(deployer, salt, hex("deadbeef")).view()),
              "60f3f640a8508fc6a86d45df051962668e1e8ac7");
}

TEST(Interpreter, jumpdest_after_a_block_ending_instruction_is_charged_once) {
    // PUSH0 PUSH0 SSTORE JUMPDEST STOP: 2 + 2 + (2100 + 100) + 1.
    Runner rn(hex("5f5f555b00"));
    const auto r = rn.call(evm::Revision::kCancun, 100000);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_EQ(100000 - r.gas_left, 2205);
    // GAS JUMPDEST STOP: 2 + 1.
    Runner g(hex("5a5b00"));
    const auto rg = g.call(evm::Revision::kCancun, 1000);
    EXPECT_EQ(1000 - rg.gas_left, 3);
}
