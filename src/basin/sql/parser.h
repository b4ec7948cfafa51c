#pragma once

// Entry points of the Spark SQL parser: text in, syntax tree (ast.h) out. Errors are user errors
// with Spark's error classes and message form, e.g.
//   [PARSE_SYNTAX_ERROR] Syntax error at or near 'FROM'. SQLSTATE: 42601 (line 1, pos 7)
// followed by the statement with a caret line ("== SQL ==").

#include <memory>
#include <string_view>
#include <vector>

#include "basin/base/status.h"
#include "basin/sql/ast.h"

namespace basin::sql {

/// Parses one statement; a trailing ';' is allowed. Fails on empty input or a second statement.
Result<StatementPtr> ParseStatement(std::string_view text);

/// Parses a script of statements separated by ';' (empty statements are skipped). Each
/// statement's `text` is its own source text; positions are relative to the whole script.
Result<std::vector<StatementPtr>> ParseStatements(std::string_view text);

/// Parses one query (SELECT, WITH, VALUES, TABLE, set operations, parenthesized).
Result<QueryPtr> ParseQuery(std::string_view text);

/// Parses one expression, as for DataFrame `expr()`, `selectExpr` and `filter` strings.
/// A trailing alias is not accepted here (see ParseNamedExpression).
Result<ExprPtr> ParseExpression(std::string_view text);

/// Parses `expr [[AS] alias | AS (a, b)]`, as `selectExpr` strings are.
Result<SelectItem> ParseNamedExpression(std::string_view text);

/// Parses a data type, e.g. "decimal(10, 2)", "array<struct<a: int, b string>>", "long".
Result<DataTypeSyntax> ParseDataType(std::string_view text);

/// Parses a comma-separated list of column definitions `a int NOT NULL, b string COMMENT 'x'`
/// (a DDL schema string, as DataFrameReader.schema() takes).
Result<std::vector<ColumnDefinition>> ParseTableSchema(std::string_view text);

/// Parses a possibly qualified, possibly backticked name "cat.db.`my table`" into its parts.
Result<std::vector<std::string>> ParseMultipartIdentifier(std::string_view text);

}  // namespace basin::sql
