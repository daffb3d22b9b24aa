// libFuzzer target for the P2P wire decoders (p2p/frame.hpp, p2p/messages.hpp):
// the bytes a peer sends after the TLS handshake.
// Properties: nothing crashes; the whole-buffer and streaming decoders agree
// however the input is split; every frame respects its type's limit and
// re-encodes to exactly its input bytes; every message that decodes
// re-encodes to exactly its payload (strict RLP: one encoding per message)
// and decodes again to the same value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "p2p/frame.hpp"
#include "p2p/messages.hpp"

using namespace trellis;
using namespace trellis::p2p;

namespace {

void check_message(MessageType type, ByteView payload) {
    auto m = decode_message(type, payload);
    if (!m) return;
    if (type_of(*m) != type) std::abort();
    const Bytes re = encode_payload(*m);
    if (!equal(re, payload)) std::abort();
    auto again = decode_message(type, re);
    if (!again || !(*again == *m)) std::abort();
    auto frame = encode_message(*m);
    if (!frame || frame->size() != kFrameHeaderSize + payload.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // The first byte chooses how the stream is chopped for the streaming decoder.
    const size_t chunk = size_t{data[0]} % 17 + 1;
    const ByteView stream(data + 1, size - 1);

    // Whole-buffer decoding.
    std::vector<std::pair<MessageType, Bytes>> whole;
    ByteView in = stream;
    std::optional<FrameError> whole_error;
    while (!in.empty()) {
        const ByteView before = in;
        auto f = decode_frame(in);
        if (!f) {
            whole_error = f.error();
            break;
        }
        if (f->payload.size() > max_payload(f->type)) std::abort();
        const size_t used = before.size() - in.size();
        const Bytes re = encode_frame(f->type, f->payload);
        if (!equal(re, before.first(used))) std::abort();
        check_message(f->type, f->payload);
        whole.emplace_back(f->type, Bytes(f->payload.begin(), f->payload.end()));
    }

    // Streaming decoding in chunks: the same frames, the same verdict.
    FrameDecoder dec;
    size_t next = 0;
    std::optional<FrameError> stream_error;
    for (size_t off = 0; off < stream.size() && !stream_error; off += chunk) {
        dec.feed(stream.subspan(off, std::min(chunk, stream.size() - off)));
        for (;;) {
            auto f = dec.next();
            if (!f) {
                stream_error = f.error();
                break;
            }
            if (!*f) break;
            if (next >= whole.size() || whole[next].first != (*f)->type ||
                !equal(whole[next].second, (*f)->payload))
                std::abort();
            ++next;
        }
    }
    if (next != whole.size()) std::abort();
    if (whole_error) {
        // decode_frame reports kTruncated for a cut frame; the stream decoder
        // waits for more bytes and reports it only at finish().
        const auto fin = dec.finish();
        if (*whole_error == FrameError::kTruncated) {
            if (stream_error || fin.ok() || fin.error() != FrameError::kTruncated) std::abort();
        } else if (stream_error != whole_error) {
            std::abort();
        }
    } else if (stream_error || !dec.finish().ok()) {
        std::abort();
    }
    return 0;
}
