#include <gtest/gtest.h>

#include <set>
#include <string>

#include "base/hex.hpp"
#include "chain/transaction.hpp"
#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "support/fixtures.hpp"

using namespace trellis;
using namespace trellis::chain;
using trellis::test::hex_bytes;

namespace {

Bytes hx(std::string_view s) { return from_hex(s).value(); }
template <class T>
T fixed(std::string_view s) {
    return fixed_from_hex<T>(s).value();
}

/// Parses a fixture quantity ("0x..." hex or decimal, leading zeros allowed) that fits in 64 bits.
uint64_t quantity(const std::string& s) {
    if (s.rfind("0x", 0) == 0) return s.size() == 2 ? 0 : std::stoull(s.substr(2), nullptr, 16);
    return std::stoull(s);
}

/// A uint256 from up to 64 hex digits.
uint256 u256(std::string_view hex) {
    Bytes b = hx(hex);
    return uint256::from_be(b);
}

const std::vector<std::string> kForkOrder = {"Frontier", "Homestead", "EIP150",   "EIP158",
                                             "Byzantium", "Constantinople", "ConstantinopleFix",
                                             "Istanbul", "Berlin", "London", "Paris", "Shanghai",
                                             "Cancun", "Prague"};

/// result["Cancun"], else the newest fork present.
const nlohmann::json* pick_result(const nlohmann::json& result) {
    if (result.contains("Cancun")) return &result["Cancun"];
    const nlohmann::json* best = nullptr;
    int best_rank = -1;
    for (const auto& [fork, r] : result.items()) {
        const auto it = std::find(kForkOrder.begin(), kForkOrder.end(), fork);
        const int rank = it == kForkOrder.end() ? -1 : int(it - kForkOrder.begin());
        if (rank > best_rank) {
            best_rank = rank;
            best = &r;
        }
    }
    return best;
}

/// The rules the Ethereum transaction tests are filled with: chain id 1, Cancun.
ValidationRules fixture_rules() {
    ValidationRules rules;
    rules.chain_id = 1;
    return rules;
}

Address address_of_key(const Bytes32& key) {
    auto pub = crypto::secp256k1::public_key(key);
    TRELLIS_ASSERT(pub.ok());
    return crypto::secp256k1::address_of(*pub);
}

// The EIP-155 example transaction (https://eips.ethereum.org/EIPS/eip-155).
Transaction eip155_example() {
    Transaction tx;
    tx.chain_id = 1;
    tx.nonce = 9;
    tx.gas_price = uint256{20'000'000'000ull};
    tx.gas_limit = 21000;
    tx.to = fixed<Address>("0x3535353535353535353535353535353535353535");
    tx.value = uint256{1'000'000'000'000'000'000ull};
    return tx;
}
const Bytes32 kEip155Key = fixed<Bytes32>("0x4646464646464646464646464646464646464646464646464646464646464646");

Transaction sample(TxType type) {
    Transaction tx;
    tx.type = type;
    tx.chain_id = 1337;
    tx.nonce = 7;
    tx.gas_limit = 100000;
    tx.to = fixed<Address>("0x00000000000000000000000000000000000000aa");
    tx.value = uint256{12345};
    tx.data = hx("0xdeadbeef00");
    if (type == TxType::kDynamicFee) {
        tx.max_priority_fee_per_gas = uint256{2};
        tx.max_fee_per_gas = uint256{100};
    } else {
        tx.gas_price = uint256{100};
    }
    if (type != TxType::kLegacy)
        tx.access_list = {{fixed<Address>("0x00000000000000000000000000000000000000bb"),
                           {Bytes32{}, fixed<Bytes32>("0x00000000000000000000000000000000000000000000000000000000"
                                                      "00000001")}}};
    return tx;
}

const Bytes32 kKey = fixed<Bytes32>("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

}  // namespace

// --- conformance: ethereum/tests TransactionTests -----------------------------

TEST(TransactionFixtures, every_case_decodes_validates_and_recovers_as_expected) {
    TRELLIS_FIXTURE_PATH(root, "transactions");
    std::vector<std::filesystem::path> folders;
    for (const auto& e : std::filesystem::directory_iterator(root))
        if (e.is_directory() && e.path().filename().string().rfind("tt", 0) == 0) folders.push_back(e.path());
    std::sort(folders.begin(), folders.end());
    ASSERT_FALSE(folders.empty());
    const ValidationRules rules = fixture_rules();

    for (const auto& folder : folders) {
        trellis::test::Tally tally("transactions/" + folder.filename().string());
        for (const auto& file : trellis::test::json_files(folder)) {
            const auto doc = trellis::test::load_json(file);
            for (const auto& [name, c] : doc.items()) {
                const Bytes bytes = hex_bytes(c.at("txbytes").get<std::string>());
                const nlohmann::json* expect = pick_result(c.at("result"));
                if (!expect) {
                    tally.fail(name, "no fork result");
                    continue;
                }
                auto tx = decode_transaction(bytes);
                // Blob transactions (EIP-4844) are recognised by their type byte.
                if (!tx && tx.error() == TxError::kUnsupportedType && bytes[0] == 0x03) {
                    tally.skip(name, "EIP-4844 blob transaction (type 3) not supported");
                    continue;
                }
                if (expect->contains("exception")) {
                    const std::string want = (*expect)["exception"].get<std::string>();
                    if (!tx) {
                        tally.pass();
                        continue;
                    }
                    auto v = validate_and_recover(*tx, rules);
                    if (v) tally.fail(name, "accepted, expected " + want);
                    else tally.pass();
                    continue;
                }
                if (!tx) {
                    tally.fail(name, std::string("decode failed: ") + to_string(tx.error()));
                    continue;
                }
                if (encode_transaction(*tx) != bytes) {
                    tally.fail(name, "re-encoding differs from txbytes");
                    continue;
                }
                auto sender = validate_and_recover(*tx, rules);
                if (!sender) {
                    tally.fail(name, std::string("rejected: ") + to_string(sender.error()));
                    continue;
                }
                const auto want_hash = fixed<Hash32>((*expect)["hash"].get<std::string>());
                const auto want_sender = fixed<Address>((*expect)["sender"].get<std::string>());
                const uint64_t want_gas = quantity((*expect)["intrinsicGas"].get<std::string>());
                if (transaction_hash(*tx) != want_hash) {
                    tally.fail(name, "hash " + to_0x_hex(transaction_hash(*tx)));
                } else if (*sender != want_sender) {
                    tally.fail(name, "sender " + to_0x_hex(*sender));
                } else if (intrinsic_gas(*tx) != want_gas) {
                    tally.fail(name, "intrinsic gas " + std::to_string(intrinsic_gas(*tx)));
                } else {
                    tally.pass();
                }
            }
        }
    }
}

TEST(TransactionFixtures, basic_txtest_signed_transactions_match_their_keys_and_fields) {
    TRELLIS_FIXTURE_PATH(file, "transactions/basic/txtest.json");
    trellis::test::Tally tally("transactions/basic/txtest.json");
    const auto doc = trellis::test::load_json(file);
    int i = 0;
    for (const auto& c : doc) {
        const std::string name = "case " + std::to_string(i++);
        const auto key = fixed<Bytes32>(c.at("key").get<std::string>());
        const Bytes signed_bytes = hex_bytes(c.at("signed").get<std::string>());
        auto tx = decode_transaction(signed_bytes);
        if (!tx) {
            tally.fail(name, std::string("decode failed: ") + to_string(tx.error()));
            continue;
        }
        const std::string to = c.at("to").get<std::string>();
        const bool fields_match = tx->nonce == c.at("nonce").get<uint64_t>() &&
                                  tx->gas_price == uint256{c.at("gasprice").get<uint64_t>()} &&
                                  tx->gas_limit == c.at("startgas").get<uint64_t>() &&
                                  tx->value == uint256{c.at("value").get<uint64_t>()} &&
                                  tx->data == hex_bytes(c.at("data").get<std::string>()) &&
                                  (to.empty() ? !tx->to : tx->to == fixed<Address>(to));
        if (!fields_match) {
            tally.fail(name, "decoded fields differ");
            continue;
        }
        // "unsigned" is the 9-field pyethereum form with empty v, r, s; the
        // pre-EIP-155 signing payload is its first six fields.
        auto unsigned_value = rlp::decode_value(hex_bytes(c.at("unsigned").get<std::string>()));
        if (!unsigned_value || unsigned_value->items.size() != 9) {
            tally.fail(name, "unexpected \"unsigned\" form");
            continue;
        }
        unsigned_value->items.resize(6);
        if (crypto::keccak256(rlp::encode(*unsigned_value)) != signing_hash(*tx)) {
            tally.fail(name, "signing hash differs");
            continue;
        }
        // These vectors predate Homestead: one has s > n/2, which EIP-2 now
        // forbids. Check the raw signature recovers the key, then the policy.
        crypto::secp256k1::Signature sig{tx->r.to_be(), tx->s.to_be(), tx->y_parity};
        auto pub = crypto::secp256k1::recover(signing_hash(*tx), sig);
        if (!pub || crypto::secp256k1::address_of(*pub) != address_of_key(key)) {
            tally.fail(name, "signature does not recover the key's address");
            continue;
        }
        auto sender = recover_sender(*tx);
        if (crypto::secp256k1::is_low_s(sig.s) ? !sender || *sender != address_of_key(key)
                                               : sender || sender.error() != TxError::kHighS) {
            tally.fail(name, "recover_sender disagrees with EIP-2 policy");
            continue;
        }
        tally.pass();
    }
}

TEST(TransactionFixtures, basic_keyaddrtest_keys_map_to_addresses) {
    TRELLIS_FIXTURE_PATH(file, "transactions/basic/keyaddrtest.json");
    trellis::test::Tally tally("transactions/basic/keyaddrtest.json");
    for (const auto& c : trellis::test::load_json(file)) {
        const auto key = fixed<Bytes32>(c.at("key").get<std::string>());
        const auto addr = fixed<Address>(c.at("addr").get<std::string>());
        if (address_of_key(key) == addr) tally.pass();
        else tally.fail(c.at("seed").get<std::string>(), "address differs");
    }
}

// --- EIP-155 -----------------------------------------------------------------

TEST(Eip155, spec_example_signing_hash_and_signed_transaction) {
    Transaction tx = eip155_example();
    EXPECT_EQ(to_hex(signing_hash(tx)), "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    ASSERT_TRUE(sign(tx, kEip155Key));
    // RFC 6979 nonces make the signature deterministic, so the EIP's signed bytes reproduce.
    EXPECT_EQ(to_hex(encode_transaction(tx)),
              "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080"
              "25a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aec"
              "b703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
    EXPECT_EQ(recover_sender(tx).value(), address_of_key(kEip155Key));
}

TEST(Eip155, v_encodes_chain_id_times_two_plus_35_or_36) {
    for (ChainId chain : {ChainId{1}, ChainId{5}, ChainId{1337}, ~ChainId{0}}) {
        for (uint8_t y : {0, 1}) {
            Transaction tx = eip155_example();
            tx.chain_id = chain;
            tx.r = uint256{1};
            tx.s = uint256{1};
            tx.y_parity = y;
            const Bytes enc = encode_transaction(tx);
            auto list = rlp::decode_value(enc);
            ASSERT_TRUE(list);
            const uint256 v = uint256::from_be(list->items.at(6).bytes);
            const uint256 c{chain};
            EXPECT_EQ(v, c + c + uint256{35u + y});
            auto back = decode_transaction(enc);
            ASSERT_TRUE(back);
            EXPECT_EQ(back->chain_id, chain);
            EXPECT_EQ(back->y_parity, y);
        }
    }
}

TEST(Eip155, legacy_v_27_28_means_no_chain_id_and_other_small_v_is_rejected) {
    Transaction tx = eip155_example();
    tx.chain_id.reset();
    ASSERT_TRUE(sign(tx, kEip155Key));
    const Bytes enc = encode_transaction(tx);
    auto back = decode_transaction(enc);
    ASSERT_TRUE(back);
    EXPECT_FALSE(back->chain_id.has_value());
    EXPECT_EQ(recover_sender(*back).value(), address_of_key(kEip155Key));

    // Re-encode with v = 29 (neither 27/28 nor >= 35).
    auto value = rlp::decode_value(enc).value();
    value.items[6] = rlp::Value::string(Bytes{29});
    EXPECT_EQ(decode_transaction(rlp::encode(value)).error(), TxError::kInvalidV);
    value.items[6] = rlp::Value::string(Bytes{34});
    EXPECT_EQ(decode_transaction(rlp::encode(value)).error(), TxError::kInvalidV);
}

TEST(Eip155, unprotected_transactions_can_be_refused_by_rules) {
    Transaction tx = eip155_example();
    tx.chain_id.reset();
    ASSERT_TRUE(sign(tx, kEip155Key));
    ValidationRules rules;
    rules.chain_id = 1;
    EXPECT_TRUE(validate_context_free(tx, rules));
    rules.allow_unprotected = false;
    EXPECT_EQ(validate_context_free(tx, rules).error(), TxError::kUnprotectedNotAllowed);
}

// --- signing -------------------------------------------------------------------

TEST(TransactionSigning, sign_then_recover_round_trips_for_each_type) {
    for (TxType type : {TxType::kLegacy, TxType::kAccessList, TxType::kDynamicFee}) {
        for (bool protect : {true, false}) {
            if (!protect && type != TxType::kLegacy) continue;
            Transaction tx = sample(type);
            if (!protect) tx.chain_id.reset();
            ASSERT_TRUE(sign(tx, kKey));
            const Bytes enc = encode_transaction(tx);
            EXPECT_EQ(enc.size(), encoded_length(tx));
            if (type != TxType::kLegacy) {
                EXPECT_EQ(enc[0], uint8_t(type));
            }
            auto back = decode_transaction(enc);
            ASSERT_TRUE(back) << to_string(back.error());
            EXPECT_EQ(*back, tx);
            EXPECT_EQ(recover_sender(*back).value(), address_of_key(kKey));
            ValidationRules rules;
            rules.chain_id = 1337;
            EXPECT_EQ(validate_and_recover(*back, rules).value(), address_of_key(kKey));
            // Changing any signed field changes the recovered sender.
            back->value = back->value + uint256{1};
            auto other = recover_sender(*back);
            EXPECT_TRUE(!other || *other != address_of_key(kKey));
        }
    }
}

TEST(TransactionSigning, typed_signing_hash_is_keccak_of_type_byte_and_unsigned_fields) {
    Transaction tx = sample(TxType::kDynamicFee);
    ASSERT_TRUE(sign(tx, kKey));
    // Build the EIP-1559 signing payload by hand from the network form.
    const Bytes enc = encode_transaction(tx);
    auto value = rlp::decode_value(ByteView(enc).subspan(1)).value();
    ASSERT_EQ(value.items.size(), 12u);
    value.items.resize(9);
    Bytes payload{0x02};
    rlp::encode(payload, value);
    EXPECT_EQ(signing_hash(tx), crypto::keccak256(payload));
    EXPECT_EQ(transaction_hash(tx), crypto::keccak256(enc));
}

TEST(TransactionSigning, eip2_rejects_high_s) {
    Transaction tx = sample(TxType::kLegacy);
    ASSERT_TRUE(sign(tx, kKey));
    const uint256 n = u256("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    // (r, n - s) with the other parity is the same ECDSA signature, with high s.
    tx.s = n - tx.s;
    tx.y_parity ^= 1;
    EXPECT_FALSE(crypto::secp256k1::is_low_s(tx.s.to_be()));
    EXPECT_EQ(recover_sender(tx).error(), TxError::kHighS);
    EXPECT_EQ(validate_context_free(tx, {}).error(), TxError::kHighS);
}

TEST(TransactionSigning, s_equal_to_half_order_is_still_low) {
    Transaction tx = sample(TxType::kLegacy);
    ASSERT_TRUE(sign(tx, kKey));
    tx.s = u256("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
    EXPECT_TRUE(crypto::secp256k1::is_low_s(tx.s.to_be()));
    auto r = recover_sender(tx);  // a different (unknown) key, but not a range error
    EXPECT_TRUE(r.ok() || r.error() == TxError::kRecoveryFailed);
    tx.s = tx.s + uint256{1};
    EXPECT_EQ(recover_sender(tx).error(), TxError::kHighS);
}

TEST(TransactionSigning, zero_or_out_of_range_r_and_s_are_invalid_signatures) {
    Transaction tx = sample(TxType::kDynamicFee);
    ASSERT_TRUE(sign(tx, kKey));
    const uint256 n = u256("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    for (auto mutate : {+[](Transaction& t, const uint256&) { t.r = uint256{}; },
                        +[](Transaction& t, const uint256&) { t.s = uint256{}; },
                        +[](Transaction& t, const uint256& n) { t.r = n; },
                        +[](Transaction& t, const uint256& n) { t.s = n; }}) {
        Transaction bad = tx;
        mutate(bad, n);
        EXPECT_EQ(recover_sender(bad).error(), TxError::kInvalidSignature);
    }
}

// --- decoding strictness ---------------------------------------------------------

TEST(TransactionDecode, rejects_empty_input_and_non_list_envelopes) {
    EXPECT_EQ(decode_transaction({}).error(), TxError::kEmptyInput);
    EXPECT_EQ(decode_transaction(hx("83010203")).error(), TxError::kMalformedEnvelope);
}

TEST(TransactionDecode, blob_and_unknown_types_are_unsupported) {
    Transaction tx = sample(TxType::kDynamicFee);
    ASSERT_TRUE(sign(tx, kKey));
    Bytes enc = encode_transaction(tx);
    for (uint8_t type : {0x00, 0x03, 0x04, 0x7f}) {
        enc[0] = type;
        EXPECT_EQ(decode_transaction(enc).error(), TxError::kUnsupportedType) << int(type);
    }
}

TEST(TransactionDecode, rejects_trailing_bytes) {
    Transaction tx = sample(TxType::kAccessList);
    ASSERT_TRUE(sign(tx, kKey));
    Bytes enc = encode_transaction(tx);
    enc.push_back(0x00);
    EXPECT_EQ(decode_transaction(enc).error(), TxError::kRlpTrailingBytes);
}

TEST(TransactionDecode, rejects_wrong_field_counts) {
    Transaction tx = sample(TxType::kLegacy);
    ASSERT_TRUE(sign(tx, kKey));
    auto value = rlp::decode_value(encode_transaction(tx)).value();
    auto more = value;
    more.items.push_back(rlp::Value::string({}));
    EXPECT_EQ(decode_transaction(rlp::encode(more)).error(), TxError::kRlpTooManyFields);
    auto fewer = value;
    fewer.items.pop_back();
    EXPECT_EQ(decode_transaction(rlp::encode(fewer)).error(), TxError::kRlpTooFewFields);
}

TEST(TransactionDecode, rejects_leading_zeros_in_integer_fields) {
    Transaction tx = sample(TxType::kDynamicFee);
    ASSERT_TRUE(sign(tx, kKey));
    const Bytes enc = encode_transaction(tx);
    auto value = rlp::decode_value(ByteView(enc).subspan(1)).value();
    value.items[3] = rlp::Value::string(Bytes{0x00, 0x64});  // max_fee_per_gas 0x0064
    Bytes bad{0x02};
    rlp::encode(bad, value);
    EXPECT_EQ(decode_transaction(bad).error(), TxError::kRlpLeadingZeros);
}

TEST(TransactionDecode, field_sizes_are_enforced) {
    Transaction tx = sample(TxType::kAccessList);
    ASSERT_TRUE(sign(tx, kKey));
    const Bytes enc = encode_transaction(tx);
    const auto value = rlp::decode_value(ByteView(enc).subspan(1)).value();
    auto check = [&](size_t field, rlp::Value v, TxError want) {
        auto mutated = value;
        mutated.items[field] = std::move(v);
        Bytes bad{0x01};
        rlp::encode(bad, mutated);
        EXPECT_EQ(decode_transaction(bad).error(), want) << field;
    };
    check(1, rlp::Value::string(Bytes(9, 0x01)), TxError::kNonceTooLarge);
    check(3, rlp::Value::string(Bytes(9, 0x01)), TxError::kGasLimitTooLarge);
    check(2, rlp::Value::string(Bytes(33, 0x01)), TxError::kFeeTooLarge);
    check(5, rlp::Value::string(Bytes(33, 0x01)), TxError::kValueTooLarge);
    check(0, rlp::Value::string(Bytes(9, 0x01)), TxError::kChainIdTooLarge);
    check(4, rlp::Value::string(Bytes(19, 0x01)), TxError::kInvalidToAddress);
    check(4, rlp::Value::string(Bytes(21, 0x01)), TxError::kInvalidToAddress);
    check(4, rlp::Value::list(), TxError::kRlpUnexpectedList);
    check(8, rlp::Value::string(Bytes{2}), TxError::kInvalidYParity);
    check(9, rlp::Value::string(Bytes(33, 0x01)), TxError::kSignatureValueTooLarge);
    check(7, rlp::Value::string({}), TxError::kRlpExpectedList);
    using V = rlp::Value;
    check(7, V::list({V::list({V::string(Bytes(21, 1)), V::list()})}), TxError::kInvalidAccessListAddress);
    check(7, V::list({V::list({V::string(Bytes(20, 1)), V::list({V::string(Bytes(31, 1))})})}),
          TxError::kInvalidStorageKey);
    check(7, V::list({V::list({V::string(Bytes(20, 1))})}), TxError::kRlpTooFewFields);
    check(7, V::list({V::list({V::string(Bytes(20, 1)), V::list(), V::list()})}), TxError::kRlpTooManyFields);
}

TEST(TransactionDecode, empty_to_is_a_creation) {
    Transaction tx = sample(TxType::kLegacy);
    tx.to.reset();
    ASSERT_TRUE(sign(tx, kKey));
    auto back = decode_transaction(encode_transaction(tx));
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->is_create());
}

// --- intrinsic gas and context-free validation -------------------------------------

TEST(IntrinsicGas, eip2028_calldata_and_eip2930_access_list_costs) {
    Transaction tx = sample(TxType::kAccessList);  // data deadbeef00, 1 address, 2 keys
    EXPECT_EQ(intrinsic_gas(tx), 21000u + 4 * 16 + 4 + 2400 + 2 * 1900);
    tx.access_list.clear();
    tx.data.clear();
    EXPECT_EQ(intrinsic_gas(tx), 21000u);
}

TEST(IntrinsicGas, eip3860_creation_charges_32000_plus_2_per_initcode_word) {
    Transaction tx = sample(TxType::kLegacy);
    tx.to.reset();
    tx.data = Bytes(33, 0x00);  // 2 words, all zero bytes
    EXPECT_EQ(intrinsic_gas(tx), 21000u + 32000 + 33 * 4 + 2 * 2);
}

TEST(TransactionValidation, eip2681_rejects_nonce_at_max) {
    Transaction tx = sample(TxType::kDynamicFee);
    tx.nonce = ~uint64_t{0};
    ASSERT_TRUE(sign(tx, kKey));
    EXPECT_EQ(validate_context_free(tx, {}).error(), TxError::kNonceMax);
    tx.nonce -= 1;
    ASSERT_TRUE(sign(tx, kKey));
    EXPECT_TRUE(validate_context_free(tx, {}));
}

TEST(TransactionValidation, eip3860_rejects_initcode_above_49152_bytes) {
    Transaction tx = sample(TxType::kDynamicFee);
    tx.to.reset();
    tx.gas_limit = 10'000'000;
    tx.data = Bytes(49152, 0x60);
    ASSERT_TRUE(sign(tx, kKey));
    EXPECT_TRUE(validate_context_free(tx, {}));
    tx.data.push_back(0x00);
    ASSERT_TRUE(sign(tx, kKey));
    EXPECT_EQ(validate_context_free(tx, {}).error(), TxError::kInitcodeTooLarge);
    // A call may carry more data than that.
    tx.to = fixed<Address>("0x00000000000000000000000000000000000000aa");
    ASSERT_TRUE(sign(tx, kKey));
    EXPECT_TRUE(validate_context_free(tx, {}));
}

TEST(TransactionValidation, gas_limit_must_cover_intrinsic_gas) {
    Transaction tx = sample(TxType::kLegacy);
    tx.gas_limit = intrinsic_gas(tx) - 1;
    ASSERT_TRUE(sign(tx, kKey));
    EXPECT_EQ(validate_context_free(tx, {}).error(), TxError::kIntrinsicGasTooLow);
    tx.gas_limit += 1;
    ASSERT_TRUE(sign(tx, kKey));
    EXPECT_TRUE(validate_context_free(tx, {}));
}

TEST(TransactionValidation, eip1559_priority_fee_may_not_exceed_max_fee) {
    Transaction tx = sample(TxType::kDynamicFee);
    tx.max_priority_fee_per_gas = tx.max_fee_per_gas + uint256{1};
    ASSERT_TRUE(sign(tx, kKey));
    EXPECT_EQ(validate_context_free(tx, {}).error(), TxError::kPriorityFeeAboveMaxFee);
}

TEST(TransactionValidation, gas_limit_times_max_fee_must_fit_256_bits) {
    Transaction tx = sample(TxType::kLegacy);
    tx.gas_price = uint256::max();
    ASSERT_TRUE(sign(tx, kKey));
    EXPECT_EQ(validate_context_free(tx, {}).error(), TxError::kFeeCapGasOverflow);
}

TEST(TransactionValidation, wrong_chain_id_is_rejected) {
    Transaction tx = sample(TxType::kAccessList);
    ASSERT_TRUE(sign(tx, kKey));
    ValidationRules rules;
    rules.chain_id = 1;
    EXPECT_EQ(validate_context_free(tx, rules).error(), TxError::kWrongChainId);
    rules.chain_id = 1337;
    EXPECT_TRUE(validate_context_free(tx, rules));
}

TEST(TransactionValidation, oversized_transactions_are_rejected) {
    Transaction tx = sample(TxType::kLegacy);
    tx.gas_limit = 10'000'000;
    tx.data = Bytes(4000, 0x01);
    ASSERT_TRUE(sign(tx, kKey));
    ValidationRules rules;
    rules.max_tx_size = 4000;
    EXPECT_EQ(validate_context_free(tx, rules).error(), TxError::kTxTooLarge);
}

TEST(TransactionErrors, every_error_has_a_distinct_description) {
    std::set<std::string> seen;
    for (int e = 0; e <= int(TxError::kSigningFailed); ++e)
        EXPECT_TRUE(seen.insert(to_string(TxError(e))).second) << e;
}
