#pragma once

// Writes a syntax-tree expression back as Spark SQL text. Statements that Spark Connect builds
// (DeltaTable.delete / update / merge, writeTo().overwrite(condition)) run as SQL text, so that
// their text and their syntax tree agree, as the session expects of a parsed statement.

#include <cstdint>
#include <map>
#include <string>

#include "basin/base/status.h"
#include "basin/sql/ast.h"

namespace basin::connect {

/// Returns SQL text that parses back to `expr`. Columns that carry a DataFrame plan id found in
/// `qualifiers` are qualified with its name. Fails with UNSUPPORTED_FEATURE for subqueries
/// and for parameters (bind them first).
Result<std::string> ExpressionText(const sql::Expr& expr,
                                   const std::map<int64_t, std::string>& qualifiers = {});

}  // namespace basin::connect
