#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using plan::FrameBoundKind;
using plan::FrameType;
using V = std::vector<std::string>;

// (p, o, v): partitions "a" and "b".
PlanPtr Input() {
  return Values(
      {arrow::field("p", arrow::utf8()), arrow::field("o", arrow::int64()),
       arrow::field("v", arrow::int64())},
      {R"(["a", "a", "a", "a", "b", "b"])", "[1, 2, 2, 4, 1, 3]", "[10, null, 30, 40, 5, 6]"});
}

ExprPtr Win(const std::string& function, std::vector<ExprPtr> args, plan::WindowFrame frame = {},
            std::shared_ptr<arrow::DataType> type = arrow::int64(), bool ignore_nulls = false,
            const std::string& aggregate = "") {
  auto spec = std::make_shared<plan::WindowSpec>();
  spec->function = function;
  if (!aggregate.empty()) spec->aggregate = *AggFn(aggregate);
  spec->partition_by = {Col(0, arrow::utf8())};
  spec->order_by = {{Col(1), true, true}};
  spec->frame = frame;
  spec->ignore_nulls = ignore_nulls;
  auto e = std::make_shared<plan::Expr>();
  e->kind = plan::ExprKind::kWindow;
  e->type = std::move(type);
  e->children = std::move(args);
  e->window = spec;
  return e;
}

PlanPtr Window(std::vector<ExprPtr> exprs) {
  auto input = Input();
  arrow::FieldVector fields = input->schema->fields();
  for (size_t i = 0; i < exprs.size(); ++i) {
    fields.push_back(arrow::field("w" + std::to_string(i), exprs[i]->type));
  }
  auto node = NodeOf(plan::PlanKind::kWindow, {input}, arrow::schema(fields));
  node->exprs = std::move(exprs);
  return node;
}

TEST(WindowOperatorTest, RankingFunctions) {
  auto plan = Window(
      {Win("row_number", {}, {}, arrow::int32()), Win("rank", {}, {}, arrow::int32()),
       Win("dense_rank", {}, {}, arrow::int32()), Win("percent_rank", {}, {}, arrow::float64()),
       Win("cume_dist", {}, {}, arrow::float64()), Win("ntile", {Lit(3)}, {}, arrow::int32())});
  EXPECT_EQ(RunPlan(plan), (V{"a,1,10,1,1,1,0,0.25,1", "a,2,null,2,2,2,0.3333333333333333,0.75,1",
                              "a,2,30,3,2,2,0.3333333333333333,0.75,2", "a,4,40,4,4,3,1,1,3",
                              "b,1,5,1,1,1,0,0.5,1", "b,3,6,2,2,2,1,1,2"}));
}

TEST(WindowOperatorTest, LagLeadWithDefault) {
  auto plan = Window({Win("lag", {Col(2), Lit(1), Lit(-1)}), Win("lead", {Col(2), Lit(2)})});
  EXPECT_EQ(RunPlan(plan), (V{"a,1,10,-1,30", "a,2,null,10,40", "a,2,30,null,null",
                              "a,4,40,30,null", "b,1,5,-1,null", "b,3,6,5,null"}));
}

TEST(WindowOperatorTest, RunningAndWholePartitionAggregates) {
  plan::WindowFrame whole;
  whole.type = FrameType::kRows;
  whole.end = {FrameBoundKind::kUnboundedFollowing, nullptr};
  // Default frame: RANGE UNBOUNDED PRECEDING .. CURRENT ROW (peers share the value).
  auto plan = Window({Win("", {Col(2)}, {}, arrow::int64(), false, "sum"),
                      Win("", {Col(2)}, whole, arrow::int64(), false, "sum")});
  EXPECT_EQ(RunPlan(plan), (V{"a,1,10,10,80", "a,2,null,40,80", "a,2,30,40,80", "a,4,40,80,80",
                              "b,1,5,5,11", "b,3,6,11,11"}));
}

TEST(WindowOperatorTest, SlidingRowsAndRangeFrames) {
  plan::WindowFrame rows;
  rows.type = FrameType::kRows;
  rows.start = {FrameBoundKind::kPreceding, Lit(1)};
  rows.end = {FrameBoundKind::kFollowing, Lit(1)};
  plan::WindowFrame range;
  range.type = FrameType::kRange;
  range.start = {FrameBoundKind::kPreceding, Lit(1)};
  range.end = {FrameBoundKind::kCurrentRow, nullptr};
  auto plan = Window({Win("", {Col(2)}, rows, arrow::int64(), false, "sum"),
                      Win("", {}, range, arrow::int64(), false, "count")});
  EXPECT_EQ(RunPlan(plan), (V{"a,1,10,10,1", "a,2,null,40,3", "a,2,30,70,3", "a,4,40,70,1",
                              "b,1,5,11,1", "b,3,6,11,1"}));
}

TEST(WindowOperatorTest, FirstLastNthValueWithIgnoreNulls) {
  plan::WindowFrame whole;
  whole.type = FrameType::kRows;
  whole.end = {FrameBoundKind::kUnboundedFollowing, nullptr};
  plan::WindowFrame from_current;
  from_current.type = FrameType::kRows;
  from_current.start = {FrameBoundKind::kCurrentRow, nullptr};
  from_current.end = {FrameBoundKind::kUnboundedFollowing, nullptr};
  auto plan = Window({Win("first_value", {Col(2)}, from_current),
                      Win("first_value", {Col(2)}, from_current, arrow::int64(), true),
                      Win("last_value", {Col(2)}, whole),
                      Win("nth_value", {Col(2), Lit(2)}, whole, arrow::int64(), true)});
  EXPECT_EQ(RunPlan(plan), (V{"a,1,10,10,10,40,30", "a,2,null,null,30,40,30", "a,2,30,30,30,40,30",
                              "a,4,40,40,40,40,30", "b,1,5,5,5,6,6", "b,3,6,6,6,6,6"}));
}

}  // namespace
}  // namespace basin::exec
