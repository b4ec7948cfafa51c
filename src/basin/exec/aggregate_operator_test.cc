#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using V = std::vector<std::string>;

PlanPtr Input() {
  return Values({arrow::field("k", arrow::utf8()), arrow::field("v", arrow::int64())},
                {R"(["a", "b", null, "a", null, "b", "a"])", "[1, 2, 3, null, 5, 2, 4]"});
}

TEST(AggregateOperatorTest, GroupsByStringKeysWithNullAsAGroup) {
  auto plan = Aggregate(Input(), {Col(0, arrow::utf8())},
                        {Agg("sum", {Col(1)}), Agg("count", {Col(1)}), Agg("count", {})});
  EXPECT_EQ(Sorted(RunPlan(plan)), (V{"a,5,2,3", "b,4,2,2", "null,8,2,2"}));
}

TEST(AggregateOperatorTest, GlobalAggregateOverNoRowsGivesOneRow) {
  auto empty = Filter(Input(), Gt(Col(1), Lit(100)));
  EXPECT_EQ(RunPlan(Aggregate(empty, {}, {Agg("sum", {Col(1)}), Agg("count", {})})), (V{"null,0"}));
  // Grouped over no rows: no rows.
  EXPECT_EQ(RunPlan(Aggregate(empty, {Col(0, arrow::utf8())}, {Agg("count", {})})), V{});
}

TEST(AggregateOperatorTest, DistinctAndFilterClauses) {
  auto plan = Aggregate(
      Input(), {Col(0, arrow::utf8())},
      {Agg("sum", {Col(1)}, /*distinct=*/true), Agg("count", {}, false, Gt(Col(1), Lit(1)))});
  EXPECT_EQ(Sorted(RunPlan(plan)), (V{"a,5,1", "b,2,2", "null,8,2"}));
}

TEST(AggregateOperatorTest, GroupingSetsAddSparkGroupingId) {
  auto input = Values({arrow::field("x", arrow::int64()), arrow::field("y", arrow::int64()),
                       arrow::field("v", arrow::int64())},
                      {"[1, 1, 2]", "[10, 20, 10]", "[1, 2, 3]"});
  // GROUPING SETS ((x, y), (x), ())
  auto grouping_id = Node(plan::ExprKind::kGroupingId, arrow::int64(), {});
  auto plan =
      Aggregate(input, {Col(0), Col(1)}, {Agg("sum", {Col(2)}), grouping_id}, {{0, 1}, {0}, {}});
  EXPECT_EQ(Sorted(RunPlan(plan)), (V{"1,10,0,1,0", "1,20,0,2,0", "1,null,1,3,1", "2,10,0,3,0",
                                      "2,null,1,3,1", "null,null,3,6,3"}));
}

TEST(AggregateOperatorTest, KeysOfSeveralTypes) {
  auto input =
      Values({arrow::field("b", arrow::boolean()), arrow::field("d", arrow::date32()),
              arrow::field("x", arrow::decimal128(10, 2)), arrow::field("v", arrow::int64())},
             {"[true, true, null, true]", "[1, 1, null, 1]", R"(["1.50", "1.50", null, "2.00"])",
              "[1, 2, 3, 4]"});
  auto plan = Aggregate(
      input, {Col(0, arrow::boolean()), Col(1, arrow::date32()), Col(2, arrow::decimal128(10, 2))},
      {Agg("sum", {Col(3)})});
  EXPECT_EQ(Sorted(RunPlan(plan)),
            (V{"null,null,null,3", "true,1970-01-02,1.50,3", "true,1970-01-02,2.00,4"}));
}

TEST(AggregateOperatorTest, SmallBatchesGiveTheSameResult) {
  ExecOptions options;
  options.batch_size = 2;
  auto plan = Aggregate(Input(), {Col(0, arrow::utf8())}, {Agg("sum", {Col(1)})});
  EXPECT_EQ(Sorted(RunPlan(plan, options)), (V{"a,5", "b,4", "null,8"}));
}

// A table (k BIGINT, v BIGINT) of `rows` rows: k = key(i), v = 1.
std::shared_ptr<arrow::Table> KeysAndOnes(int rows, int64_t (*key)(int)) {
  arrow::Int64Builder keys;
  arrow::Int64Builder values;
  for (int i = 0; i < rows; ++i) {
    EXPECT_TRUE(keys.Append(key(i)).ok());
    EXPECT_TRUE(values.Append(1).ok());
  }
  return arrow::Table::Make(
      arrow::schema({arrow::field("k", arrow::int64()), arrow::field("v", arrow::int64())}),
      {keys.Finish().ValueOrDie(), values.Finish().ValueOrDie()});
}

TEST(AggregateOperatorTest, SpillsPartialStateUnderATinyMemoryLimit) {
  // 5000 groups, 20000 rows, a memory limit far below the hash table's size.
  auto table = KeysAndOnes(20000, [](int i) -> int64_t { return i % 5000; });
  auto plan = Aggregate(Values(table), {Col(0)}, {Agg("sum", {Col(1)})});
  auto total = Aggregate(plan, {}, {Agg("count", {}), Agg("sum", {Col(1)})});
  ExecOptions options;
  options.batch_size = 1000;
  options.memory_limit_bytes = 16 * 1024;
  int64_t spills = 0;
  options.progress = [&](const Progress& p) { spills = p.spill_files; };
  EXPECT_EQ(RunPlan(total, options), (V{"5000,20000"}));
  EXPECT_GT(spills, 0);
  auto rows = RunPlan(plan, options);
  ASSERT_EQ(rows.size(), 5000u);
  for (const auto& row : rows) EXPECT_EQ(row.substr(row.find(',')), ",4");
}

TEST(AggregateOperatorTest, CountsTheIntegerKeyTableItHoldsAgainstTheLimit) {
  // 100,000 integer groups: the hash table's slots and key words take about 6 MB besides the
  // sums' 1.6 MB. A 6 MB limit holds the old estimate (keys plus 16 bytes per group, ~4 MB)
  // but not the table itself, so the aggregate must spill.
  auto table = KeysAndOnes(200000, [](int i) -> int64_t { return (i * 7919) % 100000; });
  auto plan = Aggregate(Values(table), {Col(0)}, {Agg("sum", {Col(1)})});
  auto total = Aggregate(plan, {}, {Agg("count", {}), Agg("sum", {Col(1)})});
  ExecOptions options;
  options.threads = 1;
  options.batch_size = 10000;
  options.memory_limit_bytes = 6 * 1024 * 1024;
  int64_t spills = 0;
  options.progress = [&](const Progress& p) { spills = p.spill_files; };
  EXPECT_EQ(RunPlan(total, options), (V{"100000,200000"}));
  EXPECT_GT(spills, 0);
}

}  // namespace
}  // namespace basin::exec
