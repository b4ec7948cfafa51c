#pragma once

// Per-file column statistics of a data file, as the JSON string of an add action's `stats`
// (PROTOCOL.md, "Per-file Statistics"), computed the way delta-spark computes them.

#include <cstdint>
#include <optional>
#include <string>

#include <arrow/table.h>
#include <nlohmann/json.hpp>

#include "basin/base/status.h"
#include "basin/delta/actions.h"

namespace basin::delta {

struct FileStatsOptions {
  /// Statistics cover the first this many leaf columns (delta.dataSkippingNumIndexedCols);
  /// nested struct fields count one per leaf. -1 means all columns.
  int num_indexed_cols = 32;
  /// Strings are cut to this many characters for minValues and maxValues (delta-spark's
  /// prefix length); a cut maximum gets U+FFFF appended so it still bounds the column.
  int string_prefix_length = 32;
  /// Writes "tightBounds": true (delta-spark's CONVERT TO DELTA statistics carry none).
  bool tight_bounds = true;
};

/// Computes the statistics of `data`, whose columns are the file's physical columns (no
/// partition columns): numRecords, and per leaf column minValues / maxValues (numbers, strings,
/// dates, timestamps, decimals; not booleans, binary or complex types) and nullCount, plus
/// tightBounds true. Timestamps are written as delta-spark does ("2000-01-01T00:00:00.000Z").
Result<nlohmann::json> ComputeFileStats(const arrow::Table& data,
                                        const FileStatsOptions& options = {});

/// Returns ComputeFileStats as the compact JSON string stored in the log. Decimal bounds of more
/// than 15 digits, which the JSON tree of ComputeFileStats leaves out (a double cannot carry
/// them), are written here as exact JSON numbers, as delta-spark writes them.
Result<std::string> ComputeFileStatsJson(const arrow::Table& data,
                                         const FileStatsOptions& options = {});

/// Returns the numRecords of `file`'s statistics, or nullopt when it has none.
std::optional<int64_t> StatsRecordCount(const AddFile& file);

}  // namespace basin::delta
