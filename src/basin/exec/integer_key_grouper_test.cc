#include "basin/exec/integer_key_grouper.h"

#include <gtest/gtest.h>

#include <arrow/array/util.h>

#include "basin/exec/integer_keys.h"

namespace basin::exec {
namespace {

template <typename Builder, typename T>
std::shared_ptr<arrow::Array> Column(std::shared_ptr<arrow::DataType> type,
                                     const std::vector<std::optional<T>>& values) {
  Builder b(type, arrow::default_memory_pool());
  for (const auto& v : values) {
    EXPECT_TRUE((v ? b.Append(*v) : b.AppendNull()).ok());
  }
  return b.Finish().ValueOrDie();
}

std::shared_ptr<arrow::Array> Int64s(const std::vector<std::optional<int64_t>>& values) {
  return Column<arrow::Int64Builder>(arrow::int64(), values);
}

std::vector<uint32_t> Consume(IntegerKeyGrouper& grouper, const arrow::ArrayVector& keys) {
  std::vector<uint32_t> ids(static_cast<size_t>(keys[0]->length()));
  EXPECT_TRUE(grouper.Consume(keys, keys[0]->length(), ids.data()).ok());
  return ids;
}

TEST(IntegerKeyGrouperTest, AcceptsIntegerLikeKeysOfOneOrTwoColumns) {
  EXPECT_TRUE(IsIntegerKey({arrow::int8()}));
  EXPECT_TRUE(IsIntegerKey({arrow::int32(), arrow::date32()}));
  EXPECT_TRUE(IsIntegerKey({arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")}));
  EXPECT_FALSE(IsIntegerKey({arrow::utf8()}));
  EXPECT_FALSE(IsIntegerKey({arrow::float64()}));
  EXPECT_FALSE(IsIntegerKey({arrow::int64(), arrow::int64(), arrow::int64()}));
  EXPECT_FALSE(IsIntegerKey({}));
  EXPECT_TRUE(IsIntegerKey({arrow::int64()}));
}

TEST(IntegerKeyGrouperTest, NullIsAGroupOfItsOwnApartFromZero) {
  IntegerKeyGrouper grouper({arrow::int64()});
  auto ids = Consume(grouper, {Int64s({0, std::nullopt, 0, std::nullopt, -7, INT64_MIN})});
  EXPECT_EQ(ids, (std::vector<uint32_t>{0, 1, 0, 1, 2, 3}));
  ASSERT_EQ(grouper.num_groups(), 4u);
  auto uniques = grouper.Uniques().ValueOrDie();
  ASSERT_EQ(uniques.size(), 1u);
  EXPECT_TRUE(uniques[0]->Equals(*Int64s({0, std::nullopt, -7, INT64_MIN})))
      << uniques[0]->ToString();
}

TEST(IntegerKeyGrouperTest, RunsOfEqualKeysShareAGroupButNotAcrossNullsOrSecondWords) {
  IntegerKeyGrouper grouper({arrow::int64()});
  auto ids = Consume(grouper, {Int64s({5, 5, 5, 0, std::nullopt, std::nullopt, 0, 5, 0})});
  EXPECT_EQ(ids, (std::vector<uint32_t>{0, 0, 0, 1, 2, 2, 1, 0, 1}));
  IntegerKeyGrouper pairs({arrow::int32(), arrow::int32()});
  auto a = Column<arrow::Int32Builder, int32_t>(arrow::int32(), {7, 7, 7, 7, 7});
  auto b = Column<arrow::Int32Builder, int32_t>(arrow::int32(), {1, 1, 2, std::nullopt, 1});
  EXPECT_EQ(Consume(pairs, {a, b}), (std::vector<uint32_t>{0, 0, 1, 2, 0}));
  // A run that crosses the grouper's 1,024-row blocks keeps its group.
  std::vector<std::optional<int64_t>> long_run(3000, 42);
  long_run[1500] = 43;
  auto run_ids = Consume(grouper, {Int64s(long_run)});
  for (size_t i = 0; i < run_ids.size(); ++i) EXPECT_EQ(run_ids[i], i == 1500 ? 4u : 3u) << i;
}

TEST(IntegerKeyGrouperTest, TwoColumnsCompareBothWordsAndBothNulls) {
  IntegerKeyGrouper grouper({arrow::int32(), arrow::date32()});
  auto a = Column<arrow::Int32Builder, int32_t>(arrow::int32(),
                                                {1, 1, 2, std::nullopt, 1, std::nullopt});
  auto b = Column<arrow::Date32Builder, int32_t>(arrow::date32(),
                                                 {10, 11, 10, 10, 10, std::nullopt});
  auto ids = Consume(grouper, {a, b});
  EXPECT_EQ(ids, (std::vector<uint32_t>{0, 1, 2, 3, 0, 4}));
  auto uniques = grouper.Uniques().ValueOrDie();
  ASSERT_EQ(uniques.size(), 2u);
  EXPECT_TRUE(uniques[0]->Equals(*Column<arrow::Int32Builder, int32_t>(
      arrow::int32(), {1, 1, 2, std::nullopt, std::nullopt})));
  EXPECT_TRUE(uniques[1]->Equals(*Column<arrow::Date32Builder, int32_t>(
      arrow::date32(), {10, 11, 10, 10, std::nullopt})));
  EXPECT_EQ(uniques[1]->type()->id(), arrow::Type::DATE32);
}

TEST(IntegerKeyGrouperTest, KeepsIdsAcrossBatchesWhileTheTableGrows) {
  IntegerKeyGrouper grouper({arrow::int16()});
  for (int round = 0; round < 2; ++round) {
    std::vector<std::optional<int16_t>> values;
    for (int v = -20000; v < 20000; ++v) values.push_back(static_cast<int16_t>(v));
    auto ids = Consume(grouper, {Column<arrow::Int16Builder, int16_t>(arrow::int16(), values)});
    for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], i);
  }
  EXPECT_EQ(grouper.num_groups(), 40000u);
  auto uniques = grouper.Uniques().ValueOrDie();
  EXPECT_EQ(std::static_pointer_cast<arrow::Int16Array>(uniques[0])->Value(39999), 19999);
}

TEST(IntegerKeyGrouperTest, LookupFindsConsumedKeysOnly) {
  IntegerKeyGrouper grouper({arrow::int64()});
  Consume(grouper, {Int64s({3, std::nullopt, 4})});
  auto probe = Int64s({4, 5, std::nullopt, 3});
  std::vector<uint32_t> ids(4);
  grouper.Lookup({probe}, 4, ids.data());
  EXPECT_EQ(ids, (std::vector<uint32_t>{2, UINT32_MAX, 1, 0}));
}

TEST(IntegerKeyGrouperTest, DenseKeysAreAddressedDirectlyAcrossBlocksInAnyOrder) {
  // Ascending keys with gaps (every 4th value, as TPC-H's order keys), then a block below the
  // range seen so far, then nulls: the array follows the keys and the groups stay those of first
  // appearance. Lookup agrees.
  IntegerKeyGrouper grouper({arrow::int64()});
  std::vector<std::optional<int64_t>> ascending;
  for (int64_t i = 0; i < 300000; ++i) ascending.push_back(1000 + 4 * (i / 3));  // runs of 3
  auto ids = Consume(grouper, {Int64s(ascending)});
  EXPECT_TRUE(grouper.dense());
  for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], i / 3);
  auto below = Consume(grouper, {Int64s({-7, 1000, std::nullopt, -7, 1004})});
  EXPECT_TRUE(grouper.dense());
  EXPECT_EQ(below, (std::vector<uint32_t>{100000, 0, 100001, 100000, 1}));
  std::vector<uint32_t> found(4);
  grouper.Lookup({Int64s({-7, 1002, std::nullopt, 1000 + 4 * 99999})}, 4, found.data());
  EXPECT_EQ(found, (std::vector<uint32_t>{100000, UINT32_MAX, 100001, 99999}));
  auto uniques = grouper.Uniques().ValueOrDie();
  const auto& keys = static_cast<const arrow::Int64Array&>(*uniques[0]);
  EXPECT_EQ(keys.Value(0), 1000);
  EXPECT_EQ(keys.Value(99999), 1000 + 4 * 99999);
  EXPECT_EQ(keys.Value(100000), -7);
  EXPECT_TRUE(keys.IsNull(100001));
}

TEST(IntegerKeyGrouperTest, KeysAtBothEndsOfInt64AreHashed) {
  IntegerKeyGrouper grouper({arrow::int64()});
  auto ids = Consume(grouper, {Int64s({INT64_MAX, 0, INT64_MIN, INT64_MAX})});
  EXPECT_FALSE(grouper.dense());
  EXPECT_EQ(ids, (std::vector<uint32_t>{0, 1, 2, 0}));
  IntegerKeyGrouper high({arrow::int64()});
  EXPECT_EQ(Consume(high, {Int64s({INT64_MAX - 1, INT64_MAX})}), (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(high.dense());
  EXPECT_EQ(Consume(high, {Int64s({INT64_MIN, INT64_MAX})}), (std::vector<uint32_t>{2, 1}));
  EXPECT_FALSE(high.dense());
}

TEST(IntegerKeyGrouperTest, SparseKeysLeaveDenseModeAndKeepTheirGroups) {
  // Dense at first; then keys a billion apart: the grouper moves every group (the null one too)
  // into its hash table and goes on with the same ids.
  IntegerKeyGrouper grouper({arrow::int64()});
  auto first = Consume(grouper, {Int64s({5, std::nullopt, 6, 5})});
  EXPECT_TRUE(grouper.dense());
  EXPECT_EQ(first, (std::vector<uint32_t>{0, 1, 2, 0}));
  std::vector<std::optional<int64_t>> sparse;
  for (int64_t i = 0; i < 5000; ++i) sparse.push_back(i * 1000000000);
  sparse.push_back(6);
  sparse.push_back(std::nullopt);
  auto ids = Consume(grouper, {Int64s(sparse)});
  EXPECT_FALSE(grouper.dense());
  EXPECT_EQ(ids[0], 3u);  // 0 is new
  for (int64_t i = 1; i < 5000; ++i) ASSERT_EQ(ids[static_cast<size_t>(i)], 3 + i);
  EXPECT_EQ(ids[5000], 2u);
  EXPECT_EQ(ids[5001], 1u);
  EXPECT_EQ(grouper.num_groups(), 5003u);
  std::vector<uint32_t> found(3);
  grouper.Lookup({Int64s({5, std::nullopt, 7})}, 3, found.data());
  EXPECT_EQ(found, (std::vector<uint32_t>{0, 1, UINT32_MAX}));
}

}  // namespace
}  // namespace basin::exec
