#include "basin/plan/expression.h"

#include <sstream>

#include "basin/plan/logical_plan.h"
#include "basin/types/schema_json.h"

namespace basin::plan {

ExprPtr Literal(std::shared_ptr<arrow::Scalar> value, std::string name) {
  auto expr = std::make_shared<Expr>();
  expr->kind = ExprKind::kLiteral;
  expr->type = value->type;
  expr->nullable = !value->is_valid;
  if (name.empty()) name = value->is_valid ? value->ToString() : "NULL";
  expr->name = std::move(name);
  expr->literal = std::move(value);
  return expr;
}

ExprPtr Column(int index, TypePtr type, std::string name, bool nullable) {
  auto expr = std::make_shared<Expr>();
  expr->kind = ExprKind::kColumn;
  expr->type = std::move(type);
  expr->column_index = index;
  expr->nullable = nullable;
  expr->name = std::move(name);
  return expr;
}

ExprPtr CastTo(ExprPtr input, TypePtr type, bool try_cast) {
  auto expr = std::make_shared<Expr>();
  expr->kind = ExprKind::kCast;
  expr->type = std::move(type);
  expr->try_cast = try_cast;
  expr->nullable = true;
  expr->name = input->name;
  expr->children.push_back(std::move(input));
  return expr;
}

ExprPtr Call(std::shared_ptr<const function::BoundScalar> fn, std::vector<ExprPtr> args,
             std::string name) {
  auto expr = std::make_shared<Expr>();
  expr->kind = ExprKind::kCall;
  expr->type = fn->return_type;
  expr->nullable = true;
  if (name.empty()) {
    name = fn->name + "(";
    for (size_t i = 0; i < args.size(); ++i) name += (i ? ", " : "") + args[i]->name;
    name += ")";
  }
  expr->name = std::move(name);
  expr->scalar = std::move(fn);
  expr->children = std::move(args);
  return expr;
}

namespace {

// Functions printed infix, as Spark's EXPLAIN does.
const char* InfixOperator(const std::string& name) {
  static const std::pair<const char*, const char*> kOps[] = {{"add", "+"},
                                                             {"+", "+"},
                                                             {"subtract", "-"},
                                                             {"-", "-"},
                                                             {"multiply", "*"},
                                                             {"*", "*"},
                                                             {"divide", "/"},
                                                             {"/", "/"},
                                                             {"mod", "%"},
                                                             {"%", "%"},
                                                             {"equal", "="},
                                                             {"=", "="},
                                                             {"==", "="},
                                                             {"not_equal", "!="},
                                                             {"!=", "!="},
                                                             {"<>", "!="},
                                                             {"less", "<"},
                                                             {"<", "<"},
                                                             {"less_equal", "<="},
                                                             {"<=", "<="},
                                                             {"greater", ">"},
                                                             {">", ">"},
                                                             {"greater_equal", ">="},
                                                             {">=", ">="},
                                                             {"<=>", "<=>"},
                                                             {"equal_null_safe", "<=>"},
                                                             {"||", "||"},
                                                             {"concat_op", "||"},
                                                             {"div", "div"}};
  for (const auto& [fn, op] : kOps) {
    if (name == fn) return op;
  }
  return nullptr;
}

std::string Join(const std::vector<ExprPtr>& exprs, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < exprs.size(); ++i) {
    if (i > from) out += ", ";
    out += exprs[i] ? ToString(*exprs[i]) : "?";
  }
  return out;
}

std::string FrameBoundString(const FrameBound& bound) {
  switch (bound.kind) {
    case FrameBoundKind::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case FrameBoundKind::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
    case FrameBoundKind::kCurrentRow:
      return "CURRENT ROW";
    case FrameBoundKind::kPreceding:
      return (bound.offset ? ToString(*bound.offset) : "?") + " PRECEDING";
    case FrameBoundKind::kFollowing:
      return (bound.offset ? ToString(*bound.offset) : "?") + " FOLLOWING";
  }
  return "?";
}

}  // namespace

std::string ToString(const SortKey& key) {
  return (key.expr ? ToString(*key.expr) : "?") + (key.ascending ? " ASC" : " DESC") +
         (key.nulls_first ? " NULLS FIRST" : " NULLS LAST");
}

bool IsDeterministic(const ExprPtr& expr) {
  if (!expr) return true;
  if (expr->kind == ExprKind::kCall && expr->scalar && !expr->scalar->deterministic) return false;
  if (expr->kind == ExprKind::kPythonUdf && expr->python_udf && !expr->python_udf->deterministic) {
    return false;
  }
  for (const auto& child : expr->children) {
    if (!IsDeterministic(child)) return false;
  }
  return true;
}

bool HasPythonUdf(const ExprPtr& expr) {
  if (!expr) return false;
  if (expr->kind == ExprKind::kPythonUdf) return true;
  for (const auto& child : expr->children) {
    if (HasPythonUdf(child)) return true;
  }
  return false;
}

std::string ToString(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kLiteral: {
      if (!expr.literal || !expr.literal->is_valid) return "NULL";
      if (expr.literal->type->id() == arrow::Type::STRING ||
          expr.literal->type->id() == arrow::Type::LARGE_STRING) {
        return "'" + expr.literal->ToString() + "'";
      }
      return expr.literal->ToString();
    }
    case ExprKind::kColumn:
      return expr.name + "#" + std::to_string(expr.column_index);
    case ExprKind::kOuterColumn:
      return "outer(#" + std::to_string(expr.column_index) + ")";
    case ExprKind::kLambdaVariable:
      return expr.name.empty() ? "lambda#" + std::to_string(expr.column_index) : expr.name;
    case ExprKind::kCall: {
      const std::string fname = expr.scalar ? expr.scalar->name : expr.name;
      if (const char* op = InfixOperator(fname); op && expr.children.size() == 2) {
        return "(" + ToString(*expr.children[0]) + " " + op + " " + ToString(*expr.children[1]) +
               ")";
      }
      if ((fname == "not" || fname == "!") && expr.children.size() == 1) {
        return "NOT " + ToString(*expr.children[0]);
      }
      if ((fname == "negative" || fname == "negate") && expr.children.size() == 1) {
        return "-" + ToString(*expr.children[0]);
      }
      return fname + "(" + Join(expr.children) + ")";
    }
    case ExprKind::kCast:
      return std::string(expr.try_cast ? "try_cast(" : "cast(") +
             (expr.children.empty() ? "?" : ToString(*expr.children[0])) + " as " +
             (expr.type ? types::SparkTypeName(*expr.type) : "?") + ")";
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      std::string out = "(";
      for (size_t i = 0; i < expr.children.size(); ++i) {
        if (i) out += expr.kind == ExprKind::kAnd ? " AND " : " OR ";
        out += ToString(*expr.children[i]);
      }
      return out + ")";
    }
    case ExprKind::kCase: {
      std::string out = "CASE";
      size_t pairs = (expr.children.size() - (expr.has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) {
        out += " WHEN " + ToString(*expr.children[2 * i]) + " THEN " +
               ToString(*expr.children[2 * i + 1]);
      }
      if (expr.has_else) out += " ELSE " + ToString(*expr.children.back());
      return out + " END";
    }
    case ExprKind::kCoalesce:
      return "coalesce(" + Join(expr.children) + ")";
    case ExprKind::kInList:
      return ToString(*expr.children[0]) + (expr.negated ? " NOT IN (" : " IN (") +
             Join(expr.children, 1) + ")";
    case ExprKind::kIsNull:
      return "(" + ToString(*expr.children[0]) + (expr.negated ? " IS NOT NULL)" : " IS NULL)");
    case ExprKind::kAggregate: {
      std::string out = (expr.aggregate ? expr.aggregate->name : expr.name) + "(" +
                        (expr.distinct ? "DISTINCT " : "") + Join(expr.children) + ")";
      if (expr.filter) out += " FILTER (WHERE " + ToString(*expr.filter) + ")";
      return out;
    }
    case ExprKind::kWindow: {
      std::string out;
      if (expr.window && expr.window->aggregate) {
        out = expr.window->aggregate->name;
      } else if (expr.window) {
        out = expr.window->function;
      }
      out += "(" + Join(expr.children) + ")";
      if (expr.window) {
        const WindowSpec& w = *expr.window;
        if (w.ignore_nulls) out += " IGNORE NULLS";
        out += " OVER (";
        std::string inner;
        if (!w.partition_by.empty()) inner += "PARTITION BY " + Join(w.partition_by);
        if (!w.order_by.empty()) {
          if (!inner.empty()) inner += " ";
          inner += "ORDER BY ";
          for (size_t i = 0; i < w.order_by.size(); ++i) {
            inner += (i ? ", " : "") + ToString(w.order_by[i]);
          }
        }
        if (!inner.empty()) inner += " ";
        inner += std::string(w.frame.type == FrameType::kRows ? "ROWS" : "RANGE") + " BETWEEN " +
                 FrameBoundString(w.frame.start) + " AND " + FrameBoundString(w.frame.end);
        out += inner + ")";
      }
      return out;
    }
    case ExprKind::kScalarSubquery:
      return "scalar-subquery";
    case ExprKind::kInSubquery:
      return ToString(*expr.children[0]) + (expr.negated ? " NOT IN (subquery)" : " IN (subquery)");
    case ExprKind::kExists:
      return expr.negated ? "NOT EXISTS (subquery)" : "EXISTS (subquery)";
    case ExprKind::kLambda: {
      std::string params;
      for (size_t i = 0; i < expr.lambda_params.size(); ++i) {
        params += (i ? ", " : "") + expr.lambda_params[i];
      }
      return "lambda (" + params + ") -> " +
             (expr.children.empty() ? "?" : ToString(*expr.children[0]));
    }
    case ExprKind::kGroupingId:
      return "spark_grouping_id";
    case ExprKind::kHigherOrder: {
      std::string args;
      for (size_t i = 0; i < expr.children.size(); ++i) {
        args += (i ? ", " : "") + ToString(*expr.children[i]);
      }
      return expr.higher_order + "(" + args + ")";
    }
    case ExprKind::kPythonUdf: {
      std::string args;
      for (size_t i = 0; i < expr.children.size(); ++i) {
        args += (i ? ", " : "") + ToString(*expr.children[i]);
      }
      return (expr.python_udf ? expr.python_udf->name : expr.name) + "(" + args + ")";
    }
  }
  return "?";
}

}  // namespace basin::plan
