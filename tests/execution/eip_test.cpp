// EVM rules pinned down one EIP at a time, for what the Cancun fixtures cover
// thinly or not at all (CLZ and P-256 are not Cancun features).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include "base/hex.hpp"
#include "chain/transaction.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "evm/evm.hpp"
#include "execution/transaction_executor.hpp"
#include "state/world_state.hpp"

using namespace trellis;

namespace {

Bytes hex(std::string_view s) { return from_hex(s).value(); }

Address addr(uint8_t last) {
    Address a;
    a[0] = 0xaa;
    a[19] = last;
    return a;
}

/// Runs code as a top-level call in a fresh world with the given revision.
struct Runner {
    state::MemoryStateDb db;
    std::unique_ptr<state::WorldState> ws;
    evm::BlockContext block;
    evm::TxContext tx;
    Address contract = addr(1);
    Address caller = addr(2);

    explicit Runner(ByteView code) {
        db.put_account(contract, 1, uint256(0), code, {});
        db.put_account(caller, 0, uint256(1'000'000'000), {}, {});
        ws = std::make_unique<state::WorldState>(db);
        ws->begin_transaction();
        block.gas_limit = 30'000'000;
    }

    evm::ExecResult call(evm::Revision rev, int64_t gas = 1'000'000, ByteView input = {}) {
        ws->access_account(contract);
        ws->access_account(caller);
        evm::Evm vm(*ws, block, tx, rev);
        evm::Message m;
        m.gas = gas;
        m.recipient = contract;
        m.code_address = contract;
        m.sender = caller;
        m.input = input;
        return vm.execute(m);
    }
};

uint256 word_of(const evm::ExecResult& r) {
    EXPECT_EQ(r.output.size(), 32u);
    return r.output.size() == 32 ? uint256::from_be(r.output) : uint256();
}

// Returns the top of the stack: ... PUSH0 MSTORE PUSH1 32 PUSH0 RETURN
const std::string kReturnTop = "5f5260205ff3";

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

    Runner top(hex("7f8000000000000000000000000000000000000000000000000000000000000000" "1e" + kReturnTop));
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
    Runner rn(hex("600160020150" "5a" + kReturnTop));
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
    const Bytes expected = hex("00" "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
    EXPECT_EQ(r.output, expected);
}

TEST(Eip1153, transient_storage_reverts_with_the_frame_and_never_touches_storage) {
    // TSTORE(1, 42); TLOAD(1) returned.
    Runner rn(hex("602a60015d60015c" + kReturnTop));
    const auto r = rn.call(evm::Revision::kCancun);
    ASSERT_EQ(r.status, evm::Status::kSuccess);
    EXPECT_EQ(word_of(r), uint256(42));
    EXPECT_TRUE(rn.ws->get_storage(rn.contract, uint256(1).to_be()).is_zero());
    // A frame that TSTOREs and then reverts leaves nothing behind.
    Runner rv(hex("602a60015d5f5ffd"));
    EXPECT_EQ(rv.call(evm::Revision::kCancun).status, evm::Status::kRevert);
    EXPECT_TRUE(rv.ws->get_transient_storage(rv.contract, uint256(1).to_be()).is_zero());
}

TEST(Eip214, sstore_in_static_call_is_a_violation) {
    Runner rn(hex("60015f5500"));
    rn.ws->access_account(rn.contract);
    evm::Evm vm(*rn.ws, rn.block, rn.tx, evm::Revision::kCancun);
    evm::Message m;
    m.gas = 100000;
    m.is_static = true;
    m.recipient = rn.contract;
    m.code_address = rn.contract;
    EXPECT_EQ(vm.execute(m).status, evm::Status::kStaticModeViolation);
}

namespace {
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

TEST(Eip7951, p256_precompile_returns_one_for_a_valid_signature_and_empty_otherwise) {
    Address p256;
    p256[18] = 0x01;
    for (bool corrupt : {false, true}) {
        const Bytes input = p256_input(corrupt);
        state::MemoryStateDb db;
        state::WorldState ws(db);
        ws.begin_transaction();
        evm::Evm vm(ws, {}, {}, evm::Revision::kTrellis);
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
    state::MemoryStateDb db;
    state::WorldState ws(db);
    ws.begin_transaction();
    evm::Evm vm(ws, {}, {}, evm::Revision::kCancun);
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

namespace {
struct TxFixture {
    state::MemoryStateDb db;
    Bytes32 key = Bytes32::from(hex("4646464646464646464646464646464646464646464646464646464646464646"));
    Address sender;
    execution::TxEnvironment env;
    TxFixture() {
        sender = crypto::secp256k1::address_of(crypto::secp256k1::public_key(key).value());
        db.put_account(sender, 0, uint256(1) << 80, {}, {});
        env.block.gas_limit = 30'000'000;
        env.block.base_fee = uint256(7);
        env.block.coinbase = addr(0xcb);
        env.block_gas_available = env.block.gas_limit;
    }
    chain::Transaction tx(std::optional<Address> to, Bytes data, uint64_t gas) {
        chain::Transaction t;
        t.type = chain::TxType::kDynamicFee;
        t.chain_id = 1;
        t.nonce = 0;
        t.max_fee_per_gas = 10;
        t.max_priority_fee_per_gas = 2;
        t.gas_limit = gas;
        t.to = to;
        t.data = std::move(data);
        return t;
    }
};
}  // namespace

TEST(Eip3529, clearing_a_slot_refunds_4800_when_under_the_cap) {
    TxFixture f;
    const Address c = addr(0xc1);
    std::map<Bytes32, Bytes32> storage{{uint256(1).to_be(), uint256(1).to_be()}};
    f.db.put_account(c, 1, uint256(), hex("5f60015500"), storage);  // SSTORE(1, 0)
    state::WorldState ws(f.db);
    const auto out = execution::apply_transaction(ws, f.env, f.tx(c, {}, 100000), f.sender);
    ASSERT_TRUE(out);
    ASSERT_TRUE(out->success());
    // 21000 + PUSH0 2 + PUSH1 3 + SSTORE (cold 2100 + 2900) = 26005; refund 4800 < 26005/5.
    EXPECT_EQ(out->gas_used, 26005u - 4800u);
}

TEST(Eip3529, refund_is_capped_at_one_fifth_of_gas_used) {
    TxFixture f;
    const Address c = addr(0xc1);
    std::map<Bytes32, Bytes32> storage{{uint256(1).to_be(), uint256(1).to_be()},
                                       {uint256(2).to_be(), uint256(1).to_be()}};
    f.db.put_account(c, 1, uint256(), hex("5f6001555f60025500"), storage);  // clear slots 1 and 2
    state::WorldState ws(f.db);
    const auto out = execution::apply_transaction(ws, f.env, f.tx(c, {}, 100000), f.sender);
    ASSERT_TRUE(out);
    ASSERT_TRUE(out->success());
    // 21000 + 2 * (2 + 3 + 5000) = 31010; refund 9600 > 31010/5 = 6202.
    EXPECT_EQ(out->gas_used, 31010u - 6202u);
}

TEST(Eip1559, sender_pays_effective_price_and_coinbase_gets_only_the_tip) {
    TxFixture f;
    state::WorldState ws(f.db);
    const auto out = execution::apply_transaction(ws, f.env, f.tx(addr(0x55), {}, 21000), f.sender);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->gas_used, 21000u);
    EXPECT_EQ(ws.get_balance(f.sender), (uint256(1) << 80) - uint256(21000 * 9));
    EXPECT_EQ(ws.get_balance(f.env.block.coinbase), uint256(21000 * 2));
    EXPECT_EQ(ws.get_nonce(f.sender), 1u);
}

TEST(Eip1559, fee_cap_below_base_fee_is_rejected_without_state_change) {
    TxFixture f;
    f.env.block.base_fee = uint256(11);
    state::WorldState ws(f.db);
    const auto out = execution::apply_transaction(ws, f.env, f.tx(addr(0x55), {}, 21000), f.sender);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error(), execution::TxRejection::kFeeCapBelowBaseFee);
    EXPECT_EQ(ws.get_nonce(f.sender), 0u);
}

TEST(Eip6780, selfdestruct_deletes_only_a_contract_created_in_the_same_transaction) {
    TxFixture f;
    // Pre-existing contract: SELFDESTRUCT(beneficiary 0x..be) keeps the account, moves the balance.
    const Address old_contract = addr(0xd0);
    f.db.put_account(old_contract, 1, uint256(500), hex("60beff"), {});
    state::WorldState ws(f.db);
    auto out = execution::apply_transaction(ws, f.env, f.tx(old_contract, {}, 100000), f.sender);
    ASSERT_TRUE(out && out->success());
    EXPECT_TRUE(ws.account_exists(old_contract));
    EXPECT_FALSE(ws.get_code(old_contract).empty());
    EXPECT_EQ(ws.get_balance(old_contract), uint256(0));
    Address beneficiary;
    beneficiary[19] = 0xbe;
    EXPECT_EQ(ws.get_balance(beneficiary), uint256(500));

    // Initcode that self-destructs: the created account is gone after the transaction.
    TxFixture g;
    state::WorldState ws2(g.db);
    auto create = g.tx(std::nullopt, hex("60beff"), 100000);
    out = execution::apply_transaction(ws2, g.env, create, g.sender);
    ASSERT_TRUE(out && out->success());
    EXPECT_FALSE(ws2.account_exists(evm::create_address(g.sender, 0)));
}

TEST(Eip3541, deploying_code_that_starts_with_0xef_fails) {
    TxFixture f;
    state::WorldState ws(f.db);
    // initcode: MSTORE8(0, 0xef); RETURN(0, 1)
    const auto out = execution::apply_transaction(ws, f.env, f.tx(std::nullopt, hex("60ef5f5360015ff3"), 100000),
                                                  f.sender);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->status, evm::Status::kInvalidCodePrefix);
    EXPECT_EQ(out->gas_used, 100000u);
}

TEST(Eip1014, create2_address_matches_the_eip_example) {
    // EIP-1014 example 5: deployer 0x00000000000000000000000000000000deadbeef,
    // salt 0x00000000000000000000000000000000000000000000000000000000cafebabe, init_code 0xdeadbeef.
    const Address deployer = Address::from(hex("00000000000000000000000000000000deadbeef"));
    const Bytes32 salt = Bytes32::from(hex("00000000000000000000000000000000000000000000000000000000cafebabe"));
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
