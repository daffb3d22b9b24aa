#pragma once

// A Database wrapper for tests that makes the storage misbehave on purpose:
// fail the Nth write (nothing of it applied, as RocksDB fails a batch), and
// simulate a crash that loses every write not yet synced. Writes are
// forwarded to the wrapped database at once (readers see them); for each
// unsynced write the wrapper keeps an undo batch with the keys' prior values,
// and crash() applies the undo batches newest first. A synced write makes
// every earlier write durable (as a synced WAL write does) and forgets them.

#include <cstdint>
#include <mutex>
#include <vector>

#include "storage/database.hpp"

namespace trellis::storage {

class FaultInjectingDatabase final : public Database {
public:
    /// inner must outlive the wrapper.
    explicit FaultInjectingDatabase(Database& inner) : inner_(inner) {}

    ReadResult get(Column c, ByteView key) override { return inner_.get(c, key); }
    std::unique_ptr<Iterator> iterate(Column c, ByteView lower, ByteView upper) override {
        return inner_.iterate(c, lower, upper);
    }
    std::unique_ptr<Snapshot> snapshot() override { return inner_.snapshot(); }
    Status write(const WriteBatch& batch, bool sync) override;

    /// The n-th write from now (1: the next) fails with kInjectedFault and
    /// applies nothing; 0 cancels. With sticky, every write after it fails
    /// too (a disk that died), until fail_nth_write(0).
    void fail_nth_write(uint64_t n, bool sticky = false);
    /// Loses every unsynced write, as a power loss would, and clears any
    /// pending failure. The wrapper is usable afterwards (the "restart").
    Status crash();

    /// Writes attempted (including failed ones) since construction.
    uint64_t write_count() const;
    /// Writes that crash() would lose now.
    size_t unsynced_count() const;

private:
    Database& inner_;
    /// Guards every member below; held across a write so the undo log
    /// matches the order writes reach inner_.
    mutable std::mutex mu_;
    uint64_t writes_ = 0;
    uint64_t fail_at_ = 0;  ///< write number that fails; 0: none
    bool sticky_ = false;
    bool dead_ = false;
    std::vector<WriteBatch> undo_;  ///< one per unsynced write, oldest first
};

}  // namespace trellis::storage
