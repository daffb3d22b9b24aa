#pragma once

// A Database in ordered maps, for tests, tools and the in-memory benchmark.
// Snapshots share the maps copy-on-write: taking one is O(1); the first write
// after it copies the maps once.

#include <array>
#include <map>
#include <mutex>

#include "storage/database.hpp"

namespace trellis::storage {

/// Orders keys bytewise (unsigned), as RocksDB's default comparator, and
/// allows lookups by ByteView without building a Bytes.
struct BytesLess {
    using is_transparent = void;
    bool operator()(ByteView a, ByteView b) const noexcept;
};

class MemoryDatabase final : public Database {
public:
    using Table = std::map<Bytes, Bytes, BytesLess>;
    using Tables = std::array<Table, kNumColumns>;

    MemoryDatabase();

    ReadResult get(Column c, ByteView key) override;
    std::unique_ptr<Iterator> iterate(Column c, ByteView lower, ByteView upper) override;
    Status write(const WriteBatch& batch, bool sync) override;
    std::unique_ptr<Snapshot> snapshot() override;

    /// Sum of key and value bytes held (the in-memory analogue of disk use).
    size_t byte_size() const;
    /// Number of keys in column c.
    size_t key_count(Column c) const;

private:
    /// Guards tables_ (the pointer and, while unshared, the maps).
    mutable std::mutex mu_;
    std::shared_ptr<Tables> tables_;
};

}  // namespace trellis::storage
