#include "basin/exec/execute.h"

#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using V = std::vector<std::string>;

PlanPtr Numbers(int n) {
  arrow::Int64Builder builder;
  for (int i = 0; i < n; ++i) EXPECT_TRUE(builder.Append(i).ok());
  return Values(arrow::Table::Make(arrow::schema({arrow::field("x", arrow::int64())}),
                                   {builder.Finish().ValueOrDie()}));
}

TEST(ExecuteTest, ValuesFilterProjectAggregateSort) {
  auto input = Values({arrow::field("k", arrow::int64()), arrow::field("v", arrow::int64())},
                      {"[1, 2, 1, 3, null]", "[5, 6, 7, 8, 9]"});
  auto filtered = Filter(input, Gt(Col(1), Lit(5)));
  auto projected = Project(filtered, {Col(0), Add(Col(1), Lit(1))});
  auto aggregated = Aggregate(projected, {Col(0)}, {Agg("sum", {Col(1)})});
  auto sorted = Sort(aggregated, {{Col(0), true, true}});
  EXPECT_EQ(RunPlan(sorted), (V{"null,10", "1,8", "2,7", "3,9"}));
}

TEST(ExecuteTest, OutputHasThePlanSchemaExactly) {
  auto input = Values({arrow::field("k", arrow::int64())}, {"[1]"});
  auto node = NodeOf(plan::PlanKind::kProject, {input},
                     arrow::schema({arrow::field("renamed", arrow::int32())}));
  node->exprs = {Col(0)};
  auto table = ExecuteToTable(node, {});
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_TRUE((*table)->schema()->Equals(*node->schema));
}

TEST(ExecuteTest, LimitOffsetAndEmptyInputs) {
  ExecOptions options;
  options.batch_size = 3;
  EXPECT_EQ(RunPlan(Limit(Numbers(10), 4, 5), options), (V{"5", "6", "7", "8"}));
  EXPECT_EQ(RunPlan(Limit(Numbers(10), -1, 8), options), (V{"8", "9"}));
  EXPECT_EQ(RunPlan(Limit(Numbers(0), 3)), V{});
  EXPECT_EQ(RunPlan(Filter(Numbers(0), Gt(Col(0), Lit(1)))), V{});
}

TEST(ExecuteTest, ParallelBatchesKeepTheirOrder) {
  for (int threads : {1, 2, 4}) {
    ExecOptions options;
    options.batch_size = 7;
    options.threads = threads;
    auto plan = Project(Filter(Numbers(1000), Gt(Col(0), Lit(-1))), {Add(Col(0), Lit(1))});
    auto rows = RunPlan(plan, options);
    ASSERT_EQ(rows.size(), 1000u);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(rows[static_cast<size_t>(i)], std::to_string(i + 1));
  }
}

TEST(ExecuteTest, SampleIsRepeatableForASeed) {
  auto node = NodeOf(plan::PlanKind::kSample, {Numbers(1000)}, Numbers(1)->schema);
  node->fraction = 0.3;
  node->seed = 42;
  auto first = RunPlan(node);
  EXPECT_EQ(first, RunPlan(node));
  EXPECT_GT(first.size(), 200u);
  EXPECT_LT(first.size(), 400u);
}

TEST(ExecuteTest, CancellationStopsTheQuery) {
  ExecOptions options;
  options.batch_size = 10;
  options.cancel = std::make_shared<std::atomic<bool>>(false);
  auto reader = Execute(Filter(Numbers(1000), Gt(Col(0), Lit(-1))), options);
  ASSERT_TRUE(reader.ok());
  std::shared_ptr<arrow::RecordBatch> batch;
  ASSERT_TRUE((*reader)->ReadNext(&batch).ok());
  ASSERT_NE(batch, nullptr);
  options.cancel->store(true);
  auto status = (*reader)->ReadNext(&batch);
  EXPECT_EQ(ErrorClassOf(status).value_or(""), "OPERATION_CANCELED");
}

TEST(ExecuteTest, ProgressCountsProducedRows) {
  ExecOptions options;
  options.batch_size = 100;
  int64_t produced = 0;
  options.progress = [&](const Progress& p) { produced = p.rows_produced; };
  EXPECT_EQ(RunPlan(Numbers(250), options).size(), 250u);
  EXPECT_EQ(produced, 250);
}

}  // namespace
}  // namespace basin::exec
