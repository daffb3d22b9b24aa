#include "storage/memory_database.hpp"

#include <algorithm>
#include <cstring>

namespace trellis::storage {

bool BytesLess::operator()(ByteView a, ByteView b) const noexcept {
    const size_t n = std::min(a.size(), b.size());
    const int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
    return c < 0 || (c == 0 && a.size() < b.size());
}

namespace {

ReadResult lookup(const MemoryDatabase::Tables& t, Column c, ByteView key) {
    const MemoryDatabase::Table& table = t[size_t(c)];
    auto it = table.find(key);
    if (it == table.end()) return std::optional<Bytes>{};
    return std::optional<Bytes>{it->second};
}

}  // namespace

/// Keeps a State alive and unwritable: the database copies it before a write
/// while any lease on it is held. Taken and released under the database's mutex.
class MemoryDatabase::Lease {
public:
    Lease(std::mutex& mu, std::shared_ptr<State> st) : mu_(mu), st_(std::move(st)) { ++st_->leases; }
    ~Lease() {
        std::lock_guard lock(mu_);
        --st_->leases;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    const Tables& tables() const noexcept { return st_->tables; }

private:
    std::mutex& mu_;
    std::shared_ptr<State> st_;
};

class MemoryDatabase::Iter final : public Iterator {
public:
    /// Called with the database's mutex held.
    Iter(std::mutex& mu, std::shared_ptr<State> st, Column c, ByteView lower, ByteView upper)
        : lease_(mu, std::move(st)), table_(&lease_.tables()[size_t(c)]) {
        it_ = table_->lower_bound(lower);
        end_ = upper.empty() ? table_->end() : table_->lower_bound(upper);
        // lower >= upper: an empty range.
        if (!upper.empty() && !BytesLess{}(lower, upper)) it_ = end_;
    }
    bool valid() const override { return it_ != end_; }
    void next() override { ++it_; }
    ByteView key() const override { return it_->first; }
    ByteView value() const override { return it_->second; }
    Status status() const override { return Status::ok(); }

private:
    Lease lease_;
    const Table* table_;
    Table::const_iterator it_, end_;
};

class MemoryDatabase::Snap final : public Snapshot {
public:
    /// Called with the database's mutex held.
    Snap(std::mutex& mu, std::shared_ptr<State> st) : mu_(mu), st_(st), lease_(mu, std::move(st)) {}
    ReadResult get(Column c, ByteView key) override { return lookup(lease_.tables(), c, key); }
    std::unique_ptr<Iterator> iterate(Column c, ByteView lower, ByteView upper) override {
        std::lock_guard lock(mu_);
        return std::make_unique<Iter>(mu_, st_, c, lower, upper);
    }

private:
    std::mutex& mu_;
    std::shared_ptr<State> st_;
    Lease lease_;
};

MemoryDatabase::MemoryDatabase() : state_(std::make_shared<State>()) {}

ReadResult MemoryDatabase::get(Column c, ByteView key) {
    std::lock_guard lock(mu_);
    return lookup(state_->tables, c, key);
}

std::unique_ptr<Iterator> MemoryDatabase::iterate(Column c, ByteView lower, ByteView upper) {
    std::lock_guard lock(mu_);
    return std::make_unique<Iter>(mu_, state_, c, lower, upper);
}

std::unique_ptr<Snapshot> MemoryDatabase::snapshot() {
    std::lock_guard lock(mu_);
    return std::make_unique<Snap>(mu_, state_);
}

Status MemoryDatabase::write(const WriteBatch& batch, bool /*sync*/) {
    std::lock_guard lock(mu_);
    // A snapshot or iterator reads these maps: write a copy instead.
    if (state_->leases > 0) {
        auto copy = std::make_shared<State>();
        copy->tables = state_->tables;
        state_ = std::move(copy);
    }
    Tables& t = state_->tables;
    for (const auto& e : batch.entries()) {
        Table& table = t[size_t(e.column)];
        auto it = table.find(ByteView(e.key));
        if (e.op == WriteBatch::Op::kPut) {
            if (it == table.end())
                table.emplace(e.key, e.value);
            else
                it->second = e.value;
        } else if (it != table.end()) {
            table.erase(it);
        }
    }
    return Status::ok();
}

size_t MemoryDatabase::byte_size() const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const Table& table : state_->tables)
        for (const auto& [k, v] : table) n += k.size() + v.size();
    return n;
}

size_t MemoryDatabase::key_count(Column c) const {
    std::lock_guard lock(mu_);
    return state_->tables[size_t(c)].size();
}

}  // namespace trellis::storage
