#include "basin/plan/logical_plan.h"

#include <gtest/gtest.h>

namespace basin::plan {
namespace {

class NoKernel : public function::ScalarKernel {
 public:
  Result<arrow::Datum> Execute(const std::vector<arrow::Datum>&, int64_t,
                               const function::EvalContext&) const override {
    return Status::NotImplemented("test");
  }
};

std::shared_ptr<const function::BoundScalar> Fn(const std::string& name,
                                                std::shared_ptr<arrow::DataType> type) {
  auto fn = std::make_shared<function::BoundScalar>();
  fn->name = name;
  fn->return_type = std::move(type);
  fn->kernel = std::make_shared<NoKernel>();
  return fn;
}

TEST(LogicalPlanTest, RendersExpressions) {
  auto a = Column(0, arrow::int64(), "a");
  auto one = Literal(arrow::MakeScalar(int64_t{1}));
  auto sum = Call(Fn("+", arrow::int64()), {a, one});
  EXPECT_EQ(ToString(*sum), "(a#0 + 1)");
  EXPECT_EQ(sum->name, "+(a, 1)");
  EXPECT_EQ(ToString(*Call(Fn("upper", arrow::utf8()), {Literal(arrow::MakeScalar("x"))})),
            "upper('x')");
  EXPECT_EQ(ToString(*CastTo(a, arrow::utf8())), "cast(a#0 as string)");
  EXPECT_EQ(ToString(*Literal(arrow::MakeNullScalar(arrow::int32()))), "NULL");
}

TEST(LogicalPlanTest, RendersATreeWithIndentedChildren) {
  auto values = std::make_shared<PlanNode>();
  values->kind = PlanKind::kValues;
  values->schema =
      arrow::schema({arrow::field("k", arrow::int64()), arrow::field("v", arrow::int64()),
                     arrow::field("w", arrow::int64())});
  values->values = arrow::Table::MakeEmpty(values->schema).ValueOrDie();

  auto filter = std::make_shared<PlanNode>();
  filter->kind = PlanKind::kFilter;
  filter->schema = values->schema;
  filter->children = {values};
  filter->condition = Call(Fn(">", arrow::boolean()), {Column(2, arrow::int64(), "w"),
                                                       Literal(arrow::MakeScalar(int64_t{5}))});

  auto project = std::make_shared<PlanNode>();
  project->kind = PlanKind::kProject;
  project->schema =
      arrow::schema({arrow::field("k", arrow::int64()), arrow::field("x", arrow::int64())});
  project->children = {filter};
  project->exprs = {Column(0, arrow::int64(), "k"),
                    Call(Fn("+", arrow::int64()),
                         {Column(1, arrow::int64(), "v"), Literal(arrow::MakeScalar(int64_t{1}))})};

  auto agg_expr = std::make_shared<Expr>();
  agg_expr->kind = ExprKind::kAggregate;
  auto sum = std::make_shared<function::BoundAggregate>();
  sum->name = "sum";
  agg_expr->aggregate = sum;
  agg_expr->children = {Column(1, arrow::int64(), "x")};
  auto aggregate = std::make_shared<PlanNode>();
  aggregate->kind = PlanKind::kAggregate;
  aggregate->schema = project->schema;
  aggregate->children = {project};
  aggregate->group_by = {Column(0, arrow::int64(), "k")};
  aggregate->aggregates = {agg_expr};

  EXPECT_EQ(ToString(*aggregate),
            "Aggregate [group: k#0] [sum(x#1)]\n"
            "  Project [k#0, (v#1 + 1) AS x]\n"
            "    Filter (w#2 > 5)\n"
            "      Values [0 rows]\n");
}

}  // namespace
}  // namespace basin::plan
