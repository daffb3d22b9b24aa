#include "trie/nibbles.hpp"

#include "base/assert.hpp"

namespace trellis::trie {

namespace {
constexpr uint8_t kFlagOdd = 1;
constexpr uint8_t kFlagLeaf = 2;
}  // namespace

const char* to_string(TrieError e) noexcept {
    switch (e) {
        case TrieError::kMissingNode: return "trie: node missing from store";
        case TrieError::kMalformedNode: return "trie: malformed node";
        case TrieError::kInvalidHexPrefix: return "trie: invalid hex-prefix path";
        case TrieError::kKeyTooLong: return "trie: key too long";
        case TrieError::kProofMissingNode: return "trie: proof lacks a node on the path";
        case TrieError::kProofTooLarge: return "trie: proof too large";
    }
    return "trie: unknown error";
}

void append_nibbles(Bytes& out, ByteView key) {
    const size_t at = out.size();
    out.resize(at + 2 * key.size());
    uint8_t* p = out.data() + at;
    for (uint8_t b : key) {
        *p++ = uint8_t(b >> 4);
        *p++ = uint8_t(b & 0x0f);
    }
}

Bytes to_nibbles(ByteView key) {
    Bytes out;
    append_nibbles(out, key);
    return out;
}

Bytes from_nibbles(ByteView nibbles) {
    TRELLIS_ASSERT(nibbles.size() % 2 == 0);
    Bytes out(nibbles.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) out[i] = uint8_t(nibbles[2 * i] << 4 | nibbles[2 * i + 1]);
    return out;
}

size_t common_prefix_length(ByteView a, ByteView b) noexcept {
    const size_t n = a.size() < b.size() ? a.size() : b.size();
    size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    return i;
}

void append_hex_prefix(Bytes& out, ByteView nibbles, bool leaf) {
    const bool odd = nibbles.size() % 2 != 0;
    const uint8_t flag = uint8_t((leaf ? kFlagLeaf : 0) | (odd ? kFlagOdd : 0));
    const size_t at = out.size();
    out.resize(at + hex_prefix_length(nibbles.size()));
    uint8_t* p = out.data() + at;
    size_t i = 0;
    if (odd) {
        *p++ = uint8_t(flag << 4 | nibbles[0]);
        i = 1;
    } else {
        *p++ = uint8_t(flag << 4);
    }
    for (; i < nibbles.size(); i += 2) *p++ = uint8_t(nibbles[i] << 4 | nibbles[i + 1]);
}

Bytes hex_prefix_encode(ByteView nibbles, bool leaf) {
    Bytes out;
    append_hex_prefix(out, nibbles, leaf);
    return out;
}

Result<HexPrefix, TrieError> hex_prefix_decode(ByteView encoded) {
    if (encoded.empty()) return Unexpected{TrieError::kInvalidHexPrefix};
    const uint8_t flag = encoded[0] >> 4;
    if (flag > (kFlagLeaf | kFlagOdd)) return Unexpected{TrieError::kInvalidHexPrefix};
    const bool odd = (flag & kFlagOdd) != 0;
    if (!odd && (encoded[0] & 0x0f) != 0) return Unexpected{TrieError::kInvalidHexPrefix};
    HexPrefix r;
    r.leaf = (flag & kFlagLeaf) != 0;
    r.nibbles.reserve(2 * encoded.size());
    if (odd) r.nibbles.push_back(encoded[0] & 0x0f);
    append_nibbles(r.nibbles, encoded.subspan(1));
    return r;
}

}  // namespace trellis::trie
