#pragma once
// The consensus engine: a deterministic state machine (docs/consensus.md).
// Inputs are method calls; each returns the Outputs the host must carry out,
// in order. No I/O, no threads, no clock, no globals: time is the host's
// on_timer calls, the network is Outputs::messages and on_message, execution
// is Outputs::executes / payload and on_block_executed / on_payload_ready.
// Not thread-safe: the host calls one engine from one strand.

#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "consensus/election.hpp"
#include "consensus/messages.hpp"
#include "consensus/safety.hpp"

namespace trellis::consensus {

/// What executing a block produced: the post-state root and, at an epoch
/// boundary the executed chain chose, the next validator set.
struct ExecResult {
    Hash32 state_root;
    std::vector<Validator> next_validators;
    friend bool operator==(const ExecResult&, const ExecResult&) = default;
};

struct Settings {
    uint64_t chain_id = 1;
    /// The first view's timer; doubles per consecutive view without a QC.
    uint64_t base_timeout_ms = 1000;
    /// Cap of the doubling: base << max_backoff_shift (1 s base: at most
    /// 8 s). A longer cap only delays recovery once a quorum is back.
    unsigned max_backoff_shift = 3;
    /// Messages for views further ahead than this are dropped (kFutureView).
    ViewNum max_views_ahead = 1000;
};

struct EngineConfig {
    Settings settings;
    /// This validator's index in the root epoch's set; nullopt for an
    /// observer (follows and commits, never signs).
    std::optional<ValidatorIndex> self;
    /// The last committed block and the QC certifying it (genesis: view 0,
    /// no signatures). If root names next_validators, the engine starts in
    /// the epoch after root's.
    Block root;
    QuorumCert root_qc;
    /// The validator set of root's epoch (ignored when root names the next set).
    ValidatorSet validators;
    /// The epoch proofs (CommittedBlock::epoch_proof) of recent epoch
    /// changes, from the host's store, so that after a restart the validator
    /// can still bring laggards forward. Optional; the newest 64 are kept.
    std::vector<SyncResponse> epoch_proofs;
};

struct OutMessage {
    std::optional<ValidatorIndex> to;  ///< nullopt: every other validator
    Bytes bytes;
};
struct TimerRequest {
    ViewNum view = 0;
    uint64_t delay_ms = 0;
};
/// Execute block on its parent's post-state and call on_block_executed.
struct ExecuteRequest {
    Block block;
};
/// Build a payload on parent's post-state, execute it, call on_payload_ready.
struct PayloadRequest {
    ViewNum view = 0;
    Hash32 parent_id;
    BlockNum block_num = 0;
    Hash32 parent_state_root;
};
struct CommittedBlock {
    Block block;
    QuorumCert qc;  ///< certifies block (its header, hence its post-state root)
    /// For an epoch-change block: the QC and blocks proving its commit. The
    /// host keeps it and passes it back in EngineConfig::epoch_proofs on
    /// a restart, so the validator can still bring laggards into the epoch.
    std::optional<SyncResponse> epoch_proof;
};
struct Rejection {
    ValidatorIndex from = 0;
    RejectReason reason = RejectReason::kMalformed;
};

struct Outputs {
    std::vector<OutMessage> messages;
    std::vector<CommittedBlock> commits;
    std::optional<TimerRequest> timer;  ///< replaces any earlier timer
    std::vector<ExecuteRequest> executes;
    std::optional<PayloadRequest> payload;
    std::vector<Evidence> evidence;
    std::vector<Rejection> rejections;
};

class Engine {
public:
    /// Loads the safety state from store (a restart) or starts fresh.
    /// The scheme signs with this validator's key. Both must outlive the engine.
    Engine(EngineConfig cfg, const SignatureScheme& scheme, SafetyStore& store);

    Outputs start();
    Outputs on_message(ValidatorIndex from, ByteView bytes);
    Outputs on_timer(ViewNum view);
    Outputs on_payload_ready(ViewNum view, Bytes payload, const ExecResult& result);
    Outputs on_block_executed(const Hash32& block_id, const ExecResult& result);

    // Observers for hosts and tests.
    Epoch epoch() const noexcept { return epoch_; }
    ViewNum current_view() const noexcept { return view_; }
    const ValidatorSet& validators() const noexcept { return validators_; }
    const QuorumCert& high_qc() const noexcept { return safety_.high_qc(); }
    const SafetyState& safety_state() const noexcept { return safety_.state(); }
    BlockNum committed_block_num() const noexcept { return committed_num_; }
    const Hash32& committed_id() const noexcept { return committed_id_; }
    std::optional<ValidatorIndex> self() const noexcept { return self_; }
    /// The leader of view for a proposal extending anchor.
    ValidatorIndex leader_after(const BlockHeader& anchor, ViewNum view) const;
    const Block* find_block(const Hash32& id) const;
    /// A proposal of ours, re-signed: for tests and Byzantine simulation.
    Bytes sign_proposal(const Block& b) const;
    Bytes sign_vote(ViewNum view, const Hash32& id) const;

private:
    struct Node {
        Block block;
        std::optional<ExecResult> exec;
        bool committed = false;
    };
    struct VoteSet {
        uint64_t stake = 0;
        std::map<ValidatorIndex, Bytes> sigs;
    };
    struct TimeoutSet {
        uint64_t stake = 0;
        std::map<ValidatorIndex, TimeoutSig> sigs;
        std::optional<QuorumCert> best_qc;
        bool tc_formed = false;
    };

    void handle(ValidatorIndex from, Message&& m, Outputs& out);
    void handle_proposal(ValidatorIndex from, Proposal&& p, Outputs& out);
    void handle_vote(ValidatorIndex from, const Vote& v, Outputs& out);
    void handle_timeout(ValidatorIndex from, Timeout&& t, Outputs& out);
    void handle_sync_request(ValidatorIndex from, const SyncRequest& r, Outputs& out);
    void handle_sync_response(ValidatorIndex from, SyncResponse&& r, Outputs& out);
    void reject(ValidatorIndex from, RejectReason r, Outputs& out) { out.rejections.push_back({from, r}); }

    /// A QC this engine may rely on: the root QC, or verified against the set.
    Result<void, RejectReason> check_qc(const QuorumCert& qc);
    Result<void, RejectReason> check_tc(const TimeoutCert& tc);
    void process_qc(const QuorumCert& qc, ValidatorIndex from, Outputs& out);
    void process_tc(const TimeoutCert& tc, ValidatorIndex from, Outputs& out);
    void enter_view(ViewNum v, std::optional<TimeoutCert> tc, Outputs& out);
    void set_timer(Outputs& out);
    void local_timeout(Outputs& out);
    void try_propose(Outputs& out);
    void finish_proposal(Bytes payload, const ExecResult& result, Outputs& out);
    void consider_vote(const Hash32& id, Outputs& out);
    void send_vote(const BlockHeader& h, const Hash32& id, Outputs& out);
    void add_vote(const Vote& v, Outputs& out);
    void add_timeout(const Timeout& t, Outputs& out);
    /// Validates a block against its (known) parent and inserts it.
    Result<void, RejectReason> insert_block(const Block& b, bool certified, Outputs& out);
    /// Commits id (certified by qc) and its uncommitted ancestors; trigger is
    /// the QC that made the commit rule fire.
    void commit_through(const Hash32& id, const QuorumCert& qc, const QuorumCert& trigger, Outputs& out);
    void switch_epoch(const Node& root, const QuorumCert& qc, SyncResponse proof, Outputs& out);
    void prune();
    void request_sync(const Hash32& id, ValidatorIndex from, Outputs& out);
    void retry_pending(Outputs& out);
    void attach_orphans(ValidatorIndex from, Outputs& out);
    bool is_orphan_parent(const Hash32& id) const;
    const SyncResponse* proof_for(ValidatorIndex from, Epoch their_epoch);
    bool in_reconfig_suffix(const Hash32& parent_id) const;
    void send(std::optional<ValidatorIndex> to, const Message& m, Outputs& out);

    EngineConfig cfg_;
    const SignatureScheme* scheme_;
    SafetyRules safety_;
    std::optional<ValidatorIndex> self_;

    Epoch epoch_ = 0;
    ValidatorSet validators_;
    Hash32 epoch_root_id_;
    QuorumCert epoch_root_qc_;
    ViewNum epoch_start_view_ = 0;
    /// Epoch -> the QC and blocks that ended it, for validators still in it.
    std::map<Epoch, SyncResponse> epoch_proofs_;

    std::unordered_map<Hash32, Node, FixedBytesHasher> tree_;
    Hash32 committed_id_;
    BlockNum committed_num_ = 0;

    ViewNum view_ = 0;
    std::optional<TimeoutCert> last_tc_;  ///< TC(view_ - 1) if we entered by one
    bool proposed_ = false;               ///< in view_
    /// Our timeout of the view we last timed out in, resent every
    /// base_timeout_ms while still in that view: validators that were down
    /// or cut off when it was first sent learn the view from it.
    std::optional<Timeout> sent_timeout_;
    bool awaiting_payload_ = false;
    QuorumCert proposal_qc_;                ///< justify of the proposal being built
    std::optional<Hash32> vote_candidate_;  ///< current view's proposal awaiting execution
    std::optional<TimeoutCert> vote_candidate_tc_;

    std::map<ViewNum, std::map<Hash32, VoteSet>> votes_;
    std::map<ViewNum, std::map<ValidatorIndex, std::pair<Hash32, Bytes>>> voters_;
    std::set<ViewNum> qc_formed_;
    std::map<ViewNum, TimeoutSet> timeouts_;
    std::map<std::pair<ViewNum, ValidatorIndex>, std::pair<Hash32, Bytes>> proposers_;
    std::set<std::pair<ViewNum, ValidatorIndex>> evidence_sent_;
    std::set<std::pair<ViewNum, Hash32>> verified_qcs_;
    std::map<Hash32, uint32_t> wanted_;   ///< sync requested -> times it was wanted since
    std::map<Hash32, Proposal> pending_;  ///< proposals waiting for their parent, by parent id
    /// Authenticated synced blocks whose parent has not arrived yet.
    std::map<std::pair<BlockNum, Hash32>, Block> orphans_;
    std::map<std::pair<ValidatorIndex, Epoch>, uint32_t>
        proof_sent_;  ///< stale messages per sender and epoch
};

}  // namespace trellis::consensus
