#pragma once

// Small helpers shared by the session's statement files.

#include <memory>
#include <string>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"

namespace basin::sql {
struct Expr;
}

namespace basin::session {

/// Returns `s` in lower case (ASCII).
std::string Lower(std::string s);
/// Returns the metastore key of a catalog name: lower case, with Spark's `spark_catalog` standing
/// for the default catalog `main` (so Spark code that names spark_catalog runs unchanged).
std::string CatalogKey(const std::string& name);
/// Returns `s` in upper case (ASCII).
std::string Upper(std::string s);
/// Returns a table of non-null string columns `names` holding `rows`.
std::shared_ptr<arrow::Table> StringTable(const std::vector<std::string>& names,
                                          const std::vector<std::vector<std::string>>& rows);

/// TABLE_OR_VIEW_ALREADY_EXISTS for `quoted_name` (`cat`.`schema`.`name`), in Spark's words.
Status TableExistsError(const std::string& quoted_name);
/// SCHEMA_NOT_FOUND for `catalog`.`schema`, in Spark's words.
Status SchemaNotFoundError(const std::string& catalog, const std::string& schema);

/// Returns a one-row table of bigint columns (statement results such as num_affected_rows).
std::shared_ptr<arrow::Table> LongRow(const std::vector<std::pair<std::string, int64_t>>& values);

/// Returns the source text of `expr` inside a statement's `text` (`base`: the statement's offset
/// in its script), ending before the first top-level keyword of `stops` (upper case) or the end.
std::string ExpressionText(const std::string& text, int base, const sql::Expr& expr,
                           const std::vector<std::string>& stops);

}  // namespace basin::session
