#pragma once

// Recursive Length Prefix (Ethereum Yellow Paper, Appendix B), strict form:
// the decoder accepts exactly the one canonical encoding of each value, so
// that encode(decode(x)) == x for every accepted x and hashes of decoded
// objects cannot be malleated.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/uint256.hpp"

namespace trellis::rlp {

/// Deepest list nesting decode_value accepts (the outermost list is depth 1).
/// Bounds recursion on hostile input; no Ethereum structure nests beyond ~4.
inline constexpr size_t kMaxDepth = 128;

/// Payloads shorter than this use the short form (one prefix byte).
inline constexpr size_t kShortLengthLimit = 56;

/// Why a byte string is not a canonical RLP encoding of what was asked for.
enum class RlpError {
    kInputTooShort,           ///< input (or list payload) ends where an item or header must start
    kLengthBeyondInput,       ///< the declared length runs past the end of the input
    kNonCanonicalLength,      ///< long-form length used for a payload shorter than 56 bytes
    kLeadingZeroInLength,     ///< a long-form length starts with a zero byte
    kNonCanonicalSingleByte,  ///< a single byte < 0x80 wrapped as 0x81 xx
    kTrailingBytes,           ///< bytes remain after the top-level item
    kTooDeep,                 ///< lists nest deeper than kMaxDepth
    kExpectedString,          ///< a list where a byte string is required
    kExpectedList,            ///< a byte string where a list is required
    kLeadingZeroInInteger,    ///< an integer with a leading zero byte (zero must be 0x80)
    kIntegerOverflow,         ///< an integer wider than the target type
    kWrongFixedSize,          ///< a fixed-size field (address, hash) of another length
    kMissingItem,             ///< a list ended before an expected item
    kTooManyItems,            ///< a list has items after the last expected one
};

/// A short, stable description of e (for logs and RPC error messages).
const char* to_string(RlpError e) noexcept;

// ---------------------------------------------------------------------------
// Encoding: append-style into a caller-owned buffer.

/// Bytes taken by a string or list header for a payload of payload_length.
size_t length_of_header(size_t payload_length) noexcept;
/// Bytes taken by the encoding of byte string s.
size_t length_of_string(ByteView s) noexcept;
/// Bytes taken by the encoding of integer v.
size_t length_of_uint(uint64_t v) noexcept;
size_t length_of_uint(const uint256& v) noexcept;
/// Bytes taken by a list whose items' encodings total payload_length.
inline size_t length_of_list(size_t payload_length) noexcept {
    return length_of_header(payload_length) + payload_length;
}

/// Appends a header for a string (is_list false) or list payload of payload_length.
/// For strings the caller appends the payload; a one-byte payload < 0x80 must go
/// through encode_string instead, which omits the header.
void encode_header(Bytes& out, bool is_list, size_t payload_length);
/// Appends the encoding of byte string s (single bytes < 0x80 stand for themselves).
void encode_string(Bytes& out, ByteView s);
/// Appends integer v as a minimal big-endian string (zero is 0x80).
void encode_uint(Bytes& out, uint64_t v);
void encode_uint(Bytes& out, const uint256& v);

/// Starts a list at the end of out and returns a mark to pass to end_list.
/// Appends the list's items between the two calls; lists may nest. The header
/// is back-patched into a one-byte placeholder, so only lists of 56 bytes or
/// more move their payload (by at most 8 bytes), never quadratic copying.
[[nodiscard]] size_t begin_list(Bytes& out);
/// Closes the list begun at mark (the value begin_list returned).
void end_list(Bytes& out, size_t mark);

// ---------------------------------------------------------------------------
// Decoding: zero-copy views into the caller's input, which must outlive them.

/// The prefix of one item: kind and payload size. The single-byte form
/// (0x00..0x7f) has no header: header_length is 0 and payload_length 1.
struct Header {
    bool is_list = false;
    size_t header_length = 0;
    size_t payload_length = 0;
};

/// One decoded item. For a list, payload holds the encoded items unparsed.
struct Item {
    bool is_list = false;
    ByteView payload;  ///< the string's bytes, or the list's concatenated item encodings
    ByteView encoded;  ///< the whole item including its header
};

/// Reads the header at the front of in without consuming anything; checks
/// canonical length encoding and that the payload fits inside in.
Result<Header, RlpError> peek_header(ByteView in) noexcept;

/// Decodes the item at the front of in and advances in past it. List payloads
/// are not parsed (read them with ListReader or decode_value).
Result<Item, RlpError> decode_item(ByteView& in) noexcept;
/// Decodes in as exactly one item; kTrailingBytes if anything follows it.
Result<Item, RlpError> decode_exact(ByteView in) noexcept;

/// Typed readers: each consumes one item from the front of in.
/// A byte string's payload (any length).
Result<ByteView, RlpError> decode_bytes(ByteView& in) noexcept;
/// An unsigned integer: at most 8 bytes, no leading zero.
Result<uint64_t, RlpError> decode_uint64(ByteView& in) noexcept;
/// An unsigned integer: at most 32 bytes, no leading zero.
Result<uint256, RlpError> decode_uint256(ByteView& in) noexcept;
/// A byte string of exactly N bytes (Address, Hash32).
template <size_t N>
Result<FixedBytes<N>, RlpError> decode_fixed(ByteView& in) noexcept {
    auto b = decode_bytes(in);
    if (!b) return Unexpected{b.error()};
    if (b->size() != N) return Unexpected{RlpError::kWrongFixedSize};
    return FixedBytes<N>::from(*b);
}

/// Walks the items of one list payload in order. Reading past the last item
/// gives kMissingItem; finish() gives kTooManyItems if items remain.
class ListReader {
public:
    explicit ListReader(ByteView payload) noexcept : rest_(payload) {}

    /// Opens the list item at the front of in (advancing in past it).
    static Result<ListReader, RlpError> open(ByteView& in) noexcept;

    bool at_end() const noexcept { return rest_.empty(); }
    /// The not yet read part of the payload.
    ByteView rest() const noexcept { return rest_; }

    Result<Item, RlpError> next() noexcept;
    Result<ByteView, RlpError> read_bytes() noexcept;
    Result<uint64_t, RlpError> read_uint64() noexcept;
    Result<uint256, RlpError> read_uint256() noexcept;
    Result<ListReader, RlpError> read_list() noexcept;
    template <size_t N>
    Result<FixedBytes<N>, RlpError> read_fixed() noexcept {
        if (rest_.empty()) return Unexpected{RlpError::kMissingItem};
        return decode_fixed<N>(rest_);
    }
    /// Ok when every item has been read.
    Result<void, RlpError> finish() const noexcept;

private:
    ByteView rest_;
};

// ---------------------------------------------------------------------------
// A generic owning tree, for tests, fuzzing and tools (not for hot paths).

struct Value {
    bool is_list = false;
    Bytes bytes;                ///< payload when !is_list
    std::vector<Value> items;   ///< children when is_list

    static Value string(ByteView b) { return Value{false, to_bytes(b), {}}; }
    static Value list(std::vector<Value> items = {}) { return Value{true, {}, std::move(items)}; }

    friend bool operator==(const Value&, const Value&) = default;
};

/// Decodes in as exactly one item, parsing lists fully and strictly. Nesting
/// is bounded by kMaxDepth; item count and sizes are bounded by in.size().
Result<Value, RlpError> decode_value(ByteView in);
/// Appends the encoding of v.
void encode(Bytes& out, const Value& v);
/// The encoding of v.
Bytes encode(const Value& v);

}  // namespace trellis::rlp
