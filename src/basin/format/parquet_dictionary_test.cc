#include "basin/format/parquet_dictionary.h"

#include <random>

#include <arrow/api.h>
#include <gtest/gtest.h>

namespace basin::format {
namespace {

std::shared_ptr<arrow::Array> Int64s(const std::vector<int64_t>& values) {
  arrow::Int64Builder builder;
  EXPECT_TRUE(builder.AppendValues(values).ok());
  return builder.Finish().ValueOrDie();
}

std::shared_ptr<arrow::Table> OneColumn(const std::string& name,
                                        const std::shared_ptr<arrow::Array>& array) {
  return arrow::Table::Make(arrow::schema({arrow::field(name, array->type())}), {array});
}

TEST(ParquetDictionaryTest, UniqueNumbersGoWithoutDictionary) {
  std::vector<int64_t> ids(100'000);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i) * 3 + 7;
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  arrow::DoubleBuilder doubles;
  for (size_t i = 0; i < ids.size(); ++i) ASSERT_TRUE(doubles.Append(normal(rng)).ok());
  auto values = doubles.Finish().ValueOrDie();
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("v", arrow::float64())}),
      {Int64s(ids), values});
  EXPECT_EQ(NearlyDistinctColumns(*table), (std::vector<std::string>{"id", "v"}));
  // Split into chunks, the same answer.
  auto parts = arrow::ArrayVector{Int64s(ids)->Slice(0, 333), Int64s(ids)->Slice(333)};
  auto chunked = arrow::Table::Make(
      table->schema(), {std::make_shared<arrow::ChunkedArray>(parts), table->column(1)});
  EXPECT_EQ(NearlyDistinctColumns(*chunked), (std::vector<std::string>{"id", "v"}));
}

TEST(ParquetDictionaryTest, RepeatedValuesKeepTheDictionary) {
  // Few distinct values, sorted runs of 30 equal values, and 50,000 distinct values over a
  // million rows (the sample then sees repeats): all worth a dictionary.
  std::vector<int64_t> few(200'000), runs(200'000), spread(1'000'000);
  std::mt19937_64 rng(2);
  for (size_t i = 0; i < few.size(); ++i) few[i] = static_cast<int64_t>(rng() % 1000);
  for (size_t i = 0; i < runs.size(); ++i) runs[i] = static_cast<int64_t>(i / 30);
  for (size_t i = 0; i < spread.size(); ++i) spread[i] = static_cast<int64_t>(rng() % 50'000);
  EXPECT_TRUE(NearlyDistinctColumns(*OneColumn("few", Int64s(few))).empty());
  EXPECT_TRUE(NearlyDistinctColumns(*OneColumn("runs", Int64s(runs))).empty());
  EXPECT_TRUE(NearlyDistinctColumns(*OneColumn("spread", Int64s(spread))).empty());
}

TEST(ParquetDictionaryTest, SmallTablesAndOtherTypesKeepTheDictionary) {
  std::vector<int64_t> ids(1000);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i);
  EXPECT_TRUE(NearlyDistinctColumns(*OneColumn("id", Int64s(ids))).empty());
  arrow::StringBuilder strings;
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(strings.Append("s" + std::to_string(i)).ok());
  EXPECT_TRUE(NearlyDistinctColumns(*OneColumn("s", strings.Finish().ValueOrDie())).empty());
  // A column of nulls only is not sampled.
  auto nulls = arrow::MakeArrayOfNull(arrow::int64(), 10'000).ValueOrDie();
  EXPECT_TRUE(NearlyDistinctColumns(*OneColumn("n", nulls)).empty());
}

}  // namespace
}  // namespace basin::format
