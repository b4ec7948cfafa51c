#include "basin/exec/evaluate.h"

#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using plan::ExprKind;

std::shared_ptr<arrow::RecordBatch> Batch() {
  auto table = MakeTable({arrow::field("a", arrow::int64()), arrow::field("b", arrow::int64()),
                          arrow::field("s", arrow::utf8())},
                         {"[10, 20, null, 40]", "[2, 0, 5, null]", R"(["x", "y", null, "z"])"});
  return table->CombineChunksToBatch().ValueOrDie();
}

std::string Show(const arrow::Datum& d) {
  if (d.is_scalar()) return d.scalar()->is_valid ? d.scalar()->ToString() : "null";
  auto array = d.make_array();
  std::string out;
  for (int64_t i = 0; i < array->length(); ++i) {
    auto s = array->GetScalar(i).ValueOrDie();
    out += (i ? "," : "") + (s->is_valid ? s->ToString() : std::string("null"));
  }
  return out;
}

std::string Eval(const ExprPtr& e, function::EvalContext ctx = {}) {
  auto result = Evaluate(*e, *Batch(), ctx);
  if (!result.ok()) return "error: " + result.status().message();
  return Show(*result);
}

TEST(EvaluateTest, LiteralIsScalarAndColumnIsArray) {
  auto result = Evaluate(*Lit(7), *Batch(), {});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->is_scalar());
  EXPECT_EQ(Eval(Col(0)), "10,20,null,40");
  EXPECT_EQ(Eval(Add(Col(0), Lit(1))), "11,21,null,41");
}

TEST(EvaluateTest, CaseEvaluatesBranchesOnlyOnRowsThatReachThem) {
  // CASE WHEN b = 0 THEN 0 ELSE a / b END: the division never sees b = 0.
  auto expr =
      Node(ExprKind::kCase, arrow::int64(), {Eq(Col(1), Lit(0)), Lit(0), Div(Col(0), Col(1))});
  std::const_pointer_cast<plan::Expr>(expr)->has_else = true;
  EXPECT_EQ(Eval(expr), "5,0,null,null");
  // Unguarded, the same division fails under ANSI.
  EXPECT_EQ(Eval(Div(Col(0), Col(1))), "error: [DIVIDE_BY_ZERO] Division by zero.");
}

TEST(EvaluateTest, CaseWithoutElseGivesNull) {
  auto expr = Node(ExprKind::kCase, arrow::utf8(), {Gt(Col(0), Lit(15)), LitS("big")});
  EXPECT_EQ(Eval(expr), "null,big,null,big");
}

TEST(EvaluateTest, AndOrUseKleeneLogicAndShortCircuit) {
  // b <> 0 AND a / b > 1: rows with b = 0 are false without dividing.
  auto not_zero = Binary("not_equal", "!=", Col(1), Lit(0), arrow::boolean());
  auto guarded = Logical(ExprKind::kAnd, {not_zero, Gt(Div(Col(0), Col(1)), Lit(1))});
  EXPECT_EQ(Eval(guarded), "true,false,null,null");
  auto null_bool = Null(arrow::boolean());
  EXPECT_EQ(Eval(Logical(ExprKind::kAnd, {Gt(Col(0), Lit(15)), null_bool})),
            "false,null,null,null");
  EXPECT_EQ(Eval(Logical(ExprKind::kOr, {Gt(Col(0), Lit(15)), null_bool})), "null,true,null,true");
  // b = 0 OR a / b > 1: rows with b = 0 are true without dividing.
  auto is_zero = Eq(Col(1), Lit(0));
  EXPECT_EQ(Eval(Logical(ExprKind::kOr, {is_zero, Gt(Div(Col(0), Col(1)), Lit(1))})),
            "true,true,null,null");
}

TEST(EvaluateTest, CoalesceIsLazy) {
  EXPECT_EQ(Eval(Node(ExprKind::kCoalesce, arrow::int64(), {Col(0), Col(1), Lit(-1)})),
            "10,20,5,40");
  // The division is only evaluated where a is null (row 2, b = 5).
  EXPECT_EQ(Eval(Node(ExprKind::kCoalesce, arrow::int64(), {Col(0), Div(Lit(100), Col(1))})),
            "10,20,20,40");
}

TEST(EvaluateTest, InListFollowsNullSemantics) {
  EXPECT_EQ(Eval(Node(ExprKind::kInList, arrow::boolean(), {Col(0), Lit(10), Lit(40)})),
            "true,false,null,true");
  // 1 IN (2, NULL) is null; 10 IN (10, NULL) is true.
  EXPECT_EQ(Eval(Node(ExprKind::kInList, arrow::boolean(), {Col(0), Lit(10), Null()})),
            "true,null,null,null");
  EXPECT_EQ(Eval(Node(ExprKind::kInList, arrow::boolean(), {Col(0), Lit(10), Null()}, true)),
            "false,null,null,null");
}

TEST(EvaluateTest, IsNull) {
  EXPECT_EQ(Eval(Node(ExprKind::kIsNull, arrow::boolean(), {Col(2, arrow::utf8())})),
            "false,false,true,false");
  EXPECT_EQ(Eval(Node(ExprKind::kIsNull, arrow::boolean(), {Col(2, arrow::utf8())}, true)),
            "true,true,false,true");
}

ExprPtr Subquery(ExprKind kind, PlanPtr plan, std::shared_ptr<arrow::DataType> type,
                 std::vector<ExprPtr> children = {}, bool negated = false) {
  auto e = std::make_shared<plan::Expr>();
  e->kind = kind;
  e->type = std::move(type);
  e->subquery = std::move(plan);
  e->children = std::move(children);
  e->negated = negated;
  return e;
}

TEST(EvaluateTest, ScalarSubquery) {
  auto one = Values({arrow::field("x", arrow::int64())}, {"[7]"});
  EXPECT_EQ(Eval(Subquery(ExprKind::kScalarSubquery, one, arrow::int64())), "7");
  auto none = Values({arrow::field("x", arrow::int64())}, {"[]"});
  EXPECT_EQ(Eval(Subquery(ExprKind::kScalarSubquery, none, arrow::int64())), "null");
  auto two = Values({arrow::field("x", arrow::int64())}, {"[1, 2]"});
  EXPECT_EQ(Eval(Subquery(ExprKind::kScalarSubquery, two, arrow::int64())),
            "error: [SCALAR_SUBQUERY_TOO_MANY_ROWS] More than one row returned by a subquery "
            "used as an expression.");
}

TEST(EvaluateTest, InSubqueryAndExists) {
  auto set = Values({arrow::field("x", arrow::int64())}, {"[10, 30]"});
  EXPECT_EQ(Eval(Subquery(ExprKind::kInSubquery, set, arrow::boolean(), {Col(0)})),
            "true,false,null,false");
  auto with_null = Values({arrow::field("x", arrow::int64())}, {"[10, null]"});
  EXPECT_EQ(Eval(Subquery(ExprKind::kInSubquery, with_null, arrow::boolean(), {Col(0)}, true)),
            "false,null,null,null");
  auto empty = Values({arrow::field("x", arrow::int64())}, {"[]"});
  EXPECT_EQ(Eval(Subquery(ExprKind::kInSubquery, empty, arrow::boolean(), {Col(0)}, true)),
            "true,true,true,true");
  EXPECT_EQ(Eval(Subquery(ExprKind::kExists, set, arrow::boolean())), "true");
  EXPECT_EQ(Eval(Subquery(ExprKind::kExists, empty, arrow::boolean(), {}, true)), "true");
}

TEST(EvaluateTest, CastUsesSparkCast) {
  EXPECT_EQ(Eval(plan::CastTo(Col(0), arrow::utf8())), "10,20,null,40");
}

}  // namespace
}  // namespace basin::exec
