#include "basin/exec/join_key_table.h"

#include <gtest/gtest.h>

namespace basin::exec {
namespace {

std::shared_ptr<arrow::Array> Int64s(const std::vector<std::optional<int64_t>>& values) {
  arrow::Int64Builder b;
  for (const auto& v : values) {
    EXPECT_TRUE((v ? b.Append(*v) : b.AppendNull()).ok());
  }
  return b.Finish().ValueOrDie();
}

std::shared_ptr<arrow::Array> Int32s(const std::vector<std::optional<int32_t>>& values) {
  arrow::Int32Builder b;
  for (const auto& v : values) {
    EXPECT_TRUE((v ? b.Append(*v) : b.AppendNull()).ok());
  }
  return b.Finish().ValueOrDie();
}

constexpr uint32_t kNo = JoinKeyTable::kNoGroup;

TEST(JoinKeyTableTest, GroupsInOrderOfFirstAppearanceAndNullKeysGetNone) {
  JoinKeyTable table;
  std::vector<uint32_t> ids;
  ASSERT_TRUE(table.Build({Int64s({5, -1, 5, std::nullopt, -1, 0, INT64_MIN})}, 7, &ids).ok());
  EXPECT_EQ(ids, (std::vector<uint32_t>{0, 1, 0, kNo, 1, 2, 3}));
  EXPECT_EQ(table.num_groups(), 4u);
  std::vector<uint32_t> found(6);
  table.Lookup({Int64s({0, 7, std::nullopt, INT64_MIN, 5, -1})}, 6, found.data());
  EXPECT_EQ(found, (std::vector<uint32_t>{2, kNo, kNo, 3, 0, 1}));
}

TEST(JoinKeyTableTest, TwoColumnKeysCompareBothColumns) {
  JoinKeyTable table;
  std::vector<uint32_t> ids;
  auto a = Int32s({1, 1, 2, 2, 1});
  auto b = Int64s({10, 20, 10, std::nullopt, 10});
  ASSERT_TRUE(table.Build({a, b}, 5, &ids).ok());
  EXPECT_EQ(ids, (std::vector<uint32_t>{0, 1, 2, kNo, 0}));
  std::vector<uint32_t> found(4);
  table.Lookup({Int32s({2, 1, 3, 2}), Int64s({10, 20, 10, std::nullopt})}, 4, found.data());
  EXPECT_EQ(found, (std::vector<uint32_t>{2, 1, kNo, kNo}));
}

TEST(JoinKeyTableTest, SlicedInputsAndManyKeys) {
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 100000; ++i) ASSERT_TRUE(b.Append(i * 7919 % 50000).ok());
  auto keys = b.Finish().ValueOrDie();
  JoinKeyTable table;
  std::vector<uint32_t> ids;
  ASSERT_TRUE(table.Build({keys}, keys->length(), &ids).ok());
  EXPECT_EQ(table.num_groups(), 50000u);
  auto slice = keys->Slice(50000, 10);
  std::vector<uint32_t> found(10);
  table.Lookup({slice}, 10, found.data());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(found[static_cast<size_t>(i)], ids[50000 + i]);
  // A table never built finds nothing.
  JoinKeyTable empty;
  std::vector<uint32_t> none(1);
  empty.Lookup({Int64s({1})}, 1, none.data());
  EXPECT_EQ(none[0], kNo);
}

}  // namespace
}  // namespace basin::exec

namespace basin::exec {
namespace {

TEST(JoinKeyTableTest, DenseKeysAreAddressedDirectlyWithTheSameGroups) {
  // Keys within a small range (here -3..4 for 6 rows, with a null): first-appearance groups,
  // and probes below, above and inside the range.
  JoinKeyTable table;
  std::vector<uint32_t> ids;
  ASSERT_TRUE(table.Build({Int64s({4, -3, 4, std::nullopt, 0, 2})}, 6, &ids).ok());
  EXPECT_EQ(ids, (std::vector<uint32_t>{0, 1, 0, JoinKeyTable::kNoGroup, 2, 3}));
  EXPECT_EQ(table.num_groups(), 4u);
  auto probe = Int64s({-4, -3, 1, 2, 4, 5, std::nullopt, INT64_MIN, INT64_MAX});
  std::vector<uint32_t> found(9);
  table.Lookup({probe}, 9, found.data());
  const uint32_t no = JoinKeyTable::kNoGroup;
  EXPECT_EQ(found, (std::vector<uint32_t>{no, 1, no, 3, 0, no, no, no, no}));
}

TEST(JoinKeyTableTest, SparseKeysAreAddressedDirectlyWhenTheArrayIsNoLargerThanTheHashTable) {
  // 100,000 keys every 7th value (a filtered primary key): the array over their range (700,000
  // entries of 4 bytes) is smaller than a hash table of 262,144 slots of 16 bytes. Every 100th
  // value is not. Both find the same groups.
  for (int64_t stride : {7, 100}) {
    std::vector<std::optional<int64_t>> keys;
    for (int64_t i = 0; i < 100000; ++i) keys.push_back(1000 + stride * i);
    JoinKeyTable table;
    std::vector<uint32_t> ids;
    ASSERT_TRUE(table.Build({Int64s(keys)}, 100000, &ids).ok());
    EXPECT_EQ(table.addressed_directly(), stride == 7);
    for (int64_t i = 0; i < 100000; ++i) ASSERT_EQ(ids[static_cast<size_t>(i)], i);
    auto probe = Int64s({999, 1000, 1000 + stride, 1001, 1000 + stride * 99999, 1000 + stride * 100000});
    std::vector<uint32_t> found(6);
    table.Lookup({probe}, 6, found.data());
    const uint32_t no = JoinKeyTable::kNoGroup;
    EXPECT_EQ(found, (std::vector<uint32_t>{no, 0, 1, no, 99999, no}));
  }
}

TEST(JoinKeyTableTest, TwoColumnsAreAddressedByAUniqueFirstColumn) {
  // (custkey, nationkey) with custkey unique: addressed by custkey, nationkey checked. When a
  // first column repeats with another second value, the table hashes both columns instead.
  // Either way the groups and lookups are the same.
  for (bool repeat : {false, true}) {
    std::vector<std::optional<int64_t>> first, second;
    for (int64_t i = 0; i < 1000; ++i) {
      first.push_back(i + 1);
      second.push_back(i % 25);
    }
    first.push_back(std::nullopt);  // a null key has no group
    second.push_back(3);
    if (repeat) {
      first.push_back(10);  // (10, 24) next to (10, 9)
      second.push_back(24);
    }
    const int64_t n = static_cast<int64_t>(first.size());
    JoinKeyTable table;
    std::vector<uint32_t> ids;
    ASSERT_TRUE(table.Build({Int64s(first), Int64s(second)}, n, &ids).ok());
    EXPECT_EQ(table.addressed_directly(), !repeat);
    for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(ids[static_cast<size_t>(i)], i);
    EXPECT_EQ(ids[1000], JoinKeyTable::kNoGroup);
    if (repeat) {
      EXPECT_EQ(ids[1001], 1000u);
    }
    auto probe_first = Int64s({1, 1, 10, 10, 1000, 1001, 0, std::nullopt});
    auto probe_second = Int64s({0, 1, 9, 24, 24, 0, 0, 3});
    std::vector<uint32_t> found(8);
    table.Lookup({probe_first, probe_second}, 8, found.data());
    const uint32_t no = JoinKeyTable::kNoGroup;
    EXPECT_EQ(found, (std::vector<uint32_t>{0, no, 9, repeat ? 1000u : no, 999, no, no, no}));
  }
}

TEST(JoinKeyTableTest, KeysAtBothEndsOfInt64AreHashed) {
  JoinKeyTable table;
  std::vector<uint32_t> ids;
  ASSERT_TRUE(table.Build({Int64s({INT64_MIN, INT64_MAX, 0})}, 3, &ids).ok());
  EXPECT_EQ(ids, (std::vector<uint32_t>{0, 1, 2}));
  std::vector<uint32_t> found(3);
  table.Lookup({Int64s({INT64_MAX, 1, INT64_MIN})}, 3, found.data());
  EXPECT_EQ(found, (std::vector<uint32_t>{1, JoinKeyTable::kNoGroup, 0}));
}

}  // namespace
}  // namespace basin::exec
