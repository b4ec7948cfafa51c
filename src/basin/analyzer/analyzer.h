#pragma once

// The analyzer: a syntax tree (sql/) becomes a resolved logical plan (plan/). Names are looked up
// in the FROM scope, the enclosing queries and the catalog; functions are bound with Spark's
// implicit casts; aggregates, windows, HAVING, QUALIFY, ORDER BY and LIMIT are placed in Spark's
// order. Errors carry Spark's error classes (UNRESOLVED_COLUMN.WITH_SUGGESTION,
// TABLE_OR_VIEW_NOT_FOUND, MISSING_AGGREGATION, ...).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "basin/base/status.h"
#include "basin/function/function.h"
#include "basin/plan/logical_plan.h"
#include "basin/sql/ast.h"

namespace basin::analyzer {

/// A time-travel request on a table reference.
struct TimeTravelSpec {
  std::optional<int64_t> version;
  std::optional<std::string> timestamp;
};

/// What the session knows about names: views, temporary views and tables.
class Catalog {
 public:
  virtual ~Catalog() = default;
  /// Returns the plan that `name` (one to three parts, as written) stands for, or nullopt when no
  /// table or view has that name.
  virtual Result<std::optional<plan::PlanPtr>> LookupRelation(
      const std::vector<std::string>& name, const TimeTravelSpec& time_travel) = 0;
  /// A SQL function of the catalog (CREATE FUNCTION name(params) RETURNS type RETURN body).
  struct SqlFunction {
    std::vector<std::pair<std::string, std::string>> parameters;  ///< name, Spark type text
    std::string return_type;                                      ///< Spark type text
    std::string body;                                             ///< the RETURN expression
    /// A function of a JVM class (CREATE FUNCTION f AS 'class'): its class, which Basin cannot
    /// load, and its name as qualified in the catalog; empty for SQL functions.
    std::string class_name;
    std::vector<std::string> qualified_name;
  };
  /// Returns the SQL function `name` (one to three parts), or nullopt when there is none.
  virtual Result<std::optional<SqlFunction>> LookupFunction(const std::vector<std::string>& name) {
    return std::optional<SqlFunction>();
  }
  /// Returns the session's Python function `name` (spark.udf.register, or a DataFrame's udf
  /// under the name Spark Connect gave it), or null when there is none.
  virtual Result<std::shared_ptr<const plan::PythonUdf>> LookupPythonFunction(
      const std::string& name) {
    return std::shared_ptr<const plan::PythonUdf>();
  }
  /// Returns the root folder of the Delta table `name`, or nullopt when there is none
  /// (table_changes).
  virtual Result<std::optional<std::string>> LookupTableLocation(
      const std::vector<std::string>& name) {
    return std::optional<std::string>();
  }
  /// Optimizes and runs `plan` to its rows (recursive CTEs run each step during analysis).
  virtual Result<std::shared_ptr<arrow::Table>> RunPlan(const plan::PlanPtr& plan) {
    return UserError("UNSUPPORTED_FEATURE.RECURSIVE_CTE", "This catalog cannot run plans.");
  }
};

struct AnalyzerOptions {
  function::EvalContext eval;
  const function::Registry* registry = nullptr;  ///< BuiltinRegistry() when null
  Catalog* catalog = nullptr;                    ///< only file paths resolve when null
  /// What current_catalog() and current_schema() return.
  std::string current_catalog = "main";
  std::string current_schema = "default";
  /// What current_user() / user() / session_user() return.
  std::string current_user;
  /// Values of named (`:name`) and positional (`?`) parameters.
  std::map<std::string, std::shared_ptr<arrow::Scalar>> named_parameters;
  std::vector<std::shared_ptr<arrow::Scalar>> positional_parameters;
  /// spark.sql.legacy.allowNegativeScaleOfDecimal: casts to decimal(p, -s) are allowed.
  bool allow_negative_decimal_scale = false;
};

/// Resolves `query` into a logical plan whose schema has the query's output names and types.
Result<plan::PlanPtr> AnalyzeQuery(const sql::Query& query, const AnalyzerOptions& options);

/// Resolves a standalone expression over the columns of `input` (DataFrame filter strings,
/// selectExpr); aggregates are not allowed.
Result<plan::ExprPtr> AnalyzeExpression(const sql::Expr& expr, const plan::PlanNode& input,
                                        const AnalyzerOptions& options);

/// Returns a plan that scans the Delta table at `path` (as of `time_travel`).
Result<plan::PlanPtr> DeltaTableScan(const std::string& path, const TimeTravelSpec& time_travel);

/// Returns a plan that scans files in place: `format` is parquet, json, csv or text.
Result<plan::PlanPtr> FileScan(const std::string& format, const std::string& path,
                               const std::vector<std::pair<std::string, std::string>>& options);

/// Returns a plan that scans the files of a table with a declared `schema` (no inference):
/// `format` is parquet, json, csv or text; the values of `partition_columns` (columns of
/// `schema`) come from the `name=value` folders below `path`, or from `partitions` when the
/// catalog lists them (only those are read).
Result<plan::PlanPtr> DeclaredFileScan(
    const std::string& format, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& options,
    std::shared_ptr<arrow::Schema> schema, std::vector<std::string> partition_columns,
    std::optional<std::vector<plan::ScanSource::Partition>> partitions = std::nullopt);

}  // namespace basin::analyzer
