#include "crypto/der.hpp"

namespace trellis::crypto::der {
namespace {

constexpr uint8_t kTagInteger = 0x02;
constexpr uint8_t kTagOctetString = 0x04;
constexpr uint8_t kTagSequence = 0x30;

void put_length(Bytes& out, size_t n) {
    if (n < 0x80) {
        out.push_back(uint8_t(n));
        return;
    }
    uint8_t tmp[sizeof(size_t)];
    size_t k = 0;
    for (size_t v = n; v; v >>= 8) tmp[k++] = uint8_t(v);
    out.push_back(uint8_t(0x80 | k));
    while (k) out.push_back(tmp[--k]);
}

void put_tlv(Bytes& out, uint8_t tag, ByteView content) {
    out.push_back(tag);
    put_length(out, content.size());
    append(out, content);
}

// Minimal two's-complement encoding of a non-negative big-endian value.
void put_unsigned_integer(Bytes& out, ByteView be) {
    size_t i = 0;
    while (i < be.size() && be[i] == 0) ++i;
    Bytes content;
    if (i == be.size() || (be[i] & 0x80)) content.push_back(0);
    content.insert(content.end(), be.begin() + std::ptrdiff_t(i), be.end());
    put_tlv(out, kTagInteger, content);
}

// Sequential strict-DER reader over a bounded buffer.
class Reader {
public:
    explicit Reader(ByteView in) : in_(in) {}
    bool done() const { return pos_ == in_.size(); }

    // Reads one TLV with the given tag; false on any encoding defect.
    bool read(uint8_t tag, ByteView& content) {
        if (in_.size() - pos_ < 2 || in_[pos_] != tag) return false;
        ++pos_;
        size_t len = in_[pos_++];
        if (len & 0x80) {
            const size_t n = len & 0x7f;
            // 0x80 is BER's indefinite length; more than 4 length bytes exceeds kMaxInput.
            if (n == 0 || n > 4 || in_.size() - pos_ < n) return false;
            if (in_[pos_] == 0) return false;  // non-minimal: leading zero length byte
            len = 0;
            for (size_t i = 0; i < n; ++i) len = (len << 8) | in_[pos_++];
            if (len < 0x80) return false;  // non-minimal: fits the short form
        }
        if (in_.size() - pos_ < len) return false;
        content = in_.subspan(pos_, len);
        pos_ += len;
        return true;
    }

    // Reads a non-negative minimal INTEGER of at most 32 value bytes.
    bool read_uint256(Bytes32& out) {
        ByteView c;
        if (!read(kTagInteger, c) || c.empty()) return false;
        if (c[0] & 0x80) return false;                                  // negative
        if (c.size() > 1 && c[0] == 0 && !(c[1] & 0x80)) return false;  // needless pad
        if (c[0] == 0) c = c.subspan(1);
        if (c.size() > 32) return false;
        out = Bytes32::right_aligned(c);
        return true;
    }

private:
    ByteView in_;
    size_t pos_ = 0;
};

}  // namespace

Bytes encode_signature(const Bytes32& r, const Bytes32& s) {
    Bytes body;
    put_unsigned_integer(body, r);
    put_unsigned_integer(body, s);
    Bytes out;
    put_tlv(out, kTagSequence, body);
    return out;
}

Result<std::pair<Bytes32, Bytes32>, CryptoError> decode_signature(ByteView in) {
    if (in.size() > kMaxInput) return Unexpected{CryptoError::kInvalidSignature};
    Reader outer(in);
    ByteView body;
    if (!outer.read(kTagSequence, body) || !outer.done()) return Unexpected{CryptoError::kInvalidSignature};
    Reader r(body);
    std::pair<Bytes32, Bytes32> out;
    if (!r.read_uint256(out.first) || !r.read_uint256(out.second) || !r.done())
        return Unexpected{CryptoError::kInvalidSignature};
    return out;
}

Bytes encode_sm2_ciphertext(const Sm2CiphertextParts& p) {
    Bytes body;
    put_unsigned_integer(body, p.x);
    put_unsigned_integer(body, p.y);
    put_tlv(body, kTagOctetString, p.c3);
    put_tlv(body, kTagOctetString, p.c2);
    Bytes out;
    put_tlv(out, kTagSequence, body);
    return out;
}

Result<Sm2CiphertextParts, CryptoError> decode_sm2_ciphertext(ByteView in) {
    if (in.size() > kMaxInput) return Unexpected{CryptoError::kDecryptionFailed};
    Reader outer(in);
    ByteView body;
    if (!outer.read(kTagSequence, body) || !outer.done()) return Unexpected{CryptoError::kDecryptionFailed};
    Reader r(body);
    Sm2CiphertextParts p;
    ByteView c3, c2;
    if (!r.read_uint256(p.x) || !r.read_uint256(p.y) || !r.read(kTagOctetString, c3) || c3.size() != 32 ||
        !r.read(kTagOctetString, c2) || !r.done())
        return Unexpected{CryptoError::kDecryptionFailed};
    p.c3 = Hash32::from(c3);
    p.c2 = to_bytes(c2);
    return p;
}

}  // namespace trellis::crypto::der
