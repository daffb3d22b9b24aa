#pragma once
// P2P messages and their RLP payloads (docs/p2p.md §Messages). Every decoder
// is strict (canonical RLP, exact item counts) and bounded (item counts and
// sizes below the frame limits in frame.hpp); a hostile payload gets a
// MessageError, never an exception or a large allocation.

#include <cstdint>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "p2p/frame.hpp"

namespace trellis::p2p {

/// A node's identity: SHA-256 of its TLS certificate's SubjectPublicKeyInfo
/// (p2p::ca::node_id_of_certificate computes the same).
using NodeId = Hash32;

/// Protocol version spoken by this build; Hello with another version is refused.
inline constexpr uint64_t kProtocolVersion = 1;

/// Sent in Hello right after the TLS handshake, by both sides.
struct Hello {
    uint64_t chain_id = 0;
    Hash32 genesis_hash;
    NodeId node_id;  ///< claimed; the receiver checks it against the TLS certificate
    uint64_t protocol_version = kProtocolVersion;
    uint64_t head_num = 0;
    Hash32 head_hash;
    friend bool operator==(const Hello&, const Hello&) = default;
};

struct Ping {
    uint64_t nonce = 0;
    friend bool operator==(const Ping&, const Ping&) = default;
};
struct Pong {
    uint64_t nonce = 0;  ///< the Ping's nonce
    friend bool operator==(const Pong&, const Pong&) = default;
};

/// Why a connection is closed; sent in Disconnect before closing. Values are
/// part of the protocol.
enum class DisconnectReason : uint8_t {
    kRequested = 0,         ///< shutdown or operator request
    kProtocolError = 1,     ///< bad frame or message
    kWrongChain = 2,        ///< chain id or genesis hash differs
    kNotAdmitted = 3,       ///< node id not on the admission list
    kIdentityMismatch = 4,  ///< Hello's node id is not the TLS certificate's
    kIncompatibleVersion = 5,
    kTooManyPeers = 6,
    kDuplicate = 7,  ///< another connection to the same node was kept
    kBanned = 8,
    kTimeout = 9,    ///< handshake or read timeout
    kSlowPeer = 10,  ///< its send queue overflowed
    kSelf = 11,      ///< connected to itself
};
inline constexpr uint8_t kMaxDisconnectReason = 11;
const char* to_string(DisconnectReason r) noexcept;

struct Disconnect {
    DisconnectReason reason = DisconnectReason::kRequested;
    friend bool operator==(const Disconnect&, const Disconnect&) = default;
};

/// The sender's chain head (sent on change, so peers know whom to sync from).
struct Status {
    uint64_t head_num = 0;
    Hash32 head_hash;
    friend bool operator==(const Status&, const Status&) = default;
};

/// "I have these transactions" (hashes); the receiver fetches the ones it lacks once.
struct TxAnnounce {
    std::vector<Hash32> hashes;  ///< at most kMaxHashesPerMessage
    friend bool operator==(const TxAnnounce&, const TxAnnounce&) = default;
};
struct TxRequest {
    std::vector<Hash32> hashes;  ///< at most kMaxHashesPerMessage
    friend bool operator==(const TxRequest&, const TxRequest&) = default;
};
/// Raw signed transactions (each the network encoding eth_sendRawTransaction takes).
struct Txs {
    std::vector<Bytes> txs;  ///< at most kMaxTxsPerMessage, none empty
    friend bool operator==(const Txs&, const Txs&) = default;
};

/// An opaque consensus message (consensus::encode output), at most kMaxConsensusBytes.
struct Consensus {
    Bytes payload;
    friend bool operator==(const Consensus&, const Consensus&) = default;
};

/// Block sync: ask for count (1..kMaxBlocksPerRequest) blocks from block number from.
struct GetBlocks {
    uint64_t from = 0;
    uint64_t count = 0;
    friend bool operator==(const GetBlocks&, const GetBlocks&) = default;
};
/// The answer: consecutive blocks, each one complete RLP item (a chain::Block
/// encoding, with whatever commit proof the node attaches); at most
/// kMaxBlocksPerRequest. The transport does not parse the blocks.
struct Blocks {
    std::vector<Bytes> blocks;
    friend bool operator==(const Blocks&, const Blocks&) = default;
};

using Message = std::variant<Hello, Ping, Pong, Disconnect, Status, TxAnnounce, TxRequest, Txs, Consensus,
                             GetBlocks, Blocks>;

MessageType type_of(const Message& m) noexcept;

enum class MessageError {
    kMalformed,     ///< not the strict RLP shape of the message
    kTooManyItems,  ///< more hashes/txs/blocks than the per-message bound
    kInvalidField,  ///< a field out of range (unknown disconnect reason, zero count, empty tx, ...)
    kTooLarge,      ///< the encoding exceeds the frame limit for its type (encode side)
};
const char* to_string(MessageError e) noexcept;

/// The RLP payload of m (no frame header).
Bytes encode_payload(const Message& m);
/// A whole frame for m; kTooLarge if the payload exceeds max_payload(type_of(m)).
Result<Bytes, MessageError> encode_message(const Message& m);

/// Decodes the payload of a frame of the given type.
Result<Message, MessageError> decode_message(MessageType type, ByteView payload);

}  // namespace trellis::p2p
