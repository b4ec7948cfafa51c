#pragma once

// Writing Arrow data into a Delta table as delta-spark's DataFrameWriter does: create, append,
// overwrite, partitionBy, replaceWhere, schema enforcement, mergeSchema and overwriteSchema, with
// per-file statistics and idempotent writes through the txn action.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/table.h>
#include <nlohmann/json.hpp>

#include "basin/base/status.h"
#include "basin/delta/actions.h"
#include "basin/io/file_system.h"

namespace basin::delta {

enum class SaveMode { kAppend, kOverwrite, kErrorIfExists, kIgnore };

struct WriteOptions {
  SaveMode mode = SaveMode::kErrorIfExists;
  /// Partition columns; on an existing table they must match the table's (or be empty).
  std::vector<std::string> partition_by;
  bool merge_schema = false;
  bool overwrite_schema = false;
  /// With kOverwrite: replace only rows matching this predicate (Delta's replaceWhere).
  std::optional<std::string> replace_where;
  /// Table properties (delta.*) set when the write creates the table.
  std::map<std::string, std::string> table_properties;
  /// Idempotent write: skipped if the table already has this appId at this version or later.
  std::optional<Txn> txn;
  /// Most rows per data file.
  int64_t max_rows_per_file = 10'000'000;
  /// The number of partitions Spark would write the rows from, when the DataFrame sets one
  /// (repartition(n), range(..., numPartitions)): each partition folder then gets that many files
  /// (no more than its rows, and more only when max_rows_per_file asks). With
  /// `partitions_at_most` (coalesce(n)) it is an upper bound on the files of a folder instead.
  std::optional<int64_t> partitions;
  bool partitions_at_most = false;
  /// Target size of a data file's rows in memory (Arrow buffers); files on disk come out at
  /// about half of it. Larger writes are split into files of about this size, written two
  /// at a time.
  int64_t target_file_bytes = 256LL << 20;
  /// The commitInfo operation ("WRITE", or the SQL statement's: "CREATE TABLE AS SELECT", ...)
  /// and, when set, its operationParameters instead of the DataFrameWriter ones.
  std::string operation = "WRITE";
  std::optional<nlohmann::json> operation_parameters;
  /// The table's description (COMMENT), set when the write creates or replaces the table.
  std::optional<std::string> description;
  /// CLUSTER BY columns (liquid clustering) of a table the write creates or replaces.
  std::vector<std::string> cluster_by;
  /// The caller checked the table's CHECK constraints with the SQL engine (see CheckConstraints)
  /// and computed its generated columns.
  bool constraints_checked = false;
  /// An existing table's schema with new field metadata, committed with the write (identity
  /// columns' delta.identity.highWaterMark).
  std::shared_ptr<arrow::Schema> updated_table_schema;
  /// With an empty input, commit no data file (CREATE TABLE without AS writes only metadata).
  bool no_empty_file = false;
};

struct WriteResult {
  /// The committed version, or the current version when the write was skipped.
  int64_t version = -1;
  bool skipped = false;
  int64_t num_files = 0;
  int64_t num_rows = 0;
  int64_t num_bytes = 0;
};

/// Fails with DELTA_UNSUPPORTED_DATA_TYPES when `schema` has a column (or nested field) of a type
/// that Delta tables cannot hold (TIME), as delta-spark's type check does.
Status CheckSupportedTypes(const arrow::Schema& schema);

/// Writes `data` to the Delta table at `table_root` (created if absent).
Result<WriteResult> WriteTable(const io::Location& table_root,
                               const std::shared_ptr<arrow::Table>& data,
                               const WriteOptions& options);

/// Returns the remove action that retires `add` at `now_ms` (extended file metadata included).
RemoveFile RemoveActionOf(const AddFile& add, int64_t now_ms);

/// Writes `data` (the table's logical columns, partition columns included) as new data files of
/// the table described by `metadata`, with statistics, without committing them. On failure the
/// files written so far are deleted.
Result<std::vector<AddFile>> WriteDataFiles(const io::Location& table_root,
                                            const Metadata& metadata,
                                            const std::shared_ptr<arrow::Table>& data);

/// Returns the protocol `current` must be upgraded to for a table with `configuration` and
/// `schema` (table properties such as delta.enableTypeWidening, delta.feature.<name>), or
/// nothing when `current` already supports all of it. Features `current` implies by its legacy
/// versions are listed when the upgrade moves it to table features (PROTOCOL.md, "Table
/// Features").
std::optional<Protocol> UpgradedProtocol(const Protocol& current,
                                         const std::map<std::string, std::string>& configuration,
                                         const arrow::Schema& schema);

}  // namespace basin::delta
