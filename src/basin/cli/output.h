#pragma once

// Where and how the `basin` command writes rows: jsonl, csv, parquet or a Spark `show()`-style
// table, to a file (-o) or stdout.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/io/interfaces.h>
#include <arrow/table.h>

#include "basin/base/status.h"

namespace basin::cli {

/// Opens `path` for writing, or stdout when unset.
Result<std::shared_ptr<arrow::io::OutputStream>> OpenOutput(const std::optional<std::string>& path);

/// Writes `table` to `out` in `format` ("jsonl", "csv", "parquet" or "table").
Status WriteRows(const arrow::Table& table, const std::string& format, arrow::io::OutputStream* out);

/// Replaces each variant of `table` (a column, or in structs, lists and maps) by a string of
/// its JSON text as Spark's to_json renders it (timestamps in `time_zone`); the field keeps its
/// metadata plus format::kJsonTextField, so JSON lines embed the text as JSON, not a string.
Result<std::shared_ptr<arrow::Table>> VariantsAsJson(const std::shared_ptr<arrow::Table>& table,
                                                     const std::string& time_zone);

/// Renders `table` as Spark's `show(n, truncate=false)` prints it.
std::string RenderTable(const arrow::Table& table, const std::string& time_zone = "UTC");

/// Renders text cells under `headers` in the same boxed layout.
std::string RenderCells(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows);

}  // namespace basin::cli
