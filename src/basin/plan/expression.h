#pragma once

// Resolved expressions: every node has its Arrow (Spark) type, columns are positions in the
// input of the operator that evaluates the expression. The analyzer builds them; the optimizer
// rewrites them; the executor evaluates them over Arrow batches.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/api.h>

#include "basin/function/function.h"

namespace basin::plan {

struct PlanNode;
struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;
using PlanPtr = std::shared_ptr<const PlanNode>;
using TypePtr = std::shared_ptr<arrow::DataType>;

enum class ExprKind {
  kLiteral,         ///< `literal` (a typed Arrow scalar, possibly null).
  kColumn,          ///< `column_index` into the operator's input.
  kOuterColumn,     ///< `column_index` into the row of the enclosing query (correlated subquery).
  kCall,            ///< Scalar function `scalar` over `children`.
  kCast,            ///< Cast of children[0] to `type`; `try_cast` makes failures null.
  kAnd,             ///< Kleene AND of children; evaluates the right side only where needed.
  kOr,              ///< Kleene OR of children.
  kCase,            ///< children = [when1, then1, when2, then2, ..., else?]; `has_else`.
  kCoalesce,        ///< First non-null child, evaluated lazily.
  kInList,          ///< children[0] IN (children[1..]); `negated` for NOT IN.
  kIsNull,          ///< children[0] IS [NOT] NULL (`negated`).
  kAggregate,       ///< Only inside Aggregate/Window nodes: `aggregate` over `children`.
  kWindow,          ///< Only inside Window nodes: see `window`.
  kScalarSubquery,  ///< `subquery` returns one column and at most one row.
  kInSubquery,      ///< children[0] IN (`subquery`), `negated` for NOT IN.
  kExists,          ///< EXISTS (`subquery`), `negated` for NOT EXISTS.
  kLambda,          ///< A lambda body (children[0]) over `lambda_params`; the parameters take the
                    ///< lambda slots `column_index`, `column_index` + 1, ... (see kLambdaVariable).
  kLambdaVariable,  ///< A lambda parameter: `column_index` is its slot. Slots are numbered from the
                    ///< outermost enclosing lambda's first parameter (0) inwards.
  kGroupingId,      ///< grouping_id() of the current grouping set (Aggregate with sets).
  kHigherOrder,     ///< Higher-order function `higher_order` (transform, filter, aggregate, ...)
                    ///< over value arguments and kLambda children, in Spark's argument order.
  kPythonUdf,       ///< Python user-defined function `python_udf` over `children`, run by a
                    ///< Python worker process; never folded, pushed into scans or duplicated.
};

/// A Python user-defined function as pyspark sends it (udf, pandas_udf, spark.udf.register).
struct PythonUdf {
  std::string name;            ///< The function's name: `f`, `<lambda>` or the registered name.
  int eval_type = 100;         ///< pyspark's PythonEvalType (100 batched, 101 arrow, 200 pandas).
  std::string command;         ///< cloudpickle of (function, return type).
  std::string python_version;  ///< The client's "major.minor".
  TypePtr return_type;         ///< The declared return type.
  bool deterministic = true;
  /// Runs the function over argument arrays (a Python worker); always returns an array.
  std::shared_ptr<const function::ScalarKernel> kernel;
};

/// A sort key.
struct SortKey {
  ExprPtr expr;
  bool ascending = true;
  bool nulls_first = true;  ///< Spark: NULLS FIRST for ASC, NULLS LAST for DESC by default.
};

enum class FrameType { kRows, kRange };
enum class FrameBoundKind { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing };

struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kCurrentRow;
  /// The offset for kPreceding/kFollowing (a literal; an interval for RANGE over dates/times).
  ExprPtr offset;
};

struct WindowFrame {
  FrameType type = FrameType::kRange;
  FrameBound start{FrameBoundKind::kUnboundedPreceding, nullptr};
  FrameBound end{FrameBoundKind::kCurrentRow, nullptr};
};

/// A window function call: an aggregate or a ranking/offset function over a window.
struct WindowSpec {
  /// Name of the window function (row_number, rank, dense_rank, percent_rank, cume_dist, ntile,
  /// lag, lead, first_value, last_value, nth_value) or empty when `aggregate` is set.
  std::string function;
  std::optional<function::BoundAggregate> aggregate;
  bool ignore_nulls = false;
  std::vector<ExprPtr> partition_by;
  std::vector<SortKey> order_by;
  WindowFrame frame;
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  TypePtr type;
  bool nullable = true;
  std::vector<ExprPtr> children;
  /// A readable name, used for output column names ("(a + 1)", "sum(x)") and EXPLAIN.
  std::string name;

  std::shared_ptr<arrow::Scalar> literal;                  // kLiteral
  int column_index = -1;  // kColumn, kOuterColumn, kLambdaVariable, kLambda (first slot)
  std::shared_ptr<const function::BoundScalar> scalar;     // kCall
  bool try_cast = false;                                   // kCast
  bool has_else = false;                                   // kCase
  bool negated = false;                                    // kInList, kIsNull, kInSubquery, kExists
  std::shared_ptr<const function::BoundAggregate> aggregate;  // kAggregate
  bool distinct = false;                                   // kAggregate
  ExprPtr filter;                                          // kAggregate: FILTER (WHERE ...)
  std::shared_ptr<const WindowSpec> window;                // kWindow (args in children)
  PlanPtr subquery;                                        // subquery kinds
  std::vector<std::string> lambda_params;                  // kLambda
  std::string higher_order;                                // kHigherOrder: lower-case function name
  std::shared_ptr<const PythonUdf> python_udf;             // kPythonUdf
};

/// Makes a literal expression.
ExprPtr Literal(std::shared_ptr<arrow::Scalar> value, std::string name = "");
/// Makes a reference to input column `index` of `type`.
ExprPtr Column(int index, TypePtr type, std::string name, bool nullable = true);
/// Makes a cast of `input` to `type`.
ExprPtr CastTo(ExprPtr input, TypePtr type, bool try_cast = false);
/// Makes a call of a bound scalar function.
ExprPtr Call(std::shared_ptr<const function::BoundScalar> fn, std::vector<ExprPtr> args,
             std::string name = "");

/// Returns false when `expr` (null: true) calls a nondeterministic function (rand, uuid, a
/// Python UDF marked nondeterministic, ...) anywhere inside.
bool IsDeterministic(const ExprPtr& expr);

/// Whether `expr` (null: false) calls a Python UDF anywhere inside (it runs in a worker process,
/// so scans neither skip files by it nor evaluate it themselves).
bool HasPythonUdf(const ExprPtr& expr);

/// Renders an expression for EXPLAIN, e.g. "(#0 + 1)".
std::string ToString(const Expr& expr);
/// Renders a sort key for EXPLAIN, e.g. "#0 ASC NULLS FIRST".
std::string ToString(const SortKey& key);

}  // namespace basin::plan
