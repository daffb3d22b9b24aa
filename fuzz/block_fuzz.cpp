// libFuzzer target for the chain decoders of untrusted bytes (chain/block.hpp,
// chain/receipt.hpp): block, header, body, receipt and stored receipt list.
// The first byte picks the decoder; the rest is its input. Properties:
// decoding never crashes; whatever decodes re-encodes to exactly the input
// (strict, canonical decoders: no hash malleability) and decodes again to the
// same value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "chain/block.hpp"
#include "chain/receipt.hpp"

using namespace trellis;
using namespace trellis::chain;

namespace {

template <class Decode, class Encode>
void round_trip(ByteView in, Decode decode, Encode encode) {
    auto v = decode(in);
    if (!v) return;
    const Bytes re = encode(*v);
    if (!equal(re, in)) std::abort();
    auto again = decode(re);
    if (!again || !(*again == *v)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const ByteView in(data + 1, size - 1);
    switch (data[0] % 5) {
        case 0:
            round_trip(
                in, [](ByteView b) { return decode_block(b); },
                [](const Block& b) { return encode_block(b); });
            break;
        case 1: {
            auto h = decode_header(in);
            if (h) {
                if (!equal(encode_header(*h), in)) std::abort();
                (void)header_hash(*h);
                (void)validate_header(*h);
            }
            break;
        }
        case 2:
            round_trip(
                in, [](ByteView b) { return decode_body(b); },
                [](const BlockBody& b) { return encode_body(b); });
            break;
        case 3:
            round_trip(
                in, [](ByteView b) { return decode_receipt(b); },
                [](const Receipt& r) { return encode_receipt(r); });
            break;
        case 4:
            round_trip(
                in, [](ByteView b) { return decode_stored_receipts(b); },
                [](const std::vector<Receipt>& r) { return encode_stored_receipts(r); });
            break;
    }
    return 0;
}
