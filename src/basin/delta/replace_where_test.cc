#include "basin/delta/replace_where.h"

#include <arrow/api.h>
#include <arrow/compute/initialize.h>
#include <gtest/gtest.h>

#include "basin/base/status.h"

namespace basin::delta {
namespace {

std::shared_ptr<arrow::Table> Sample() {
  arrow::Int64Builder a;
  EXPECT_TRUE(a.AppendValues({1, 2, 3}).ok());
  EXPECT_TRUE(a.AppendNull().ok());
  arrow::StringBuilder s;
  EXPECT_TRUE(s.AppendValues({"x", "y", "z", "x"}).ok());
  arrow::Date32Builder d;
  EXPECT_TRUE(d.AppendValues({18262, 18263, 18264, 18265}).ok());  // 2020-01-01..04
  return arrow::Table::Make(arrow::schema({arrow::field("a", arrow::int64()),
                                           arrow::field("s", arrow::utf8()),
                                           arrow::field("d", arrow::date32())}),
                            {a.Finish().ValueOrDie(), s.Finish().ValueOrDie(),
                             d.Finish().ValueOrDie()});
}

// Returns the predicate's value per row as "1", "0" or "n" (null).
std::string Eval(const std::string& text) {
  EXPECT_TRUE(arrow::compute::Initialize().ok());
  auto p = Predicate::Parse(text);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return "parse error";
  auto result = p->Evaluate(*Sample());
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return "eval error";
  std::string out;
  for (int64_t i = 0; i < (*result)->length(); ++i) {
    out += (*result)->IsNull(i) ? 'n' : (*result)->Value(i) ? '1' : '0';
  }
  return out;
}

TEST(ReplaceWhereTest, Comparisons) {
  EXPECT_EQ(Eval("a = 2"), "010n");
  EXPECT_EQ(Eval("a != 2"), "101n");
  EXPECT_EQ(Eval("a < 2"), "100n");
  EXPECT_EQ(Eval("a >= 2"), "011n");
  EXPECT_EQ(Eval("a <=> NULL"), "0001");
  EXPECT_EQ(Eval("s = 'x'"), "1001");
  EXPECT_EQ(Eval("d >= '2020-01-03'"), "0011");
  EXPECT_EQ(Eval("d = DATE'2020-01-02'"), "0100");
}

TEST(ReplaceWhereTest, LogicInAndNull) {
  EXPECT_EQ(Eval("a IN (1, 3)"), "101n");
  EXPECT_EQ(Eval("s NOT IN ('x')"), "0110");
  EXPECT_EQ(Eval("a IS NULL"), "0001");
  EXPECT_EQ(Eval("a IS NOT NULL AND s = 'x'"), "1000");
  EXPECT_EQ(Eval("a = 1 OR s = 'z'"), "101n");
  EXPECT_EQ(Eval("NOT (a = 1)"), "011n");
  EXPECT_EQ(Eval("a BETWEEN 2 AND 3"), "011n");
  EXPECT_EQ(Eval("A = 1"), "100n");  // column names match case-insensitively
}

TEST(ReplaceWhereTest, Errors) {
  EXPECT_FALSE(Predicate::Parse("a = ").ok());
  EXPECT_FALSE(Predicate::Parse("a = 'open").ok());
  auto p = Predicate::Parse("nope = 1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->columns(), std::set<std::string>{"nope"});
  auto r = p->Evaluate(*Sample());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorClassOf(r.status()), "DELTA_COLUMN_NOT_FOUND");
}

}  // namespace
}  // namespace basin::delta
