#include "storage/rocks_database.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <string>
#include <vector>

namespace trellis::storage {

namespace {

rocksdb::Slice slice(ByteView v) noexcept {
    // An empty span may have a null data pointer, which RocksDB's comparator
    // asserts against.
    if (v.empty()) return {"", 0};
    return {reinterpret_cast<const char*>(v.data()), v.size()};
}
ByteView view(const rocksdb::Slice& s) noexcept {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status from_rocks(const rocksdb::Status& s) {
    if (s.ok()) return Status::ok();
    if (s.IsCorruption()) return Status::corruption(s.ToString());
    if (s.IsInvalidArgument()) return Status::invalid_argument(s.ToString());
    if (s.IsNotSupported()) return Status::not_supported(s.ToString());
    return Status::io_error(s.ToString());
}

/// Iterator with its own copies of the bounds (RocksDB keeps pointers to them).
class RocksIterator final : public Iterator {
public:
    RocksIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const rocksdb::Snapshot* snap,
                  ByteView lower, ByteView upper)
        : lower_(to_bytes(lower)), upper_(to_bytes(upper)) {
        lower_slice_ = slice(lower_);
        upper_slice_ = slice(upper_);
        rocksdb::ReadOptions ro;
        ro.snapshot = snap;
        ro.iterate_lower_bound = &lower_slice_;
        if (!upper_.empty()) ro.iterate_upper_bound = &upper_slice_;
        it_.reset(db->NewIterator(ro, cf));
        it_->Seek(lower_slice_);
    }
    bool valid() const override { return it_->Valid(); }
    void next() override { it_->Next(); }
    ByteView key() const override { return view(it_->key()); }
    ByteView value() const override { return view(it_->value()); }
    Status status() const override { return from_rocks(it_->status()); }

private:
    Bytes lower_, upper_;
    rocksdb::Slice lower_slice_, upper_slice_;
    std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

struct RocksDatabase::Impl {
    std::unique_ptr<rocksdb::DB> db;
    std::array<rocksdb::ColumnFamilyHandle*, kNumColumns> cfs{};

    ~Impl() {
        for (auto* cf : cfs)
            if (cf && db) db->DestroyColumnFamilyHandle(cf);
        db.reset();
    }

    ReadResult get(const rocksdb::Snapshot* snap, Column c, ByteView key) {
        rocksdb::ReadOptions ro;
        ro.snapshot = snap;
        std::string value;
        rocksdb::Status s = db->Get(ro, cfs[size_t(c)], slice(key), &value);
        if (s.IsNotFound()) return std::optional<Bytes>{};
        if (!s.ok()) return Unexpected{from_rocks(s)};
        return std::optional<Bytes>{Bytes(value.begin(), value.end())};
    }
};

namespace {

class RocksSnapshot final : public Snapshot {
public:
    RocksSnapshot(RocksDatabase::Impl* impl) : impl_(impl), snap_(impl->db->GetSnapshot()) {}
    ~RocksSnapshot() override { impl_->db->ReleaseSnapshot(snap_); }
    ReadResult get(Column c, ByteView key) override { return impl_->get(snap_, c, key); }
    std::unique_ptr<Iterator> iterate(Column c, ByteView lower, ByteView upper) override {
        return std::make_unique<RocksIterator>(impl_->db.get(), impl_->cfs[size_t(c)], snap_, lower, upper);
    }

private:
    RocksDatabase::Impl* impl_;
    const rocksdb::Snapshot* snap_;
};

rocksdb::ColumnFamilyOptions column_options(Column c, const Settings& st,
                                            const std::shared_ptr<rocksdb::Cache>& cache) {
    rocksdb::ColumnFamilyOptions o;
    o.write_buffer_size = st.write_buffer_bytes;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    if (st.bloom_bits_per_key > 0)
        t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(st.bloom_bits_per_key, false));
    // Filters and index blocks in the cache, so memory stays within the bound.
    t.cache_index_and_filter_blocks = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    if (st.compression) {
        o.compression = rocksdb::kLZ4Compression;
        o.bottommost_compression = rocksdb::kZSTD;
    } else {
        o.compression = rocksdb::kNoCompression;
    }
    // Trie nodes are only ever read by a key that exists (a parent names
    // them), so the last level's filters are dead weight.
    if (c == Column::kTrieNodes) o.optimize_filters_for_hits = true;
    return o;
}

}  // namespace

Result<std::unique_ptr<RocksDatabase>, Status> RocksDatabase::open(const std::filesystem::path& dir,
                                                                   const Settings& st) {
    rocksdb::DBOptions dbo;
    dbo.create_if_missing = st.create_if_missing;
    dbo.create_missing_column_families = st.create_if_missing;
    dbo.max_background_jobs = st.max_background_jobs;
    dbo.max_open_files = st.max_open_files;
    auto cache = rocksdb::NewLRUCache(st.block_cache_bytes);
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (size_t i = 0; i < kNumColumns; ++i)
        descs.emplace_back(column_name(Column(i)), column_options(Column(i), st, cache));
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(dbo, dir.string(), descs, &handles, &raw);
    if (!s.ok()) return Unexpected{from_rocks(s)};
    std::unique_ptr<RocksDatabase> out(new RocksDatabase);
    out->impl_ = std::make_unique<Impl>();
    out->impl_->db.reset(raw);
    for (size_t i = 0; i < kNumColumns; ++i) out->impl_->cfs[i] = handles[i];
    return out;
}

RocksDatabase::~RocksDatabase() = default;

ReadResult RocksDatabase::get(Column c, ByteView key) {
    return impl_->get(nullptr, c, key);
}

std::unique_ptr<Iterator> RocksDatabase::iterate(Column c, ByteView lower, ByteView upper) {
    return std::make_unique<RocksIterator>(impl_->db.get(), impl_->cfs[size_t(c)], nullptr, lower, upper);
}

Status RocksDatabase::write(const WriteBatch& batch, bool sync) {
    rocksdb::WriteBatch wb;
    for (const auto& e : batch.entries()) {
        auto* cf = impl_->cfs[size_t(e.column)];
        rocksdb::Status s = e.op == WriteBatch::Op::kPut ? wb.Put(cf, slice(e.key), slice(e.value))
                                                         : wb.Delete(cf, slice(e.key));
        if (!s.ok()) return from_rocks(s);
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    return from_rocks(impl_->db->Write(wo, &wb));
}

std::unique_ptr<Snapshot> RocksDatabase::snapshot() {
    return std::make_unique<RocksSnapshot>(impl_.get());
}

Status RocksDatabase::flush() {
    std::vector<rocksdb::ColumnFamilyHandle*> cfs(impl_->cfs.begin(), impl_->cfs.end());
    return from_rocks(impl_->db->Flush(rocksdb::FlushOptions(), cfs));
}

Status RocksDatabase::compact() {
    rocksdb::CompactRangeOptions o;
    // Rewrite the bottommost level too: that is where erased nodes' old
    // versions sit, and the tombstones only free space when they meet them.
    o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* cf : impl_->cfs)
        if (Status s = from_rocks(impl_->db->CompactRange(o, cf, nullptr, nullptr)); !s.is_ok()) return s;
    return Status::ok();
}

uint64_t RocksDatabase::disk_bytes() const {
    uint64_t total = 0;
    for (auto* cf : impl_->cfs) {
        uint64_t v = 0;
        if (impl_->db->GetIntProperty(cf, "rocksdb.live-sst-files-size", &v)) total += v;
    }
    uint64_t wal = 0;
    rocksdb::VectorLogPtr logs;
    if (impl_->db->GetSortedWalFiles(logs).ok())
        for (const auto& l : logs) wal += l->SizeFileBytes();
    return total + wal;
}

}  // namespace trellis::storage
