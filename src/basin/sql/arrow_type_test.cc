#include "basin/sql/arrow_type.h"

#include <arrow/util/key_value_metadata.h>
#include <gtest/gtest.h>

#include "basin/sql/parser.h"

namespace basin::sql {
namespace {

std::string ArrowOf(std::string_view text) {
  auto parsed = ParseDataType(text);
  if (!parsed.ok()) return "PARSE ERROR";
  auto type = ToArrowType(*parsed);
  if (!type.ok()) return "ERROR " + type.status().message();
  return (*type)->ToString();
}

TEST(ArrowTypeTest, Primitives) {
  EXPECT_EQ(ArrowOf("tinyint"), "int8");
  EXPECT_EQ(ArrowOf("short"), "int16");
  EXPECT_EQ(ArrowOf("int"), "int32");
  EXPECT_EQ(ArrowOf("long"), "int64");
  EXPECT_EQ(ArrowOf("real"), "float");
  EXPECT_EQ(ArrowOf("double"), "double");
  EXPECT_EQ(ArrowOf("decimal(12, 3)"), "decimal128(12, 3)");
  EXPECT_EQ(ArrowOf("string"), "string");
  EXPECT_EQ(ArrowOf("varchar(5)"), "string");
  EXPECT_EQ(ArrowOf("binary"), "binary");
  EXPECT_EQ(ArrowOf("boolean"), "bool");
  EXPECT_EQ(ArrowOf("date"), "date32[day]");
  EXPECT_EQ(ArrowOf("timestamp"), "timestamp[us, tz=UTC]");
  EXPECT_EQ(ArrowOf("timestamp_ntz"), "timestamp[us]");
  EXPECT_EQ(ArrowOf("time"), "time64[ns]");
  EXPECT_EQ(ArrowOf("TIME(3)"), "time64[ns]");
  EXPECT_EQ(ArrowOf("time(6) without time zone"), "time64[ns]");
  EXPECT_EQ(ArrowOf("time(7)"), "PARSE ERROR");
  EXPECT_EQ(ArrowOf("interval year to month"), "month_interval");
  EXPECT_EQ(ArrowOf("interval day to second"), "duration[us]");
  EXPECT_EQ(ArrowOf("void"), "null");
  EXPECT_EQ(ArrowOf("decimal(0)"),
            "ERROR [UNSUPPORTED_DATATYPE] Unsupported data type \"decimal(0,0)\". SQLSTATE: 0A000");
}

TEST(ArrowTypeTest, Nested) {
  EXPECT_EQ(ArrowOf("array<int>"), "list<element: int32>");
  EXPECT_EQ(ArrowOf("map<string, array<long>>"), "map<string, list<element: int64>>");
  EXPECT_EQ(ArrowOf("struct<a: int not null, b: string>"), "struct<a: int32 not null, b: string>");
}

TEST(ArrowTypeTest, ColumnField) {
  auto cols = ParseTableSchema("id bigint NOT NULL COMMENT 'key'");
  ASSERT_TRUE(cols.ok());
  auto field = ToArrowField((*cols)[0]);
  ASSERT_TRUE(field.ok());
  EXPECT_EQ((*field)->name(), "id");
  EXPECT_FALSE((*field)->nullable());
  ASSERT_NE((*field)->metadata(), nullptr);
  EXPECT_EQ((*field)->metadata()->Get("comment").ValueOr(""), "key");
}

}  // namespace
}  // namespace basin::sql
