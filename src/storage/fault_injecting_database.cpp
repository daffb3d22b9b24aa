#include "storage/fault_injecting_database.hpp"

#include <set>
#include <utility>

namespace trellis::storage {

Status FaultInjectingDatabase::write(const WriteBatch& batch, bool sync) {
    std::lock_guard lock(mu_);
    ++writes_;
    if (dead_ || (fail_at_ != 0 && writes_ == fail_at_)) {
        if (sticky_) dead_ = true;
        return Status::injected_fault("write " + std::to_string(writes_) + " failed on purpose");
    }
    WriteBatch undo;
    if (!sync) {
        // Prior values of each distinct key, read before the batch lands.
        std::set<std::pair<Column, Bytes>> seen;
        for (const auto& e : batch.entries()) {
            if (!seen.emplace(e.column, e.key).second) continue;
            auto prior = inner_.get(e.column, e.key);
            if (!prior) return prior.error();
            if (*prior)
                undo.put(e.column, e.key, **prior);
            else
                undo.erase(e.column, e.key);
        }
    }
    Status s = inner_.write(batch, sync);
    if (!s.is_ok()) return s;
    if (sync)
        undo_.clear();
    else
        undo_.push_back(std::move(undo));
    return Status::ok();
}

void FaultInjectingDatabase::fail_nth_write(uint64_t n, bool sticky) {
    std::lock_guard lock(mu_);
    fail_at_ = n == 0 ? 0 : writes_ + n;
    sticky_ = sticky;
    dead_ = false;
}

Status FaultInjectingDatabase::crash() {
    std::lock_guard lock(mu_);
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
        Status s = inner_.write(*it, true);
        if (!s.is_ok()) return s;
    }
    undo_.clear();
    fail_at_ = 0;
    sticky_ = false;
    dead_ = false;
    return Status::ok();
}

uint64_t FaultInjectingDatabase::write_count() const {
    std::lock_guard lock(mu_);
    return writes_;
}

size_t FaultInjectingDatabase::unsynced_count() const {
    std::lock_guard lock(mu_);
    return undo_.size();
}

}  // namespace trellis::storage
