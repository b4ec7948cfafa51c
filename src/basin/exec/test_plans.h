#pragma once

// For the exec tests only: small plans built by hand, stand-in scalar kernels (over Arrow
// compute) and aggregates (count, sum, collect_list-free), so the operator tests do not depend
// on the function library's registry.

#include <algorithm>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "basin/exec/execute.h"
#include "basin/plan/logical_plan.h"

namespace basin::exec::test_plans {

using plan::ExprPtr;
using plan::PlanPtr;

/// Calls an Arrow compute function; "divide" raises DIVIDE_BY_ZERO under ANSI as Spark does.
class ArrowKernel : public function::ScalarKernel {
 public:
  explicit ArrowKernel(std::string function) : function_(std::move(function)) {}
  Result<arrow::Datum> Execute(const std::vector<arrow::Datum>& args, int64_t length,
                               const function::EvalContext& context) const override {
    if (function_ == "divide" && context.ansi) {
      ASSIGN_OR_RAISE(
          auto zero,
          arrow::compute::CallFunction(
              "equal",
              {args[1], arrow::Datum(arrow::MakeScalar(0)->CastTo(args[1].type()).ValueOrDie())}));
      ASSIGN_OR_RAISE(auto any, arrow::compute::Any(zero));
      if (any.scalar()->is_valid && static_cast<const arrow::BooleanScalar&>(*any.scalar()).value) {
        return UserError("DIVIDE_BY_ZERO", "Division by zero.");
      }
    }
    return arrow::compute::CallFunction(function_, args);
  }

 private:
  std::string function_;
};

inline std::shared_ptr<const function::BoundScalar> Fn(const std::string& arrow_name,
                                                       const std::string& name,
                                                       std::shared_ptr<arrow::DataType> type) {
  auto fn = std::make_shared<function::BoundScalar>();
  fn->name = name;
  fn->return_type = std::move(type);
  fn->kernel = std::make_shared<ArrowKernel>(arrow_name);
  return fn;
}

/// count(args) (rows where every argument is non-null; all rows without arguments) and
/// sum(arg) over int64.
class TestAccumulator : public function::GroupedAccumulator {
 public:
  explicit TestAccumulator(bool is_sum) : is_sum_(is_sum) {}
  Status Resize(int64_t n) override {
    values_.resize(static_cast<size_t>(n), 0);
    seen_.resize(static_cast<size_t>(n), false);
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* ids,
                int64_t length) override {
    std::vector<std::shared_ptr<arrow::Array>> arrays;
    for (const auto& arg : args) {
      if (arg.is_scalar()) {
        arrays.push_back(arrow::MakeArrayFromScalar(*arg.scalar(), length).ValueOrDie());
      } else {
        arrays.push_back(arg.make_array());
      }
    }
    for (int64_t i = 0; i < length; ++i) {
      bool valid = true;
      for (const auto& a : arrays) valid = valid && a->IsValid(i);
      if (!valid) continue;
      if (is_sum_) {
        auto cast = arrow::compute::Cast(*arrays[0], arrow::int64()).ValueOrDie();
        values_[ids[i]] += static_cast<const arrow::Int64Array&>(*cast).Value(i);
      } else {
        values_[ids[i]] += 1;
      }
      seen_[ids[i]] = true;
    }
    return Status::OK();
  }
  Result<std::vector<std::shared_ptr<arrow::Array>>> State() override {
    arrow::Int64Builder values;
    arrow::BooleanBuilder seen;
    for (size_t g = 0; g < values_.size(); ++g) {
      RETURN_NOT_OK(values.Append(values_[g]));
      RETURN_NOT_OK(seen.Append(seen_[g]));
    }
    std::vector<std::shared_ptr<arrow::Array>> out(2);
    RETURN_NOT_OK(values.Finish(&out[0]));
    RETURN_NOT_OK(seen.Finish(&out[1]));
    return out;
  }
  Status Merge(const std::vector<std::shared_ptr<arrow::Array>>& state, const uint32_t* ids,
               int64_t length) override {
    const auto& values = static_cast<const arrow::Int64Array&>(*state[0]);
    const auto& seen = static_cast<const arrow::BooleanArray&>(*state[1]);
    for (int64_t i = 0; i < length; ++i) {
      values_[ids[i]] += values.Value(i);
      seen_[ids[i]] = seen_[ids[i]] || seen.Value(i);
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::Int64Builder out;
    for (size_t g = 0; g < values_.size(); ++g) {
      if (is_sum_ && !seen_[g]) {
        RETURN_NOT_OK(out.AppendNull());
      } else {
        RETURN_NOT_OK(out.Append(values_[g]));
      }
    }
    return out.Finish();
  }

 private:
  bool is_sum_;
  std::vector<int64_t> values_;
  std::vector<bool> seen_;
};

inline std::shared_ptr<const function::BoundAggregate> AggFn(const std::string& name) {
  auto fn = std::make_shared<function::BoundAggregate>();
  fn->name = name;
  fn->return_type = arrow::int64();
  fn->state_types = {arrow::int64(), arrow::boolean()};
  bool is_sum = name == "sum";
  fn->make = [is_sum](const function::EvalContext&) {
    return std::make_unique<TestAccumulator>(is_sum);
  };
  return fn;
}

inline ExprPtr Col(int index, std::shared_ptr<arrow::DataType> type = arrow::int64()) {
  return plan::Column(index, std::move(type), "c" + std::to_string(index));
}
inline ExprPtr Lit(int64_t v) { return plan::Literal(arrow::MakeScalar(v)); }
inline ExprPtr LitD(double v) { return plan::Literal(arrow::MakeScalar(v)); }
inline ExprPtr LitS(const std::string& v) { return plan::Literal(arrow::MakeScalar(v)); }
inline ExprPtr Null(std::shared_ptr<arrow::DataType> type = arrow::int64()) {
  return plan::Literal(arrow::MakeNullScalar(std::move(type)));
}
inline ExprPtr Binary(const std::string& arrow_name, const std::string& name, ExprPtr a, ExprPtr b,
                      std::shared_ptr<arrow::DataType> type) {
  return plan::Call(Fn(arrow_name, name, std::move(type)), {std::move(a), std::move(b)});
}
inline ExprPtr Add(ExprPtr a, ExprPtr b) {
  return Binary("add", "+", std::move(a), std::move(b), arrow::int64());
}
inline ExprPtr Div(ExprPtr a, ExprPtr b) {
  return Binary("divide", "/", std::move(a), std::move(b), arrow::int64());
}
inline ExprPtr Eq(ExprPtr a, ExprPtr b) {
  return Binary("equal", "=", std::move(a), std::move(b), arrow::boolean());
}
inline ExprPtr Gt(ExprPtr a, ExprPtr b) {
  return Binary("greater", ">", std::move(a), std::move(b), arrow::boolean());
}
inline ExprPtr Lt(ExprPtr a, ExprPtr b) {
  return Binary("less", "<", std::move(a), std::move(b), arrow::boolean());
}
inline ExprPtr Logical(plan::ExprKind kind, std::vector<ExprPtr> children) {
  auto e = std::make_shared<plan::Expr>();
  e->kind = kind;
  e->type = arrow::boolean();
  e->children = std::move(children);
  return e;
}
inline ExprPtr Node(plan::ExprKind kind, std::shared_ptr<arrow::DataType> type,
                    std::vector<ExprPtr> children, bool negated = false) {
  auto e = std::make_shared<plan::Expr>();
  e->kind = kind;
  e->type = std::move(type);
  e->children = std::move(children);
  e->negated = negated;
  return e;
}
inline ExprPtr Agg(const std::string& name, std::vector<ExprPtr> args, bool distinct = false,
                   ExprPtr filter = nullptr) {
  auto e = std::make_shared<plan::Expr>();
  e->kind = plan::ExprKind::kAggregate;
  e->type = arrow::int64();
  e->aggregate = AggFn(name);
  e->children = std::move(args);
  e->distinct = distinct;
  e->filter = std::move(filter);
  e->name = name;
  return e;
}

/// A table from one JSON array per column, e.g. Table({{"a", int64()}}, {"[1, null]"}).
inline std::shared_ptr<arrow::Table> MakeTable(const arrow::FieldVector& fields,
                                               const std::vector<std::string>& columns) {
  arrow::ArrayVector arrays;
  for (size_t i = 0; i < fields.size(); ++i) {
    arrays.push_back(arrow::json::ArrayFromJSONString(fields[i]->type(), columns[i]).ValueOrDie());
  }
  int64_t rows = arrays.empty() ? 0 : arrays[0]->length();
  return arrow::Table::Make(arrow::schema(fields), arrays, rows);
}

inline PlanPtr Values(std::shared_ptr<arrow::Table> table) {
  auto node = std::make_shared<plan::PlanNode>();
  node->kind = plan::PlanKind::kValues;
  node->schema = table->schema();
  node->values = std::move(table);
  return node;
}

inline PlanPtr Values(const arrow::FieldVector& fields, const std::vector<std::string>& columns) {
  return Values(MakeTable(fields, columns));
}

inline std::shared_ptr<plan::PlanNode> NodeOf(plan::PlanKind kind, std::vector<PlanPtr> children,
                                              std::shared_ptr<arrow::Schema> schema) {
  auto node = std::make_shared<plan::PlanNode>();
  node->kind = kind;
  node->children = std::move(children);
  node->schema = std::move(schema);
  return node;
}

inline PlanPtr Filter(PlanPtr child, ExprPtr condition) {
  auto node = NodeOf(plan::PlanKind::kFilter, {child}, child->schema);
  node->condition = std::move(condition);
  return node;
}

inline PlanPtr Project(PlanPtr child, std::vector<ExprPtr> exprs) {
  arrow::FieldVector fields;
  for (size_t i = 0; i < exprs.size(); ++i) {
    fields.push_back(arrow::field("p" + std::to_string(i), exprs[i]->type));
  }
  auto node = NodeOf(plan::PlanKind::kProject, {std::move(child)}, arrow::schema(fields));
  node->exprs = std::move(exprs);
  return node;
}

inline PlanPtr Aggregate(PlanPtr child, std::vector<ExprPtr> groups, std::vector<ExprPtr> aggs,
                         std::vector<std::vector<int>> sets = {}) {
  arrow::FieldVector fields;
  for (size_t i = 0; i < groups.size(); ++i) {
    fields.push_back(arrow::field("g" + std::to_string(i), groups[i]->type));
  }
  if (!sets.empty()) fields.push_back(arrow::field("spark_grouping_id", arrow::int64()));
  for (size_t i = 0; i < aggs.size(); ++i) {
    fields.push_back(arrow::field("a" + std::to_string(i), aggs[i]->type));
  }
  auto node = NodeOf(plan::PlanKind::kAggregate, {std::move(child)}, arrow::schema(fields));
  node->group_by = std::move(groups);
  node->aggregates = std::move(aggs);
  node->grouping_sets = std::move(sets);
  return node;
}

inline PlanPtr Sort(PlanPtr child, std::vector<plan::SortKey> keys) {
  auto node = NodeOf(plan::PlanKind::kSort, {child}, child->schema);
  node->sort_keys = std::move(keys);
  return node;
}

inline PlanPtr Limit(PlanPtr child, int64_t limit, int64_t offset = 0) {
  auto node = NodeOf(plan::PlanKind::kLimit, {child}, child->schema);
  node->limit = limit;
  node->offset = offset;
  return node;
}

inline PlanPtr Join(PlanPtr left, PlanPtr right, plan::JoinType type, ExprPtr condition) {
  arrow::FieldVector fields = left->schema->fields();
  if (type != plan::JoinType::kLeftSemi && type != plan::JoinType::kLeftAnti) {
    for (const auto& f : right->schema->fields()) fields.push_back(f);
  }
  auto node =
      NodeOf(plan::PlanKind::kJoin, {std::move(left), std::move(right)}, arrow::schema(fields));
  node->join_type = type;
  node->condition = std::move(condition);
  return node;
}

inline PlanPtr SetOp(PlanPtr left, PlanPtr right, plan::SetOpKind kind, bool all) {
  auto node = NodeOf(plan::PlanKind::kSetOp, {left, std::move(right)}, left->schema);
  node->set_op = kind;
  node->all = all;
  return node;
}

/// Renders every row as "v1,v2,..." (null as "null"), in output order.
inline std::vector<std::string> Rows(const arrow::Table& table) {
  std::vector<std::string> out(static_cast<size_t>(table.num_rows()));
  for (int c = 0; c < table.num_columns(); ++c) {
    int64_t row = 0;
    for (const auto& chunk : table.column(c)->chunks()) {
      for (int64_t i = 0; i < chunk->length(); ++i, ++row) {
        auto scalar = chunk->GetScalar(i).ValueOrDie();
        auto& line = out[static_cast<size_t>(row)];
        if (c) line += ",";
        line += scalar->is_valid ? scalar->ToString() : "null";
      }
    }
  }
  return out;
}

inline std::vector<std::string> Sorted(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

/// Runs `plan` and returns its rows (fails the test on error).
inline std::vector<std::string> RunPlan(const PlanPtr& plan, const ExecOptions& options = {}) {
  auto table = ExecuteToTable(plan, options);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  if (!table.ok()) return {};
  EXPECT_TRUE((*table)->schema()->Equals(*plan->schema));
  return Rows(**table);
}

}  // namespace basin::exec::test_plans
