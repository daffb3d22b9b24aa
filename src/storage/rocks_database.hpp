#pragma once

// The Database on RocksDB (Debian's librocksdb 7.8): one column family per
// storage::Column, atomic WriteBatch, implicit-snapshot iterators with bounds.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "storage/database.hpp"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace trellis::storage {

/// Tuning. The defaults suit a validator on one SSD with a few GB of RAM.
struct Settings {
    /// Shared LRU cache of uncompressed data blocks, for every column.
    size_t block_cache_bytes = 256ull << 20;
    /// Bloom filter bits per key for point lookups (~1% false positives at
    /// 10); trie nodes and headers are read by exact key. 0 disables.
    int bloom_bits_per_key = 10;
    /// LZ4 for the upper levels, ZSTD for the bottommost level (most data,
    /// read least). Trie nodes are hashes and compress poorly either way.
    bool compression = true;
    /// Memtable size per column family before a flush.
    size_t write_buffer_bytes = 64ull << 20;
    /// Flush and compaction threads.
    int max_background_jobs = 2;
    /// RocksDB's table-file handle cache; -1 keeps every file open.
    int max_open_files = 512;
    /// Create the database (and missing column families) if absent.
    bool create_if_missing = true;
};

class RocksDatabase final : public Database {
public:
    /// Opens (or creates) the database in dir.
    static Result<std::unique_ptr<RocksDatabase>, Status> open(const std::filesystem::path& dir,
                                                               const Settings& settings = {});
    ~RocksDatabase() override;

    ReadResult get(Column c, ByteView key) override;
    std::unique_ptr<Iterator> iterate(Column c, ByteView lower, ByteView upper) override;
    Status write(const WriteBatch& batch, bool sync) override;
    /// Must be destroyed before the database.
    std::unique_ptr<Snapshot> snapshot() override;

    /// Flushes memtables to table files (tests, shutdown, disk-use figures).
    Status flush();
    /// Compacts every column's whole key range (after pruning, so erased
    /// trie nodes leave the table files; disk-use figures).
    Status compact();
    /// Live table-file bytes plus write-ahead-log bytes.
    uint64_t disk_bytes() const;

    /// Internal (named here so the snapshot class in the .cpp can reach it).
    struct Impl;

private:
    RocksDatabase() = default;
    std::unique_ptr<Impl> impl_;
};

}  // namespace trellis::storage
