// libFuzzer target for the strict RLP decoder (codec/rlp.hpp).
// Properties: decoding never crashes; whatever decodes re-encodes to exactly
// the input (one canonical form) and decodes again to the same value; the
// zero-copy and typed readers agree with the tree decoder.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "codec/rlp.hpp"

using namespace trellis;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const ByteView in(data, size);
    auto value = rlp::decode_value(in);
    auto item = rlp::decode_exact(in);
    if (!value) {
        // The zero-copy decoder skips nested lists, so it may accept more, but
        // never a malformed top-level item.
        if (item && !item->is_list) std::abort();
        return 0;
    }
    if (!item || item->is_list != value->is_list || item->encoded.size() != size) std::abort();

    const Bytes re = rlp::encode(*value);
    if (!equal(re, in)) std::abort();
    auto again = rlp::decode_value(re);
    if (!again || !(*again == *value)) std::abort();

    if (!value->is_list) {
        // A string item that reads as an integer must re-encode identically.
        ByteView a = in;
        if (auto v = rlp::decode_uint256(a); v) {
            Bytes e;
            rlp::encode_uint(e, *v);
            if (!equal(e, in) || !a.empty()) std::abort();
            if (rlp::length_of_uint(*v) != size) std::abort();
        }
        ByteView b = in;
        if (auto v = rlp::decode_uint64(b); v) {
            Bytes e;
            rlp::encode_uint(e, *v);
            if (!equal(e, in)) std::abort();
        }
        if (rlp::length_of_string(value->bytes) != size) std::abort();
    } else {
        // Walk the top list with the zero-copy reader: the same items, in order.
        rlp::ListReader list(item->payload);
        for (const auto& child : value->items) {
            auto next = list.next();
            if (!next || next->is_list != child.is_list) std::abort();
            if (!child.is_list && !equal(next->payload, child.bytes)) std::abort();
        }
        if (!list.finish()) std::abort();
    }
    return 0;
}
