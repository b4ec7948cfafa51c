// The executor with the real function library (BuiltinRegistry) rather than the stand-ins of
// test_plans.h: checks the GroupedAccumulator contract as the operators use it (State() during
// a running window frame, State()/Merge() through aggregate spill).

#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using V = std::vector<std::string>;

ExprPtr RealAgg(const std::string& name, std::vector<ExprPtr> args) {
  std::vector<std::shared_ptr<arrow::DataType>> types;
  for (const auto& a : args) types.push_back(a->type);
  auto bound = function::BuiltinRegistry().BindAggregate(name, types);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  auto e = std::make_shared<plan::Expr>();
  e->kind = plan::ExprKind::kAggregate;
  e->aggregate = std::make_shared<function::BoundAggregate>(*bound);
  e->type = bound->return_type;
  e->children = std::move(args);
  e->name = name;
  return e;
}

ExprPtr RealCall(const std::string& name, std::vector<ExprPtr> args) {
  std::vector<std::shared_ptr<arrow::DataType>> types;
  for (const auto& a : args) types.push_back(a->type);
  auto bound = function::BuiltinRegistry().BindScalar(name, types);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  return plan::Call(std::make_shared<function::BoundScalar>(*bound), std::move(args));
}

PlanPtr Input() {
  return Values({arrow::field("k", arrow::utf8()), arrow::field("v", arrow::int64())},
                {R"(["a", "b", null, "a", null, "b", "a"])", "[1, 2, 3, null, 5, 2, 4]"});
}

TEST(BuiltinFunctionsTest, AggregatesWithAndWithoutSpill) {
  auto plan = Aggregate(Input(), {Col(0, arrow::utf8())},
                        {RealAgg("sum", {Col(1)}), RealAgg("count", {Col(1)}),
                         RealAgg("min", {Col(1)}), RealAgg("max", {Col(1)})});
  V expected{"a,5,2,1,4", "b,4,2,2,2", "null,8,2,3,5"};
  EXPECT_EQ(Sorted(RunPlan(plan)), expected);
  ExecOptions options;
  options.batch_size = 1;
  options.memory_limit_bytes = 1;
  EXPECT_EQ(Sorted(RunPlan(plan, options)), expected);
}

TEST(BuiltinFunctionsTest, ScalarCallsAndLazyCase) {
  auto plus = RealCall("+", {Col(1), Lit(1)});
  EXPECT_EQ(RunPlan(Project(Input(), {plus})), (V{"2", "3", "4", "null", "6", "3", "5"}));
  // CASE WHEN v = 2 THEN 0 ELSE 10 div (v - 2) END never divides by zero.
  auto minus = RealCall("-", {Col(1), Lit(2)});
  auto div = RealCall("div", {Lit(10), minus});
  auto expr = Node(plan::ExprKind::kCase, div->type,
                   {RealCall("=", {Col(1), Lit(2)}), plan::CastTo(Lit(0), div->type), div});
  std::const_pointer_cast<plan::Expr>(expr)->has_else = true;
  EXPECT_EQ(RunPlan(Project(Input(), {expr})), (V{"-10", "0", "10", "null", "3", "0", "5"}));
}

TEST(BuiltinFunctionsTest, RunningWindowSum) {
  auto spec = std::make_shared<plan::WindowSpec>();
  auto sum = function::BuiltinRegistry().BindAggregate("sum", {arrow::int64()});
  ASSERT_TRUE(sum.ok());
  spec->aggregate = *sum;
  spec->partition_by = {Col(0, arrow::utf8())};
  spec->order_by = {{Col(1), true, true}};
  auto e = std::make_shared<plan::Expr>();
  e->kind = plan::ExprKind::kWindow;
  e->type = sum->return_type;
  e->children = {Col(1)};
  e->window = spec;
  auto input = Input();
  arrow::FieldVector fields = input->schema->fields();
  fields.push_back(arrow::field("s", e->type));
  auto node = NodeOf(plan::PlanKind::kWindow, {input}, arrow::schema(fields));
  node->exprs = {e};
  EXPECT_EQ(RunPlan(node),
            (V{"a,1,1", "b,2,4", "null,3,3", "a,null,null", "null,5,8", "b,2,4", "a,4,5"}));
}

}  // namespace
}  // namespace basin::exec
