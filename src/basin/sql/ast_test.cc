#include "basin/sql/ast.h"

#include <gtest/gtest.h>

#include "basin/sql/parser.h"

namespace basin::sql {
namespace {

std::string TypeOf(std::string_view text) {
  auto r = ParseDataType(text);
  if (!r.ok()) return "ERROR " + r.status().message().substr(0, r.status().message().find('\n'));
  return ToString(*r);
}

TEST(AstTest, DataTypeNamesAndSynonyms) {
  EXPECT_EQ(TypeOf("boolean"), "boolean");
  EXPECT_EQ(TypeOf("tinyint"), "tinyint");
  EXPECT_EQ(TypeOf("BYTE"), "tinyint");
  EXPECT_EQ(TypeOf("smallint"), "smallint");
  EXPECT_EQ(TypeOf("short"), "smallint");
  EXPECT_EQ(TypeOf("int"), "int");
  EXPECT_EQ(TypeOf("Integer"), "int");
  EXPECT_EQ(TypeOf("bigint"), "bigint");
  EXPECT_EQ(TypeOf("long"), "bigint");
  EXPECT_EQ(TypeOf("float"), "float");
  EXPECT_EQ(TypeOf("real"), "float");
  EXPECT_EQ(TypeOf("double"), "double");
  EXPECT_EQ(TypeOf("double precision"), "double");
  EXPECT_EQ(TypeOf("decimal"), "decimal(10,0)");
  EXPECT_EQ(TypeOf("dec(5)"), "decimal(5,0)");
  EXPECT_EQ(TypeOf("numeric(38, 18)"), "decimal(38,18)");
  EXPECT_EQ(TypeOf("decimal(0)"), "decimal(0,0)");
  EXPECT_EQ(TypeOf("string"), "string");
  EXPECT_EQ(TypeOf("varchar(10)"), "varchar(10)");
  EXPECT_EQ(TypeOf("char(3)"), "char(3)");
  EXPECT_EQ(TypeOf("character(3)"), "char(3)");
  EXPECT_EQ(TypeOf("binary"), "binary");
  EXPECT_EQ(TypeOf("date"), "date");
  EXPECT_EQ(TypeOf("timestamp"), "timestamp");
  EXPECT_EQ(TypeOf("timestamp_ltz"), "timestamp");
  EXPECT_EQ(TypeOf("timestamp_ntz"), "timestamp_ntz");
  EXPECT_EQ(TypeOf("void"), "void");
  EXPECT_EQ(TypeOf("variant"), "variant");
  EXPECT_EQ(TypeOf("interval"), "interval");
}

TEST(AstTest, IntervalTypes) {
  EXPECT_EQ(TypeOf("interval year"), "interval year");
  EXPECT_EQ(TypeOf("interval year to month"), "interval year to month");
  EXPECT_EQ(TypeOf("interval month"), "interval month");
  EXPECT_EQ(TypeOf("interval day"), "interval day");
  EXPECT_EQ(TypeOf("interval day to second"), "interval day to second");
  EXPECT_EQ(TypeOf("interval hour to minute"), "interval hour to minute");
  EXPECT_EQ(TypeOf("interval second"), "interval second");
  auto ym = ParseDataType("INTERVAL YEAR TO MONTH");
  ASSERT_TRUE(ym.ok());
  EXPECT_EQ(ym->kind, TypeKind::kYearMonthInterval);
  auto dt = ParseDataType("interval minute to second");
  ASSERT_TRUE(dt.ok());
  EXPECT_EQ(dt->kind, TypeKind::kDayTimeInterval);
  EXPECT_EQ(dt->start_field, IntervalField::kMinute);
  EXPECT_EQ(dt->end_field, IntervalField::kSecond);
  EXPECT_NE(TypeOf("interval month to year").find("PARSE_SYNTAX_ERROR"), std::string::npos);
  EXPECT_NE(TypeOf("interval day to month").find("PARSE_SYNTAX_ERROR"), std::string::npos);
}

TEST(AstTest, NestedTypes) {
  EXPECT_EQ(TypeOf("array<int>"), "array<int>");
  EXPECT_EQ(TypeOf("ARRAY<ARRAY<STRING>>"), "array<array<string>>");
  EXPECT_EQ(TypeOf("map<string, array<map<int,int>>>"), "map<string,array<map<int,int>>>");
  EXPECT_EQ(TypeOf("struct<a: int, b string>"), "struct<a:int,b:string>");
  EXPECT_EQ(TypeOf("struct<>"), "struct<>");
  EXPECT_EQ(TypeOf("struct<`a b`: int NOT NULL COMMENT 'x', c: struct<d: date>>"),
            "struct<a b:int not null comment 'x',c:struct<d:date>>");
  auto s = ParseDataType("struct<x: int not null, y: string comment 'why'>");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->field_names, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(s->field_nullable, (std::vector<bool>{false, true}));
  EXPECT_EQ(s->field_comments[1], "why");
}

TEST(AstTest, DataTypeErrors) {
  EXPECT_EQ(TypeOf("foo"),
            "ERROR [UNSUPPORTED_DATATYPE] Unsupported data type \"FOO\". SQLSTATE: 0A000");
  EXPECT_NE(TypeOf("array<int").find("end of input"), std::string::npos);
  EXPECT_NE(TypeOf("map<int>").find("PARSE_SYNTAX_ERROR"), std::string::npos);
  EXPECT_NE(TypeOf("decimal(a)").find("PARSE_SYNTAX_ERROR"), std::string::npos);
  EXPECT_NE(TypeOf("int int").find("extra input"), std::string::npos);
  EXPECT_NE(TypeOf("char").find("DATATYPE_MISSING_SIZE"), std::string::npos);
  EXPECT_NE(TypeOf("").find("PARSE_SYNTAX_ERROR"), std::string::npos);
}

TEST(AstTest, ExprToStringQuotesOddNames) {
  Expr e;
  e.kind = ExprKind::kColumn;
  e.name_parts = {"a b", "c`d", "ok_1"};
  EXPECT_EQ(ToString(e), "`a b`.`c``d`.ok_1");
}

TEST(AstTest, NodesAreMovable) {
  auto r = ParseStatement("SELECT a FROM t WHERE b IN (SELECT c FROM u)");
  ASSERT_TRUE(r.ok());
  Statement moved = std::move(**r);
  EXPECT_EQ(ToString(moved),
            "(SELECT a (FROM (TABLE t)) (WHERE (IN b (SELECT c (FROM (TABLE u))))))");
}

}  // namespace
}  // namespace basin::sql
