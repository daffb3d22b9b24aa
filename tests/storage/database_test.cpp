#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "storage_test_util.hpp"

using namespace trellis;
using namespace trellis::storage;
using namespace trellis::storage::test;

namespace {

class DatabaseTest : public ::testing::TestWithParam<bool> {
protected:
    DbFactory f{GetParam()};
    Database& db() { return f.db(); }

    std::optional<Bytes> get(Column c, std::string_view k) {
        auto r = db().get(c, as_view(k));
        EXPECT_TRUE(r.ok());
        return r.ok() ? *r : std::nullopt;
    }
    std::vector<std::string> keys(ReadView& v, Column c, std::string_view lo, std::string_view hi) {
        std::vector<std::string> out;
        auto it = v.iterate(c, as_view(lo), as_view(hi));
        for (; it->valid(); it->next()) out.emplace_back(it->key().begin(), it->key().end());
        EXPECT_TRUE(it->status().is_ok());
        return out;
    }
};

}  // namespace

TEST_P(DatabaseTest, put_get_erase_per_column) {
    WriteBatch w;
    w.put(Column::kHeaders, as_view("k"), as_view("header"));
    w.put(Column::kBodies, as_view("k"), as_view("body"));
    ASSERT_TRUE(db().write(w, true).is_ok());
    EXPECT_EQ(get(Column::kHeaders, "k"), b("header"));
    EXPECT_EQ(get(Column::kBodies, "k"), b("body"));
    EXPECT_EQ(get(Column::kReceipts, "k"), std::nullopt);  // columns are separate key spaces
    WriteBatch e;
    e.erase(Column::kHeaders, as_view("k"));
    e.erase(Column::kHeaders, as_view("never-there"));
    ASSERT_TRUE(db().write(e, false).is_ok());
    EXPECT_EQ(get(Column::kHeaders, "k"), std::nullopt);
    EXPECT_EQ(get(Column::kBodies, "k"), b("body"));
}

TEST_P(DatabaseTest, batch_applies_in_order_later_entries_win) {
    WriteBatch w;
    w.put(Column::kMeta, as_view("a"), as_view("1"));
    w.put(Column::kMeta, as_view("a"), as_view("2"));
    w.put(Column::kMeta, as_view("b"), as_view("x"));
    w.erase(Column::kMeta, as_view("b"));
    w.erase(Column::kMeta, as_view("c"));
    w.put(Column::kMeta, as_view("c"), as_view("3"));
    EXPECT_EQ(w.size(), 6u);
    ASSERT_TRUE(db().write(w, true).is_ok());
    EXPECT_EQ(get(Column::kMeta, "a"), b("2"));
    EXPECT_EQ(get(Column::kMeta, "b"), std::nullopt);
    EXPECT_EQ(get(Column::kMeta, "c"), b("3"));
}

TEST_P(DatabaseTest, empty_values_are_stored_not_absent) {
    WriteBatch w;
    w.put(Column::kIndexes, as_view("k"), {});
    ASSERT_TRUE(db().write(w, true).is_ok());
    auto v = get(Column::kIndexes, "k");
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(v->empty());
}

TEST_P(DatabaseTest, iteration_is_ordered_bytewise_within_half_open_bounds) {
    WriteBatch w;
    for (std::string k : {"a", "ab", "abc", "b", "\x7f", "\x80", "\xff", "\xff\xff"})
        w.put(Column::kFlatState, as_view(k), as_view("v"));
    w.put(Column::kTrieNodes, as_view("ab"), as_view("other column"));
    ASSERT_TRUE(db().write(w, true).is_ok());
    // Unsigned order: 0x80 and 0xff sort after 0x7f.
    EXPECT_EQ(keys(db(), Column::kFlatState, "", ""),
              (std::vector<std::string>{"a", "ab", "abc", "b", "\x7f", "\x80", "\xff", "\xff\xff"}));
    EXPECT_EQ(keys(db(), Column::kFlatState, "ab", "b"), (std::vector<std::string>{"ab", "abc"}));
    EXPECT_EQ(keys(db(), Column::kFlatState, "b", "b"), std::vector<std::string>{});
    EXPECT_EQ(keys(db(), Column::kFlatState, "z", "a"), std::vector<std::string>{});
    // Prefix scans.
    Bytes p = b("ab");
    Bytes end = prefix_end(p);
    EXPECT_EQ(end, b("ac"));
    std::vector<std::string> got;
    for (auto it = db().iterate(Column::kFlatState, p, end); it->valid(); it->next())
        got.emplace_back(it->key().begin(), it->key().end());
    EXPECT_EQ(got, (std::vector<std::string>{"ab", "abc"}));
    EXPECT_EQ(prefix_end(b("\xff\xff")), Bytes{});
    EXPECT_EQ(prefix_end(b("a\xff")), b("b"));
    EXPECT_EQ(keys(db(), Column::kFlatState, "\xff", ""), (std::vector<std::string>{"\xff", "\xff\xff"}));
}

TEST_P(DatabaseTest, snapshot_and_iterator_see_a_frozen_view) {
    WriteBatch w;
    w.put(Column::kMeta, as_view("k1"), as_view("old"));
    w.put(Column::kMeta, as_view("k2"), as_view("old"));
    ASSERT_TRUE(db().write(w, true).is_ok());
    auto snap = db().snapshot();
    auto it = db().iterate(Column::kMeta, {}, {});
    WriteBatch w2;
    w2.put(Column::kMeta, as_view("k1"), as_view("new"));
    w2.erase(Column::kMeta, as_view("k2"));
    w2.put(Column::kMeta, as_view("k3"), as_view("new"));
    ASSERT_TRUE(db().write(w2, true).is_ok());

    EXPECT_EQ(*snap->get(Column::kMeta, as_view("k1")).value(), b("old"));
    EXPECT_EQ(*snap->get(Column::kMeta, as_view("k2")).value(), b("old"));
    EXPECT_FALSE(snap->get(Column::kMeta, as_view("k3")).value().has_value());
    EXPECT_EQ(keys(*snap, Column::kMeta, "", ""), (std::vector<std::string>{"k1", "k2"}));
    std::vector<std::string> seen;
    for (; it->valid(); it->next()) seen.emplace_back(it->key().begin(), it->key().end());
    EXPECT_EQ(seen, (std::vector<std::string>{"k1", "k2"}));
    EXPECT_EQ(get(Column::kMeta, "k1"), b("new"));
    EXPECT_EQ(keys(db(), Column::kMeta, "", ""), (std::vector<std::string>{"k1", "k3"}));
}

TEST_P(DatabaseTest, concurrent_readers_see_whole_batches) {
    // Each batch sets both keys to the same value; a reader must never see
    // them differ (snapshot reads are consistent, batches atomic).
    std::atomic<bool> stop{false};
    std::atomic<int> torn{0};
    WriteBatch init;
    init.put(Column::kMeta, as_view("x"), as_view("0"));
    init.put(Column::kMeta, as_view("y"), as_view("0"));
    ASSERT_TRUE(db().write(init, false).is_ok());
    std::thread reader([&] {
        while (!stop) {
            auto s = db().snapshot();
            auto x = s->get(Column::kMeta, as_view("x"));
            auto y = s->get(Column::kMeta, as_view("y"));
            if (!x.ok() || !y.ok() || *x != *y) ++torn;
        }
    });
    for (int i = 1; i <= 300; ++i) {
        WriteBatch w;
        const std::string v = std::to_string(i);
        w.put(Column::kMeta, as_view("x"), as_view(v));
        w.put(Column::kMeta, as_view("y"), as_view(v));
        ASSERT_TRUE(db().write(w, false).is_ok());
    }
    stop = true;
    reader.join();
    EXPECT_EQ(torn.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, ::testing::Values(false, true), backend_name);

TEST(RocksDatabase, open_fails_with_a_status_not_a_crash) {
    TempDir d;
    Settings s = test_settings();
    s.create_if_missing = false;
    auto r = RocksDatabase::open(d.path() / "absent", s);
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(r.error().is_ok());
    EXPECT_FALSE(r.error().message().empty());
}

TEST(RocksDatabase, settings_without_compression_or_filters_work) {
    TempDir d;
    Settings s = test_settings();
    s.compression = false;
    s.bloom_bits_per_key = 0;
    auto r = RocksDatabase::open(d.path(), s);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    WriteBatch w;
    w.put(Column::kTrieNodes, as_view("n"), as_view("node"));
    ASSERT_TRUE((*r)->write(w, true).is_ok());
    EXPECT_EQ(*(*r)->get(Column::kTrieNodes, as_view("n")).value(), b("node"));
}

TEST(RocksDatabase, data_survives_reopen) {
    DbFactory f(true);
    WriteBatch w;
    for (size_t c = 0; c < kNumColumns; ++c)
        w.put(Column(c), as_view("key"), as_view(std::string("value of ") + column_name(Column(c))));
    ASSERT_TRUE(f.db().write(w, true).is_ok());
    f.reopen();
    for (size_t c = 0; c < kNumColumns; ++c) {
        auto r = f.db().get(Column(c), as_view("key"));
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(*r, b(std::string("value of ") + column_name(Column(c))));
    }
    ASSERT_TRUE(f.rocks()->flush().is_ok());
    EXPECT_GT(f.rocks()->disk_bytes(), 0u);
}
