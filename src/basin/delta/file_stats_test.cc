#include "basin/delta/file_stats.h"

#include <arrow/api.h>
#include <arrow/util/decimal.h>
#include <gtest/gtest.h>

namespace basin::delta {
namespace {

std::shared_ptr<arrow::Array> Ints(const std::vector<std::optional<int32_t>>& values) {
  arrow::Int32Builder b;
  for (const auto& v : values) {
    if (v) {
      EXPECT_TRUE(b.Append(*v).ok());
    } else {
      EXPECT_TRUE(b.AppendNull().ok());
    }
  }
  return b.Finish().ValueOrDie();
}

TEST(FileStatsTest, NumbersStringsAndNulls) {
  arrow::StringBuilder s;
  ASSERT_TRUE(s.Append("pear").ok());
  ASSERT_TRUE(s.AppendNull().ok());
  ASSERT_TRUE(s.Append("apple").ok());
  auto strings = s.Finish().ValueOrDie();
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("i", arrow::int32()), arrow::field("s", arrow::utf8())}),
      {Ints({5, std::nullopt, -3}), strings});
  auto stats = ComputeFileStats(*table).ValueOrDie();
  EXPECT_EQ(stats["numRecords"], 3);
  EXPECT_EQ(stats["minValues"]["i"], -3);
  EXPECT_EQ(stats["maxValues"]["i"], 5);
  EXPECT_EQ(stats["minValues"]["s"], "apple");
  EXPECT_EQ(stats["maxValues"]["s"], "pear");
  EXPECT_EQ(stats["nullCount"]["i"], 1);
  EXPECT_EQ(stats["nullCount"]["s"], 1);
  EXPECT_EQ(stats["tightBounds"], true);
}

TEST(FileStatsTest, TruncatesLongStrings) {
  arrow::StringBuilder s;
  std::string long_value(40, 'b');
  ASSERT_TRUE(s.Append(long_value).ok());
  auto table = arrow::Table::Make(arrow::schema({arrow::field("s", arrow::utf8())}),
                                  {s.Finish().ValueOrDie()});
  auto stats = ComputeFileStats(*table).ValueOrDie();
  EXPECT_EQ(stats["minValues"]["s"], std::string(32, 'b'));
  EXPECT_EQ(stats["maxValues"]["s"], std::string(32, 'b') + "\xEF\xBF\xBF");
}

TEST(FileStatsTest, TimestampsDatesAndNoMinMaxForBinaryOrBool) {
  arrow::TimestampBuilder ts(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                             arrow::default_memory_pool());
  ASSERT_TRUE(ts.Append(946684800123456).ok());  // 2000-01-01T00:00:00.123456Z
  arrow::Date32Builder d;
  ASSERT_TRUE(d.Append(10957).ok());
  arrow::BinaryBuilder bin;
  ASSERT_TRUE(bin.Append("xy").ok());
  arrow::BooleanBuilder bo;
  ASSERT_TRUE(bo.Append(true).ok());
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("ts", ts.type()), arrow::field("d", arrow::date32()),
                     arrow::field("b", arrow::binary()), arrow::field("o", arrow::boolean())}),
      {ts.Finish().ValueOrDie(), d.Finish().ValueOrDie(), bin.Finish().ValueOrDie(),
       bo.Finish().ValueOrDie()});
  auto stats = ComputeFileStats(*table).ValueOrDie();
  EXPECT_EQ(stats["minValues"]["ts"], "2000-01-01T00:00:00.123Z");
  EXPECT_EQ(stats["minValues"]["d"], "2000-01-01");
  EXPECT_FALSE(stats["minValues"].contains("b"));
  EXPECT_FALSE(stats["minValues"].contains("o"));
  EXPECT_EQ(stats["nullCount"]["b"], 0);
  EXPECT_EQ(stats["nullCount"]["o"], 0);
}

TEST(FileStatsTest, NestedLeavesCountTowardsIndexedColumns) {
  auto inner = arrow::StructArray::Make({Ints({1, 2}), Ints({3, std::nullopt})},
                                        {arrow::field("x", arrow::int32()),
                                         arrow::field("y", arrow::int32())})
                   .ValueOrDie();
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("s", inner->type()), arrow::field("z", arrow::int32())}),
      {inner, Ints({7, 8})});
  FileStatsOptions options;
  options.num_indexed_cols = 2;
  auto stats = ComputeFileStats(*table, options).ValueOrDie();
  EXPECT_EQ(stats["minValues"]["s"]["x"], 1);
  EXPECT_EQ(stats["maxValues"]["s"]["y"], 3);
  EXPECT_EQ(stats["nullCount"]["s"]["y"], 1);
  // The third leaf (z) is past the limit.
  EXPECT_FALSE(stats["minValues"].contains("z"));
  EXPECT_FALSE(stats["nullCount"].contains("z"));
}


TEST(FileStatsTest, LongDecimalBoundsAreExactNumbers) {
  auto type = arrow::decimal128(20, 2);
  arrow::Decimal128Builder d(type);
  ASSERT_TRUE(d.Append(arrow::Decimal128("123456789012345678.91")).ok());
  ASSERT_TRUE(d.Append(arrow::Decimal128("-99999999999999999.99")).ok());
  ASSERT_TRUE(d.AppendNull().ok());
  arrow::Decimal128Builder short_d(arrow::decimal128(5, 2));
  ASSERT_TRUE(short_d.Append(arrow::Decimal128("12.30")).ok());
  ASSERT_TRUE(short_d.Append(arrow::Decimal128("-1.05")).ok());
  ASSERT_TRUE(short_d.AppendNull().ok());
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("d", type), arrow::field("s", arrow::decimal128(5, 2))}),
      {d.Finish().ValueOrDie(), short_d.Finish().ValueOrDie()});
  auto text = ComputeFileStatsJson(*table).ValueOrDie();
  EXPECT_NE(text.find(R"("minValues":{"d":-99999999999999999.99,"s":-1.05})"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"("maxValues":{"d":123456789012345678.91,"s":12.3})"), std::string::npos)
      << text;
  // The JSON tree cannot carry the long bounds exactly, so it leaves them out.
  auto tree = ComputeFileStats(*table).ValueOrDie();
  EXPECT_FALSE(tree["minValues"].contains("d"));
  EXPECT_EQ(tree["nullCount"]["d"], 1);
  // A string bound that looks like a placeholder stays a string.
  arrow::StringBuilder str;
  ASSERT_TRUE(str.Append("\x01" "0:0").ok());
  auto strings = arrow::Table::Make(arrow::schema({arrow::field("t", arrow::utf8())}),
                                    {str.Finish().ValueOrDie()});
  EXPECT_NE(ComputeFileStatsJson(*strings).ValueOrDie().find(R"("t":"\u00010:0")"),
            std::string::npos);
}

}  // namespace
}  // namespace basin::delta
