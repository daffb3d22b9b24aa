#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/memory_database.hpp"
#include "storage/rocks_database.hpp"

namespace trellis::storage::test {

/// A fresh directory under the system temp dir, removed with the object.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("trellis-storage-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// Small RocksDB settings so tests start fast and use little memory.
inline Settings test_settings() {
    Settings s;
    s.block_cache_bytes = 8 << 20;
    s.write_buffer_bytes = 4 << 20;
    return s;
}

/// Makes one database of either kind; reopen() closes and opens it again
/// (RocksDB: from disk; memory: the same object, nothing to reopen).
class DbFactory {
public:
    explicit DbFactory(bool rocks) : rocks_(rocks) { reopen(); }
    Database& db() { return rocks_ ? static_cast<Database&>(*rdb_) : mem_; }
    RocksDatabase* rocks() { return rdb_.get(); }
    void reopen() {
        if (!rocks_) return;
        rdb_.reset();
        auto r = RocksDatabase::open(dir_.path(), test_settings());
        if (!r)
            ADD_FAILURE() << r.error().to_string();
        else
            rdb_ = std::move(*r);
    }
    bool is_rocks() const { return rocks_; }

private:
    bool rocks_;
    TempDir dir_;
    MemoryDatabase mem_;
    std::unique_ptr<RocksDatabase> rdb_;
};

inline std::string backend_name(const ::testing::TestParamInfo<bool>& info) {
    return info.param ? "Rocks" : "Memory";
}

inline Bytes b(std::string_view s) {
    return to_bytes(as_view(s));
}

}  // namespace trellis::storage::test
