#pragma once

// A Database in ordered maps, for tests, tools and the in-memory benchmark.
// Snapshots and iterators share the maps copy-on-write: taking one is O(1); a
// write while one is alive copies the maps once (so keep them short-lived on
// big stores).

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
    /// The maps and how many snapshots and iterators read them.
    struct State {
        Tables tables;
        size_t leases = 0;  ///< guarded by mu_
    };
    class Lease;
    class Snap;
    class Iter;

    /// Guards state_ (the pointer, the leases, and the maps while no lease
    /// holds them). Lease holders release under it too, so a writer that sees
    /// no lease also sees every read they made as finished.
    mutable std::mutex mu_;
    std::shared_ptr<State> state_;
};

}  // namespace trellis::storage
