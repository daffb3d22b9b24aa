#include <gtest/gtest.h>

#include <set>
#include <string>

#include "base/hex.hpp"
#include "codec/rlp.hpp"
#include "support/fixtures.hpp"

using namespace trellis;
using namespace trellis::rlp;
using trellis::test::hex_bytes;

namespace {

Bytes hx(std::string_view s) { return from_hex(s).value(); }

/// Decimal digits to minimal big-endian bytes (fixture "#<bignum>" form).
Bytes decimal_to_be(const std::string& digits) {
    Bytes be;  // big-endian, minimal
    for (char c : digits) {
        if (c < '0' || c > '9') throw std::runtime_error("bad bignum digit in fixture");
        unsigned carry = unsigned(c - '0');
        for (auto it = be.rbegin(); it != be.rend(); ++it) {
            const unsigned x = unsigned(*it) * 10 + carry;
            *it = uint8_t(x);
            carry = x >> 8;
        }
        while (carry) {
            be.insert(be.begin(), uint8_t(carry));
            carry >>= 8;
        }
    }
    return be;
}

Bytes uint_to_be(uint64_t v) {
    Bytes be;
    for (; v; v >>= 8) be.insert(be.begin(), uint8_t(v));
    return be;
}

/// The Value a fixture's "in" describes.
Value value_from_json(const nlohmann::json& j) {
    if (j.is_array()) {
        Value v = Value::list();
        for (const auto& e : j) v.items.push_back(value_from_json(e));
        return v;
    }
    if (j.is_number_unsigned() || j.is_number_integer()) return Value::string(uint_to_be(j.get<uint64_t>()));
    if (j.is_string()) {
        const auto s = j.get<std::string>();
        if (!s.empty() && s[0] == '#') return Value::string(decimal_to_be(s.substr(1)));
        return Value::string(as_view(s));
    }
    throw std::runtime_error("unsupported fixture value: " + j.dump());
}

}  // namespace

// --- conformance: ethereum/tests RLPTests ----------------------------------

TEST(RlpFixtures, every_fixture_decodes_and_reencodes_exactly) {
    TRELLIS_FIXTURE_PATH(dir, "rlp");
    for (const auto& file : trellis::test::json_files(dir)) {
        trellis::test::Tally tally("rlp/" + file.filename().string());
        const auto doc = trellis::test::load_json(file);
        for (const auto& [name, c] : doc.items()) {
            if (name == "_info") continue;
            const Bytes out = hex_bytes(c.at("out").get<std::string>());
            const auto& in = c.at("in");
            auto decoded = decode_value(out);
            if (in.is_string() && in.get<std::string>() == "INVALID") {
                if (decoded) tally.fail(name, "invalid encoding was accepted");
                else tally.pass();
                continue;
            }
            if (!decoded) {
                tally.fail(name, std::string("decode failed: ") + to_string(decoded.error()));
                continue;
            }
            if (!(in.is_string() && in.get<std::string>() == "VALID")) {
                if (!(*decoded == value_from_json(in))) {
                    tally.fail(name, "decoded value differs from \"in\"");
                    continue;
                }
                if (encode(value_from_json(in)) != out) {
                    tally.fail(name, "encoding of \"in\" differs from \"out\"");
                    continue;
                }
            }
            if (encode(*decoded) != out) {
                tally.fail(name, "re-encoding differs from input");
                continue;
            }
            tally.pass();
        }
    }
}

// --- encoder ----------------------------------------------------------------

TEST(RlpEncode, integers_are_minimal_big_endian_and_zero_is_0x80) {
    Bytes out;
    encode_uint(out, uint64_t{0});
    encode_uint(out, uint64_t{0x7f});
    encode_uint(out, uint64_t{0x80});
    encode_uint(out, uint64_t{0x0400});
    encode_uint(out, ~uint64_t{0});
    EXPECT_EQ(to_hex(out), "80" "7f" "8180" "820400" "88ffffffffffffffff");
    out.clear();
    encode_uint(out, uint256{0, 1, 0, 0});  // 2^64
    encode_uint(out, uint256::max());
    EXPECT_EQ(to_hex(out), "89010000000000000000" "a0" + std::string(64, 'f'));
    EXPECT_EQ(length_of_uint(uint256::max()), 33u);
    EXPECT_EQ(length_of_uint(uint64_t{0x80}), 2u);
}

TEST(RlpEncode, strings_use_short_form_below_56_bytes_and_long_form_from_56) {
    Bytes out;
    encode_string(out, Bytes(55, 0xaa));
    EXPECT_EQ(out[0], 0xb7);
    EXPECT_EQ(out.size(), 56u);
    out.clear();
    encode_string(out, Bytes(56, 0xaa));
    EXPECT_EQ(out[0], 0xb8);
    EXPECT_EQ(out[1], 56);
    EXPECT_EQ(out.size(), 58u);
    EXPECT_EQ(length_of_string(Bytes(56, 0xaa)), 58u);
    EXPECT_EQ(length_of_string(Bytes{0x7f}), 1u);
    EXPECT_EQ(length_of_string(Bytes{0x80}), 2u);
}

TEST(RlpEncode, nested_lists_back_patch_headers_for_short_and_long_payloads) {
    // [[0x01 x 60 bytes string], [], "dog"]
    Bytes out;
    const size_t outer = begin_list(out);
    const size_t inner = begin_list(out);
    encode_string(out, Bytes(60, 0x01));
    end_list(out, inner);
    end_list(out, begin_list(out));
    encode_string(out, as_view("dog"));
    end_list(out, outer);

    Value expect = Value::list({Value::list({Value::string(Bytes(60, 0x01))}), Value::list(),
                                Value::string(as_view("dog"))});
    auto back = decode_value(out);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, expect);
    EXPECT_EQ(to_hex(ByteView(out).first(4)), "f845f83e");  // 69 = 64 + 1 + 4; inner payload 62
    Bytes manual;
    encode_header(manual, true, 69);
    EXPECT_EQ(to_hex(manual), "f845");
    EXPECT_EQ(length_of_list(69), 71u);
    EXPECT_EQ(out.size(), 71u);
}

// --- decoder strictness: one test per rule ---------------------------------

TEST(RlpStrict, rejects_empty_input) {
    EXPECT_EQ(decode_exact({}).error(), RlpError::kInputTooShort);
}

TEST(RlpStrict, rejects_long_form_for_short_string) {
    EXPECT_EQ(decode_exact(hx("b801ff")).error(), RlpError::kNonCanonicalLength);
    EXPECT_EQ(decode_exact(hx("f803112233")).error(), RlpError::kNonCanonicalLength);
}

TEST(RlpStrict, rejects_leading_zero_in_long_length) {
    Bytes in = hx("b90040");
    in.resize(3 + 64, 0x11);
    EXPECT_EQ(decode_exact(in).error(), RlpError::kLeadingZeroInLength);
    EXPECT_EQ(decode_exact(hx("f800")).error(), RlpError::kLeadingZeroInLength);
}

TEST(RlpStrict, rejects_single_byte_below_0x80_wrapped_as_0x81) {
    EXPECT_EQ(decode_exact(hx("8100")).error(), RlpError::kNonCanonicalSingleByte);
    EXPECT_EQ(decode_exact(hx("817f")).error(), RlpError::kNonCanonicalSingleByte);
    EXPECT_TRUE(decode_exact(hx("8180")));
}

TEST(RlpStrict, rejects_trailing_bytes_after_top_item) {
    EXPECT_EQ(decode_exact(hx("8000")).error(), RlpError::kTrailingBytes);
    EXPECT_EQ(decode_value(hx("c000")).error(), RlpError::kTrailingBytes);
}

TEST(RlpStrict, rejects_length_beyond_input) {
    EXPECT_EQ(decode_exact(hx("83646f")).error(), RlpError::kLengthBeyondInput);
    EXPECT_EQ(decode_exact(hx("c5010203")).error(), RlpError::kLengthBeyondInput);
    EXPECT_EQ(decode_exact(hx("bf0f000000000000021111")).error(), RlpError::kLengthBeyondInput);
    EXPECT_EQ(decode_exact(hx("ffffffffffffffffff00")).error(), RlpError::kLengthBeyondInput);
    EXPECT_EQ(decode_exact(hx("b9")).error(), RlpError::kInputTooShort);  // length bytes missing
}

TEST(RlpStrict, rejects_item_overrunning_its_enclosing_list) {
    // The list says 2 payload bytes, its string item claims 3.
    EXPECT_EQ(decode_value(hx("c283646f67")).error(), RlpError::kLengthBeyondInput);
}

TEST(RlpStrict, rejects_nesting_deeper_than_bound) {
    auto nested = [](size_t depth) {
        Bytes out;
        std::vector<size_t> marks;
        for (size_t i = 0; i < depth; ++i) marks.push_back(begin_list(out));
        for (size_t i = depth; i-- > 0;) end_list(out, marks[i]);
        return out;
    };
    EXPECT_TRUE(decode_value(nested(kMaxDepth)));
    EXPECT_EQ(decode_value(nested(kMaxDepth + 1)).error(), RlpError::kTooDeep);
}

TEST(RlpStrict, rejects_integer_leading_zeros) {
    ByteView in;
    Bytes a = hx("820001");
    in = a;
    EXPECT_EQ(decode_uint64(in).error(), RlpError::kLeadingZeroInInteger);
    Bytes b = hx("00");  // zero must be 0x80
    in = b;
    EXPECT_EQ(decode_uint64(in).error(), RlpError::kLeadingZeroInInteger);
    in = b;
    EXPECT_EQ(decode_uint256(in).error(), RlpError::kLeadingZeroInInteger);
}

TEST(RlpStrict, rejects_integers_wider_than_target) {
    Bytes a = hx("89010000000000000000");
    ByteView in = a;
    EXPECT_EQ(decode_uint64(in).error(), RlpError::kIntegerOverflow);
    in = a;
    EXPECT_EQ(decode_uint256(in).value(), (uint256{0, 1, 0, 0}));
    Bytes b = hx("a101");  // 33-byte integer
    b.resize(34, 0);
    in = b;
    EXPECT_EQ(decode_uint256(in).error(), RlpError::kIntegerOverflow);
}

TEST(RlpStrict, fixed_fields_require_exact_length) {
    Bytes a = hx("93");
    a.resize(20, 0x11);  // 19-byte string
    ByteView in = a;
    EXPECT_EQ(decode_fixed<20>(in).error(), RlpError::kWrongFixedSize);
    Bytes b = hx("94");
    b.resize(21, 0x11);
    in = b;
    auto addr = decode_fixed<20>(in);
    ASSERT_TRUE(addr);
    EXPECT_EQ((*addr)[19], 0x11);
    EXPECT_TRUE(in.empty());
}

TEST(RlpStrict, typed_readers_reject_the_wrong_kind) {
    Bytes l = hx("c0");
    ByteView in = l;
    EXPECT_EQ(decode_bytes(in).error(), RlpError::kExpectedString);
    Bytes s = hx("80");
    in = s;
    EXPECT_EQ(ListReader::open(in).error(), RlpError::kExpectedList);
}

TEST(RlpDecode, list_reader_walks_items_and_reports_missing_and_extra) {
    const Bytes enc = hx("c88203e883646f6780");  // [1000, "dog", 0]
    ByteView in = enc;
    auto list = ListReader::open(in);
    ASSERT_TRUE(list);
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(list->read_uint64().value(), 1000u);
    EXPECT_FALSE(list->finish());
    EXPECT_EQ(list->finish().error(), RlpError::kTooManyItems);
    auto dog = list->read_bytes();
    ASSERT_TRUE(dog);
    EXPECT_TRUE(equal(*dog, as_view("dog")));
    EXPECT_EQ(list->read_uint256().value(), uint256{0});
    EXPECT_TRUE(list->finish());
    EXPECT_EQ(list->read_uint64().error(), RlpError::kMissingItem);
    EXPECT_EQ(list->next().error(), RlpError::kMissingItem);
}

TEST(RlpDecode, decode_item_is_zero_copy_and_reports_encoded_span) {
    const Bytes enc = hx("c483646f67");
    ByteView in = enc;
    auto item = decode_item(in);
    ASSERT_TRUE(item);
    EXPECT_TRUE(item->is_list);
    EXPECT_EQ(item->encoded.data(), enc.data());
    EXPECT_EQ(item->encoded.size(), 5u);
    EXPECT_EQ(item->payload.data(), enc.data() + 1);
    EXPECT_EQ(item->payload.size(), 4u);
}

TEST(RlpErrors, every_error_has_a_distinct_description) {
    std::set<std::string> seen;
    for (int e = 0; e <= int(RlpError::kTooManyItems); ++e)
        EXPECT_TRUE(seen.insert(to_string(RlpError(e))).second) << e;
}
