#include "chain/receipt.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "chain/bloom.hpp"
#include "codec/rlp.hpp"

using namespace trellis;
using namespace trellis::chain;

namespace {

Bytes hx(std::string_view s) {
    return from_hex(s).value();
}

Log make_log(uint8_t a, std::vector<uint8_t> topic_bytes, Bytes data) {
    Log log;
    log.address.bytes.fill(a);
    for (uint8_t t : topic_bytes) {
        Hash32 h;
        h.bytes.fill(t);
        log.topics.push_back(h);
    }
    log.data = std::move(data);
    return log;
}

Receipt sample(TxType type, bool success) {
    return make_receipt(type, success, 123456,
                        {make_log(0x11, {1, 2}, {0xde, 0xad}), make_log(0x22, {}, {}),
                         make_log(0x33, {3, 4, 5, 6}, Bytes(100, 7))});
}

}  // namespace

// Yellow Paper §4.3.1 bit selection, checked against go-ethereum's bloom of the
// ERC-20 Transfer topic (the reference vector quoted in Horizen's receipt tests):
// bytes 75, 123 and 195 get 0x08, 0x10 and 0x02.
TEST(Bloom, transfer_topic_sets_geth_reference_bits) {
    Bloom b;
    bloom_add(b, hx("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"));
    Bloom want;
    want[75] = 0x08;
    want[123] = 0x10;
    want[195] = 0x02;
    EXPECT_EQ(b, want);
}

TEST(Bloom, added_entries_are_found_and_absent_mostly_not) {
    Bloom b;
    const char* positive[] = {"testtest", "test", "hallo", "other"};
    for (const char* s : positive) bloom_add(b, as_view(s));
    for (const char* s : positive) EXPECT_TRUE(bloom_may_contain(b, as_view(s))) << s;
    // The same negatives go-ethereum's bloom test uses.
    EXPECT_FALSE(bloom_may_contain(b, as_view("tes")));
    EXPECT_FALSE(bloom_may_contain(b, as_view("lo")));
}

TEST(Bloom, merge_and_covers) {
    Bloom a, b;
    bloom_add(a, as_view("x"));
    bloom_add(b, as_view("y"));
    EXPECT_FALSE(bloom_covers(a, b));
    Bloom m = a;
    bloom_merge(m, b);
    EXPECT_TRUE(bloom_covers(m, a));
    EXPECT_TRUE(bloom_covers(m, b));
}

TEST(Receipt, logs_bloom_covers_every_address_and_topic) {
    Receipt r = sample(TxType::kLegacy, true);
    for (const Log& log : r.logs) {
        EXPECT_TRUE(bloom_may_contain(r.bloom, log.address));
        for (const Hash32& t : log.topics) EXPECT_TRUE(bloom_may_contain(r.bloom, t));
    }
    EXPECT_EQ(logs_bloom({}), Bloom{});
}

TEST(Receipt, legacy_encoding_is_status_gas_bloom_logs_list) {
    Receipt r = make_receipt(TxType::kLegacy, true, 21000, {});
    Bytes enc = encode_receipt(r);
    // RLP[0x01, 0x825208, 256 zero bytes, []]
    Bytes want;
    const size_t m = rlp::begin_list(want);
    want.push_back(0x01);
    rlp::encode_uint(want, uint64_t(21000));
    rlp::encode_string(want, Bloom{}.view());
    want.push_back(0xc0);
    rlp::end_list(want, m);
    EXPECT_EQ(to_hex(enc), to_hex(want));
}

TEST(Receipt, eip658_failed_status_is_empty_string) {
    Bytes enc = encode_receipt(make_receipt(TxType::kLegacy, false, 1, {}));
    // f9 01 09 | 80 (status) | 01 (gas) ...
    EXPECT_EQ(enc[3], 0x80);
    EXPECT_EQ(enc[4], 0x01);
}

TEST(Receipt, eip2718_typed_receipt_prefixes_type_byte) {
    for (TxType t : {TxType::kAccessList, TxType::kDynamicFee}) {
        Receipt r = sample(t, false);
        Bytes enc = encode_receipt(r);
        EXPECT_EQ(enc[0], uint8_t(t));
        Receipt legacy = r;
        legacy.type = TxType::kLegacy;
        EXPECT_EQ(Bytes(enc.begin() + 1, enc.end()), encode_receipt(legacy));
    }
}

TEST(Receipt, round_trips_every_type_and_status) {
    for (TxType t : {TxType::kLegacy, TxType::kAccessList, TxType::kDynamicFee})
        for (bool ok : {true, false}) {
            Receipt r = sample(t, ok);
            Bytes enc = encode_receipt(r);
            auto d = decode_receipt(enc);
            ASSERT_TRUE(d.ok()) << to_string(d.error());
            EXPECT_EQ(*d, r);
            EXPECT_EQ(encode_receipt(*d), enc);
        }
}

TEST(Receipt, decoder_rejects_malformed_input) {
    const Bytes good = encode_receipt(sample(TxType::kDynamicFee, true));
    auto err = [](ByteView b) { return decode_receipt(b).error(); };
    EXPECT_EQ(err({}), ReceiptError::kEmptyInput);
    Bytes t = good;
    t[0] = 3;  // blob receipts do not exist on Trellis
    EXPECT_EQ(err(t), ReceiptError::kUnsupportedType);
    t = good;
    t.push_back(0);
    EXPECT_EQ(err(t), ReceiptError::kRlpTrailingBytes);
    EXPECT_EQ(err(Bytes(good.begin(), good.end() - 1)), ReceiptError::kRlpMalformed);

    // A bloom that disagrees with the logs.
    Receipt r = sample(TxType::kLegacy, true);
    r.bloom[0] ^= 1;
    EXPECT_EQ(err(encode_receipt(r)), ReceiptError::kBloomMismatch);

    // Five topics.
    r = make_receipt(TxType::kLegacy, true, 5, {make_log(1, {1, 2, 3, 4, 5}, {})});
    EXPECT_EQ(err(encode_receipt(r)), ReceiptError::kTooManyTopics);

    // A pre-Byzantium intermediate state root in place of the status.
    Bytes pre;
    size_t m = rlp::begin_list(pre);
    rlp::encode_string(pre, Hash32{}.view());
    rlp::encode_uint(pre, uint64_t(1));
    rlp::encode_string(pre, Bloom{}.view());
    pre.push_back(0xc0);
    rlp::end_list(pre, m);
    EXPECT_EQ(err(pre), ReceiptError::kInvalidStatus);

    // Status 0x00 is not canonical (zero is the empty string).
    Bytes zero;
    m = rlp::begin_list(zero);
    zero.push_back(0x00);
    rlp::encode_uint(zero, uint64_t(1));
    rlp::encode_string(zero, Bloom{}.view());
    zero.push_back(0xc0);
    rlp::end_list(zero, m);
    EXPECT_EQ(err(zero), ReceiptError::kInvalidStatus);

    // Gas with a leading zero byte.
    Bytes lz;
    m = rlp::begin_list(lz);
    lz.push_back(0x01);
    lz.push_back(0x82);
    lz.push_back(0x00);
    lz.push_back(0x01);
    rlp::encode_string(lz, Bloom{}.view());
    lz.push_back(0xc0);
    rlp::end_list(lz, m);
    EXPECT_EQ(err(lz), ReceiptError::kRlpLeadingZeros);

    // A 19-byte address in a log.
    Bytes bad_addr;
    m = rlp::begin_list(bad_addr);
    bad_addr.push_back(0x01);
    bad_addr.push_back(0x01);
    Log log = make_log(1, {}, {});
    Bloom bl = logs_bloom({log});
    rlp::encode_string(bad_addr, bl.view());
    const size_t logs = rlp::begin_list(bad_addr);
    const size_t one = rlp::begin_list(bad_addr);
    rlp::encode_string(bad_addr, log.address.view().first(19));
    bad_addr.push_back(0xc0);
    bad_addr.push_back(0x80);
    rlp::end_list(bad_addr, one);
    rlp::end_list(bad_addr, logs);
    rlp::end_list(bad_addr, m);
    EXPECT_EQ(err(bad_addr), ReceiptError::kWrongFieldSize);
}

TEST(Receipt, stored_form_round_trips_without_blooms) {
    std::vector<Receipt> rs = {sample(TxType::kLegacy, true), sample(TxType::kAccessList, false),
                               make_receipt(TxType::kDynamicFee, true, 999999, {})};
    Bytes stored = encode_stored_receipts(rs);
    auto d = decode_stored_receipts(stored);
    ASSERT_TRUE(d.ok()) << to_string(d.error());
    EXPECT_EQ(*d, rs);
    size_t consensus = 0;
    for (const auto& r : rs) consensus += encode_receipt(r).size();
    EXPECT_LT(stored.size() + 3 * 256, consensus + 16);  // the blooms are what it saves
    auto empty = decode_stored_receipts(encode_stored_receipts({}));
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->empty());
    Bytes bad = stored;
    bad.push_back(0);
    EXPECT_FALSE(decode_stored_receipts(bad).ok());
}
