#pragma once

// The storage boundary: an ordered key-value store with column families,
// atomic write batches, consistent snapshots and bounded iteration. RocksDB
// implements it for nodes (rocks_database.hpp); MemoryDatabase serves tests and
// benchmarks; FaultInjectingDatabase wraps either to fail writes and simulate
// crashes. Errors are a Status (leveldb's model): I/O and corruption are not
// the caller's fault and are not enum results of validation.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace trellis::storage {

/// Column families (docs/storage.md gives each one's key layout).
enum class Column : uint8_t {
    kMeta,          ///< head pointer, genesis hash, schema version (RocksDB's "default")
    kHeaders,       ///< block hash -> header RLP
    kBodies,        ///< block hash -> body RLP
    kReceipts,      ///< block hash -> stored receipts
    kTrieNodes,     ///< keccak256(node) -> node RLP (state and storage tries)
    kFlatState,     ///< accounts, storage slots and code of the head state
    kIndexes,       ///< number -> hash, tx hash -> location, log index
    kConsensusWal,  ///< the BFT engine's write-ahead log
};
inline constexpr size_t kNumColumns = 8;

/// The column family's name on disk.
const char* column_name(Column c) noexcept;

/// The outcome of an I/O operation. Cheap when ok (no allocation).
class [[nodiscard]] Status {
public:
    enum class Code : uint8_t {
        kOk,
        kIoError,          ///< the disk or the OS failed
        kCorruption,       ///< stored bytes do not decode, or a referenced record is missing
        kInvalidArgument,  ///< the caller asked for something inconsistent (e.g. a stale parent)
        kInjectedFault,    ///< FaultInjectingDatabase failed the operation on purpose
        kNotSupported,
        kPruned,  ///< the data asked for was deleted by state pruning (docs/storage.md)
    };

    Status() = default;
    static Status ok() { return {}; }
    static Status io_error(std::string m) { return {Code::kIoError, std::move(m)}; }
    static Status corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
    static Status invalid_argument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
    static Status injected_fault(std::string m) { return {Code::kInjectedFault, std::move(m)}; }
    static Status not_supported(std::string m) { return {Code::kNotSupported, std::move(m)}; }
    static Status pruned(std::string m) { return {Code::kPruned, std::move(m)}; }

    bool is_ok() const noexcept { return code_ == Code::kOk; }
    Code code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }
    /// "ok" or "<code>: <message>".
    std::string to_string() const;

private:
    Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
    Code code_ = Code::kOk;
    std::string message_;
};

const char* to_string(Status::Code c) noexcept;

/// A read that may find nothing: nullopt when the key is absent.
using ReadResult = Result<std::optional<Bytes>, Status>;

/// A list of puts and erases applied all or nothing by Database::write, in
/// order (a later entry for the same key wins).
class WriteBatch {
public:
    enum class Op : uint8_t { kPut, kErase };
    struct Entry {
        Op op;
        Column column;
        Bytes key;
        Bytes value;  ///< empty for kErase
    };

    void put(Column c, ByteView key, ByteView value);
    void erase(Column c, ByteView key);

    const std::vector<Entry>& entries() const noexcept { return entries_; }
    size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }
    /// Sum of key and value bytes.
    size_t byte_size() const noexcept { return bytes_; }
    void clear() noexcept;
    /// Appends every entry of other.
    void append(const WriteBatch& other);

private:
    std::vector<Entry> entries_;
    size_t bytes_ = 0;
};

/// Walks the keys of one column in increasing bytewise order within the
/// bounds it was made with, over a consistent view (later writes are not
/// seen). Starts at the first key >= the lower bound. Must not outlive the
/// database (or snapshot) it came from. Not thread-safe.
class Iterator {
public:
    virtual ~Iterator() = default;
    virtual bool valid() const = 0;
    /// Precondition: valid().
    virtual void next() = 0;
    /// Views valid until the next call of next() or destruction.
    virtual ByteView key() const = 0;
    virtual ByteView value() const = 0;
    /// Not ok if iteration stopped on an error rather than at the end.
    virtual Status status() const = 0;
};

/// Reads: the live database or a snapshot of it.
class ReadView {
public:
    virtual ~ReadView() = default;
    virtual ReadResult get(Column c, ByteView key) = 0;
    /// Keys k with lower <= k < upper; an empty upper means no upper bound.
    virtual std::unique_ptr<Iterator> iterate(Column c, ByteView lower, ByteView upper) = 0;
};

/// A frozen view of the database as of its creation. Must not outlive the
/// database. Thread-safe for reads.
class Snapshot : public ReadView {};

/// The store. Implementations are thread-safe: reads and writes may come from
/// any thread; each write is atomic and isolated.
class Database : public ReadView {
public:
    /// Applies every entry of batch or none (also across a crash). With sync,
    /// returns only after the write (and every earlier one) is on stable
    /// storage; without, a power loss may drop it (a process kill does not,
    /// on RocksDB, whose write-ahead log is in the OS's hands by then).
    virtual Status write(const WriteBatch& batch, bool sync) = 0;
    virtual std::unique_ptr<Snapshot> snapshot() = 0;
};

/// The smallest key greater than every key that starts with prefix (the
/// exclusive upper bound of a prefix scan); empty when there is none (the
/// prefix is all 0xff).
Bytes prefix_end(ByteView prefix);

}  // namespace trellis::storage
