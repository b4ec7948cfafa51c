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

/// Arrow field-metadata key marking a string column whose values are JSON text: JSON lines embed
/// them as they are (a variant rendered by to_json), not as quoted strings.
inline constexpr char kJsonTextField[] = "basin.json_text";

/// Appends the JSON text of row `row` of `array` to `out`.
Status AppendJsonValue(const arrow::Array& array, int64_t row, std::string* out);

/// Appends the JSON text of row `row` of `array`, the values of `field`: as it is when the field
/// carries kJsonTextField, else as AppendJsonValue does.
Status AppendFieldValue(const arrow::Field& field, const arrow::Array& array, int64_t row,
                        std::string* out);

/// Writes each row of `batch` as one JSON object line to `out`.
Status WriteJsonLines(const arrow::RecordBatch& batch, arrow::io::OutputStream* out);

/// Writes each row of `table` as one JSON object line to `out`.
Status WriteJsonLines(const arrow::Table& table, arrow::io::OutputStream* out);

}  // namespace basin::format
