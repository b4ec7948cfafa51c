#pragma once

// Statements that Spark Connect builds (DELETE / UPDATE / MERGE from DeltaTable calls, spark.sql
// commands with `args`) carry `:name` and `?` parameters, but a statement runs through
// Session::ExecuteStatement, which takes no parameter values. Binding replaces each parameter
// with a literal expression of its value before the statement runs.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/sql/ast.h"

namespace basin::connect {

struct ParameterValues {
  std::map<std::string, std::shared_ptr<arrow::Scalar>> named;
  std::vector<std::shared_ptr<arrow::Scalar>> positional;
};

/// Returns an expression that evaluates to `value` (a literal, or a CAST of one for types SQL
/// literals cannot spell, such as typed NULLs, decimals and collections).
Result<sql::ExprPtr> ScalarExpression(const arrow::Scalar& value);

/// Replaces every parameter of `statement` by the literal of its value; fails with
/// UNBOUND_SQL_PARAMETER for a parameter without one.
Status BindParameters(sql::Statement& statement, const ParameterValues& values);
Status BindParameters(sql::ExprPtr& expr, const ParameterValues& values);

/// Returns the statement `text` with each parameter replaced by the SQL literal of its value,
/// so that the statement's text and its syntax tree agree.
Result<std::string> InlineParameters(const std::string& text, const ParameterValues& values);

}  // namespace basin::connect
