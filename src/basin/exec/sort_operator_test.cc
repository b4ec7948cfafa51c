#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using V = std::vector<std::string>;

PlanPtr Input() {
  return Values({arrow::field("d", arrow::float64()), arrow::field("s", arrow::utf8())},
                {"[1.5, NaN, null, -2, 1.5, Infinity]", R"(["b", "a", "c", null, "a", "d"])"});
}

TEST(SortOperatorTest, NaNIsLargestAndNullsFollowTheSpec) {
  auto asc = Sort(Input(), {{Col(0, arrow::float64()), true, true}});
  EXPECT_EQ(RunPlan(Project(asc, {Col(0, arrow::float64())})),
            (V{"null", "-2", "1.5", "1.5", "inf", "nan"}));
  auto desc = Sort(Input(), {{Col(0, arrow::float64()), false, false}});
  EXPECT_EQ(RunPlan(Project(desc, {Col(0, arrow::float64())})),
            (V{"nan", "inf", "1.5", "1.5", "-2", "null"}));
  auto asc_nulls_last = Sort(Input(), {{Col(0, arrow::float64()), true, false}});
  EXPECT_EQ(RunPlan(Project(asc_nulls_last, {Col(0, arrow::float64())})).back(), "null");
}

TEST(SortOperatorTest, MultipleKeys) {
  auto plan =
      Sort(Input(), {{Col(0, arrow::float64()), false, true}, {Col(1, arrow::utf8()), true, true}});
  EXPECT_EQ(RunPlan(plan), (V{"null,c", "nan,a", "inf,d", "1.5,a", "1.5,b", "-2,null"}));
}

TEST(SortOperatorTest, TopNAndOffset) {
  auto sorted = Sort(Input(), {{Col(1, arrow::utf8()), true, false}});
  EXPECT_EQ(RunPlan(Limit(sorted, 2)), (V{"nan,a", "1.5,a"}));
  EXPECT_EQ(RunPlan(Limit(sorted, 2, 3)), (V{"null,c", "inf,d"}));
  EXPECT_EQ(RunPlan(Limit(sorted, 0)), V{});
}

TEST(SortOperatorTest, EmptyInput) {
  auto empty = Filter(Input(), Lt(Col(0, arrow::float64()), LitD(-100)));
  EXPECT_EQ(RunPlan(Sort(empty, {{Col(0, arrow::float64()), true, true}})), V{});
}

TEST(SortOperatorTest, ExternalMergeSortUnderATinyMemoryLimit) {
  arrow::Int64Builder values;
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(values.Append((i * 7919) % 20000).ok());
  auto table = arrow::Table::Make(arrow::schema({arrow::field("x", arrow::int64())}),
                                  {values.Finish().ValueOrDie()});
  ExecOptions options;
  options.batch_size = 1000;
  options.memory_limit_bytes = 20000;
  int64_t spills = 0;
  options.progress = [&](const Progress& p) { spills = p.spill_files; };
  auto rows = RunPlan(Sort(Values(table), {{Col(0), false, true}}), options);
  ASSERT_EQ(rows.size(), 20000u);
  for (int i = 0; i < 20000; ++i)
    ASSERT_EQ(rows[static_cast<size_t>(i)], std::to_string(19999 - i));
  EXPECT_GT(spills, 1);
}

}  // namespace
}  // namespace basin::exec
