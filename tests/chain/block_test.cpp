#include "chain/block.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "chain/genesis.hpp"
#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "crypto/suite.hpp"

using namespace trellis;
using namespace trellis::chain;

namespace {

Bytes32 key(uint8_t b) {
    Bytes32 k;
    k.bytes.fill(b);
    return k;
}

Transaction signed_tx(TxType type, Nonce nonce) {
    Transaction tx;
    tx.type = type;
    tx.chain_id = 7;
    tx.nonce = nonce;
    tx.gas_limit = 50000;
    if (type == TxType::kDynamicFee) {
        tx.max_fee_per_gas = 10;
        tx.max_priority_fee_per_gas = 2;
    } else {
        tx.gas_price = 3;
    }
    Address to;
    to.bytes.fill(0x42);
    tx.to = to;
    tx.value = 1000 + nonce;
    tx.data = {1, 2, 3};
    if (type != TxType::kLegacy) tx.access_list = {{to, {Bytes32{}}}};
    EXPECT_TRUE(sign(tx, key(0x11)).ok());
    return tx;
}

BlockHeader sample_header() {
    BlockHeader h;
    h.parent_hash.bytes.fill(0xaa);
    h.number = 12345;
    h.timestamp = 1700000000;
    h.proposer.bytes.fill(0xbb);
    h.state_root.bytes.fill(0xcc);
    h.transactions_root.bytes.fill(0xdd);
    h.receipts_root.bytes.fill(0xee);
    h.logs_bloom[17] = 0x80;
    h.gas_limit = 30'000'000;
    h.gas_used = 21000;
    h.base_fee = 7;
    h.extra_data = {'t', 'r', 'e', 'l', 'l', 'i', 's'};
    h.consensus = Bytes(32, 0x5a);
    return h;
}

Block sample_block() {
    Block b{sample_header(), {}};
    b.body.transactions = {signed_tx(TxType::kLegacy, 0), signed_tx(TxType::kAccessList, 1),
                           signed_tx(TxType::kDynamicFee, 2)};
    return b;
}

}  // namespace

TEST(BlockHeader, round_trips_and_hash_is_keccak_of_rlp) {
    const BlockHeader h = sample_header();
    const Bytes enc = encode_header(h);
    auto d = decode_header(enc);
    ASSERT_TRUE(d.ok()) << to_string(d.error());
    EXPECT_EQ(*d, h);
    EXPECT_EQ(header_hash(h), crypto::keccak256(enc));
    // Thirteen fields in the documented order: the first is the parent hash.
    auto item = rlp::decode_exact(enc);
    ASSERT_TRUE(item.ok());
    auto v = rlp::decode_value(enc);
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(v->items.size(), 13u);
    EXPECT_EQ(v->items[0].bytes, to_bytes(h.parent_hash.view()));
    EXPECT_EQ(v->items[12].bytes, h.consensus);
}

TEST(BlockHeader, every_field_changes_the_hash) {
    const Hash32 base = header_hash(sample_header());
    std::vector<std::function<void(BlockHeader&)>> edits = {
        [](BlockHeader& h) { h.parent_hash[0] ^= 1; },   [](BlockHeader& h) { ++h.number; },
        [](BlockHeader& h) { ++h.timestamp; },           [](BlockHeader& h) { h.proposer[0] ^= 1; },
        [](BlockHeader& h) { h.state_root[0] ^= 1; },    [](BlockHeader& h) { h.transactions_root[0] ^= 1; },
        [](BlockHeader& h) { h.receipts_root[0] ^= 1; }, [](BlockHeader& h) { h.logs_bloom[0] ^= 1; },
        [](BlockHeader& h) { ++h.gas_limit; },           [](BlockHeader& h) { ++h.gas_used; },
        [](BlockHeader& h) { h.base_fee += 1; },         [](BlockHeader& h) { h.extra_data.push_back(0); },
        [](BlockHeader& h) { h.consensus.pop_back(); },
    };
    for (size_t i = 0; i < edits.size(); ++i) {
        BlockHeader h = sample_header();
        edits[i](h);
        EXPECT_NE(header_hash(h), base) << "field " << i;
    }
}

TEST(BlockHeader, decoder_enforces_bounds_and_canonical_form) {
    BlockHeader h = sample_header();
    h.extra_data = Bytes(kMaxExtraData + 1, 1);
    EXPECT_EQ(decode_header(encode_header(h)).error(), BlockError::kExtraDataTooLong);
    h = sample_header();
    h.consensus = Bytes(kMaxConsensusData + 1, 1);
    EXPECT_EQ(decode_header(encode_header(h)).error(), BlockError::kConsensusDataTooLong);
    h = sample_header();
    h.consensus = Bytes(kMaxConsensusData, 1);
    EXPECT_TRUE(decode_header(encode_header(h)).ok());

    Bytes enc = encode_header(sample_header());
    Bytes trailing = enc;
    trailing.push_back(0x80);
    EXPECT_EQ(decode_header(trailing).error(), BlockError::kRlpTrailingBytes);
    EXPECT_EQ(decode_header({}).error(), BlockError::kEmptyInput);
    EXPECT_EQ(decode_header(ByteView(enc).first(enc.size() - 1)).error(), BlockError::kRlpMalformed);

    // Rebuild with a 31-byte parent hash, a leading-zero number, a missing and an extra field.
    auto v = rlp::decode_value(enc).value();
    auto re = [&](auto edit) {
        auto w = v;
        edit(w);
        return decode_header(rlp::encode(w));
    };
    EXPECT_EQ(re([](rlp::Value& w) { w.items[0].bytes.pop_back(); }).error(), BlockError::kWrongFieldSize);
    EXPECT_EQ(re([](rlp::Value& w) { w.items[1].bytes.insert(w.items[1].bytes.begin(), 0); }).error(),
              BlockError::kRlpLeadingZeros);
    EXPECT_EQ(re([](rlp::Value& w) { w.items.pop_back(); }).error(), BlockError::kRlpTooFewFields);
    EXPECT_EQ(re([](rlp::Value& w) { w.items.push_back(rlp::Value::string({})); }).error(),
              BlockError::kRlpTooManyFields);
    EXPECT_EQ(re([](rlp::Value& w) { w.items[1].bytes = Bytes(9, 1); }).error(),
              BlockError::kIntegerOverflow);
    EXPECT_EQ(re([](rlp::Value& w) { w.items[3] = rlp::Value::list(); }).error(),
              BlockError::kRlpUnexpectedList);
}

TEST(Block, round_trips_with_every_transaction_type) {
    const Block b = sample_block();
    const Bytes enc = encode_block(b);
    auto d = decode_block(enc);
    ASSERT_TRUE(d.ok()) << to_string(d.error());
    EXPECT_EQ(*d, b);
    EXPECT_EQ(encode_block(*d), enc);

    const Bytes body = encode_body(b.body);
    auto db = decode_body(body);
    ASSERT_TRUE(db.ok()) << to_string(db.error());
    EXPECT_EQ(*db, b.body);

    // EIP-2718 in a block: a legacy transaction is a list, a typed one a string.
    auto v = rlp::decode_value(enc).value();
    ASSERT_EQ(v.items.size(), 2u);
    ASSERT_EQ(v.items[1].items.size(), 3u);
    EXPECT_TRUE(v.items[1].items[0].is_list);
    EXPECT_FALSE(v.items[1].items[1].is_list);
    EXPECT_EQ(v.items[1].items[1].bytes, encode_transaction(b.body.transactions[1]));
}

TEST(Block, decoder_rejects_bad_transactions) {
    Block b = sample_block();
    auto v = rlp::decode_value(encode_block(b)).value();
    // A legacy transaction wrapped in a string is not canonical.
    auto w = v;
    w.items[1].items[0] = rlp::Value::string(encode_transaction(b.body.transactions[0]));
    EXPECT_EQ(decode_block(rlp::encode(w)).error(), BlockError::kInvalidTransaction);
    // A typed transaction given as a bare list (its type lost) is not either.
    w = v;
    w.items[1].items[1] =
        rlp::decode_value(ByteView(encode_transaction(b.body.transactions[1])).subspan(1)).value();
    EXPECT_EQ(decode_block(rlp::encode(w)).error(), BlockError::kInvalidTransaction);
    // Garbage in a transaction slot.
    w = v;
    w.items[1].items[2] = rlp::Value::string(Bytes{0x02, 0xc0});
    EXPECT_EQ(decode_block(rlp::encode(w)).error(), BlockError::kInvalidTransaction);
    // Transactions not in a list.
    w = v;
    w.items[1] = rlp::Value::string(Bytes{1});
    EXPECT_EQ(decode_block(rlp::encode(w)).error(), BlockError::kRlpExpectedList);
    // Uncles or withdrawals (Ethereum's extra fields) are not part of a Trellis block.
    w = v;
    w.items.push_back(rlp::Value::list());
    EXPECT_EQ(decode_block(rlp::encode(w)).error(), BlockError::kRlpTooManyFields);
}

TEST(BlockValidation, header_and_parent_rules) {
    BlockHeader parent = sample_header();
    BlockHeader h = sample_header();
    h.parent_hash = header_hash(parent);
    h.number = parent.number + 1;
    h.timestamp = parent.timestamp;  // equal is allowed: BFT blocks can be sub-second
    EXPECT_TRUE(validate_header(h).ok());
    EXPECT_TRUE(validate_against_parent(h, parent, h.base_fee).ok());

    BlockHeader x = h;
    x.gas_used = x.gas_limit + 1;
    EXPECT_EQ(validate_header(x).error(), BlockError::kGasUsedAboveLimit);
    x = h;
    x.parent_hash[0] ^= 1;
    EXPECT_EQ(validate_against_parent(x, parent, h.base_fee).error(), BlockError::kWrongParentHash);
    x = h;
    x.number += 1;
    EXPECT_EQ(validate_against_parent(x, parent, h.base_fee).error(), BlockError::kWrongNumber);
    x = h;
    x.timestamp = parent.timestamp - 1;
    EXPECT_EQ(validate_against_parent(x, parent, h.base_fee).error(), BlockError::kTimestampBeforeParent);
    x = h;
    x.gas_limit -= 1;
    EXPECT_EQ(validate_against_parent(x, parent, h.base_fee).error(), BlockError::kWrongGasLimit);
    EXPECT_EQ(validate_against_parent(h, parent, h.base_fee + 1).error(), BlockError::kWrongBaseFee);
}

// EIP-1559 §Specification: the base fee follows the parent's gas use against
// the target gas_limit / ELASTICITY_MULTIPLIER, by at most 1/8 a block.
TEST(BaseFee, eip1559_adjustment) {
    Eip1559BaseFee rule;
    rule.initial = 1'000'000'000;
    BlockHeader parent;
    parent.gas_limit = 30'000'000;
    parent.base_fee = 1'000'000'000;
    parent.gas_used = 15'000'000;  // at target: unchanged
    EXPECT_EQ(expected_base_fee(rule, parent), uint256(1'000'000'000));
    parent.gas_used = 30'000'000;  // full: +12.5%
    EXPECT_EQ(expected_base_fee(rule, parent), uint256(1'125'000'000));
    parent.gas_used = 0;  // empty: -12.5%
    EXPECT_EQ(expected_base_fee(rule, parent), uint256(875'000'000));
    parent.gas_used = 20'000'000;  // 1e9 * 5e6 / 15e6 / 8 = 41666666
    EXPECT_EQ(expected_base_fee(rule, parent), uint256(1'041'666'666));
    // Above target, the increase is at least 1 wei.
    parent.base_fee = 1;
    parent.gas_used = 15'000'001;
    EXPECT_EQ(expected_base_fee(rule, parent), uint256(2));
    // Zero stays zero below target, and the floor holds.
    parent.base_fee = 0;
    parent.gas_used = 0;
    EXPECT_EQ(expected_base_fee(rule, parent), uint256(0));
    rule.min_base_fee = 7;
    EXPECT_EQ(expected_base_fee(rule, parent), uint256(7));
    // An absurd base fee saturates instead of wrapping.
    parent.base_fee = uint256::max();
    parent.gas_used = 30'000'000;
    EXPECT_EQ(expected_base_fee(rule, parent), uint256::max());
}

TEST(BaseFee, fixed_rule_ignores_the_parent_and_allows_zero) {
    BlockHeader parent;
    parent.gas_limit = 10;
    parent.gas_used = 10;
    parent.base_fee = 99;
    EXPECT_EQ(expected_base_fee(FixedBaseFee{0}, parent), uint256(0));
    EXPECT_EQ(expected_base_fee(FixedBaseFee{5}, parent), uint256(5));
    EXPECT_EQ(initial_base_fee(FixedBaseFee{5}), uint256(5));
    EXPECT_EQ(initial_base_fee(Eip1559BaseFee{9, 2, 8, 0}), uint256(9));
}

namespace {

Genesis sample_genesis() {
    Genesis g;
    g.chain_id = 2026;
    g.timestamp = 1'700'000'000;
    g.base_fee = Eip1559BaseFee{1'000'000'000, 2, 8, 0};
    GenesisAccount acc;
    acc.balance = 1'000'000;
    acc.code = {0x60, 0x00};
    acc.storage[Bytes32{}] = Bytes32::right_aligned(Bytes{1});
    Address a;
    a.bytes.fill(1);
    g.alloc[a] = acc;
    for (uint8_t i = 1; i <= 4; ++i) {
        const auto& suite = crypto::ethereum_suite();
        GenesisValidator v;
        v.public_key = suite.public_key(key(i)).value();
        v.address = suite.address_of(v.public_key);
        v.stake = 100;
        g.validators.push_back(v);
    }
    return g;
}

}  // namespace

TEST(Genesis, valid_sample_passes) {
    EXPECT_TRUE(validate_genesis(sample_genesis()).ok());
}

TEST(Genesis, validation_rejects_each_broken_rule) {
    auto err = [](auto edit) {
        Genesis g = sample_genesis();
        edit(g);
        auto r = validate_genesis(g);
        return r.ok() ? std::optional<GenesisError>{} : std::optional<GenesisError>{r.error()};
    };
    EXPECT_EQ(err([](Genesis& g) { g.chain_id = 0; }), GenesisError::kZeroChainId);
    EXPECT_EQ(err([](Genesis& g) { g.crypto_suite = "rot13"; }), GenesisError::kUnknownCryptoSuite);
    EXPECT_EQ(err([](Genesis& g) { g.evm_revision = "Prague"; }), GenesisError::kUnknownEvmRevision);
    EXPECT_EQ(err([](Genesis& g) { g.gas_limit = 0; }), GenesisError::kZeroGasLimit);
    EXPECT_EQ(err([](Genesis& g) { std::get<Eip1559BaseFee>(g.base_fee).elasticity_multiplier = 0; }),
              GenesisError::kBadElasticity);
    EXPECT_EQ(err([](Genesis& g) { std::get<Eip1559BaseFee>(g.base_fee).change_denominator = 0; }),
              GenesisError::kBadChangeDenominator);
    EXPECT_EQ(err([](Genesis& g) { g.extra_data = Bytes(33, 0); }), GenesisError::kExtraDataTooLong);
    EXPECT_EQ(err([](Genesis& g) { g.validators.clear(); }), GenesisError::kNoValidators);
    EXPECT_EQ(err([](Genesis& g) { g.validators.push_back(g.validators[0]); }),
              GenesisError::kDuplicateValidator);
    EXPECT_EQ(err([](Genesis& g) { g.validators[1].address[0] ^= 1; }),
              GenesisError::kValidatorAddressMismatch);
    EXPECT_EQ(err([](Genesis& g) { g.validators[2].stake = 0; }), GenesisError::kZeroStake);
    EXPECT_EQ(err([](Genesis& g) { g.validators[0].stake = uint256::max(); }), GenesisError::kStakeOverflow);
    EXPECT_EQ(err([](Genesis& g) { g.alloc.begin()->second.code = Bytes(kMaxGenesisCode + 1, 0); }),
              GenesisError::kCodeTooLarge);
    // The SM suite derives addresses with SM3: an ethereum-derived address no longer matches.
    EXPECT_EQ(err([](Genesis& g) { g.crypto_suite = "sm"; }), GenesisError::kValidatorAddressMismatch);
    // A fixed zero base fee is fine.
    EXPECT_EQ(err([](Genesis& g) { g.base_fee = FixedBaseFee{0}; }), std::nullopt);
}

TEST(Genesis, header_commits_to_every_parameter) {
    const Genesis g = sample_genesis();
    Hash32 root;
    root.bytes.fill(3);
    const BlockHeader h = genesis_header(g, root);
    EXPECT_EQ(h.number, 0u);
    EXPECT_EQ(h.parent_hash, Hash32{});
    EXPECT_EQ(h.state_root, root);
    EXPECT_EQ(h.base_fee, uint256(1'000'000'000));
    EXPECT_EQ(h.gas_limit, g.gas_limit);
    EXPECT_EQ(h.consensus, to_bytes(genesis_config_hash(g).view()));
    const Hash32 base = header_hash(h);
    std::vector<std::function<void(Genesis&)>> edits = {
        [](Genesis& x) { x.chain_id++; },
        [](Genesis& x) { x.crypto_suite = "sm"; },
        [](Genesis& x) { x.evm_revision = "Cancun"; },
        [](Genesis& x) { x.timestamp++; },
        [](Genesis& x) { x.gas_limit++; },
        [](Genesis& x) { x.base_fee = FixedBaseFee{1'000'000'000}; },
        [](Genesis& x) { std::get<Eip1559BaseFee>(x.base_fee).min_base_fee = 1; },
        [](Genesis& x) { std::get<Eip1559BaseFee>(x.base_fee).change_denominator = 9; },
        [](Genesis& x) { x.extra_data = {1}; },
        [](Genesis& x) { x.validators[0].stake += 1; },
        [](Genesis& x) { std::swap(x.validators[0], x.validators[1]); },
    };
    for (size_t i = 0; i < edits.size(); ++i) {
        Genesis x = g;
        edits[i](x);
        EXPECT_NE(header_hash(genesis_header(x, root)), base) << "edit " << i;
    }
}
