#pragma once

// CONVERT TO DELTA parquet.`path` [NO STATISTICS] [PARTITIONED BY (col type, ...)]: turns a folder
// of Parquet files (Hive-style `col=value` partition folders) into a Delta table in place, by
// writing version 0 of a log that adds every file. The data files are not touched.

#include <cstdint>
#include <memory>

#include <arrow/type.h>

#include "basin/base/status.h"
#include "basin/io/file_system.h"

namespace basin::delta {

struct ConvertOptions {
  /// PARTITIONED BY: the partition columns (names and types), in folder order; null or empty
  /// for an unpartitioned folder.
  std::shared_ptr<arrow::Schema> partition_schema;
  /// Statistics per file (numRecords, minValues, maxValues, nullCount) read from the data, as
  /// delta-spark collects them; false for NO STATISTICS.
  bool collect_stats = true;
};

struct ConvertResult {
  /// The version written (0), or the table's current version when it already was Delta.
  int64_t version = -1;
  /// The folder already held a Delta table: nothing was done (delta-spark only logs it).
  bool already_delta = false;
  int64_t num_converted_files = 0;
};

/// Converts the Parquet files below `root` (hidden files and folders, whose names start with '_'
/// or '.', are skipped). The schema is the merge of the files' schemas (columns in first-seen
/// order, then the partition columns), all nullable. Commits version 0 with operation "CONVERT",
/// operationParameters {numFiles, partitionedBy, collectStats, sourceFormat: "parquet"} and
/// operationMetrics {numConvertedFiles}, as delta-spark does.
/// Errors (delta-spark's): PATH_NOT_FOUND for a missing folder; DELTA_EMPTY_DIRECTORY when it
/// holds no data file; DELTA_UNEXPECTED_NUM_PARTITION_COLUMNS_FROM_FILE_NAME when a file's
/// partition folders do not match the partition schema in number (e.g. partition folders without
/// PARTITIONED BY), DELTA_UNEXPECTED_PARTITION_COLUMN_FROM_FILE_NAME when they differ in name;
/// DELTA_FAILED_CAST_PARTITION_VALUE for a folder value that is not of the column's type;
/// DELTA_FAILED_MERGE_SCHEMA_FILE when a file's column has another type than an earlier file's.
Result<ConvertResult> ConvertToDelta(const io::Location& root, const ConvertOptions& options = {});

}  // namespace basin::delta
