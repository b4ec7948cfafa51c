#pragma once

// The names Spark gives unaliased SELECT expressions: `a + 1` -> "(a + 1)", `count(*)` ->
// "count(1)", `CAST(x AS INT)` -> "CAST(x AS INT)".

#include <string>

#include "basin/sql/ast.h"

namespace basin::analyzer {

/// Returns the output column name Spark derives from `expr` when it has no alias.
std::string AutoColumnName(const sql::Expr& expr);

}  // namespace basin::analyzer
