#pragma once
// The safety rules of docs/consensus.md §4 (R1 voting, R2 lock, R3 persist
// before signing), kept apart from the pacemaker and leader election, and the
// write-ahead-log interface they persist through. Storage implements the WAL
// on RocksDB; MemorySafetyStore serves tests and the simulation.

#include <optional>
#include <vector>

#include "base/result.hpp"
#include "consensus/messages.hpp"

namespace trellis::consensus {

/// Everything a validator must remember across a crash to never equivocate.
struct SafetyState {
    Epoch epoch = 0;
    ViewNum last_voted_view = 0;
    Hash32 last_voted_block;
    ViewNum last_timeout_view = 0;
    QuorumCert high_qc;  ///< the lock: the highest QC seen when last signing
    friend bool operator==(const SafetyState&, const SafetyState&) = default;
};

Bytes encode_safety_state(const SafetyState& s);
Result<SafetyState, RejectReason> decode_safety_state(ByteView in);

enum class StoreError : uint8_t { kWriteFailed, kCorrupt };
const char* to_string(StoreError e) noexcept;

/// The consensus write-ahead log. save() returns only once the state is
/// durable (fsync'd); the engine signs nothing until it has.
class SafetyStore {
public:
    virtual ~SafetyStore() = default;
    [[nodiscard]] virtual Result<void, StoreError> save(const SafetyState& s) = 0;
    /// The last saved state, or nullopt for a fresh validator.
    virtual Result<std::optional<SafetyState>, StoreError> load() const = 0;
};

/// An in-memory WAL of encoded records (the last record wins), with fault
/// injection: fail_next_writes(n) makes the next n saves fail.
class MemorySafetyStore final : public SafetyStore {
public:
    Result<void, StoreError> save(const SafetyState& s) override;
    Result<std::optional<SafetyState>, StoreError> load() const override;
    void fail_next_writes(int n) { fail_writes_ = n; }
    size_t records() const noexcept { return records_; }

private:
    Bytes last_;
    size_t records_ = 0;
    int fail_writes_ = 0;
};

/// R1-R3. Holds the persisted state; every signature the engine makes goes
/// through record_vote / record_timeout first.
class SafetyRules {
public:
    SafetyRules(SafetyStore& store, SafetyState initial) : store_(&store), s_(std::move(initial)) {}

    const SafetyState& state() const noexcept { return s_; }
    const QuorumCert& high_qc() const noexcept { return s_.high_qc; }

    /// R2: raises the lock to qc if it is higher (persisted with the next
    /// signature; nothing signed depends on it before then).
    void observe_qc(const QuorumCert& qc);

    /// R1.1 and R1.2 for a proposal of h (with tc) in the current epoch.
    /// epoch_root / epoch_start_view give the one-view exception at an
    /// epoch's start.
    Result<void, RejectReason> check_vote(const BlockHeader& h, const std::optional<TimeoutCert>& tc,
                                          const QuorumCert& epoch_root, ViewNum epoch_start_view) const;
    /// Records and persists a vote (R3). False: not persisted, do not sign.
    [[nodiscard]] bool record_vote(ViewNum view, const Hash32& block_id);
    /// True if a timeout for view may be signed (no vote in a later view).
    bool can_timeout(ViewNum view) const noexcept { return view >= s_.last_voted_view; }
    /// Records and persists a timeout (R3). False: do not sign.
    [[nodiscard]] bool record_timeout(ViewNum view);
    /// Starts epoch e (> the current one) whose root is certified by root_qc,
    /// with fresh view counters; persisted. False for an older epoch or a
    /// failed write (then nothing may be signed in e yet).
    [[nodiscard]] bool start_epoch(Epoch e, const QuorumCert& root_qc);

private:
    SafetyStore* store_;
    SafetyState s_;
};

}  // namespace trellis::consensus
