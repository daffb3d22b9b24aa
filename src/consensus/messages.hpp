#pragma once
// Certificates, blocks and the consensus messages, their strict RLP encoding,
// the signed digests, rejection reasons and the peer action each maps to, and
// equivocation evidence (docs/consensus.md §2, §3, §8).

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "consensus/signer.hpp"
#include "consensus/types.hpp"

namespace trellis::consensus {

/// Why a message was not accepted. Each maps to a PeerAction.
enum class RejectReason : uint8_t {
    // ignore: honest peers send these (late, duplicate, racing an epoch change)
    kStaleView,
    kFutureView,
    kStaleEpoch,
    kFutureEpoch,
    kDuplicate,
    kUnknownParent,
    kNotLeaderOfNextView,
    kUnexpectedSync,
    // score down
    kWrongLeader,
    kBadRecentFailures,
    kUnsafeProposal,
    kBadBlockNum,
    kBadStateTransition,
    kConflicting,
    // disconnect
    kMalformed,
    kOversized,
    kUnknownType,
    kNotValidator,
    kBadSignature,
    kBadCertificate,
    kSenderMismatch,
    kBadSyncResponse,
};
const char* to_string(RejectReason r) noexcept;

/// What the host does to the peer that sent a rejected message.
enum class PeerAction : uint8_t { kIgnore, kScoreDown, kDisconnect };
PeerAction peer_action(RejectReason r) noexcept;
const char* to_string(PeerAction a) noexcept;

struct QcSignature {
    ValidatorIndex signer = 0;
    Bytes sig;
    friend bool operator==(const QcSignature&, const QcSignature&) = default;
};

/// A quorum of votes on block_id in (epoch, view). Signers strictly ascending.
/// A root QC (genesis or an epoch's root) may have no signatures: it is
/// trusted by equality with the engine's configured root, never by content.
struct QuorumCert {
    Epoch epoch = 0;
    ViewNum view = 0;
    Hash32 block_id;
    std::vector<QcSignature> sigs;
    friend bool operator==(const QuorumCert&, const QuorumCert&) = default;
};

struct TimeoutSig {
    ValidatorIndex signer = 0;
    ViewNum high_qc_view = 0;
    Bytes sig;
    friend bool operator==(const TimeoutSig&, const TimeoutSig&) = default;
};

/// A quorum of timeouts for view; high_qc is the highest QC they reported.
struct TimeoutCert {
    Epoch epoch = 0;
    ViewNum view = 0;
    std::vector<TimeoutSig> sigs;
    QuorumCert high_qc;
    ViewNum max_high_qc_view() const noexcept;
    friend bool operator==(const TimeoutCert&, const TimeoutCert&) = default;
};

/// A leader that should have extended a block and did not (§6).
struct FailedLeader {
    ViewNum view = 0;
    ValidatorIndex leader = 0;
    friend bool operator==(const FailedLeader&, const FailedLeader&) = default;
};

struct BlockHeader {
    Epoch epoch = 0;
    ViewNum view = 0;
    BlockNum block_num = 0;
    ValidatorIndex proposer = 0;
    Hash32 payload_hash;
    Hash32 state_root;                       ///< post-state root after this block
    std::vector<Validator> next_validators;  ///< empty, or the next epoch's set
    std::vector<FailedLeader> recent_failures;
    QuorumCert justify;  ///< certifies the parent
    const Hash32& parent_id() const noexcept { return justify.block_id; }
    friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

/// A block as the engine sees it: an opaque payload under a header. id is
/// H(rlp(header)) and is filled by make_block / decode_message.
struct Block {
    BlockHeader header;
    Bytes payload;
    Hash32 id;
    friend bool operator==(const Block&, const Block&) = default;
};

struct Proposal {
    Block block;
    std::optional<TimeoutCert> tc;  ///< TC(view - 1) when justify is older
    Bytes sig;                      ///< proposer's, over proposal_digest
    friend bool operator==(const Proposal&, const Proposal&) = default;
};

struct Vote {
    Epoch epoch = 0;
    ViewNum view = 0;
    Hash32 block_id;
    ValidatorIndex voter = 0;
    Bytes sig;
    friend bool operator==(const Vote&, const Vote&) = default;
};

struct Timeout {
    Epoch epoch = 0;
    ViewNum view = 0;
    ValidatorIndex voter = 0;
    QuorumCert high_qc;
    std::optional<TimeoutCert> last_tc;  ///< TC(view - 1), lets laggards catch up
    Bytes sig;                           ///< over timeout_digest(view, high_qc.view)
    friend bool operator==(const Timeout&, const Timeout&) = default;
};

struct SyncRequest {
    Hash32 block_id;
    uint64_t max_blocks = 0;
    friend bool operator==(const SyncRequest&, const SyncRequest&) = default;
};

/// blocks[0] is the requested (or qc-certified) block, then its ancestors.
struct SyncResponse {
    std::optional<QuorumCert> qc;
    std::vector<Block> blocks;
    friend bool operator==(const SyncResponse&, const SyncResponse&) = default;
};

enum class EvidenceKind : uint8_t { kDoubleVote = 1, kDoubleProposal = 2 };

/// Two signed statements by one validator for different blocks in one view.
struct Evidence {
    EvidenceKind kind = EvidenceKind::kDoubleVote;
    Epoch epoch = 0;
    ViewNum view = 0;
    ValidatorIndex validator = 0;
    Hash32 first_id;
    Bytes first_sig;
    Hash32 second_id;
    Bytes second_sig;
    friend bool operator==(const Evidence&, const Evidence&) = default;
};

using Message = std::variant<Proposal, Vote, Timeout, SyncRequest, SyncResponse, Evidence>;

/// The type number that opens each encoded message (docs/consensus.md §3).
enum class MessageTag : uint64_t { kProposal = 1, kVote, kTimeout, kSyncRequest, kSyncResponse, kEvidence };

// ---------------------------------------------------------------------------
// Encoding. decode_message accepts exactly the canonical encoding (strict RLP,
// all bounds of types.hpp) and fills block ids with scheme.hash.

Bytes encode_message(const Message& m);
Result<Message, RejectReason> decode_message(ByteView in, const SignatureScheme& scheme);

void encode_qc(Bytes& out, const QuorumCert& qc);
void encode_header(Bytes& out, const BlockHeader& h);
void encode_block(Bytes& out, const Block& b);
Bytes encode_validators(const std::vector<Validator>& v);
Result<QuorumCert, RejectReason> decode_qc(ByteView in);
Result<Block, RejectReason> decode_block(ByteView in, const SignatureScheme& scheme);
Result<std::vector<Validator>, RejectReason> decode_validators(ByteView in);

/// H(rlp(header)).
Hash32 block_id(const SignatureScheme& scheme, const BlockHeader& h);
/// Builds a block and fills its id and payload hash.
Block make_block(const SignatureScheme& scheme, BlockHeader h, Bytes payload);

// ---------------------------------------------------------------------------
// Signed digests, domain-separated and bound to the chain id (§2).

Hash32 vote_digest(const SignatureScheme& s, uint64_t chain_id, Epoch e, ViewNum v, const Hash32& block_id);
Hash32 proposal_digest(const SignatureScheme& s, uint64_t chain_id, Epoch e, ViewNum v,
                       const Hash32& block_id);
Hash32 timeout_digest(const SignatureScheme& s, uint64_t chain_id, Epoch e, ViewNum v, ViewNum high_qc_view);

// ---------------------------------------------------------------------------
// Context-free certificate checks against one validator set.

/// Signers ascending and in set, stake a quorum, every signature valid.
Result<void, RejectReason> verify_qc(const QuorumCert& qc, const ValidatorSet& set, const SignatureScheme& s,
                                     uint64_t chain_id);
/// As verify_qc for the timeout signatures, and high_qc.view equals the
/// highest reported view. Does not verify high_qc itself (the caller does:
/// it may be a root QC).
Result<void, RejectReason> verify_tc_signatures(const TimeoutCert& tc, const ValidatorSet& set,
                                                const SignatureScheme& s, uint64_t chain_id);
/// Both statements signed by evidence.validator, for different blocks.
bool verify_evidence(const Evidence& e, const ValidatorSet& set, const SignatureScheme& s, uint64_t chain_id);

}  // namespace trellis::consensus
