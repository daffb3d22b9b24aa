#pragma once
// Peer scoring (docs/p2p.md §Scoring). Every peer starts at kInitialScore;
// each offence subtracts its penalty; at or below the ban threshold the peer
// is disconnected and banned for a while. Rejection reasons from consensus,
// the txpool and block sync map to offences here (STYLE.md rule 9: each
// rejection reason maps to a peer action).

#include <cstdint>

namespace trellis::p2p {

inline constexpr int kInitialScore = 100;

enum class Misbehaviour {
    // Detected by the transport.
    kOversizedFrame,     ///< frame length over its type's limit
    kMalformedFrame,     ///< unknown type byte or a frame cut by the stream end (garbage)
    kMalformedMessage,   ///< a known type whose payload does not decode
    kUnexpectedMessage,  ///< e.g. a second Hello
    // Reported by the node (PeerManager::penalise).
    kInvalidSignature,         ///< consensus: a message with a bad signature
    kInvalidConsensusMessage,  ///< consensus: well-signed but invalid (wrong view, not a validator, ...)
    kInvalidTransaction,  ///< txpool: a transaction that can never be valid (bad signature, bad encoding)
    kUnrequestedData,     ///< Txs or Blocks nobody asked for
    kInvalidBlock,        ///< block sync: a block that fails validation or its commit proof
    kUselessResponse,     ///< empty or short sync response when the peer claimed the blocks
    kSpam,                ///< requests beyond the rate a sane peer sends
};
inline constexpr int kMisbehaviourCount = 11;
const char* to_string(Misbehaviour m) noexcept;

struct Penalty {
    int points;       ///< subtracted from the score
    bool disconnect;  ///< close the connection now (even if not yet banned)
};

/// The penalty table (one row per Misbehaviour).
constexpr Penalty penalty_of(Misbehaviour m) noexcept {
    switch (m) {
        // A framing error cannot be resynchronised: always disconnect. Three
        // garbage connections in a row reach the ban threshold.
        case Misbehaviour::kOversizedFrame:
            return {40, true};
        case Misbehaviour::kMalformedFrame:
            return {40, true};
        case Misbehaviour::kMalformedMessage:
            return {25, false};
        case Misbehaviour::kUnexpectedMessage:
            return {10, false};
        // Forged or garbage consensus traffic is never an honest mistake.
        case Misbehaviour::kInvalidSignature:
            return {50, false};
        case Misbehaviour::kInvalidConsensusMessage:
            return {5, false};
        // An invalid transaction can be an honest race (relayed before a
        // nonce moved on); only the hopeless kind is reported here.
        case Misbehaviour::kInvalidTransaction:
            return {10, false};
        case Misbehaviour::kUnrequestedData:
            return {5, false};
        case Misbehaviour::kInvalidBlock:
            return {100, true};
        case Misbehaviour::kUselessResponse:
            return {5, false};
        case Misbehaviour::kSpam:
            return {20, false};
    }
    return {0, false};
}

}  // namespace trellis::p2p
