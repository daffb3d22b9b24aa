#include "ledger/host_clock.hpp"

namespace trellis::ledger {

namespace {

class SystemHostClock final : public HostClock {
public:
    uint64_t unix_seconds() const override {
        return uint64_t(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
    }
    std::chrono::milliseconds now() const override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now().time_since_epoch());
    }
    bool realtime() const override { return true; }
    uint64_t subscribe(std::function<void()>) override { return 0; }
    void unsubscribe(uint64_t) override {}
};

}  // namespace

HostClock& system_host_clock() {
    static SystemHostClock clock;
    return clock;
}

ManualClock::ManualClock(uint64_t unix_start) : unix_start_(unix_start) {}

void ManualClock::advance(std::chrono::milliseconds d) {
    std::lock_guard lock(mu_);
    now_ += d;
    for (auto& [id, f] : subscribers_) f();
}

uint64_t ManualClock::unix_seconds() const {
    std::lock_guard lock(mu_);
    return unix_start_ + uint64_t(std::chrono::duration_cast<std::chrono::seconds>(now_).count());
}

std::chrono::milliseconds ManualClock::now() const {
    std::lock_guard lock(mu_);
    return now_;
}

uint64_t ManualClock::subscribe(std::function<void()> on_advance) {
    std::lock_guard lock(mu_);
    const uint64_t id = next_id_++;
    subscribers_.emplace(id, std::move(on_advance));
    return id;
}

void ManualClock::unsubscribe(uint64_t id) {
    std::lock_guard lock(mu_);
    subscribers_.erase(id);
}

}  // namespace trellis::ledger
