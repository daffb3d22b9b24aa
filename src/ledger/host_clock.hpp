#pragma once

// The time a ConsensusHost runs on (HostSettings::clock).
//
// The host reads the clock for two things: the Unix seconds it stamps the
// blocks it proposes with (and bounds others' timestamps by), and the two
// timers it arms -- the engine's view timer (TimerRequest) and an idle
// leader's pacing (HostSettings::idle_block_interval).
//
// Design: on the system clock (realtime() true, the default) the timers are
// asio steady_timers on the host's own thread, as before. A clock that is
// not realtime replaces their waits: the host keeps each timer's deadline on
// the clock's now() and fires the due ones when the clock tells it that time
// moved (subscribe). Asio's own custom-clock timers were not used: their
// wait traits poll the fake clock in real time, which brings a sleep back.
// ManualClock below is that clock for tests: time moves only in advance(),
// so "every validator waited out its view timeout" is a step the test takes,
// not a sleep it hopes is long enough.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace trellis::ledger {

class HostClock {
public:
    virtual ~HostClock() = default;
    /// Seconds since the Unix epoch (chain timestamps).
    virtual uint64_t unix_seconds() const = 0;
    /// Monotonic time since an arbitrary origin: the timers' deadlines.
    virtual std::chrono::milliseconds now() const = 0;
    /// True: timers wait in real time (asio). False: they fire only when
    /// the clock calls its subscribers.
    virtual bool realtime() const = 0;
    /// Registers on_advance, called after now() moved forward (from the
    /// thread that moved it; the callee must not block on the clock). A
    /// realtime clock never calls it. Returns the id for unsubscribe.
    virtual uint64_t subscribe(std::function<void()> on_advance) = 0;
    /// After it returns, the subscriber is not being called and never will be.
    virtual void unsubscribe(uint64_t id) = 0;
};

/// The system clock and real-time timers: the default. Thread-safe; lives
/// for the whole program.
HostClock& system_host_clock();

/// A clock that moves only when advance() is called: for tests (and
/// simulations). Time starts at unix_start seconds and now() == 0.
/// Thread-safe. Must outlive every host using it.
class ManualClock final : public HostClock {
public:
    explicit ManualClock(uint64_t unix_start = 1'700'000'000);

    /// Moves time forward by d and calls every subscriber (each host then
    /// fires, on its own thread, the timers due by the new time).
    void advance(std::chrono::milliseconds d);

    uint64_t unix_seconds() const override;
    std::chrono::milliseconds now() const override;
    bool realtime() const override { return false; }
    uint64_t subscribe(std::function<void()> on_advance) override;
    void unsubscribe(uint64_t id) override;

private:
    const uint64_t unix_start_;
    mutable std::mutex mu_;  ///< guards now_, subscribers_, next_id_; held while calling subscribers
    std::chrono::milliseconds now_{0};
    std::map<uint64_t, std::function<void()>> subscribers_;
    uint64_t next_id_ = 1;
};

}  // namespace trellis::ledger
