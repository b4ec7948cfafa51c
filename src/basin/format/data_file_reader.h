#pragma once

// Loading a whole data file (Parquet, CSV with a header, or newline-delimited JSON) into Arrow,
// chosen by the file's extension. Used by `basin table write --from FILE`.

#include <memory>

#include <arrow/table.h>

#include "basin/base/status.h"
#include "basin/io/file_system.h"

namespace basin::format {

/// Reads `file` (.parquet, .csv, .json/.jsonl/.ndjson) into a table. Timestamps in CSV and JSON
/// are inferred by Arrow; other types follow each reader's inference.
Result<std::shared_ptr<arrow::Table>> ReadDataFile(const io::Location& file);

}  // namespace basin::format
