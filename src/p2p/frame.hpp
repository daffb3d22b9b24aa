#pragma once
// P2P wire framing (docs/p2p.md §Wire format). Inside the TLS stream every
// message is one frame:
//
//   length: 4 bytes, big-endian = number of payload bytes (type excluded)
//   type:   1 byte (MessageType)
//   payload: `length` bytes, the RLP encoding of the message
//
// Each type has a hard payload limit (kMaxPayload). The decoder checks type
// and length from the 5-byte header, before any payload arrives, and buffers
// only bytes that have actually been received: a peer cannot make a node
// allocate by announcing a large frame.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "chain/block.hpp"

namespace trellis::p2p {

/// Message types on the wire. Values are part of the protocol: never reuse one.
enum class MessageType : uint8_t {
    kHello = 0x01,
    kPing = 0x02,
    kPong = 0x03,
    kDisconnect = 0x04,
    kStatus = 0x05,
    kTxAnnounce = 0x10,
    kTxRequest = 0x11,
    kTxs = 0x12,
    kConsensus = 0x20,
    kGetBlocks = 0x30,
    kBlocks = 0x31,
};
const char* to_string(MessageType t) noexcept;
/// The type for a wire byte, or nullopt for an unknown value.
std::optional<MessageType> message_type_from_byte(uint8_t b) noexcept;

inline constexpr size_t kFrameHeaderSize = 5;

/// Limits that bound message contents (and so the per-type frame limits).
inline constexpr size_t kMaxHashesPerMessage = 4096;           ///< TxAnnounce / TxRequest
inline constexpr size_t kMaxTxsPerMessage = 4096;              ///< Txs
inline constexpr size_t kMaxTxsBytes = size_t{8} << 20;        ///< Txs payload
inline constexpr size_t kMaxConsensusBytes = size_t{4} << 20;  ///< = consensus::kMaxMessageBytes
inline constexpr uint64_t kMaxBlocksPerRequest = 128;          ///< GetBlocks count / Blocks items
/// A Blocks response carries at least one block (which may be as large as
/// chain::kMaxBlockBytes) and is otherwise filled only up to a soft limit.
inline constexpr size_t kMaxBlocksBytes = chain::kMaxBlockBytes + (size_t{1} << 20);

/// Largest payload of a frame of type t (the RLP-encoded message).
size_t max_payload(MessageType t) noexcept;
/// The largest of all per-type limits.
size_t max_payload_any() noexcept;

enum class FrameError {
    kOversized,    ///< the announced length exceeds the limit for its type
    kUnknownType,  ///< the type byte names no MessageType
    kTruncated,    ///< the input (or the stream) ended inside a frame
};
const char* to_string(FrameError e) noexcept;

/// A frame whose payload is a view into a decoder's or caller's buffer.
struct FrameView {
    MessageType type;
    ByteView payload;
};

/// Appends one frame. Precondition (asserted): payload.size() <= max_payload(type).
void append_frame(Bytes& out, MessageType type, ByteView payload);
Bytes encode_frame(MessageType type, ByteView payload);

struct FrameHeader {
    MessageType type;
    size_t payload_size;
};
/// Checks the kFrameHeaderSize bytes at h: the type is known and the length
/// within its limit.
Result<FrameHeader, FrameError> parse_header(const uint8_t* h) noexcept;

/// Decodes the frame at the front of in and advances in past it. kTruncated
/// when in ends before the frame does (wait for more bytes, or fail at EOF).
Result<FrameView, FrameError> decode_frame(ByteView& in) noexcept;

/// Incremental decoder for a byte stream. Feed bytes as they arrive and pull
/// frames with next(). After an error the decoder stays failed (a framing
/// error cannot be resynchronised: the connection must close). Not
/// thread-safe; one per connection.
class FrameDecoder {
public:
    /// Appends received bytes. Memory grows only by what was received.
    void feed(ByteView bytes);

    /// The next complete frame, nullopt when more bytes are needed, or an
    /// error (kOversized / kUnknownType as soon as the header is in). The
    /// payload view is valid until the next call to feed() or next().
    Result<std::optional<FrameView>, FrameError> next() noexcept;

    /// Called at end of stream: kTruncated if a partial frame is buffered.
    Result<void, FrameError> finish() const noexcept;

    /// Bytes received but not yet returned as frames.
    size_t buffered() const noexcept { return buf_.size() - pos_; }
    /// Whether a previous call failed.
    bool failed() const noexcept { return failed_.has_value(); }

private:
    Bytes buf_;
    size_t pos_ = 0;  // start of the unconsumed bytes in buf_
    std::optional<FrameError> failed_;
};

}  // namespace trellis::p2p
