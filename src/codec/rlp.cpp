#include "codec/rlp.hpp"

#include <bit>

namespace trellis::rlp {

namespace {

constexpr uint8_t kStringShort = 0x80;  // 0x80..0xb7: string of 0..55 bytes
constexpr uint8_t kStringLong = 0xb7;   // 0xb8..0xbf: + 1..8 length bytes
constexpr uint8_t kListShort = 0xc0;    // 0xc0..0xf7: list payload of 0..55 bytes
constexpr uint8_t kListLong = 0xf7;     // 0xf8..0xff: + 1..8 length bytes

/// Bytes needed for v in big-endian without leading zeros (0 for v == 0).
constexpr size_t be_length(uint64_t v) noexcept { return (64 - size_t(std::countl_zero(v)) + 7) / 8; }

void put_be(uint8_t* out, uint64_t v, size_t n) noexcept {
    for (size_t i = 0; i < n; ++i) out[i] = uint8_t(v >> (8 * (n - 1 - i)));
}

}  // namespace

const char* to_string(RlpError e) noexcept {
    switch (e) {
        case RlpError::kInputTooShort: return "rlp: input too short";
        case RlpError::kLengthBeyondInput: return "rlp: declared length exceeds input";
        case RlpError::kNonCanonicalLength: return "rlp: non-canonical size (long form for short payload)";
        case RlpError::kLeadingZeroInLength: return "rlp: leading zero in length";
        case RlpError::kNonCanonicalSingleByte: return "rlp: single byte below 0x80 must not be prefixed";
        case RlpError::kTrailingBytes: return "rlp: trailing bytes after item";
        case RlpError::kTooDeep: return "rlp: lists nested too deeply";
        case RlpError::kExpectedString: return "rlp: expected string, got list";
        case RlpError::kExpectedList: return "rlp: expected list, got string";
        case RlpError::kLeadingZeroInInteger: return "rlp: leading zero in integer";
        case RlpError::kIntegerOverflow: return "rlp: integer too large";
        case RlpError::kWrongFixedSize: return "rlp: wrong size for fixed-length field";
        case RlpError::kMissingItem: return "rlp: list has too few items";
        case RlpError::kTooManyItems: return "rlp: list has too many items";
    }
    return "rlp: unknown error";
}

// ---------------------------------------------------------------------------
// Encoding

size_t length_of_header(size_t payload_length) noexcept {
    return payload_length < kShortLengthLimit ? 1 : 1 + be_length(payload_length);
}

size_t length_of_string(ByteView s) noexcept {
    if (s.size() == 1 && s[0] < kStringShort) return 1;
    return length_of_header(s.size()) + s.size();
}

size_t length_of_uint(uint64_t v) noexcept { return v < kStringShort ? 1 : 1 + be_length(v); }

size_t length_of_uint(const uint256& v) noexcept {
    if (v.fits_u64()) return length_of_uint(uint64_t(v));
    return 1 + v.byte_length();  // > 8 bytes, always < 56: short form
}

void encode_header(Bytes& out, bool is_list, size_t payload_length) {
    const uint8_t short_base = is_list ? kListShort : kStringShort;
    const uint8_t long_base = is_list ? kListLong : kStringLong;
    if (payload_length < kShortLengthLimit) {
        out.push_back(uint8_t(short_base + payload_length));
        return;
    }
    const size_t n = be_length(payload_length);
    const size_t at = out.size();
    out.resize(at + 1 + n);
    out[at] = uint8_t(long_base + n);
    put_be(out.data() + at + 1, payload_length, n);
}

void encode_string(Bytes& out, ByteView s) {
    if (s.size() == 1 && s[0] < kStringShort) {
        out.push_back(s[0]);
        return;
    }
    encode_header(out, false, s.size());
    append(out, s);
}

void encode_uint(Bytes& out, uint64_t v) {
    if (v == 0) {
        out.push_back(kStringShort);
    } else if (v < kStringShort) {
        out.push_back(uint8_t(v));
    } else {
        const size_t n = be_length(v);
        const size_t at = out.size();
        out.resize(at + 1 + n);
        out[at] = uint8_t(kStringShort + n);
        put_be(out.data() + at + 1, v, n);
    }
}

void encode_uint(Bytes& out, const uint256& v) {
    if (v.fits_u64()) return encode_uint(out, uint64_t(v));
    const size_t n = v.byte_length();
    const Bytes32 be = v.to_be();
    out.push_back(uint8_t(kStringShort + n));
    out.insert(out.end(), be.bytes.end() - n, be.bytes.end());
}

size_t begin_list(Bytes& out) {
    out.push_back(kListShort);  // placeholder, fixed by end_list
    return out.size() - 1;
}

void end_list(Bytes& out, size_t mark) {
    TRELLIS_ASSERT(mark < out.size());
    const size_t payload = out.size() - mark - 1;
    if (payload < kShortLengthLimit) {
        out[mark] = uint8_t(kListShort + payload);
        return;
    }
    const size_t n = be_length(payload);
    out.insert(out.begin() + std::ptrdiff_t(mark + 1), n, 0);
    out[mark] = uint8_t(kListLong + n);
    put_be(out.data() + mark + 1, payload, n);
}

// ---------------------------------------------------------------------------
// Decoding

Result<Header, RlpError> peek_header(ByteView in) noexcept {
    if (in.empty()) return Unexpected{RlpError::kInputTooShort};
    const uint8_t b = in[0];
    Header h;
    if (b < kStringShort) {
        h.payload_length = 1;
        return h;
    }
    h.is_list = b >= kListShort;
    const uint8_t short_base = h.is_list ? kListShort : kStringShort;
    const uint8_t long_base = h.is_list ? kListLong : kStringLong;
    if (b <= long_base) {
        h.header_length = 1;
        h.payload_length = b - short_base;
        if (h.payload_length > in.size() - 1) return Unexpected{RlpError::kLengthBeyondInput};
        // Yellow Paper B: a lone byte < 0x80 is its own encoding.
        if (!h.is_list && h.payload_length == 1 && in[1] < kStringShort)
            return Unexpected{RlpError::kNonCanonicalSingleByte};
        return h;
    }
    const size_t n = b - long_base;  // 1..8 length bytes
    if (n > in.size() - 1) return Unexpected{RlpError::kInputTooShort};
    if (in[1] == 0) return Unexpected{RlpError::kLeadingZeroInLength};
    uint64_t len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | in[1 + i];
    if (len < kShortLengthLimit) return Unexpected{RlpError::kNonCanonicalLength};
    h.header_length = 1 + n;
    if (len > in.size() - h.header_length) return Unexpected{RlpError::kLengthBeyondInput};
    h.payload_length = size_t(len);
    return h;
}

Result<Item, RlpError> decode_item(ByteView& in) noexcept {
    auto h = peek_header(in);
    if (!h) return Unexpected{h.error()};
    const size_t total = h->header_length + h->payload_length;
    Item item;
    item.is_list = h->is_list;
    item.encoded = in.first(total);
    item.payload = in.subspan(h->header_length, h->payload_length);
    in = in.subspan(total);
    return item;
}

Result<Item, RlpError> decode_exact(ByteView in) noexcept {
    auto item = decode_item(in);
    if (!item) return item;
    if (!in.empty()) return Unexpected{RlpError::kTrailingBytes};
    return item;
}

Result<ByteView, RlpError> decode_bytes(ByteView& in) noexcept {
    auto item = decode_item(in);
    if (!item) return Unexpected{item.error()};
    if (item->is_list) return Unexpected{RlpError::kExpectedString};
    return item->payload;
}

namespace {

/// The payload of an integer item no wider than max_bytes, without leading zeros.
Result<ByteView, RlpError> integer_payload(ByteView& in, size_t max_bytes) noexcept {
    auto b = decode_bytes(in);
    if (!b) return b;
    if (!b->empty() && (*b)[0] == 0) return Unexpected{RlpError::kLeadingZeroInInteger};
    if (b->size() > max_bytes) return Unexpected{RlpError::kIntegerOverflow};
    return b;
}

}  // namespace

Result<uint64_t, RlpError> decode_uint64(ByteView& in) noexcept {
    auto b = integer_payload(in, 8);
    if (!b) return Unexpected{b.error()};
    uint64_t v = 0;
    for (uint8_t x : *b) v = (v << 8) | x;
    return v;
}

Result<uint256, RlpError> decode_uint256(ByteView& in) noexcept {
    auto b = integer_payload(in, 32);
    if (!b) return Unexpected{b.error()};
    return uint256::from_be(*b);
}

Result<ListReader, RlpError> ListReader::open(ByteView& in) noexcept {
    auto item = decode_item(in);
    if (!item) return Unexpected{item.error()};
    if (!item->is_list) return Unexpected{RlpError::kExpectedList};
    return ListReader(item->payload);
}

Result<Item, RlpError> ListReader::next() noexcept {
    if (rest_.empty()) return Unexpected{RlpError::kMissingItem};
    return decode_item(rest_);
}

Result<ByteView, RlpError> ListReader::read_bytes() noexcept {
    if (rest_.empty()) return Unexpected{RlpError::kMissingItem};
    return decode_bytes(rest_);
}

Result<uint64_t, RlpError> ListReader::read_uint64() noexcept {
    if (rest_.empty()) return Unexpected{RlpError::kMissingItem};
    return decode_uint64(rest_);
}

Result<uint256, RlpError> ListReader::read_uint256() noexcept {
    if (rest_.empty()) return Unexpected{RlpError::kMissingItem};
    return decode_uint256(rest_);
}

Result<ListReader, RlpError> ListReader::read_list() noexcept {
    if (rest_.empty()) return Unexpected{RlpError::kMissingItem};
    return open(rest_);
}

Result<void, RlpError> ListReader::finish() const noexcept {
    if (!rest_.empty()) return Unexpected{RlpError::kTooManyItems};
    return {};
}

// ---------------------------------------------------------------------------
// Value

namespace {

Result<Value, RlpError> decode_value_at(ByteView& in, size_t depth) {
    auto item = decode_item(in);
    if (!item) return Unexpected{item.error()};
    if (!item->is_list) return Value::string(item->payload);
    if (depth >= kMaxDepth) return Unexpected{RlpError::kTooDeep};
    Value v = Value::list();
    ByteView rest = item->payload;
    while (!rest.empty()) {
        auto child = decode_value_at(rest, depth + 1);
        if (!child) return child;
        v.items.push_back(std::move(*child));
    }
    return v;
}

}  // namespace

Result<Value, RlpError> decode_value(ByteView in) {
    auto v = decode_value_at(in, 0);
    if (!v) return v;
    if (!in.empty()) return Unexpected{RlpError::kTrailingBytes};
    return v;
}

void encode(Bytes& out, const Value& v) {
    if (!v.is_list) return encode_string(out, v.bytes);
    const size_t mark = begin_list(out);
    for (const auto& item : v.items) encode(out, item);
    end_list(out, mark);
}

Bytes encode(const Value& v) {
    Bytes out;
    encode(out, v);
    return out;
}

}  // namespace trellis::rlp
