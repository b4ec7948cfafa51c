#pragma once

// Arrow record batches as JSON lines: one object per row, as Spark's `df.write.json` writes them
// (ISO-8601 timestamps and dates, decimals as numbers, binary as base64), except that null fields
// are written as null rather than left out, so every line has every column.

#include <memory>
#include <string>

#include <arrow/io/interfaces.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>

#include "basin/base/status.h"

namespace basin::format {

/// Appends the JSON text of row `row` of `array` to `out`.
Status AppendJsonValue(const arrow::Array& array, int64_t row, std::string* out);

/// Writes each row of `batch` as one JSON object line to `out`.
Status WriteJsonLines(const arrow::RecordBatch& batch, arrow::io::OutputStream* out);

/// Writes each row of `table` as one JSON object line to `out`.
Status WriteJsonLines(const arrow::Table& table, arrow::io::OutputStream* out);

}  // namespace basin::format
