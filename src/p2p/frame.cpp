#include "p2p/frame.hpp"

#include <algorithm>

#include "base/assert.hpp"

namespace trellis::p2p {

const char* to_string(MessageType t) noexcept {
    switch (t) {
        case MessageType::kHello:
            return "Hello";
        case MessageType::kPing:
            return "Ping";
        case MessageType::kPong:
            return "Pong";
        case MessageType::kDisconnect:
            return "Disconnect";
        case MessageType::kStatus:
            return "Status";
        case MessageType::kTxAnnounce:
            return "TxAnnounce";
        case MessageType::kTxRequest:
            return "TxRequest";
        case MessageType::kTxs:
            return "Txs";
        case MessageType::kConsensus:
            return "Consensus";
        case MessageType::kGetBlocks:
            return "GetBlocks";
        case MessageType::kBlocks:
            return "Blocks";
    }
    return "unknown";
}

std::optional<MessageType> message_type_from_byte(uint8_t b) noexcept {
    switch (static_cast<MessageType>(b)) {
        case MessageType::kHello:
        case MessageType::kPing:
        case MessageType::kPong:
        case MessageType::kDisconnect:
        case MessageType::kStatus:
        case MessageType::kTxAnnounce:
        case MessageType::kTxRequest:
        case MessageType::kTxs:
        case MessageType::kConsensus:
        case MessageType::kGetBlocks:
        case MessageType::kBlocks:
            return static_cast<MessageType>(b);
    }
    return std::nullopt;
}

size_t max_payload(MessageType t) noexcept {
    // Each limit is the largest valid encoding of the message (messages.hpp)
    // rounded up, so a frame over it is hostile or broken, never just big.
    switch (t) {
        case MessageType::kHello:
            return 256;  // 3 hashes + 3 integers
        case MessageType::kPing:
        case MessageType::kPong:
            return 16;  // one u64
        case MessageType::kDisconnect:
            return 16;  // one small integer
        case MessageType::kStatus:
            return 64;  // u64 + hash
        case MessageType::kTxAnnounce:
        case MessageType::kTxRequest:
            return kMaxHashesPerMessage * 33 + 16;
        case MessageType::kTxs:
            return kMaxTxsBytes;
        case MessageType::kConsensus:
            return kMaxConsensusBytes + 16;
        case MessageType::kGetBlocks:
            return 32;  // two u64
        case MessageType::kBlocks:
            return kMaxBlocksBytes;
    }
    return 0;
}

size_t max_payload_any() noexcept {
    return kMaxBlocksBytes;
}

const char* to_string(FrameError e) noexcept {
    switch (e) {
        case FrameError::kOversized:
            return "frame larger than its type allows";
        case FrameError::kUnknownType:
            return "unknown message type";
        case FrameError::kTruncated:
            return "truncated frame";
    }
    return "unknown frame error";
}

void append_frame(Bytes& out, MessageType type, ByteView payload) {
    TRELLIS_ASSERT(payload.size() <= max_payload(type));
    const auto n = static_cast<uint32_t>(payload.size());
    const uint8_t header[kFrameHeaderSize] = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n),
                                              static_cast<uint8_t>(type)};
    out.insert(out.end(), header, header + kFrameHeaderSize);
    out.insert(out.end(), payload.begin(), payload.end());
}

Bytes encode_frame(MessageType type, ByteView payload) {
    Bytes out;
    out.reserve(kFrameHeaderSize + payload.size());
    append_frame(out, type, payload);
    return out;
}

Result<FrameHeader, FrameError> parse_header(const uint8_t* h) noexcept {
    const size_t n = (size_t{h[0]} << 24) | (size_t{h[1]} << 16) | (size_t{h[2]} << 8) | size_t{h[3]};
    const auto type = message_type_from_byte(h[4]);
    if (!type) return Unexpected{FrameError::kUnknownType};
    if (n > max_payload(*type)) return Unexpected{FrameError::kOversized};
    return FrameHeader{*type, n};
}

Result<FrameView, FrameError> decode_frame(ByteView& in) noexcept {
    if (in.size() < kFrameHeaderSize) return Unexpected{FrameError::kTruncated};
    auto h = parse_header(in.data());
    if (!h) return Unexpected{h.error()};
    const auto [type, n] = h.value();
    if (in.size() - kFrameHeaderSize < n) return Unexpected{FrameError::kTruncated};
    FrameView f{type, in.subspan(kFrameHeaderSize, n)};
    in = in.subspan(kFrameHeaderSize + n);
    return f;
}

void FrameDecoder::feed(ByteView bytes) {
    if (failed_) return;
    // Drop consumed bytes first so the buffer holds at most one partial frame
    // plus what this feed brings.
    if (pos_ > 0) {
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
        pos_ = 0;
    }
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<FrameView>, FrameError> FrameDecoder::next() noexcept {
    if (failed_) return Unexpected{*failed_};
    const size_t avail = buf_.size() - pos_;
    if (avail < kFrameHeaderSize) return std::optional<FrameView>{};
    auto h = parse_header(buf_.data() + pos_);
    if (!h) {
        failed_ = h.error();
        return Unexpected{h.error()};
    }
    const auto [type, n] = h.value();
    if (avail - kFrameHeaderSize < n) return std::optional<FrameView>{};
    FrameView f{type, ByteView(buf_.data() + pos_ + kFrameHeaderSize, n)};
    pos_ += kFrameHeaderSize + n;
    return std::optional<FrameView>{f};
}

Result<void, FrameError> FrameDecoder::finish() const noexcept {
    if (failed_) return Unexpected{*failed_};
    if (buf_.size() != pos_) return Unexpected{FrameError::kTruncated};
    return {};
}

}  // namespace trellis::p2p
