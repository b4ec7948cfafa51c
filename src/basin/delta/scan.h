#pragma once

// Reading a snapshot's rows: the live Parquet files, with partition values filled in, column
// mapping resolved (physical -> logical names), deletion vectors applied, and types widened to the
// table schema.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/table.h>

#include "basin/base/status.h"
#include "basin/delta/snapshot.h"

namespace basin::delta {

struct ScanOptions {
  /// Logical top-level column names to read, in this order; all columns when unset.
  std::optional<std::vector<std::string>> columns;
  /// Data skipping: read only files whose statistics may match this predicate (see
  /// data_skipping.h). Rows of kept files are not filtered.
  std::optional<std::string> files_where;
  /// Session time zone: zone-less TIMESTAMP partition values are wall-clock time in it.
  std::string time_zone = "UTC";
};

/// Returns the location of a data file named in the log of the table at `root`: a relative
/// path, an absolute path, a file: URI or another URI (shallow clones point at other tables).
Result<io::Location> DataFileLocation(const io::Location& root, const std::string& log_path);

/// Returns a reader over the snapshot's rows, with the snapshot's logical schema (or projection).
Result<std::shared_ptr<arrow::RecordBatchReader>> ScanSnapshot(
    const std::shared_ptr<const Snapshot>& snapshot, const ScanOptions& options = {});

/// Reads one data file of `snapshot` with the table's schema, or `output` when given (its fields
/// are table fields, or extra columns the file holds under the same name, like _change_type).
/// The file's deletion vector is applied when `apply_deletion_vector`. Zone-less TIMESTAMP
/// partition values are read in `time_zone`.
Result<std::shared_ptr<arrow::Table>> ReadDataFile(const std::shared_ptr<const Snapshot>& snapshot,
                                                   const AddFile& file,
                                                   const std::shared_ptr<arrow::Schema>& output,
                                                   bool apply_deletion_vector,
                                                   const std::string& time_zone = "UTC");

/// Row groups [begin, end) of a data file.
struct RowGroupRange {
  int begin = 0;
  int end = 0;
};

/// Lets a scan drop rows by the value of a string column stored with a dictionary before the
/// column is expanded: for output column `column`, `keep` gets the dictionary's values followed
/// by one null and says for each whether its rows may be kept (false: they are dropped), or
/// returns nullptr when it cannot tell. An optimization only: a kept row may still fail a
/// filter later. `keep` may be called from several threads at once.
struct DictionaryRowFilter {
  std::vector<int> columns;  // the output columns `keep` has a condition for
  std::function<Result<std::shared_ptr<arrow::BooleanArray>>(
      int column, const std::shared_ptr<arrow::Array>& values_and_null)>
      keep;
};

/// Lets a scan keep only the rows that satisfy a predicate, evaluated on each batch after the
/// deletion vector and the dictionary row filter, before the other columns are expanded or
/// adapted (so they are, for the kept rows only). `columns` are the output columns it reads;
/// `evaluate` gets a batch of just those columns, in that order and in the output's types, and
/// says which rows to keep (false or null: dropped). Unlike DictionaryRowFilter this is the
/// filter itself: its errors fail the scan, and no filter runs again above it. `evaluate` may be
/// called from several threads at once.
struct RowPredicate {
  std::vector<int> columns;
  std::function<Result<std::shared_ptr<arrow::BooleanArray>>(const arrow::RecordBatch& columns)>
      evaluate;
};

/// Streams one data file like ReadDataFile, in batches of at most `batch_size` rows (the
/// deletion vector, when applied, may make them shorter). Memory stays bounded by a few batches
/// whatever the file's size. With `row_groups`, only those row groups are read (the deletion
/// vector still counts rows from the start of the file), so that one file can be read by
/// several threads.
Result<std::shared_ptr<arrow::RecordBatchReader>> OpenDataFile(
    const std::shared_ptr<const Snapshot>& snapshot, const AddFile& file,
    const std::shared_ptr<arrow::Schema>& output, bool apply_deletion_vector,
    const std::string& time_zone, int64_t batch_size,
    std::optional<RowGroupRange> row_groups = std::nullopt,
    std::shared_ptr<const DictionaryRowFilter> row_filter = nullptr,
    std::shared_ptr<const RowPredicate> predicate = nullptr);

/// Returns the number of row groups of a data file (reads its footer).
Result<int> DataFileRowGroups(const std::shared_ptr<const Snapshot>& snapshot,
                              const AddFile& file);

/// Reads all of the snapshot's rows into one table.
Result<std::shared_ptr<arrow::Table>> ReadSnapshot(const std::shared_ptr<const Snapshot>& snapshot,
                                                   const ScanOptions& options = {});

}  // namespace basin::delta
