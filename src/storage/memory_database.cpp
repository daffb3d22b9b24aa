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

using Tables = MemoryDatabase::Tables;
using Table = MemoryDatabase::Table;

/// Iterates a table it co-owns, so the view stays consistent after writes.
class MemoryIterator final : public Iterator {
public:
    MemoryIterator(std::shared_ptr<const Tables> tables, Column c, ByteView lower, ByteView upper)
        : tables_(std::move(tables)), table_(&(*tables_)[size_t(c)]) {
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
    std::shared_ptr<const Tables> tables_;
    const Table* table_;
    Table::const_iterator it_, end_;
};

ReadResult lookup(const Tables& t, Column c, ByteView key) {
    const Table& table = t[size_t(c)];
    auto it = table.find(key);
    if (it == table.end()) return std::optional<Bytes>{};
    return std::optional<Bytes>{it->second};
}

class MemorySnapshot final : public Snapshot {
public:
    explicit MemorySnapshot(std::shared_ptr<const Tables> t) : tables_(std::move(t)) {}
    ReadResult get(Column c, ByteView key) override { return lookup(*tables_, c, key); }
    std::unique_ptr<Iterator> iterate(Column c, ByteView lower, ByteView upper) override {
        return std::make_unique<MemoryIterator>(tables_, c, lower, upper);
    }

private:
    std::shared_ptr<const Tables> tables_;
};

}  // namespace

MemoryDatabase::MemoryDatabase() : tables_(std::make_shared<Tables>()) {}

ReadResult MemoryDatabase::get(Column c, ByteView key) {
    std::lock_guard lock(mu_);
    return lookup(*tables_, c, key);
}

std::unique_ptr<Iterator> MemoryDatabase::iterate(Column c, ByteView lower, ByteView upper) {
    std::shared_ptr<const Tables> t;
    {
        std::lock_guard lock(mu_);
        t = tables_;
    }
    return std::make_unique<MemoryIterator>(std::move(t), c, lower, upper);
}

std::unique_ptr<Snapshot> MemoryDatabase::snapshot() {
    std::lock_guard lock(mu_);
    return std::make_unique<MemorySnapshot>(tables_);
}

Status MemoryDatabase::write(const WriteBatch& batch, bool /*sync*/) {
    std::lock_guard lock(mu_);
    // A snapshot or iterator shares the maps: copy before changing them.
    if (tables_.use_count() > 1) tables_ = std::make_shared<Tables>(*tables_);
    Tables& t = *tables_;
    for (const auto& e : batch.entries()) {
        Table& table = t[size_t(e.column)];
        if (e.op == WriteBatch::Op::kPut) {
            auto it = table.find(ByteView(e.key));
            if (it == table.end())
                table.emplace(e.key, e.value);
            else
                it->second = e.value;
        } else {
            auto it = table.find(ByteView(e.key));
            if (it != table.end()) table.erase(it);
        }
    }
    return Status::ok();
}

size_t MemoryDatabase::byte_size() const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const Table& table : *tables_)
        for (const auto& [k, v] : table) n += k.size() + v.size();
    return n;
}

size_t MemoryDatabase::key_count(Column c) const {
    std::lock_guard lock(mu_);
    return (*tables_)[size_t(c)].size();
}

}  // namespace trellis::storage
