#include "p2p/scoring.hpp"

namespace trellis::p2p {

const char* to_string(Misbehaviour m) noexcept {
    switch (m) {
        case Misbehaviour::kOversizedFrame:
            return "oversized frame";
        case Misbehaviour::kMalformedFrame:
            return "malformed frame";
        case Misbehaviour::kMalformedMessage:
            return "malformed message";
        case Misbehaviour::kUnexpectedMessage:
            return "unexpected message";
        case Misbehaviour::kInvalidSignature:
            return "invalid signature";
        case Misbehaviour::kInvalidConsensusMessage:
            return "invalid consensus message";
        case Misbehaviour::kInvalidTransaction:
            return "invalid transaction";
        case Misbehaviour::kUnrequestedData:
            return "unrequested data";
        case Misbehaviour::kInvalidBlock:
            return "invalid block";
        case Misbehaviour::kUselessResponse:
            return "useless response";
        case Misbehaviour::kSpam:
            return "spam";
    }
    return "unknown misbehaviour";
}

}  // namespace trellis::p2p
