#include "basin/exec/evaluate.h"

#include <arrow/array/concatenate.h>
#include <arrow/compute/api.h>

#include "basin/exec/execute.h"
#include "basin/exec/higher_order.h"
#include "basin/function/in_list.h"

#include <set>

namespace basin::exec {

namespace cp = arrow::compute;
using plan::Expr;
using plan::ExprKind;

Result<std::shared_ptr<arrow::Table>> SubqueryCache::Get(const plan::PlanPtr& subquery) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = results_.find(subquery.get());
    if (it != results_.end()) return it->second;
  }
  // Run outside the lock: the subquery may itself hold subqueries.
  ASSIGN_OR_RAISE(auto table, runner_(subquery));
  std::lock_guard<std::mutex> lock(mutex_);
  results_[subquery.get()] = table;
  return table;
}

namespace {

using Rows = std::vector<int64_t>;

std::shared_ptr<arrow::Array> IndexArray(const Rows& rows) {
  arrow::Int64Builder builder;
  (void)builder.AppendValues(rows);
  std::shared_ptr<arrow::Array> out;
  (void)builder.Finish(&out);
  return out;
}

Result<std::shared_ptr<arrow::Array>> AsArray(const arrow::Datum& datum, int64_t length,
                                              const std::shared_ptr<arrow::DataType>& type) {
  std::shared_ptr<arrow::Array> array;
  if (datum.is_scalar()) {
    ASSIGN_OR_RAISE(array, arrow::MakeArrayFromScalar(*datum.scalar(), length));
  } else if (datum.is_array()) {
    array = datum.make_array();
  } else if (datum.is_chunked_array()) {
    auto chunked = datum.chunked_array();
    if (chunked->num_chunks() == 1) {
      array = chunked->chunk(0);
    } else {
      ASSIGN_OR_RAISE(array, arrow::Concatenate(chunked->chunks()));
    }
  } else {
    return InternalError("expression gave neither an array nor a scalar");
  }
  if (type && !array->type()->Equals(*type)) {
    ASSIGN_OR_RAISE(auto cast, cp::Cast(array, type));
    array = cast.make_array();
  }
  return array;
}

struct Piece {
  Rows rows;
  std::shared_ptr<arrow::Array> values;
};

// Puts pieces computed on disjoint row subsets back into row order.
Result<arrow::Datum> Scatter(std::vector<Piece> pieces, int64_t length,
                             const std::shared_ptr<arrow::DataType>& type) {
  arrow::ArrayVector arrays;
  std::vector<int64_t> position(static_cast<size_t>(length), -1);
  int64_t offset = 0;
  for (auto& piece : pieces) {
    if (piece.rows.empty()) continue;
    for (size_t k = 0; k < piece.rows.size(); ++k) {
      position[static_cast<size_t>(piece.rows[k])] = offset + static_cast<int64_t>(k);
    }
    offset += static_cast<int64_t>(piece.rows.size());
    arrays.push_back(piece.values);
  }
  if (arrays.empty()) return arrow::Datum(arrow::MakeArrayOfNull(type, 0).ValueOrDie());
  std::shared_ptr<arrow::Array> all;
  if (arrays.size() == 1) {
    all = arrays[0];
  } else {
    ASSIGN_OR_RAISE(all, arrow::Concatenate(arrays));
  }
  for (int64_t p : position) {
    if (p < 0) return InternalError("conditional evaluation left a row without a value");
  }
  ASSIGN_OR_RAISE(auto taken, cp::Take(all, arrow::Datum(IndexArray(position))));
  return taken;
}

class Evaluator {
 public:
  Evaluator(const function::EvalContext& context, SubqueryCache* subqueries)
      : context_(context), subqueries_(subqueries) {}

  Result<arrow::Datum> Eval(const Expr& expr, const arrow::RecordBatch& input) {
    switch (expr.kind) {
      case ExprKind::kLiteral:
        if (!expr.literal) return InternalError("literal without a value");
        return arrow::Datum(expr.literal);
      case ExprKind::kColumn:
        if (expr.column_index < 0 || expr.column_index >= input.num_columns()) {
          return InternalError("column #" + std::to_string(expr.column_index) +
                               " is outside the input of " + std::to_string(input.num_columns()) +
                               " columns");
        }
        return arrow::Datum(input.column(expr.column_index));
      case ExprKind::kCast: {
        ASSIGN_OR_RAISE(auto value, Eval(*expr.children.at(0), input));
        // Arrow calls all year-month interval types equal; their fields still differ.
        if (value.type()->Equals(*expr.type) &&
            value.type()->id() != arrow::Type::INTERVAL_MONTHS) {
          return value;
        }
        return function::Cast(value, expr.type, expr.try_cast, context_);
      }
      case ExprKind::kCall: {
        if (!expr.scalar || !expr.scalar->kernel) {
          return InternalError("call of " + expr.name + " has no kernel");
        }
        if (DivisorFirst(expr)) return EvalGuarded(expr, input, 1);
        if (LeftFirst(expr)) return EvalGuarded(expr, input, 0);
        std::vector<arrow::Datum> args;
        args.reserve(expr.children.size());
        for (const auto& child : expr.children) {
          ASSIGN_OR_RAISE(auto arg, Eval(*child, input));
          args.push_back(std::move(arg));
        }
        return expr.scalar->kernel->Execute(args, input.num_rows(), context_);
      }
      case ExprKind::kAnd:
      case ExprKind::kOr:
        return EvalLogical(expr, input);
      case ExprKind::kCase:
        return EvalCase(expr, input);
      case ExprKind::kCoalesce:
        return EvalCoalesce(expr, input);
      case ExprKind::kInList:
        return EvalInList(expr, input);
      case ExprKind::kIsNull: {
        ASSIGN_OR_RAISE(auto value, Eval(*expr.children.at(0), input));
        if (value.is_scalar()) {
          bool is_null = !value.scalar()->is_valid;
          return arrow::Datum(std::make_shared<arrow::BooleanScalar>(is_null != expr.negated));
        }
        return cp::CallFunction(expr.negated ? "is_valid" : "is_null", {value});
      }
      case ExprKind::kScalarSubquery:
        return EvalScalarSubquery(expr);
      case ExprKind::kInSubquery:
        return EvalInSubquery(expr, input);
      case ExprKind::kExists: {
        ASSIGN_OR_RAISE(auto table, RunSubquery(expr));
        bool exists = table->num_rows() > 0;
        return arrow::Datum(std::make_shared<arrow::BooleanScalar>(exists != expr.negated));
      }
      case ExprKind::kOuterColumn:
        return UserError("UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY",
                         "Correlated column references are not supported by the executor; "
                         "the optimizer must decorrelate the subquery.");
      case ExprKind::kAggregate:
      case ExprKind::kWindow:
      case ExprKind::kGroupingId:
        return InternalError("expression " + plan::ToString(expr) +
                             " can only be evaluated by its Aggregate or Window operator");
      case ExprKind::kLambdaVariable:
        if (expr.column_index < 0 || expr.column_index >= static_cast<int>(slots_.size())) {
          return InternalError("lambda variable " + expr.name + " outside its lambda");
        }
        return slots_[static_cast<size_t>(expr.column_index)];
      case ExprKind::kHigherOrder:
        return EvalHigherOrder(expr, input);
      case ExprKind::kPythonUdf: {
        if (!expr.python_udf || !expr.python_udf->kernel) {
          return InternalError("Python UDF " + expr.name + " has no worker to run it");
        }
        std::vector<arrow::Datum> args;
        args.reserve(expr.children.size());
        for (const auto& child : expr.children) {
          ASSIGN_OR_RAISE(auto arg, Eval(*child, input));
          args.push_back(std::move(arg));
        }
        return expr.python_udf->kernel->Execute(args, input.num_rows(), context_);
      }
      case ExprKind::kLambda:
        return InternalError("lambda expressions are evaluated by their higher-order function");
    }
    return InternalError("unknown expression kind");
  }

  // Evaluates `expr` on the rows `rows` of `input` only; returns an array of rows.size() rows.
  Result<std::shared_ptr<arrow::Array>> EvalRows(const Expr& expr, const arrow::RecordBatch& input,
                                                 const Rows& rows) {
    if (static_cast<int64_t>(rows.size()) == input.num_rows()) {
      ASSIGN_OR_RAISE(auto value, Eval(expr, input));
      return AsArray(value, input.num_rows(), expr.type);
    }
    auto indices = IndexArray(rows);
    arrow::ArrayVector columns;
    for (int c = 0; c < input.num_columns(); ++c) {
      ASSIGN_OR_RAISE(auto column, cp::Take(*input.column(c), *indices));
      columns.push_back(std::move(column));
    }
    auto sub = arrow::RecordBatch::Make(input.schema(), static_cast<int64_t>(rows.size()),
                                        std::move(columns));
    // Lambda parameters are per row too: evaluate on the same rows of them.
    std::vector<arrow::Datum> saved_slots = slots_;
    for (auto& slot : slots_) {
      if (slot.is_scalar()) continue;
      ASSIGN_OR_RAISE(slot, cp::Take(slot, arrow::Datum(indices)));
    }
    auto value = Eval(expr, *sub);
    slots_ = std::move(saved_slots);
    if (!value.ok()) return value.status();
    return AsArray(*value, sub->num_rows(), expr.type);
  }

 private:
  // Spark's `/`, `%` and `div` (DivModLike) evaluate the divisor first and the dividend only
  // where the divisor is not null, so a dividend that would fail (overflow) is not evaluated.
  static bool DivisorFirst(const Expr& expr) {
    if (expr.children.size() != 2 || !expr.scalar) return false;
    const std::string& name = expr.scalar->name;
    return name == "/" || name == "%" || name == "div";
  }

  // Spark's other binary operators evaluate the right operand only where the left one is not
  // null; that matters only when the right operand can fail.
  static bool LeftFirst(const Expr& expr) {
    if (expr.children.size() != 2 || !expr.scalar) return false;
    static const std::set<std::string> kLeftFirst = {
        "+", "-", "*", "=", "!=", "<", "<=", ">", ">=", "&", "|", "^", "nullif"};
    return kLeftFirst.count(expr.scalar->name) && !Harmless(*expr.children[1]);
  }

  // Evaluates children[guard] first and the other operand only where it is not null; the
  // result is null where it is null.
  Result<arrow::Datum> EvalGuarded(const Expr& expr, const arrow::RecordBatch& input,
                                   size_t guard) {
    const int64_t n = input.num_rows();
    const size_t other = 1 - guard;
    ASSIGN_OR_RAISE(auto first, Eval(*expr.children[guard], input));
    if (first.is_scalar() && !first.scalar()->is_valid) {
      return arrow::Datum(arrow::MakeNullScalar(expr.type));
    }
    if (first.is_scalar() || first.null_count() == 0) {
      ASSIGN_OR_RAISE(auto second, Eval(*expr.children[other], input));
      std::vector<arrow::Datum> args(2);
      args[guard] = first;
      args[other] = second;
      return expr.scalar->kernel->Execute(args, n, context_);
    }
    ASSIGN_OR_RAISE(auto firsts, AsArray(first, n, nullptr));
    Rows valid;
    Rows invalid;
    for (int64_t i = 0; i < n; ++i) {
      (firsts->IsValid(i) ? valid : invalid).push_back(i);
    }
    std::vector<Piece> pieces;
    if (!valid.empty()) {
      ASSIGN_OR_RAISE(auto second, EvalRows(*expr.children[other], input, valid));
      ASSIGN_OR_RAISE(auto taken, cp::Take(firsts, *IndexArray(valid)));
      const auto count = static_cast<int64_t>(valid.size());
      std::vector<arrow::Datum> args(2);
      args[guard] = arrow::Datum(taken);
      args[other] = arrow::Datum(second);
      ASSIGN_OR_RAISE(auto result, expr.scalar->kernel->Execute(args, count, context_));
      ASSIGN_OR_RAISE(auto values, AsArray(result, count, expr.type));
      pieces.push_back({std::move(valid), values});
    }
    ASSIGN_OR_RAISE(auto nulls,
                    arrow::MakeArrayOfNull(expr.type, static_cast<int64_t>(invalid.size())));
    pieces.push_back({std::move(invalid), nulls});
    return Scatter(std::move(pieces), n, expr.type);
  }

  // True when evaluating `expr` on rows that would not reach it cannot change the result: it
  // cannot raise an error and is deterministic (comparisons, IN lists, LIKE, IS NULL, AND/OR/NOT
  // of such, over columns, literals and casts of literals, which Spark folds at planning).
  static bool Harmless(const Expr& expr) {
    switch (expr.kind) {
      case ExprKind::kColumn:
      case ExprKind::kLiteral:
        return true;
      case ExprKind::kCast:
        return expr.children.size() == 1 && expr.children[0]->kind == ExprKind::kLiteral;
      case ExprKind::kIsNull:
      case ExprKind::kInList:
      case ExprKind::kAnd:
      case ExprKind::kOr:
        break;
      case ExprKind::kCall: {
        static const std::set<std::string> kSafe = {
            "=", "==", "<", "<=", ">", ">=", "!=", "<>", "<=>", "not", "!", "like", "ilike",
            "startswith", "endswith", "contains", "isnull", "isnotnull"};
        if (!expr.scalar || !expr.scalar->deterministic || !kSafe.count(expr.scalar->name)) {
          return false;
        }
        break;
      }
      default:
        return false;
    }
    for (const auto& child : expr.children) {
      if (!child || !Harmless(*child)) return false;
    }
    return true;
  }

  Result<arrow::Datum> EvalLogical(const Expr& expr, const arrow::RecordBatch& input) {
    const bool is_and = expr.kind == ExprKind::kAnd;
    const int64_t n = input.num_rows();
    bool harmless = true;
    for (size_t c = 1; c < expr.children.size(); ++c) {
      harmless = harmless && Harmless(*expr.children[c]);
    }
    if (harmless && expr.children.size() > 1) {
      // Every child over the whole batch, combined bitmap-wise: no row lists, takes or scatter.
      ASSIGN_OR_RAISE(auto acc, Eval(*expr.children[0], input));
      for (size_t c = 1; c < expr.children.size(); ++c) {
        ASSIGN_OR_RAISE(auto next, Eval(*expr.children[c], input));
        ASSIGN_OR_RAISE(acc, cp::CallFunction(is_and ? "and_kleene" : "or_kleene", {acc, next}));
      }
      return acc;
    }
    Rows all(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
    ASSIGN_OR_RAISE(auto acc, EvalRows(*expr.children.at(0), input, all));
    // `pending` rows are not decided yet (AND: true or null so far; OR: false or null).
    Rows decided;
    Rows pending;
    std::shared_ptr<arrow::BooleanArray> acc_bool;
    for (size_t c = 1; c < expr.children.size(); ++c) {
      acc_bool = std::static_pointer_cast<arrow::BooleanArray>(acc);
      Rows rows = pending.empty() && c == 1 ? all : pending;
      Rows next_pending;
      std::vector<int64_t> pending_pos;  // positions of next_pending in acc
      for (size_t k = 0; k < rows.size(); ++k) {
        bool valid = acc_bool->IsValid(static_cast<int64_t>(k));
        bool value = valid && acc_bool->Value(static_cast<int64_t>(k));
        bool settled = valid && (is_and ? !value : value);
        if (settled) {
          decided.push_back(rows[k]);
        } else {
          next_pending.push_back(rows[k]);
          pending_pos.push_back(static_cast<int64_t>(k));
        }
      }
      if (next_pending.empty()) {
        pending.clear();
        acc = nullptr;
        break;
      }
      ASSIGN_OR_RAISE(auto right, EvalRows(*expr.children[c], input, next_pending));
      ASSIGN_OR_RAISE(auto left_sub,
                      cp::Take(arrow::Datum(acc), arrow::Datum(IndexArray(pending_pos))));
      ASSIGN_OR_RAISE(auto combined, cp::CallFunction(is_and ? "and_kleene" : "or_kleene",
                                                      {left_sub, arrow::Datum(right)}));
      acc = combined.make_array();
      pending = std::move(next_pending);
    }
    if (expr.children.size() == 1) return arrow::Datum(acc);
    std::vector<Piece> pieces;
    if (!decided.empty()) {
      // Every decided row has the settling value.
      ASSIGN_OR_RAISE(auto value, arrow::MakeArrayFromScalar(arrow::BooleanScalar(!is_and),
                                                             static_cast<int64_t>(decided.size())));
      pieces.push_back({std::move(decided), value});
    }
    if (acc) pieces.push_back({std::move(pending), acc});
    return Scatter(std::move(pieces), n, arrow::boolean());
  }

  Result<arrow::Datum> EvalCase(const Expr& expr, const arrow::RecordBatch& input) {
    const int64_t n = input.num_rows();
    Rows remaining(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) remaining[static_cast<size_t>(i)] = i;
    const size_t pairs = (expr.children.size() - (expr.has_else ? 1 : 0)) / 2;
    std::vector<Piece> pieces;
    for (size_t p = 0; p < pairs && !remaining.empty(); ++p) {
      ASSIGN_OR_RAISE(auto when, EvalRows(*expr.children[2 * p], input, remaining));
      auto when_bool = std::static_pointer_cast<arrow::BooleanArray>(when);
      Rows hit;
      Rows miss;
      for (size_t k = 0; k < remaining.size(); ++k) {
        auto i = static_cast<int64_t>(k);
        if (when_bool->IsValid(i) && when_bool->Value(i)) {
          hit.push_back(remaining[k]);
        } else {
          miss.push_back(remaining[k]);
        }
      }
      if (!hit.empty()) {
        ASSIGN_OR_RAISE(auto then, EvalRows(*expr.children[2 * p + 1], input, hit));
        pieces.push_back({std::move(hit), then});
      }
      remaining = std::move(miss);
    }
    if (!remaining.empty()) {
      std::shared_ptr<arrow::Array> rest;
      if (expr.has_else) {
        ASSIGN_OR_RAISE(rest, EvalRows(*expr.children.back(), input, remaining));
      } else {
        ASSIGN_OR_RAISE(rest,
                        arrow::MakeArrayOfNull(expr.type, static_cast<int64_t>(remaining.size())));
      }
      pieces.push_back({std::move(remaining), rest});
    }
    return Scatter(std::move(pieces), n, expr.type);
  }

  Result<arrow::Datum> EvalCoalesce(const Expr& expr, const arrow::RecordBatch& input) {
    const int64_t n = input.num_rows();
    Rows remaining(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) remaining[static_cast<size_t>(i)] = i;
    std::vector<Piece> pieces;
    for (size_t c = 0; c < expr.children.size() && !remaining.empty(); ++c) {
      ASSIGN_OR_RAISE(auto value, EvalRows(*expr.children[c], input, remaining));
      if (c + 1 == expr.children.size() || value->null_count() == 0) {
        pieces.push_back({std::move(remaining), value});
        remaining.clear();
        break;
      }
      Rows present;
      Rows present_pos;
      Rows missing;
      for (size_t k = 0; k < remaining.size(); ++k) {
        if (value->IsValid(static_cast<int64_t>(k))) {
          present.push_back(remaining[k]);
          present_pos.push_back(static_cast<int64_t>(k));
        } else {
          missing.push_back(remaining[k]);
        }
      }
      if (!present.empty()) {
        ASSIGN_OR_RAISE(auto taken,
                        cp::Take(arrow::Datum(value), arrow::Datum(IndexArray(present_pos))));
        pieces.push_back({std::move(present), taken.make_array()});
      }
      remaining = std::move(missing);
    }
    if (!remaining.empty()) {
      ASSIGN_OR_RAISE(auto nulls,
                      arrow::MakeArrayOfNull(expr.type, static_cast<int64_t>(remaining.size())));
      pieces.push_back({std::move(remaining), nulls});
    }
    return Scatter(std::move(pieces), n, expr.type);
  }

  Result<arrow::Datum> EvalInList(const Expr& expr, const arrow::RecordBatch& input) {
    ASSIGN_OR_RAISE(auto value, Eval(*expr.children.at(0), input));
    std::vector<arrow::Datum> items;
    for (size_t c = 1; c < expr.children.size(); ++c) {
      ASSIGN_OR_RAISE(auto item, Eval(*expr.children[c], input));
      if (!item.type()->Equals(*value.type())) {
        ASSIGN_OR_RAISE(item, cp::Cast(item, value.type()));
      }
      items.push_back(std::move(item));
    }
    if (auto one_pass = function::InListOfConstants(value, items, expr.negated)) return *one_pass;
    arrow::Datum acc(std::make_shared<arrow::BooleanScalar>(false));
    for (const auto& item : items) {
      ASSIGN_OR_RAISE(auto eq, cp::CallFunction("equal", {value, item}));
      ASSIGN_OR_RAISE(acc, cp::CallFunction("or_kleene", {acc, eq}));
    }
    if (expr.negated) return cp::CallFunction("invert", {acc});
    return acc;
  }

  Result<std::shared_ptr<arrow::Table>> RunSubquery(const Expr& expr) {
    if (!expr.subquery) return InternalError("subquery expression without a plan");
    if (subqueries_) return subqueries_->Get(expr.subquery);
    ExecOptions options;
    options.eval = context_;
    return ExecuteToTable(expr.subquery, options);
  }

  Result<arrow::Datum> EvalScalarSubquery(const Expr& expr) {
    ASSIGN_OR_RAISE(auto table, RunSubquery(expr));
    if (table->num_rows() > 1) {
      return UserError("SCALAR_SUBQUERY_TOO_MANY_ROWS",
                       "More than one row returned by a subquery used as an expression.");
    }
    if (table->num_columns() < 1) return InternalError("scalar subquery without a column");
    if (table->num_rows() == 0) return arrow::Datum(arrow::MakeNullScalar(expr.type));
    ASSIGN_OR_RAISE(auto scalar, table->column(0)->GetScalar(0));
    if (!scalar->type->Equals(*expr.type)) {
      ASSIGN_OR_RAISE(auto cast, cp::Cast(arrow::Datum(scalar), expr.type));
      return cast;
    }
    return arrow::Datum(scalar);
  }

  Result<arrow::Datum> EvalInSubquery(const Expr& expr, const arrow::RecordBatch& input) {
    ASSIGN_OR_RAISE(auto table, RunSubquery(expr));
    ASSIGN_OR_RAISE(auto value_datum, Eval(*expr.children.at(0), input));
    ASSIGN_OR_RAISE(auto value, AsArray(value_datum, input.num_rows(), nullptr));
    const int64_t n = input.num_rows();
    arrow::BooleanBuilder builder;
    RETURN_NOT_OK(builder.Reserve(n));
    if (table->num_rows() == 0) {
      for (int64_t i = 0; i < n; ++i) builder.UnsafeAppend(expr.negated);
      ASSIGN_OR_RAISE(auto out, builder.Finish());
      return arrow::Datum(out);
    }
    std::shared_ptr<arrow::Array> set;
    auto column = table->column(0);
    if (column->num_chunks() == 1) {
      set = column->chunk(0);
    } else {
      ASSIGN_OR_RAISE(set, arrow::Concatenate(column->chunks()));
    }
    if (!set->type()->Equals(*value->type())) {
      ASSIGN_OR_RAISE(auto cast, cp::Cast(set, value->type()));
      set = cast.make_array();
    }
    const bool set_has_null = set->null_count() > 0;
    cp::SetLookupOptions options(set, cp::SetLookupOptions::SKIP);
    ASSIGN_OR_RAISE(auto found_datum, cp::IsIn(value, options));
    auto found = std::static_pointer_cast<arrow::BooleanArray>(found_datum.make_array());
    for (int64_t i = 0; i < n; ++i) {
      if (value->IsValid(i) && found->IsValid(i) && found->Value(i)) {
        builder.UnsafeAppend(!expr.negated);
      } else if (value->IsNull(i) || set_has_null) {
        builder.UnsafeAppendNull();
      } else {
        builder.UnsafeAppend(expr.negated);
      }
    }
    ASSIGN_OR_RAISE(auto out, builder.Finish());
    return arrow::Datum(out);
  }

  // Value arguments are evaluated over the input; lambdas over the element rows they describe.
  Result<arrow::Datum> EvalHigherOrder(const Expr& expr, const arrow::RecordBatch& input) {
    std::vector<std::shared_ptr<arrow::Array>> values;
    for (const auto& child : expr.children) {
      if (child->kind == ExprKind::kLambda) continue;
      ASSIGN_OR_RAISE(auto value, Eval(*child, input));
      ASSIGN_OR_RAISE(auto array, AsArray(value, input.num_rows(), child->type));
      values.push_back(std::move(array));
    }
    LambdaRunner run = [&](const Expr& lambda, const std::vector<int64_t>& parents,
                           std::vector<arrow::Datum> params) {
      return RunLambda(lambda, input, parents, std::move(params));
    };
    return EvaluateHigherOrder(expr, values, input.num_rows(), run);
  }

  static void CollectColumns(const Expr& e, std::set<int>* out) {
    if (e.kind == ExprKind::kColumn) out->insert(e.column_index);
    for (const auto& c : e.children) CollectColumns(*c, out);
  }

  Result<std::shared_ptr<arrow::Array>> RunLambda(const Expr& lambda,
                                                  const arrow::RecordBatch& input,
                                                  const std::vector<int64_t>& parents,
                                                  std::vector<arrow::Datum> params) {
    if (lambda.kind != ExprKind::kLambda || lambda.children.empty()) {
      return InternalError("higher-order function without its lambda");
    }
    if (lambda.column_index != static_cast<int>(slots_.size())) {
      return InternalError("lambda slots out of step: " + std::to_string(lambda.column_index) +
                           " != " + std::to_string(slots_.size()));
    }
    const auto m = static_cast<int64_t>(parents.size());
    // Only the input columns the body reads are repeated per element; the others are nulls.
    std::set<int> used;
    CollectColumns(*lambda.children[0], &used);
    std::shared_ptr<arrow::Array> indices;
    if (!used.empty() || !slots_.empty()) indices = IndexArray(parents);
    arrow::FieldVector fields;
    arrow::ArrayVector columns;
    for (int c = 0; c < input.num_columns(); ++c) {
      if (used.count(c)) {
        ASSIGN_OR_RAISE(auto column, cp::Take(*input.column(c), *indices));
        fields.push_back(input.schema()->field(c));
        columns.push_back(std::move(column));
      } else {
        fields.push_back(arrow::field(input.schema()->field(c)->name(), arrow::null()));
        columns.push_back(std::make_shared<arrow::NullArray>(m));
      }
    }
    auto batch = arrow::RecordBatch::Make(arrow::schema(std::move(fields)), m, std::move(columns));
    Evaluator inner(context_, subqueries_);
    for (const auto& slot : slots_) {
      if (slot.is_scalar()) {
        inner.slots_.push_back(slot);
      } else {
        ASSIGN_OR_RAISE(auto taken, cp::Take(slot, arrow::Datum(indices)));
        inner.slots_.push_back(std::move(taken));
      }
    }
    for (auto& p : params) inner.slots_.push_back(std::move(p));
    ASSIGN_OR_RAISE(auto value, inner.Eval(*lambda.children[0], *batch));
    return AsArray(value, m, lambda.type);
  }

  const function::EvalContext& context_;
  SubqueryCache* subqueries_;
  // Values of the enclosing lambdas' parameters, one per slot, aligned with the input rows.
  std::vector<arrow::Datum> slots_;
};

}  // namespace

Result<arrow::Datum> Evaluate(const plan::Expr& expr, const arrow::RecordBatch& input,
                              const function::EvalContext& context, SubqueryCache* subqueries) {
  Evaluator evaluator(context, subqueries);
  return evaluator.Eval(expr, input);
}

Result<arrow::Datum> Evaluate(const plan::Expr& expr, const arrow::RecordBatch& input,
                              const function::EvalContext& context) {
  return Evaluate(expr, input, context, nullptr);
}

Result<std::shared_ptr<arrow::Array>> EvaluateToArray(const plan::Expr& expr,
                                                      const arrow::RecordBatch& input,
                                                      const function::EvalContext& context,
                                                      SubqueryCache* subqueries) {
  ASSIGN_OR_RAISE(auto value, Evaluate(expr, input, context, subqueries));
  return AsArray(value, input.num_rows(), expr.type);
}

Result<std::shared_ptr<arrow::BooleanArray>> EvaluatePredicate(const plan::Expr& predicate,
                                                               const arrow::RecordBatch& input,
                                                               const function::EvalContext& context,
                                                               SubqueryCache* subqueries) {
  ASSIGN_OR_RAISE(auto value, Evaluate(predicate, input, context, subqueries));
  ASSIGN_OR_RAISE(auto array, AsArray(value, input.num_rows(), arrow::boolean()));
  // Null means "not selected": fold nulls into false.
  ASSIGN_OR_RAISE(auto filled,
                  cp::CallFunction("coalesce", {arrow::Datum(array), arrow::Datum(false)}));
  return std::static_pointer_cast<arrow::BooleanArray>(filled.make_array());
}

}  // namespace basin::exec
